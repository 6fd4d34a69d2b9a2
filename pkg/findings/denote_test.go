package findings

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
)

// denoteSetup is a small setup whose model trains well enough for a few neurons to denote at
// τ = 0.8: a 32-16 MLP trained 3 epochs on 5,000 MNIST samples (≈ 0.88 test accuracy), scanned
// on 1,000 test samples.
func denoteSetup() Setup { return mnistSetup([]int{32, 16}, 3, 5000, 500, 1000) }

// prepareSmall prepares denoteSetup's subject with a fresh run cache, which stays set in
// $DENOTATION_CACHE for the rest of the test.
func prepareSmall(t *testing.T) *Subject {
	t.Helper()
	bundledDataFreshCache(t)
	sub, err := Prepare(denoteSetup(), &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// roundTrip checks that v marshals to JSON, unmarshals into a fresh *T and marshals to the same
// bytes again.
func roundTrip[T any](t *testing.T, v *T) {
	t.Helper()
	a, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back T
	if err := json.Unmarshal(a, &back); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(&back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("JSON does not round-trip:\n%s\n%s", a, b)
	}
}

func TestDenotations(t *testing.T) {
	sub := prepareSmall(t)
	// τ = 0.8: so small a network has few neurons meeting 0.95 on every class.
	opt := denotation.Options{Tau: 0.8, Permutations: 30, Seed: 7}
	res, err := Denotations(sub, opt)
	if err != nil {
		t.Fatal(err)
	}
	all := res.Scan.Denotations()
	if len(res.Denotations) != len(all) || res.Trained.Denotations != len(all) || len(all) == 0 {
		t.Fatalf("%d rows, %d counted, scan has %d denotations", len(res.Denotations), res.Trained.Denotations, len(all))
	}
	if res.Trained.Neurons != 48 || len(res.Trained.DenotingPerLayer) != 2 || res.TestSamples != 1000 {
		t.Fatalf("summary %+v", res.Trained)
	}
	if res.Trained.Denoting != res.Scan.NumDenoting() ||
		res.Trained.DenotingPerLayer[0]+res.Trained.DenotingPerLayer[1] != res.Trained.Denoting {
		t.Errorf("denoting %d, per layer %v, scan %d", res.Trained.Denoting, res.Trained.DenotingPerLayer, res.Scan.NumDenoting())
	}
	smallest := 0
	for i, r := range res.Denotations {
		d := all[i]
		if r.Layer != d.Layer || r.Neuron != d.Neuron || r.Labels != d.Labels || r.Threshold != d.Threshold ||
			len(r.Classes) != r.Labels.Len() || r.Classes[0] != sub.Data.ClassNames[r.Labels.Classes()[0]] || r.PValue == nil || r.QValue == nil {
			t.Fatalf("row %d = %+v, denotation %+v", i, r, d)
		}
		if r.MinClassFraction < opt.Tau {
			t.Errorf("row %d: min class fraction %v < τ", i, r.MinClassFraction)
		}
		if r.Smallest {
			smallest++
		}
	}
	if smallest != res.Trained.Denoting {
		t.Errorf("%d smallest-set rows for %d denoting neurons", smallest, res.Trained.Denoting)
	}
	if got := len(res.Significant()); got != res.Trained.Significant || got != res.Scan.CountSignificant(SignificanceLevel) {
		t.Errorf("significant: %d rows, summary %d, scan %d", got, res.Trained.Significant, res.Scan.CountSignificant(SignificanceLevel))
	}
	// The untrained control is a different network: its neurons come nowhere near as close to
	// denoting as the trained ones.
	if !(res.Trained.MeanBestScore > res.Untrained.MeanBestScore) || res.Untrained.Denoting >= res.Trained.Denoting {
		t.Errorf("trained %+v vs untrained %+v", res.Trained, res.Untrained)
	}
	if p := res.Figure.Panel("counts"); p == nil || len(p.Plotters) != 4 {
		t.Errorf("counts figure: %+v", p)
	}
	roundTrip(t, res)

	// The story of the first denoting neuron highlights its smallest denoted set at its threshold.
	first := res.Denotations[0]
	st, err := NeuronStory(sub, first.Layer, first.Neuron)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Top) != StoryTop || st.Figure.Panel("activations") == nil || st.Figure.Panel("top-mean") == nil {
		t.Fatalf("story: %d top samples, panels %v", len(st.Top), st.Figure.Panels)
	}
	la, _ := sub.Test.Layer(first.Layer)
	vals := la.Neuron(first.Neuron)
	if vals[st.Top[0]] < vals[st.Top[StoryTop-1]] {
		t.Errorf("top samples not sorted by activation")
	}
	for i, v := range vals {
		if !slices.Contains(st.Top, i) && v > vals[st.Top[StoryTop-1]] {
			t.Fatalf("sample %d (%v) is above the last top sample (%v) but not in the top", i, v, vals[st.Top[StoryTop-1]])
		}
	}
	// The story's default τ is 0.95: at τ = 0.8 it must agree with the scan.
	st, err = NeuronStoryAt(sub, first.Layer, first.Neuron, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	if st.Shown != first.Labels || st.Threshold != first.Threshold {
		t.Errorf("story shows %v at %v, scan says %v at %v", st.Shown, st.Threshold, first.Labels, first.Threshold)
	}
	roundTrip(t, st)
	for _, c := range [][2]int{{0, 0}, {3, 0}, {1, 32}, {2, -1}} {
		if _, err := NeuronStory(sub, c[0], c[1]); err == nil {
			t.Errorf("layer %d neuron %d accepted", c[0], c[1])
		}
	}
	if _, err := Denotations(sub, denotation.Options{Tau: 0.4}); err == nil {
		t.Error("τ = 0.4 accepted")
	}
}

// TestDenotationsSelectOnTrainJudgeOnTest: F3 chooses sets on the subject's training-split
// activations and judges them on its test split. A subject whose training activations denote
// perfectly but whose test activations carry no label information must give no validated
// denotation (it would give many if the test split were also the selection split), and the
// selection samples must be training samples, disjoint from the evaluation samples.
func TestDenotationsSelectOnTrainJudgeOnTest(t *testing.T) {
	sub := prepareSmall(t)
	if sub.ObserveTrain.Name == sub.ObserveTest.Name || sub.Train.N != sub.ObserveTrain.Len() || sub.Test.N != sub.ObserveTest.Len() {
		t.Fatalf("selection split %q (%d samples) vs evaluation split %q (%d)", sub.ObserveTrain.Name, sub.Train.N, sub.ObserveTest.Name, sub.Test.N)
	}
	opt := denotation.Options{Tau: 0.8}
	res, err := Denotations(sub, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.SelectionSamples != sub.Train.N || res.Scan.NumSamples != sub.Test.N || res.Scan.Validation == nil ||
		res.Scan.Validation.SelectionSamples != sub.Train.N {
		t.Fatalf("F3 selected on %d samples and judged on %d; the subject has %d training and %d test activations",
			res.SelectionSamples, res.Scan.NumSamples, sub.Train.N, sub.Test.N)
	}
	// Swap in test activations with the labels shuffled: the trained selection no longer holds.
	fake := *sub
	fake.Test = shuffledLabels(sub.Test, 99)
	broken, err := Denotations(&fake, opt)
	if err != nil {
		t.Fatal(err)
	}
	if broken.Selected.Denoting == 0 || broken.Trained.Denoting != 0 {
		t.Fatalf("selection %d denoting, %d validated on label-free test activations (want > 0 and 0)",
			broken.Selected.Denoting, broken.Trained.Denoting)
	}
	if res.Shuffled.Denoting != 0 {
		t.Errorf("shuffled-label control: %d validated denotations", res.Shuffled.Denoting)
	}
}
