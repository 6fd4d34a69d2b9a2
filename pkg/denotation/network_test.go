package denotation

import (
	"math"
	"testing"

	"github.com/denotation-go/denotation/pkg/property"
)

// synthRun builds a network whose layer ℓ has len(props[ℓ−1]) denoting neurons with those label
// proportions (K = 10) and `idle` non-denoting neurons.
func synthRun(name string, seed uint64, untrained bool, idle int, props ...[]int) NetworkRun {
	res := &Result{Tau: 0.95, NumClasses: 10, Depth: len(props)}
	for li, ps := range props {
		l := LayerResult{Layer: li + 1, Depth: len(props)}
		for j, size := range ps {
			d := Denotation{Layer: li + 1, Neuron: j, Reading: Reading{Labels: property.Full(size), LabelProportion: float64(size) / 10}}
			l.Neurons = append(l.Neurons, NeuronResult{Layer: li + 1, Neuron: j, Denotations: []Denotation{d}})
		}
		for j := 0; j < idle; j++ {
			l.Neurons = append(l.Neurons, NeuronResult{Layer: li + 1, Neuron: len(ps) + j})
		}
		l.Width = len(l.Neurons)
		res.Layers = append(res.Layers, l)
	}
	fr := make([]float64, len(props))
	for i := range fr {
		fr[i] = 0.5 - 0.1*float64(i) + 0.01*float64(seed)
	}
	return NetworkRun{Name: name, Depth: len(props), Seed: seed, Untrained: untrained, Result: res, FiringRate: fr}
}

