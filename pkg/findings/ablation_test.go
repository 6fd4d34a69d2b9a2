package findings

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
)

func TestAblations(t *testing.T) {
	sub := prepareSmall(t)
	opt := DefaultAblationOptions()
	opt.Scan.Tau = 0.8
	opt.Contrast.Bootstrap = 300
	res, err := Ablations(sub, 4, opt)
	if err != nil {
		t.Fatal(err)
	}
	// The neurons are selected on the selection samples (the observers' training samples), never on
	// the test split their ablation is measured on.
	if res.SelectionSamples != sub.Train.N || res.TestSamples != sub.Test.N {
		t.Fatalf("selected on %d samples, measured on %d; the subject has %d training and %d test activations",
			res.SelectionSamples, res.TestSamples, sub.Train.N, sub.Test.N)
	}
	scan, err := denotation.Scan(sub.Train, opt.Scan)
	if err != nil {
		t.Fatal(err)
	}
	smallest := scan.SmallestDenotations()
	if res.Candidates != len(smallest) || len(res.Ablations) != min(4, len(smallest)) || len(res.Ablations) == 0 {
		t.Fatalf("%d candidates, %d ablations; scan has %d denoting neurons", res.Candidates, len(res.Ablations), len(smallest))
	}
	// The highest min-class fractions are ablated, in that order.
	slices.SortStableFunc(smallest, func(a, b denotation.Denotation) int { return cmp.Compare(b.MinClassFraction, a.MinClassFraction) })
	for i, r := range res.Ablations {
		if r.MinClassFraction != smallest[i].MinClassFraction {
			t.Errorf("ablation %d has min class fraction %v, want %v", i, r.MinClassFraction, smallest[i].MinClassFraction)
		}
		// The per-class accuracies the contrast is made of are the model's own, intact and ablated.
		ev, err := sub.Model.EvaluateAblated(sub.ObserveTest, []model.Ablation{{Layer: r.Layer, Neuron: r.Neuron, Value: opt.Value}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(r.Contrast.AccuracyAfter, ev.PerClass) || !slices.Equal(r.Contrast.AccuracyBefore, sub.Eval.PerClass) {
			t.Errorf("ablation %d: per-class accuracy %v → %v, model says %v → %v", i,
				r.Contrast.AccuracyBefore, r.Contrast.AccuracyAfter, sub.Eval.PerClass, ev.PerClass)
		}
		if math.Abs(r.AccuracyBefore-sub.Eval.Accuracy) > 1e-12 {
			t.Errorf("accuracy before %v, model says %v", r.AccuracyBefore, sub.Eval.Accuracy)
		}
		c, err := denotation.ContrastOfAccuracies(r.Contrast.AccuracyBefore, r.Contrast.AccuracyAfter, r.Labels)
		if err != nil || math.Abs(c-float64(r.Contrast.Contrast)) > 1e-12 || !r.Contrast.CILow.Defined() {
			t.Errorf("contrast %v, from the accuracies %v (%v)", r.Contrast.Contrast, c, err)
		}
		if r.Control == nil || r.ControlNeuron < 0 || r.ControlNeuron == r.Neuron {
			t.Errorf("ablation %d: control %d", i, r.ControlNeuron)
		} else if nr, _ := scan.Neuron(r.Layer, r.ControlNeuron); nr.Denotes() {
			t.Errorf("control neuron %d of layer %d denotes", r.ControlNeuron, r.Layer)
		}
	}
	ev, err := sub.Model.EvaluateAblated(sub.ObserveTest, []model.Ablation{{Layer: res.Ablations[0].Layer, Neuron: res.Ablations[0].Neuron}})
	if err != nil || math.Abs(ev.Accuracy-res.Ablations[0].AccuracyAfter) > 1e-12 {
		t.Errorf("ablated accuracy %v, model says %v (%v)", res.Ablations[0].AccuracyAfter, ev.Accuracy, err)
	}
	// Ablating a denoting neuron hurts its classes more than the others, more than ablating a
	// neuron that denotes nothing does (on average over the ablated neurons).
	if !(res.MeanContrast > 0) || !(res.MeanContrast > res.MeanControlContrast) || res.Positive == 0 {
		t.Errorf("mean contrast %v, control %v, %d positive", res.MeanContrast, res.MeanControlContrast, res.Positive)
	}
	if res.Figure == nil || res.Figure.Panel("ablation") == nil {
		t.Error("no ablation figure")
	}
	// The paired excess over the controls is computed from the rows.
	var excess []float64
	var change float64
	for _, r := range res.Ablations {
		if r.Control != nil {
			excess = append(excess, float64(r.Contrast.Contrast-r.Control.Contrast))
		}
		change += math.Abs(r.AccuracyAfter - r.AccuracyBefore)
	}
	if iv := denotation.TInterval(excess, 0.95); iv != res.ExcessOverControl || iv.N != res.Controls {
		t.Errorf("excess over control %+v, from the rows %+v (%d controls)", res.ExcessOverControl, iv, res.Controls)
	}
	if got := float64(res.MeanAccuracyChange); math.Abs(got-change/float64(len(res.Ablations))) > 1e-12 {
		t.Errorf("mean accuracy change %v, from the rows %v", got, change/float64(len(res.Ablations)))
	}
	roundTrip(t, res)
	// The test split has no say in which neurons are ablated: with its labels shuffled, the same
	// neurons and sets are chosen (only their measured effects change).
	fake := *sub
	fake.Test = shuffledLabels(sub.Test, 99)
	blind, err := Ablations(&fake, 4, opt)
	if err != nil {
		t.Fatal(err)
	}
	if blind.Candidates != res.Candidates || len(blind.Ablations) != len(res.Ablations) {
		t.Fatalf("with shuffled test labels: %d candidates, %d ablations; want %d, %d", blind.Candidates, len(blind.Ablations), res.Candidates, len(res.Ablations))
	}
	for i, r := range blind.Ablations {
		if w := res.Ablations[i]; r.Layer != w.Layer || r.Neuron != w.Neuron || r.Labels != w.Labels || r.ControlNeuron != w.ControlNeuron {
			t.Errorf("with shuffled test labels, ablation %d is layer %d neuron %d %v (control %d); want layer %d neuron %d %v (control %d)",
				i, r.Layer, r.Neuron, r.Labels, r.ControlNeuron, w.Layer, w.Neuron, w.Labels, w.ControlNeuron)
		}
	}
	if _, err := Ablations(sub, 0, opt); err == nil {
		t.Error("max neurons 0 accepted")
	}
	opt.MaxQ = 0.05
	if _, err := Ablations(sub, 3, opt); err == nil {
		t.Error("max_q without permutations accepted")
	}
}

// TestAblationExcessText checks the sentence that says whether ablating denoting neurons hurts their
// classes more than ablating the controls does.
func TestAblationExcessText(t *testing.T) {
	for _, tc := range []struct {
		iv   denotation.Interval
		want string
	}{
		{denotation.Interval{Mean: 0.002, Lo: 0.001, Hi: 0.003, N: 8}, "hurts its classes more than ablating a non-denoting neuron"},
		{denotation.Interval{Mean: -0.002, Lo: -0.003, Hi: -0.001, N: 8}, "hurts its classes less"},
		{denotation.Interval{Mean: 0.001, Lo: -0.001, Hi: 0.003, N: 8}, "The interval includes 0"},
		{denotation.Interval{Mean: 0.001, Lo: denotation.NaN, Hi: denotation.NaN, N: 1}, "Too few ablations"},
	} {
		a := &AblationResult{ExcessOverControl: tc.iv, MeanAccuracyChange: 0.0004}
		if got := a.excessText(); !strings.Contains(got, tc.want) || !strings.Contains(got, "0.0004") {
			t.Errorf("%+v: %q, want it to say %q", tc.iv, got, tc.want)
		}
	}
}
