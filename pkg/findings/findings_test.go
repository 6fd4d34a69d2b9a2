package findings

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/denotation-go/denotation/plotting"
)

// quickSetup is a tiny but real setup: a 16-12 MLP trained 1 epoch on 1,000 MNIST samples.
func quickSetup() Setup { return mnistSetup([]int{16, 12}, 1, 1000, 600, 400) }

// mnistSetup is a small MNIST setup for the tests: an MLP of the hidden widths trained epochs
// epochs in batches of 64 on trainLimit samples, observed on observeTrain training and
// observeTest test samples.
func mnistSetup(hidden []int, epochs, trainLimit, observeTrain, observeTest int) Setup {
	s := DefaultSetup("mnist")
	s.Model = s.Model.WithHidden(hidden...).WithEpochs(epochs).WithBatchSize(64)
	s.TrainLimit, s.ObserveTrain, s.ObserveTest = trainLimit, observeTrain, observeTest
	return s
}

// bundledDataFreshCache points the test at the bundled datasets and at an empty run cache.
func bundledDataFreshCache(t *testing.T) {
	t.Setenv("DENOTATION_DATA_DIR", "")
	t.Setenv("DENOTATION_CACHE", t.TempDir())
}

func TestPrepareAndWeights(t *testing.T) {
	bundledDataFreshCache(t)
	figs := t.TempDir()
	t.Setenv(EnvFigures, figs)
	sub, err := Prepare(quickSetup(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Cached || sub.Train.N != 600 || sub.Test.N != 400 || len(sub.Train.Layers) != 2 || sub.Train.Layers[1].Width != 12 {
		t.Fatalf("subject: %v", sub)
	}
	again, err := Prepare(quickSetup(), nil)
	if err != nil || !again.Cached {
		t.Fatalf("second Prepare: cached=%v err=%v", again != nil && again.Cached, err)
	}
	if again.Eval.Accuracy != sub.Eval.Accuracy {
		t.Errorf("cached model evaluates to %v, trained one to %v", again.Eval.Accuracy, sub.Eval.Accuracy)
	}
	res, err := ObserverWeights(sub, "even", "digit=1")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Observers) != 2 || len(res.Observers[0].Weights) != 2 || len(res.Observers[0].Weights[0]) != 16 {
		t.Fatalf("observers: %+v", res.Observers)
	}
	// Even a one-epoch model carries "is it a 1" far above chance (0.89 by always saying no).
	if acc := res.Observers[1].TestAccuracy; acc < 0.95 {
		t.Errorf("digit=1 observer accuracy %.3f", acc)
	}
	paths, err := Export(res.Figure, "weights")
	if err != nil || len(paths) != 2 {
		t.Fatalf("export: %v %v", paths, err)
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 || filepath.Dir(p) != figs {
			t.Errorf("exported %s: %v", p, err)
		}
	}
	// Outside a notebook, ShowAndExport only exports; the PNG saved is the figure's PNG.
	shown, err := ShowAndExport(res.Figure, "weights-shown", "png", "svg")
	if err != nil || len(shown) != 2 {
		t.Fatalf("ShowAndExport: %v %v", shown, err)
	}
	saved, err := os.ReadFile(shown[0])
	if want, err2 := plotting.PNG(res.Figure); err != nil || err2 != nil || !bytes.Equal(saved, want) {
		t.Errorf("the PNG saved (%d bytes) is not the figure's PNG (%v, %v)", len(saved), err, err2)
	}
	if _, err := ObserverWeights(sub, "nonsense"); err == nil {
		t.Error("bad property spec accepted")
	}
	ctl, err := sub.Untrained()
	if err != nil || ctl.Model.Depth() != 2 || ctl.Eval.Accuracy > 0.5 {
		t.Errorf("untrained control: %v", err)
	}
}

// TestLoadFullOnce checks that the findings of one process share one decoded copy of a data set, per
// data folder.
func TestLoadFullOnce(t *testing.T) {
	t.Setenv("DENOTATION_DATA_DIR", "")
	a, err := loadFull("mnist")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := loadFull("mnist"); err != nil || b != a {
		t.Errorf("second load: %p, want %p (%v)", b, a, err)
	}
	t.Setenv("DENOTATION_DATA_DIR", filepath.Join(t.TempDir(), "nothing-here"))
	if _, err := loadFull("mnist"); err == nil {
		t.Error("another data folder was answered with the data set loaded from the first")
	}
}

func TestSetupValidate(t *testing.T) {
	s := quickSetup()
	s.Dataset = "cifar"
	if s.Validate() == nil {
		t.Error("unknown data set accepted")
	}
	s = quickSetup()
	s.Model = s.Model.WithHidden(0)
	if s.Validate() == nil {
		t.Error("zero width accepted")
	}
}

func TestObserversCapture(t *testing.T) {
	bundledDataFreshCache(t)
	sub, err := Prepare(quickSetup(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ObserversCapture(sub, CaptureOptions{Properties: "even;digit=1;loops"})
	if err != nil {
		t.Fatal(err)
	}
	// 3 properties × (2 layers + all) × 3 observer kinds.
	if len(res.Named) != 27 {
		t.Fatalf("%d named rows", len(res.Named))
	}
	for _, row := range res.Named {
		if row.Decisive != (row.BalancedAccuracy >= row.Ceiling-res.Margin) || row.DecisiveAbsolute != (row.BalancedAccuracy >= res.Decisive) {
			t.Errorf("row %+v: decisive flags disagree with its accuracy", row)
		}
		if row.Observer == "linear" && (row.ControlTaskAccuracy == 0 || row.ValidationBalancedAccuracy == nil || row.ShuffledBalancedAccuracy == nil || row.Confident == nil) {
			t.Errorf("row %+v: no control task, validation score, shuffled-label control or confidence", row)
		}
	}
	// The ceiling is the object model's own balanced accuracy on the property, recomputed here
	// from its predictions.
	pred, err := sub.Model.Predict(sub.ObserveTest)
	if err != nil {
		t.Fatal(err)
	}
	even := map[int]bool{0: true, 2: true, 4: true, 6: true, 8: true}
	var tp, pos, tn, neg float64
	for i, y := range sub.ObserveTest.Labels {
		switch {
		case even[y]:
			pos++
			if even[pred[i]] {
				tp++
			}
		default:
			neg++
			if !even[pred[i]] {
				tn++
			}
		}
	}
	if row := res.Row("even", 1, "linear"); row == nil || math.Abs(row.Ceiling-0.5*(tp/pos+tn/neg)) > 1e-12 {
		t.Errorf("ceiling of even: %+v, recomputed %v", row, 0.5*(tp/pos+tn/neg))
	}
	// One verdict per property, at the layer with the best validation score (never the test score).
	if len(res.Verdicts) != 3 || res.ValidationSamples == 0 {
		t.Fatalf("verdicts %+v (validation samples %d)", res.Verdicts, res.ValidationSamples)
	}
	for _, v := range res.Verdicts {
		for _, row := range res.Named {
			if row.Property == v.Property && row.Observer == "linear" && *row.ValidationBalancedAccuracy > v.Validation {
				t.Errorf("verdict %+v: layer %d has a better validation score %v", v, row.Layer, *row.ValidationBalancedAccuracy)
			}
		}
	}
	if len(res.Subsets) != 511 || len(res.DecisiveSubsets) != 2 {
		t.Fatalf("%d subsets, %d layers of counts", len(res.Subsets), len(res.DecisiveSubsets))
	}
	var trained, untrained float64
	for _, s := range res.Subsets {
		trained += s.BalancedAccuracy[1]
		untrained += s.Untrained[1]
	}
	if trained <= untrained {
		t.Errorf("mean subset accuracy at the last layer: trained %.3f ≤ untrained %.3f", trained/511, untrained/511)
	}
	sizes := 0
	for _, s := range res.BySize {
		if s.Layer == 1 {
			sizes += s.Sets
		}
	}
	if sizes != 511 {
		t.Errorf("size summaries of layer 1 cover %d splits", sizes)
	}
	if res.NamedFigure == nil || res.SubsetFigure == nil {
		t.Fatal("missing figures")
	}
	if _, err := ObserversCapture(sub, CaptureOptions{Properties: "even;nonsense"}); err == nil {
		t.Error("bad spec accepted")
	}
}
