package denotation

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/pkg/hidden"
	"github.com/denotation-go/denotation/pkg/property"
)

// randomNeuron draws labels (every class present) and values with many ties: each class gets a
// random level and most of its samples sit at that level; kind 0 is a dead neuron (constant),
// kind 1 a ReLU-like neuron (many exact zeros, also −0), kind 2 signed values.
func randomNeuron(rng *rand.Rand, k, n, kind int) ([]float32, []int) {
	labels := make([]int, n)
	for i := range labels {
		if i < k {
			labels[i] = i
		} else {
			labels[i] = rng.IntN(k)
		}
	}
	rng.Shuffle(n, func(a, b int) { labels[a], labels[b] = labels[b], labels[a] })
	level := make([]float32, k)
	for c := range level {
		level[c] = float32(rng.IntN(4))
	}
	noise := rng.Float64() * 0.3
	values := make([]float32, n)
	for i, y := range labels {
		switch kind {
		case 0:
			values[i] = 0.5
		case 3:
			values[i] = float32(rng.IntN(2 + i%2))
		case 1:
			v := level[y] - 1
			if rng.Float64() < noise {
				v = float32(rng.IntN(4)) - 1
			}
			if v <= 0 {
				v = 0
				if rng.IntN(2) == 0 {
					v = float32(math.Copysign(0, -1))
				}
			}
			values[i] = v
		default:
			v := level[y] - 1.5
			if rng.Float64() < noise {
				v = float32(rng.IntN(7))/2 - 1.5
			}
			values[i] = v
		}
	}
	return values, labels
}

// brute evaluates the definition directly for every proper S and every threshold t in the
// list of distinct values (plus one below the minimum): "above" is float64(v) > t.
type bruteResult struct {
	denoting map[uint64][]float64 // S → thresholds (distinct values) at which S is denoted
	best     float64              // max over S, t of the min-class fraction
	distinct []float64
}

func bruteMeasures(values []float32, labels []int, k int, mask uint64, t float64) (mcf, ba, cba float64, fa []float64) {
	n := make([]int, k)
	a := make([]int, k)
	for i, v := range values {
		n[labels[i]]++
		if float64(v) > t {
			a[labels[i]]++
		}
	}
	mcf = 2
	var sIn, sOut float64
	var nIn, nOut, tp, p, tn, nn int
	fa = make([]float64, k)
	for c := range k {
		fa[c] = float64(a[c]) / float64(n[c])
		fb := float64(n[c]-a[c]) / float64(n[c])
		if mask&(1<<uint(c)) != 0 {
			mcf = min(mcf, fa[c])
			sIn += fa[c]
			nIn++
			tp += a[c]
			p += n[c]
		} else {
			mcf = min(mcf, fb)
			sOut += fb
			nOut++
			tn += n[c] - a[c]
			nn += n[c]
		}
	}
	return mcf, 0.5 * (float64(tp)/float64(p) + float64(tn)/float64(nn)), 0.5 * (sIn/float64(nIn) + sOut/float64(nOut)), fa
}

func brute(values []float32, labels []int, k int, tau float64) bruteResult {
	set := map[float64]bool{}
	for _, v := range values {
		set[float64(v)] = true
	}
	var distinct []float64
	for v := range set {
		distinct = append(distinct, v)
	}
	slices.Sort(distinct)
	ts := append([]float64{distinct[0] - 1}, distinct...)
	br := bruteResult{denoting: map[uint64][]float64{}, best: -1, distinct: distinct}
	full := uint64(1)<<uint(k) - 1
	for mask := uint64(1); mask < full; mask++ {
		for _, t := range ts {
			mcf, _, _, _ := bruteMeasures(values, labels, k, mask, t)
			br.best = max(br.best, mcf)
			if mcf >= tau {
				br.denoting[mask] = append(br.denoting[mask], t)
			}
		}
	}
	return br
}

