package findings

import (
	"cmp"
	"encoding/json"
	"math"
	"slices"
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
	scan, err := denotation.Scan(sub.Test, opt.Scan)
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
		// This package's forward pass agrees exactly with the model's, intact and ablated.
		if r.Discrepancy != 0 {
			t.Errorf("ablation %d: forward passes differ by %d samples", i, r.Discrepancy)
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
	roundTrip(t, res)
	if _, err := Ablations(sub, 0, opt); err == nil {
		t.Error("max neurons 0 accepted")
	}
	opt.MaxQ = 0.05
	if _, err := Ablations(sub, 3, opt); err == nil {
		t.Error("max_q without permutations accepted")
	}
}

func TestReplicationAndEmergence(t *testing.T) {
	sub := prepareSmall(t) // also leaves seed 1 in the run cache
	opt := denotation.Options{Tau: 0.8}
	s := denoteSetup()
	rep, err := Replication(s, []uint64{1, 2}, opt, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	scan, _, _ := validatedScan(sub.Train, sub.Test, opt.Tau)
	if rep.Report.NumRuns != 2 || len(rep.Denoting) != 2 || rep.Denoting[0] != scan.NumDenoting() ||
		math.Abs(rep.TestAccuracy[0]-sub.Eval.Accuracy) > 1e-12 {
		t.Fatalf("replication %+v; seed 1 has %d denoting neurons, accuracy %v", rep, scan.NumDenoting(), sub.Eval.Accuracy)
	}
	if rep.Total != len(rep.Report.Sets) || rep.InAll != len(rep.Report.Surviving(2)) || len(rep.Surviving) != rep.InAll {
		t.Errorf("total %d of %d sets, in all %d, surviving %d", rep.Total, len(rep.Report.Sets), rep.InAll, len(rep.Surviving))
	}
	for _, r := range rep.Surviving {
		if r.NumRuns != 2 || len(r.Classes) != r.Labels.Len() {
			t.Errorf("surviving %+v", r)
		}
	}
	if rep.Figure == nil {
		t.Error("no replication figure")
	}
	roundTrip(t, rep)
	if _, err := Replication(s, []uint64{1}, opt, nil); err == nil {
		t.Error("one seed accepted")
	}

	em, err := EmergenceOverTraining(s, opt, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	if len(em.Points) != 4 || len(em.Epochs) != 4 || em.Points[0].Epoch != 0 || em.Points[3].Epoch != 3 {
		t.Fatalf("emergence points %+v", em.Points)
	}
	// One run, continued epoch by epoch, ends at the model Prepare trained in one go.
	if em.Epochs[3].TestAccuracy != sub.Eval.Accuracy || em.Points[3].Denoting != scan.NumDenoting() {
		t.Errorf("last snapshot: accuracy %v, %d denoting; trained model %v, %d", em.Epochs[3].TestAccuracy,
			em.Points[3].Denoting, sub.Eval.Accuracy, scan.NumDenoting())
	}
	if em.Epochs[0].TestAccuracy > 0.3 || em.Points[0].Denoting >= em.Points[3].Denoting {
		t.Errorf("at initialisation: accuracy %v, %d denoting", em.Epochs[0].TestAccuracy, em.Points[0].Denoting)
	}
	if em.Figure == nil || em.Curves == nil {
		t.Error("emergence figures missing")
	}
	roundTrip(t, em)
	again, err := EmergenceOverTraining(s, opt, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(em)
	b, _ := json.Marshal(again)
	if string(a) != string(b) || !again.Epochs[3].Cached {
		t.Error("the second emergence run differs or did not use its snapshots")
	}
}