func near(t *testing.T, what string, got Num, want float64) {
	t.Helper()
	if math.Abs(float64(got)-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestAnalyzeNetworksMatchesDirectComputation(t *testing.T) {
	runs := []NetworkRun{
		// depth 3, three seeds; counts per layer (0,1,2), (0,2,3), (1,1,4)
		synthRun("a", 1, false, 2, nil, []int{1}, []int{4, 6}),
		synthRun("b", 2, false, 2, nil, []int{2, 2}, []int{3, 5, 4}),
		synthRun("c", 3, false, 2, []int{1}, []int{3}, []int{5, 5, 5, 5}),
		// untrained controls: nothing denotes except one neuron of seed 2's layer 1
		synthRun("a-u", 1, true, 4, nil, nil, nil),
		synthRun("b-u", 2, true, 3, []int{1}, nil, nil),
		synthRun("c-u", 3, true, 4, nil, nil, nil),
		// depth 1: a single layer
		synthRun("d1", 1, false, 3, []int{2}),
	}
	rep, err := AnalyzeNetworks(runs, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	// Network a: counts (0,1,2) → slope 1; proportions (0.1 at ℓ=2, 0.4 and 0.6 at ℓ=3):
	// x = (2,3,3), y = (0.1,0.4,0.6): slope = Σ(x−x̄)(y−ȳ)/Σ(x−x̄)² with x̄ = 8/3, ȳ = 1.1/3.
	a := rep.Networks[0]
	near(t, "a count slope", a.CountSlope, 1)
	xb, yb := 8.0/3, 1.1/3
	sxy := (2-xb)*(0.1-yb) + (3-xb)*(0.4-yb) + (3-xb)*(0.6-yb)
	sxx := (2-xb)*(2-xb) + 2*(3-xb)*(3-xb)
	near(t, "a proportion slope", a.ProportionSlope, sxy/sxx)
	near(t, "a layer 3 mean proportion", a.Layers[2].MeanProportion, 0.5)
	near(t, "a mean proportion", a.MeanProportion, 1.1/3)
	if a.Layers[0].MeanProportion.Defined() {
		t.Error("a layer 1 has no denoting neuron: its mean proportion must be undefined")
	}
	near(t, "a layer 2 firing rate", a.Layers[1].FiringRate, 0.41)
	if rep.Networks[6].CountSlope.Defined() || rep.Networks[6].ProportionSlope.Defined() {
		t.Error("a depth-1 network has no slope")
	}

	g := rep.Group(3)
	if g == nil || g.Networks != 3 || g.UntrainedNetworks != 3 {
		t.Fatalf("depth-3 group %+v", g)
	}
	// count slopes: a 1, b 1.5, c 1.5 → mean 4/3, sd = sqrt(((1-4/3)²+2(1.5-4/3)²)/2) = sqrt(1/12)
	t2 := 4.302652729911275 // t quantile 0.975 with 2 degrees of freedom
	m, sd := 4.0/3, math.Sqrt(1.0/12)
	near(t, "count slope mean", g.CountSlope.Mean, m)
	near(t, "count slope lo", g.CountSlope.Lo, m-t2*sd/math.Sqrt(3))
	near(t, "count slope hi", g.CountSlope.Hi, m+t2*sd/math.Sqrt(3))
	// layer 3 counts 2, 3, 4 → mean 3, sd 1
	near(t, "layer 3 count", g.Trained[2].Count.Mean, 3)
	near(t, "layer 3 count hi", g.Trained[2].Count.Hi, 3+t2/math.Sqrt(3))
	// layer 1 proportion: only network c has a denoting neuron there (0.1): N = 1, no interval
	if g.Trained[0].Proportion.N != 1 || g.Trained[0].Proportion.Lo.Defined() {
		t.Errorf("layer 1 proportion %+v: want one network, no interval", g.Trained[0].Proportion)
	}
	// paired differences: untrained slopes a 0, b (1,0,0) → −0.5, c 0; diffs 1, 2, 1.5
	near(t, "count slope diff", g.CountSlopeDiff.Mean, 1.5)
	near(t, "layer 1 count diff", g.Trained[0].CountDiff.Mean, 0) // (0−0, 0−1, 1−0)
	near(t, "denoting diff", g.DenotingDiff.Mean, (3+5+6-1)/3.0)
	// pooled over D ≥ 2: the three depth-3 networks only
	if rep.PooledCountSlope.N != 3 {
		t.Errorf("pooled count slope over %d networks, want 3", rep.PooledCountSlope.N)
	}
	if !g.CountSlope.Excludes(0) {
		t.Error("count slope interval should exclude 0")
	}
	if _, err := AnalyzeNetworks(append(runs, runs[0]), 0.95); err == nil {
		t.Error("a duplicate (depth, seed) was accepted")
	}
	bad := runs[0]
	bad.Depth = 2
	if _, err := AnalyzeNetworks([]NetworkRun{bad}, 0.95); err == nil {
		t.Error("a scan whose layer count differs from the depth was accepted")
	}
}

func TestSpearman(t *testing.T) {
	near(t, "monotone", Num(Spearman([]float64{1, 2, 3}, []float64{1, 4, 9})), 1)
	near(t, "one swap each side", Num(Spearman([]float64{1, 2, 3, 4}, []float64{2, 1, 4, 3})), 0.6)
	// ties: x ranks 1, 2.5, 2.5, 4 against y ranks 1, 2, 3, 4 → Pearson of the ranks.
	xr, yr := []float64{1, 2.5, 2.5, 4}, []float64{1, 2, 3, 4}
	var sxy, sxx, syy float64
	for i := range xr {
		dx, dy := xr[i]-2.5, yr[i]-2.5
		sxy, sxx, syy = sxy+dx*dy, sxx+dx*dx, syy+dy*dy
	}
	near(t, "ties", Num(Spearman([]float64{1, 2, 2, 3}, []float64{1, 2, 3, 4})), sxy/math.Sqrt(sxx*syy))
	if !math.IsNaN(Spearman([]float64{1, 1}, []float64{1, 2})) || !math.IsNaN(Spearman([]float64{1}, nil)) {
		t.Error("a constant variable or mismatched lengths must give NaN")
	}
}