func checkAgainstBrute(t *testing.T, name string, values []float32, labels []int, k int, tau float64, nr NeuronResult) {
	t.Helper()
	br := brute(values, labels, k, tau)
	if nr.Constant != (len(br.distinct) == 1) {
		t.Fatalf("%s: constant=%v but %d distinct values", name, nr.Constant, len(br.distinct))
	}
	if nr.Constant {
		if len(nr.Denotations) != 0 || nr.Best != nil {
			t.Fatalf("%s: constant neuron reports %d denotations, best %v", name, len(nr.Denotations), nr.Best)
		}
		return
	}
	if len(nr.Denotations) != len(br.denoting) {
		t.Fatalf("%s: %d denotations, brute force finds %d (%v)", name, len(nr.Denotations), len(br.denoting), br.denoting)
	}
	for i, d := range nr.Denotations {
		m := uint64(d.Labels)
		ts, ok := br.denoting[m]
		if !ok {
			t.Fatalf("%s: reported set %v is not denoted by brute force", name, d.Labels)
		}
		if i > 0 {
			prev := uint64(nr.Denotations[i-1].Labels)
			if prev&m != prev || prev == m {
				t.Fatalf("%s: denotations not nested smallest first: %v then %v", name, nr.Denotations[i-1].Labels, d.Labels)
			}
		}
		// Interval: [min t, next distinct value after max t), and every distinct value inside denotes.
		lo, hi := ts[0], ts[len(ts)-1]
		if d.ThresholdLow != lo {
			t.Fatalf("%s: S=%v threshold_low %v, brute %v", name, d.Labels, d.ThresholdLow, lo)
		}
		hiIdx := slices.Index(br.distinct, hi)
		if hiIdx+1 >= len(br.distinct) || d.ThresholdHigh != br.distinct[hiIdx+1] {
			t.Fatalf("%s: S=%v threshold_high %v, brute last %v", name, d.Labels, d.ThresholdHigh, hi)
		}
		for _, u := range br.distinct {
			if u >= lo && u <= hi && !slices.Contains(ts, u) {
				t.Fatalf("%s: S=%v denoted at %v and %v but not at %v", name, d.Labels, lo, hi, u)
			}
		}
		if d.Threshold < d.ThresholdLow || d.Threshold >= d.ThresholdHigh {
			t.Fatalf("%s: S=%v threshold %v outside [%v,%v)", name, d.Labels, d.Threshold, d.ThresholdLow, d.ThresholdHigh)
		}
		bestMCF := -1.0
		for _, u := range ts {
			mcf, _, _, _ := bruteMeasures(values, labels, k, m, u)
			bestMCF = max(bestMCF, mcf)
		}
		mcf, ba, cba, fa := bruteMeasures(values, labels, k, m, d.Threshold)
		if d.MinClassFraction != bestMCF || mcf != bestMCF {
			t.Fatalf("%s: S=%v min_class_fraction %v (at threshold %v: %v), brute best %v", name, d.Labels, d.MinClassFraction, d.Threshold, mcf, bestMCF)
		}
		if math.Abs(ba-d.BalancedAccuracy) > 1e-12 || math.Abs(cba-d.ClassBalancedAccuracy) > 1e-12 || !slices.Equal(fa, d.FractionAbove) {
			t.Fatalf("%s: S=%v measures differ: ba %v/%v cba %v/%v fa %v/%v", name, d.Labels, d.BalancedAccuracy, ba, d.ClassBalancedAccuracy, cba, d.FractionAbove, fa)
		}
		if d.Direction != High || d.LabelProportion != float64(d.Labels.Len())/float64(k) {
			t.Fatalf("%s: S=%v direction %q proportion %v", name, d.Labels, d.Direction, d.LabelProportion)
		}
	}
	if nr.Best == nil {
		t.Fatalf("%s: non-constant neuron without best reading", name)
	}
	if nr.Best.MinClassFraction != br.best {
		t.Fatalf("%s: best min_class_fraction %v, brute force %v", name, nr.Best.MinClassFraction, br.best)
	}
	n := nr.Best.Labels.Len()
	if n == 0 || n == k {
		t.Fatalf("%s: best reading has improper set %v", name, nr.Best.Labels)
	}
	mcf, _, cba, _ := bruteMeasures(values, labels, k, uint64(nr.Best.Labels), nr.Best.Threshold)
	if mcf != nr.Best.MinClassFraction || math.Abs(cba-nr.Best.ClassBalancedAccuracy) > 1e-12 {
		t.Fatalf("%s: best (%v, %v) has mcf %v cba %v, reported %v %v", name, nr.Best.Labels, nr.Best.Threshold, mcf, cba, nr.Best.MinClassFraction, nr.Best.ClassBalancedAccuracy)
	}
	if (nr.Best.MinClassFraction >= tau) != (len(nr.Denotations) > 0) {
		t.Fatalf("%s: best %v vs τ %v but %d denotations", name, nr.Best.MinClassFraction, tau, len(nr.Denotations))
	}
}

func TestScanNeuronMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	taus := []float64{0.6, 0.75, 0.8, 0.9, 0.95, 1}
	cases, denoting, multi := 0, 0, 0
	for k := 4; k <= 6; k++ {
		for rep := 0; rep < 60; rep++ {
			n := k + rng.IntN(50)
			kind := rep % 4
			if rep%10 == 9 {
				kind = 0
			}
			values, labels := randomNeuron(rng, k, n, kind)
			tau := taus[rng.IntN(len(taus))]
			nr, err := ScanNeuron(values, labels, k, tau)
			if err != nil {
				t.Fatal(err)
			}
			name := "k=" + string(rune('0'+k)) + " case"
			checkAgainstBrute(t, name, values, labels, k, tau, nr)
			naive, err := ScanNeuronNaive(values, labels, k, tau)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(naive.Denotations, nr.Denotations) || naive.Constant != nr.Constant {
				t.Fatalf("%s: naive %+v\nfast %+v", name, naive.Denotations, nr.Denotations)
			}
			if !nr.Constant && naive.Best.MinClassFraction != nr.Best.MinClassFraction {
				t.Fatalf("%s: naive best %v, fast %v", name, naive.Best.MinClassFraction, nr.Best.MinClassFraction)
			}
			cases++
			if len(nr.Denotations) > 0 {
				denoting++
			}
			if len(nr.Denotations) > 1 {
				multi++
			}
		}
	}
	// Hand-made cases where no threshold splits the classes: every class has the same values, so
	// the best proper set is forced (score 1/2 and 1/3).
	for _, c := range []struct {
		values []float32
		labels []int
	}{
		{[]float32{0, 1, 0, 1}, []int{0, 0, 1, 1}},
		{[]float32{0, 1, 1, 0, 1, 1}, []int{0, 0, 0, 1, 1, 1}},
		{[]float32{0, 0, 1, 0, 0, 1, 0, 0, 1}, []int{0, 0, 0, 1, 1, 1, 2, 2, 2}},
	} {
		nr, err := ScanNeuron(c.values, c.labels, 1+slices.Max(c.labels), 0.9)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstBrute(t, "forced", c.values, c.labels, 1+slices.Max(c.labels), 0.9, nr)
	}
	// The generator must exercise the interesting paths.
	if denoting < 20 || multi < 5 {
		t.Fatalf("weak test: %d cases, %d denoting, %d with nested sets", cases, denoting, multi)
	}
	t.Logf("%d cases, %d denoting, %d with several nested sets", cases, denoting, multi)
}

func TestBestScoreMatchesFullSweep(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for rep := 0; rep < 100; rep++ {
		k := 2 + rng.IntN(6)
		values, labels := randomNeuron(rng, k, k+rng.IntN(80), 1+rep%3)
		tab, err := newClassTable(labels, k, 0.9)
		if err != nil {
			t.Fatal(err)
		}
		keys := make([]uint64, len(values))
		for i, v := range values {
			keys[i] = uint64(floatKey(v))<<32 | uint64(i)
		}
		sn := sortedNeuron{keys: radixSortHigh(keys, make([]uint64, len(keys)))}
		sn.buildEnds()
		sw := newSweeper(tab)
		_, best, ok := sw.full(&sn, labels8(labels))
		if !ok {
			continue
		}
		if got := sw.bestScore(&sn, labels8(labels)); got != best.score {
			t.Fatalf("bestScore %v, full sweep %v", got, best.score)
		}
	}
}

func TestRadixSortAndKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 3.4e38, -3.4e38, 1e-45, -1e-45, 0.5, -0.5}
	for range 3000 {
		vals = append(vals, float32(rng.NormFloat64()*100), float32(rng.IntN(5)))
	}
	keys := make([]uint64, len(vals))
	for i, v := range vals {
		keys[i] = uint64(floatKey(v))<<32 | uint64(i)
		if v != 0 && keyFloat(floatKey(v)) != v {
			t.Fatalf("keyFloat(floatKey(%v)) = %v", v, keyFloat(floatKey(v)))
		}
	}
	sorted := radixSortHigh(keys, make([]uint64, len(keys)))
	for p := 1; p < len(sorted); p++ {
		a, b := vals[uint32(sorted[p-1])], vals[uint32(sorted[p])]
		if a > b || (a == b && uint32(sorted[p-1]) > uint32(sorted[p])) {
			t.Fatalf("not sorted stably at %d: %v (%d) then %v (%d)", p, a, uint32(sorted[p-1]), b, uint32(sorted[p]))
		}
	}
}

// makeActivations builds a hidden.Activations from per-layer [N][W] generators.
func makeActivations(rng *rand.Rand, k, n int, widths []int) *hidden.Activations {
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % k
	}
	rng.Shuffle(n, func(a, b int) { labels[a], labels[b] = labels[b], labels[a] })
	acts := &hidden.Activations{N: n, Labels: labels, NumClasses: k}
	for li, w := range widths {
		post := make([]float32, n*w)
		for j := range w {
			level := make([]float32, k)
			for c := range level {
				level[c] = float32(rng.IntN(3))
			}
			dead := j%7 == 3
			for i := range n {
				v := level[labels[i]] + float32(rng.NormFloat64()*0.2) - 0.5
				if dead || v < 0 {
					v = 0
				}
				post[i*w+j] = v
			}
		}
		acts.Layers = append(acts.Layers, hidden.LayerActivations{Layer: li + 1, Depth: len(widths), Width: w, Post: post})
	}
	return acts
}

func TestScanMatchesScanNeuronAndIsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	acts := makeActivations(rng, 5, 400, []int{19, 7})
	opt := DefaultOptions()
	opt.Permutations = 20
	opt.Seed = 11
	var outs []string
	for _, workers := range []int{1, 2, 3} {
		opt.Workers = workers
		res, err := Scan(acts, opt)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(js))
		if workers > 1 {
			continue
		}
		if res.NumDenoting() == 0 || res.Tested == 0 {
			t.Fatalf("weak test: %d denoting, %d tested", res.NumDenoting(), res.Tested)
		}
		for li, l := range acts.Layers {
			for j := range l.Width {
				want, err := ScanNeuron(l.Neuron(j), acts.Labels, acts.NumClasses, opt.Tau)
				if err != nil {
					t.Fatal(err)
				}
				got := res.Layers[li].Neurons[j]
				if got.Layer != li+1 || got.Neuron != j || got.Constant != want.Constant || len(got.Denotations) != len(want.Denotations) {
					t.Fatalf("layer %d neuron %d: scan %+v, ScanNeuron %+v", li+1, j, got, want)
				}
				for di := range got.Denotations {
					g, w := got.Denotations[di], want.Denotations[di]
					if g.Layer != li+1 || g.Neuron != j {
						t.Fatalf("denotation names layer %d neuron %d", g.Layer, g.Neuron)
					}
					if g.PValue == nil || g.QValue == nil {
						t.Fatalf("layer %d neuron %d: missing p/q", li+1, j)
					}
					g.Layer, g.Neuron, g.PValue, g.QValue = 0, 0, nil, nil
					if !reflect.DeepEqual(g, w) {
						t.Fatalf("layer %d neuron %d: %+v vs %+v", li+1, j, g, w)
					}
				}
				if (l.Width > 3 && j%7 == 3) != got.Constant {
					t.Fatalf("layer %d neuron %d: constant=%v", li+1, j, got.Constant)
				}
			}
		}
	}
	// Layers split into chunks of 5 neurons give the same result.
	saved := chunkBytes
	chunkBytes = 8 * acts.N * 5
	defer func() { chunkBytes = saved }()
	opt.Workers = 2
	res, err := Scan(acts, opt)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(res)
	outs = append(outs, string(js))
	for i := 1; i < len(outs); i++ {
		if outs[i] != outs[0] {
			t.Fatalf("scan output %d differs (workers or chunks)", i)
		}
	}
}

func TestScanBadInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	good := func() *hidden.Activations { return makeActivations(rng, 3, 60, []int{20, 4}) }
	cases := []struct {
		name   string
		mutate func(a *hidden.Activations, o *Options)
		want   string
	}{
		{"tau low", func(a *hidden.Activations, o *Options) { o.Tau = 0.5 }, "tau 0.5 is outside (0.5, 1]"},
		{"tau high", func(a *hidden.Activations, o *Options) { o.Tau = 1.01 }, "outside (0.5, 1]"},
		{"tau zero", func(a *hidden.Activations, o *Options) { o.Tau = 0 }, "outside (0.5, 1]"},
		{"tau NaN", func(a *hidden.Activations, o *Options) { o.Tau = math.NaN() }, "outside (0.5, 1]"},
		{"NaN", func(a *hidden.Activations, o *Options) { a.Layers[1].Post[7*4+2] = float32(math.NaN()) }, "layer 2 neuron 2 sample 7: post-activation value is NaN"},
		{"Inf", func(a *hidden.Activations, o *Options) {
			a.Layers[0].Post[9*20+17] = float32(math.Inf(1))
			a.Layers[0].Post[30*20+17] = float32(math.Inf(-1))
		}, "layer 1 neuron 17 sample 9: post-activation value is +Inf"},
		{"K<2", func(a *hidden.Activations, o *Options) {
			a.NumClasses = 1
			for i := range a.Labels {
				a.Labels[i] = 0
			}
		}, "need K ≥ 2"},
		{"label range", func(a *hidden.Activations, o *Options) { a.Labels[5] = 3 }, "label 3 of sample 5 is outside [0,3)"},
		{"negative label", func(a *hidden.Activations, o *Options) { a.Labels[4] = -1 }, "label -1 of sample 4"},
		{"empty class", func(a *hidden.Activations, o *Options) { a.NumClasses = 4 }, "class 3 has no samples"},
		{"shape", func(a *hidden.Activations, o *Options) { a.Layers[1].Post = a.Layers[1].Post[:10] }, "layer 2 has 10 post-activation values"},
		{"labels", func(a *hidden.Activations, o *Options) { a.Labels = a.Labels[:3] }, "3 labels for 60 samples"},
		{"numbering", func(a *hidden.Activations, o *Options) { a.Layers[1].Layer = 3 }, "layer at position 1 is numbered 3"},
		{"no layers", func(a *hidden.Activations, o *Options) { a.Layers = nil }, "no hidden layer"},
		{"permutations", func(a *hidden.Activations, o *Options) { o.Permutations = -1 }, "-1 permutations"},
		{"null", func(a *hidden.Activations, o *Options) { o.Null = "global" }, "unknown null"},
	}
	for _, c := range cases {
		a, o := good(), DefaultOptions()
		c.mutate(a, &o)
		_, err := Scan(a, o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Scan(nil, DefaultOptions()); err == nil {
		t.Error("nil activations accepted")
	}
	if _, err := ScanNeuron([]float32{1, float32(math.NaN())}, []int{0, 1}, 2, 0.9); err == nil {
		t.Error("NaN accepted by ScanNeuron")
	}
	if _, err := ScanNeuron([]float32{1, 2}, []int{0, 1}, 2, 0.3); err == nil {
		t.Error("tau 0.3 accepted by ScanNeuron")
	}
}

func TestDenotationComplementAndSmallest(t *testing.T) {
	// Two classes clearly separated, one in between: neuron denotes {2} and {1,2}.
	values := []float32{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}
	labels := []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}
	nr, err := ScanNeuron(values, labels, 3, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if len(nr.Denotations) != 2 || nr.Denotations[0].Labels != property.MustLabelSet(2) || nr.Denotations[1].Labels != property.MustLabelSet(1, 2) {
		t.Fatalf("denotations %+v", nr.Denotations)
	}
	p, ok := nr.SmallestDenotation()
	if !ok || p.Labels != property.MustLabelSet(2) || p.Threshold != 1.5 || p.ThresholdLow != 1 || p.ThresholdHigh != 2 {
		t.Fatalf("smallest denotation %+v", p)
	}
	low := nr.Denotations[1].Complement(3)
	if low.Direction != Low || low.Labels != property.MustLabelSet(0) || low.LabelProportion != 1.0/3 {
		t.Fatalf("complement %+v", low)
	}
	if nr.Denotations[1].Threshold != 0.5 {
		t.Fatalf("threshold %v", nr.Denotations[1].Threshold)
	}
}

func TestResultNeuronsAndSignificanceFilters(t *testing.T) {
	q := func(v float64) *float64 { return &v }
	den := func(layer, neuron int, labels property.LabelSet, qv *float64) Denotation {
		return Denotation{Layer: layer, Neuron: neuron, Reading: Reading{Labels: labels, QValue: qv}}
	}
	s2, s12 := property.MustLabelSet(2), property.MustLabelSet(1, 2)
	r := &Result{Layers: []LayerResult{
		{Layer: 1, Neurons: []NeuronResult{
			{Layer: 1, Neuron: 0, Denotations: []Denotation{den(1, 0, s2, q(0.2)), den(1, 0, s12, q(0.01))}},
			{Layer: 1, Neuron: 1, Constant: true},
		}},
		{Layer: 2, Neurons: []NeuronResult{
			{Layer: 2, Neuron: 0, Denotations: []Denotation{den(2, 0, s2, nil)}},
		}},
	}}
	var seen [][2]int
	for li, nr := range r.Neurons() {
		seen = append(seen, [2]int{li, nr.Neuron})
	}
	if want := [][2]int{{0, 0}, {0, 1}, {1, 0}}; !slices.Equal(seen, want) {
		t.Fatalf("Neurons yields %v, want %v", seen, want)
	}
	for range r.Neurons() {
		break // stopping early must not panic
	}
	nr := &r.Layers[0].Neurons[0]
	if d, ok := nr.SmallestDenotationAt(0); !ok || d.Labels != s2 {
		t.Errorf("SmallestDenotationAt(0) = %v, %v", d.Labels, ok)
	}
	if d, ok := nr.SmallestDenotationAt(0.05); !ok || d.Labels != s12 {
		t.Errorf("SmallestDenotationAt(0.05) = %v, %v", d.Labels, ok)
	}
	if _, ok := r.Layers[1].Neurons[0].SmallestDenotationAt(0.05); ok {
		t.Error("a denotation without a q-value passes q ≤ 0.05")
	}
	if n := len(nr.DenotationsAt(0)); n != 2 {
		t.Errorf("DenotationsAt(0) has %d denotations, want 2", n)
	}
	if ds := nr.DenotationsAt(0.05); len(ds) != 1 || ds[0].Labels != s12 {
		t.Errorf("DenotationsAt(0.05) = %+v", ds)
	}
	if n, c, d := r.Counts(0); n != 3 || c != 1 || d != 2 {
		t.Errorf("Counts(0) = %d, %d, %d, want 3, 1, 2", n, c, d)
	}
	if n, c, d := r.Counts(0.05); n != 3 || c != 1 || d != 1 {
		t.Errorf("Counts(0.05) = %d, %d, %d, want 3, 1, 1", n, c, d)
	}
}
