package denotation

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/denotation-go/denotation/pkg/hidden"
	"github.com/denotation-go/denotation/pkg/property"
)

// noiseActs returns one layer of width w of pure noise (no neuron depends on the label), n samples
// per class.
func noiseActs(perClass, k, w int, seed uint64) *hidden.Activations {
	r := rand.New(rand.NewPCG(seed, 7))
	n := perClass * k
	a := &hidden.Activations{N: n, NumClasses: k, Labels: make([]int, n)}
	l := hidden.LayerActivations{Layer: 1, Depth: 1, Width: w, Post: make([]float32, n*w)}
	for i := range n {
		a.Labels[i] = i % k
		for j := range w {
			l.Post[i*w+j] = float32(r.NormFloat64())
		}
	}
	a.Layers = []hidden.LayerActivations{l}
	return a
}

// TestValidateRejectsSelectionNoise: on pure noise, a scan of a tiny selection set finds
// "denotations" by chance; judged on independent samples almost none survive, while judging them
// on the selection set itself (selection data = evaluation data) keeps every one. This is why
// denotations are validated on a split disjoint from the one they were chosen on.
func TestValidateRejectsSelectionNoise(t *testing.T) {
	const k, w, tau = 3, 400, 0.8
	sel := noiseActs(5, k, w, 1)
	held := noiseActs(400, k, w, 2)
	scan, err := Scan(sel, Options{Tau: tau})
	if err != nil {
		t.Fatal(err)
	}
	if scan.NumDenoting() < 20 {
		t.Fatalf("selection on 5 samples per class found only %d chance denotations; the test needs many", scan.NumDenoting())
	}
	same, err := Validate(scan, sel, ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if same.NumDenoting() != scan.NumDenoting() {
		t.Fatalf("judged on the selection set itself: %d of %d survive, want all", same.NumDenoting(), scan.NumDenoting())
	}
	v, err := Validate(scan, held, ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Validation == nil || v.Validation.SelectedDenoting != scan.NumDenoting() || v.Validation.SelectionSamples != sel.N {
		t.Fatalf("validation record %+v does not describe the selection scan", v.Validation)
	}
	if v.NumDenoting() > scan.NumDenoting()/20 {
		t.Fatalf("%d of %d chance denotations survive on independent noise", v.NumDenoting(), scan.NumDenoting())
	}
	t.Logf("noise: %d chance denotations on the selection set, %d validated", scan.NumDenoting(), v.NumDenoting())
}

// TestValidateKeepsRealAndRecomputes: a neuron that fires for classes {1, 2} keeps its denotation
// on fresh samples, with the held-out fractions recomputed directly.
func TestValidateKeepsRealAndRecomputes(t *testing.T) {
	const k = 4
	mk := func(perClass int, seed uint64, flip int) *hidden.Activations {
		r := rand.New(rand.NewPCG(seed, 3))
		n := perClass * k
		a := &hidden.Activations{N: n, NumClasses: k, Labels: make([]int, n)}
		l := hidden.LayerActivations{Layer: 1, Depth: 1, Width: 1, Post: make([]float32, n)}
		for i := range n {
			y := i % k
			a.Labels[i] = y
			v := r.Float64()
			if y == 1 || y == 2 {
				v += 2
			}
			l.Post[i] = float32(v)
		}
		// flip the first `flip` samples of class 0 above every threshold
		for i, f := 0, 0; i < n && f < flip; i++ {
			if a.Labels[i] == 0 {
				l.Post[i] = 10
				f++
			}
		}
		a.Layers = []hidden.LayerActivations{l}
		return a
	}
	sel := mk(50, 1, 0)
	scan, err := Scan(sel, Options{Tau: 0.95})
	if err != nil {
		t.Fatal(err)
	}
	nr, _ := scan.Neuron(1, 0)
	d, ok := nr.SmallestDenotation()
	if !ok || d.Labels != property.MustLabelSet(1, 2) {
		t.Fatalf("selection scan: smallest denotation %+v, want {1,2}", d)
	}
	// 100 per class; 3 of class 0 above: class 0 on its side 0.97 ≥ 0.95, kept.
	held := mk(100, 2, 3)
	v, err := Validate(scan, held, ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vn, _ := v.Neuron(1, 0)
	vd, ok := vn.SmallestDenotation()
	if !ok {
		t.Fatal("real denotation was not validated")
	}
	if math.Abs(vd.FractionAbove[0]-0.03) > 1e-12 || math.Abs(vd.MinClassFraction-0.97) > 1e-12 {
		t.Fatalf("held-out fractions %v, min %v; want class 0 above 0.03, min 0.97", vd.FractionAbove, vd.MinClassFraction)
	}
	if vd.LowerBound == nil || !(*vd.LowerBound < 0.97 && *vd.LowerBound > 0.9) {
		t.Fatalf("lower bound %v, want in (0.9, 0.97)", vd.LowerBound)
	}
	if vd.Threshold != d.Threshold {
		t.Fatalf("threshold changed from %v to %v: validation must keep the selected threshold", d.Threshold, vd.Threshold)
	}
	// 10 of 100 above: 0.90 < 0.95, rejected.
	v2, err := Validate(scan, mk(100, 2, 10), ValidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v2.NumDenoting() != 0 {
		t.Fatalf("a denotation that fails on the held-out split survived")
	}
	// mismatched shapes are errors, not panics
	bad := noiseActs(10, 3, 1, 1)
	if _, err := Validate(scan, bad, ValidateOptions{}); err == nil {
		t.Fatal("held-out split with another class count accepted")
	}
}

func TestClopperPearsonLower(t *testing.T) {
	// Known values: x = n = 100 at 95%: 0.05^(1/100) = 0.97049...
	if got, want := ClopperPearsonLower(100, 100, 0.95), math.Pow(0.05, 0.01); math.Abs(got-want) > 1e-9 {
		t.Fatalf("CP(100/100) = %v, want %v", got, want)
	}
	if ClopperPearsonLower(0, 10, 0.95) != 0 {
		t.Fatal("CP(0/10) must be 0")
	}
	// x = 95 of 100: one-sided 95% lower bound ≈ 0.8981 (R: binom.test(95,100,alt="greater")).
	if got := ClopperPearsonLower(95, 100, 0.95); math.Abs(got-0.8981) > 5e-4 {
		t.Fatalf("CP(95/100) = %v, want ≈ 0.8981", got)
	}
}

// TestScanValidated: the one-call validated scan is Scan on the selection samples then Validate on
// the held-out ones.
func TestScanValidated(t *testing.T) {
	sel, held := noiseActs(5, 3, 50, 1), noiseActs(40, 3, 50, 2)
	opt := Options{Tau: 0.8}
	val, selection, err := ScanValidated(sel, held, opt)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := Scan(sel, opt)
	v, _ := Validate(s, held, ValidateOptions{Tau: 0.8})
	if selection.NumDenoting() != s.NumDenoting() || val.NumDenoting() != v.NumDenoting() || val.Validation.SelectedDenoting != s.NumDenoting() {
		t.Fatalf("ScanValidated: %d selected, %d validated; by hand %d, %d", selection.NumDenoting(), val.NumDenoting(), s.NumDenoting(), v.NumDenoting())
	}
	if _, _, err := ScanValidated(sel, noiseActs(5, 4, 50, 3), opt); err == nil {
		t.Fatal("held-out samples of another class count accepted")
	}
}
