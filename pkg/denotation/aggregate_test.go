package denotation

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/pkg/property"
)

// neuronSpec describes a hand-made neuron: dead, or its denoted sets (smallest first) and
// best reading set.
type neuronSpec struct {
	dead bool
	dens [][]int
	best []int
	q    []float64 // q-values of dens (nil: none)
}

// fakeResult builds a scan result by hand: layers[ℓ−1] lists the layer's neurons.
func fakeResult(k int, layers [][]neuronSpec) *Result {
	res := &Result{Tau: 0.95, NumClasses: k, NumSamples: 100, ClassCounts: make([]int, k), Depth: len(layers)}
	for li, specs := range layers {
		lr := LayerResult{Layer: li + 1, Depth: len(layers), Width: len(specs)}
		for j, s := range specs {
			nr := NeuronResult{Layer: li + 1, Neuron: j, Constant: s.dead, Denotations: []Denotation{}}
			if !s.dead {
				best := s.best
				if best == nil && len(s.dens) > 0 {
					best = s.dens[0]
				}
				nr.Best = &Reading{Labels: property.MustLabelSet(best...), LabelProportion: float64(len(best)) / float64(k), MinClassFraction: 0.6}
				for di, d := range s.dens {
					den := Denotation{Layer: li + 1, Neuron: j, Reading: Reading{Labels: property.MustLabelSet(d...),
						LabelProportion: float64(len(d)) / float64(k), MinClassFraction: 0.97}}
					if s.q != nil {
						q := s.q[di]
						den.QValue, den.PValue = &q, &q
						res.Permutations = 10
					}
					nr.Denotations = append(nr.Denotations, den)
				}
			}
			lr.Neurons = append(lr.Neurons, nr)
		}
		res.Layers = append(res.Layers, lr)
	}
	return res
}

func TestReplicate(t *testing.T) {
	mk := func(l1, l2 []neuronSpec) *Result { return fakeResult(5, [][]neuronSpec{l1, l2}) }
	runs := []Run{
		{Name: "s0", Seed: 0, Result: mk(
			[]neuronSpec{{dens: [][]int{{1}, {1, 2}}}, {best: []int{3}}},
			[]neuronSpec{{dens: [][]int{{1}}}, {dead: true}})},
		{Name: "s1", Seed: 1, Result: mk(
			[]neuronSpec{{best: []int{0}}, {dens: [][]int{{1}}}},
			[]neuronSpec{{dens: [][]int{{0, 4}}}, {dens: [][]int{{0, 4}}}})},
		{Name: "s2", Seed: 2, Result: mk(
			[]neuronSpec{{dens: [][]int{{2, 3}}}, {dens: [][]int{{1}}}},
			[]neuronSpec{{dead: true}, {best: []int{2}}})},
	}
	rep, err := Replicate(runs, ReplicationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		layer   int
		labels  []int
		runs    []int
		neurons int
	}
	want := []row{
		{1, []int{1}, []int{0, 1, 2}, 3},
		{1, []int{1, 2}, []int{0}, 1},
		{1, []int{2, 3}, []int{2}, 1},
		{2, []int{1}, []int{0}, 1},
		{2, []int{0, 4}, []int{1}, 2},
	}
	if len(rep.Sets) != len(want) {
		t.Fatalf("sets %+v", rep.Sets)
	}
	for i, w := range want {
		s := rep.Sets[i]
		if s.Layer != w.layer || !slices.Equal(s.Labels.Classes(), w.labels) || !slices.Equal(s.Runs, w.runs) || s.Neurons != w.neurons ||
			s.NumRuns != len(w.runs) || s.Survives != (len(w.runs) >= 2) || s.Fraction != float64(len(w.runs))/3 {
			t.Fatalf("set %d: %+v, want %+v", i, s, w)
		}
	}
	if !slices.Equal(rep.InRuns, []int{4, 0, 1}) {
		t.Fatalf("in_runs %v", rep.InRuns)
	}
	// Run 0: {1}, {1,2} in layer 1 and {1} in layer 2: one replicated. Run 1: {1} in layer 1
	// and {0,4} twice in layer 2: one. Run 2: {2,3} and {1}: one.
	for i, w := range [][2]int{{3, 1}, {3, 1}, {2, 1}} {
		if rep.PerRun[i].Denotations != w[0] || rep.PerRun[i].Replicated != w[1] {
			t.Fatalf("per run %d: %+v", i, rep.PerRun[i])
		}
	}
	if got := rep.Surviving(2); len(got) != 1 || got[0].Labels != property.MustLabelSet(1) {
		t.Fatalf("surviving %+v", got)
	}
	props, err := Replicate(runs, ReplicationOptions{SmallestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range props.Sets {
		if s.Labels == property.MustLabelSet(1, 2) {
			t.Fatal("SmallestOnly kept a larger nested set")
		}
	}
	// Another architecture is refused; so is a q filter without permutations.
	other := append(slices.Clone(runs), Run{Name: "wide", Result: fakeResult(5, [][]neuronSpec{{{}, {}, {}}, {{}}})})
	if _, err := Replicate(other, ReplicationOptions{}); err == nil || !strings.Contains(err.Error(), "architecture") {
		t.Fatalf("architecture mismatch: %v", err)
	}
	if _, err := Replicate(runs, ReplicationOptions{MaxQ: 0.05}); err == nil || !strings.Contains(err.Error(), "without permutations") {
		t.Fatalf("q filter without permutations: %v", err)
	}
	if _, err := Replicate(nil, ReplicationOptions{}); err == nil {
		t.Fatal("no runs accepted")
	}
}

// depthRuns: K = 5. Depth 1: one layer whose denoting neurons have |S| = 1. Depth 2: layer 1
// with |S| = 1, layer 2 with |S| = 3. Three seeds each, identical, plus one untrained run of
// depth 2 that denotes nothing.
func depthRuns() []Run {
	var runs []Run
	den := func(size int) neuronSpec {
		s := make([]int, size)
		for i := range s {
			s[i] = i
		}
		return neuronSpec{dens: [][]int{s}}
	}
	for seed := range uint64(3) {
		runs = append(runs, Run{Name: "d1", Seed: seed, Result: fakeResult(5, [][]neuronSpec{
			{den(1), den(1), {best: []int{0, 1}}, {dead: true}}})})
		runs = append(runs, Run{Name: "d2", Seed: seed, Result: fakeResult(5, [][]neuronSpec{
			{den(1), {best: []int{0}}, {best: []int{0}}, {best: []int{0}}},
			{den(3), den(3), den(3), {best: []int{0, 1, 2}}}})})
	}
	runs = append(runs, Run{Name: "u2", Untrained: true, Result: fakeResult(5, [][]neuronSpec{
		{{best: []int{0}}, {best: []int{0, 1}}}, {{best: []int{0, 1}}, {dead: true}}})})
	return runs
}

func TestAnalyzeDepth(t *testing.T) {
	opt := DefaultDepthOptions()
	opt.Bootstrap, opt.Seed, opt.RelativeBins = 200, 3, 2
	rep, err := AnalyzeDepth(depthRuns(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Layers) != 5 || len(rep.Runs) != 7 {
		t.Fatalf("%d layer cells, %d runs", len(rep.Layers), len(rep.Runs))
	}
	c := rep.Layers[0] // D=1, ℓ=1
	if c.Depth != 1 || c.Layer != 1 || c.Runs != 3 || c.Neurons != 12 || c.Constant != 3 || c.Denoting != 6 ||
		c.Denoted.N != 6 || c.Denoted.Mean != 0.2 || c.Denoted.Median != 0.2 || c.Best.N != 9 ||
		!slices.Equal(c.Best.Histogram, []int{6, 3, 0, 0}) || c.DenotingFraction != 0.5 || c.DenotingPerLayer.Mean != 2 {
		t.Fatalf("cell D=1: %+v", c)
	}
	// Identical seeds: every bootstrap replicate equals the estimate.
	if c.Denoted.CILow != 0.2 || c.Denoted.CIHigh != 0.2 || c.Denoted.Replicates != 200 {
		t.Fatalf("CI of identical seeds: %+v", c.Denoted)
	}
	c = rep.Layers[2] // D=2, ℓ=2
	if c.Depth != 2 || c.Layer != 2 || c.RelativeDepth != 1 || c.Denoted.Mean != 0.6 || c.Denoting != 9 ||
		c.Best.Mean != 0.6 || !slices.Equal(c.Denoted.Histogram, []int{0, 0, 9, 0}) {
		t.Fatalf("cell D=2 ℓ=2: %+v", c)
	}
	u := rep.Layers[3]
	if !u.Untrained || u.Denoting != 0 || u.Denoted.N != 0 || u.Denoted.Mean.Defined() || u.Best.N != 2 || u.Best.Mean != 0.3 {
		t.Fatalf("untrained cell: %+v", u)
	}
	// Bins of 2: (0, 0.5] holds D=2 ℓ=1; (0.5, 1] holds D=1 ℓ=1 and D=2 ℓ=2.
	if len(rep.Bins) != 4 {
		t.Fatalf("bins %+v", rep.Bins)
	}
	b := rep.Bins[1]
	if b.Untrained || b.BinLow != 0.5 || b.BinHigh != 1 || b.Layers != 6 || b.Denoting != 15 ||
		math.Abs(float64(b.Denoted.Mean)-(6*0.2+9*0.6)/15) > 1e-12 || b.Denoted.Median != 0.6 {
		t.Fatalf("bin (0.5,1]: %+v", b)
	}
	// Trend of trained "denoted": x = 0.5 (3 sets of 0.2), x = 1 (6 of 0.2, 9 of 0.6).
	tr := rep.Trends[0]
	if tr.Untrained || tr.Measure != "denoted" || tr.N != 18 || tr.Runs != 6 {
		t.Fatalf("trend %+v", tr)
	}
	// OLS by hand.
	xs := []float64{}
	ys := []float64{}
	for range 3 {
		xs, ys = append(xs, 0.5), append(ys, 0.2)
	}
	for range 6 {
		xs, ys = append(xs, 1), append(ys, 0.2)
	}
	for range 9 {
		xs, ys = append(xs, 1), append(ys, 0.6)
	}
	mx, my := 0.0, 0.0
	for i := range xs {
		mx += xs[i] / 18
		my += ys[i] / 18
	}
	sxy, sxx := 0.0, 0.0
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if math.Abs(float64(tr.Slope)-sxy/sxx) > 1e-12 || !(tr.Spearman > 0) || tr.SlopeCILow != tr.SlopeCIHigh {
		t.Fatalf("trend slope %v want %v, spearman %v, CI [%v,%v]", tr.Slope, sxy/sxx, tr.Spearman, tr.SlopeCILow, tr.SlopeCIHigh)
	}
	// Untrained trend of "denoted" has no observations: undefined, and JSON null.
	var ut *Trend
	for i := range rep.Trends {
		if rep.Trends[i].Untrained && rep.Trends[i].Measure == "denoted" {
			ut = &rep.Trends[i]
		}
	}
	if ut == nil || ut.N != 0 || ut.Spearman.Defined() {
		t.Fatalf("untrained trend %+v", ut)
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"spearman":null`) {
		t.Fatal("undefined numbers are not null in JSON")
	}
	var back DepthReport
	if err := json.Unmarshal(js, &back); err != nil || back.Trends[len(back.Trends)-3].Spearman.Defined() {
		t.Fatalf("JSON round trip: %v", err)
	}
	rep2, _ := AnalyzeDepth(depthRuns(), opt)
	js2, _ := json.Marshal(rep2)
	if !bytes.Equal(js, js2) {
		t.Fatal("depth analysis is not deterministic")
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 1+len(rep.Layers)+len(rep.Bins) || rows[1][0] != "layer" || rows[len(rows)-1][0] != "bin" {
		t.Fatalf("CSV: %v rows, %v", len(rows), err)
	}
	buf.Reset()
	if err := rep.WriteTrendsCSV(&buf); err != nil || strings.Count(buf.String(), "\n") != 1+len(rep.Trends) {
		t.Fatalf("trends CSV: %v\n%s", err, buf.String())
	}
}

func TestAnalyzeDepthVariesWithSeeds(t *testing.T) {
	// Seeds that differ give a non-degenerate interval containing the estimate.
	var runs []Run
	for seed := range 4 {
		specs := []neuronSpec{}
		for j := 0; j < 4; j++ {
			size := 1 + (seed+j)%3
			s := make([]int, size)
			for i := range s {
				s[i] = i
			}
			specs = append(specs, neuronSpec{dens: [][]int{s}})
		}
		runs = append(runs, Run{Seed: uint64(seed), Result: fakeResult(6, [][]neuronSpec{specs[:seed+1]})})
	}
	opt := DefaultDepthOptions()
	opt.Bootstrap = 500
	rep, err := AnalyzeDepth(runs, opt)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Layers[0]
	if !(c.Denoted.CILow < c.Denoted.Mean && c.Denoted.Mean < c.Denoted.CIHigh) {
		t.Fatalf("CI %v %v %v", c.Denoted.CILow, c.Denoted.Mean, c.Denoted.CIHigh)
	}
}

func TestAnalyzeDepthErrors(t *testing.T) {
	runs := depthRuns()
	bad := []struct {
		name   string
		runs   []Run
		mutate func(*DepthOptions)
		want   string
	}{
		{"bins", runs, func(o *DepthOptions) { o.RelativeBins = 0 }, "bins"},
		{"level", runs, func(o *DepthOptions) { o.Level = 1 }, "level"},
		{"bootstrap", runs, func(o *DepthOptions) { o.Bootstrap = -1 }, "bootstrap"},
		{"maxq", runs, func(o *DepthOptions) { o.MaxQ = 0.05 }, "without permutations"},
		{"none", nil, func(o *DepthOptions) {}, "no runs"},
		{"nil", []Run{{Name: "x"}}, func(o *DepthOptions) {}, "run x has no scan result"},
		{"K", append(slices.Clone(runs), Run{Name: "k3", Result: fakeResult(3, [][]neuronSpec{{{best: []int{0}}}})}), func(o *DepthOptions) {}, "classes"},
	}
	for _, c := range bad {
		o := DefaultDepthOptions()
		c.mutate(&o)
		if _, err := AnalyzeDepth(c.runs, o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	r := fakeResult(5, [][]neuronSpec{{{best: []int{0}}}})
	r.Tau = 0.9
	if _, err := AnalyzeDepth(append(slices.Clone(runs), Run{Name: "t", Result: r}), DefaultDepthOptions()); err == nil || !strings.Contains(err.Error(), "tau") {
		t.Errorf("mixed tau: %v", err)
	}
}

func TestRelBin(t *testing.T) {
	for _, c := range [][4]int{{1, 1, 5, 4}, {1, 6, 5, 0}, {1, 5, 5, 0}, {2, 5, 5, 1}, {3, 6, 5, 2}, {1, 2, 2, 0}, {2, 2, 2, 1}, {2, 3, 2, 1}} {
		if got := relBin(c[0], c[1], c[2]); got != c[3] {
			t.Errorf("relBin(%d,%d,%d) = %d, want %d", c[0], c[1], c[2], got, c[3])
		}
	}
}

func TestDepthMaxQFilter(t *testing.T) {
	r := fakeResult(4, [][]neuronSpec{{
		{dens: [][]int{{0}, {0, 1}}, q: []float64{0.2, 0.01}},
		{dens: [][]int{{2}}, q: []float64{0.5}},
		{best: []int{1}},
	}})
	opt := DefaultDepthOptions()
	opt.Bootstrap, opt.MaxQ = 0, 0.05
	rep, err := AnalyzeDepth([]Run{{Result: r}}, opt)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Layers[0]
	// Only neuron 0 counts, with its smallest set that passes: {0,1}.
	if c.Denoting != 1 || !slices.Equal(c.Denoted.Histogram, []int{0, 1, 0}) || c.Denoted.CILow.Defined() {
		t.Fatalf("%+v", c)
	}
}

func TestEmergence(t *testing.T) {
	early := fakeResult(4, [][]neuronSpec{{{best: []int{0}}, {dead: true}}, {{best: []int{1, 2}}, {best: []int{3}}}})
	late := fakeResult(4, [][]neuronSpec{{{dens: [][]int{{0}, {0, 1}}}, {best: []int{2}}}, {{dens: [][]int{{1, 2, 3}}}, {best: []int{3}}}})
	pts, err := Emergence([]Snapshot{{Epoch: 5, Result: late}, {Epoch: 0, Result: early}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 || pts[0].Epoch != 0 || pts[1].Epoch != 5 {
		t.Fatalf("%+v", pts)
	}
	if pts[0].Denoting != 0 || pts[0].Constant != 1 || pts[0].Neurons != 4 || pts[0].Denoted.Mean.Defined() || pts[0].Best.N != 3 {
		t.Fatalf("epoch 0: %+v", pts[0])
	}
	p := pts[1]
	if p.Denoting != 2 || p.Denotations != 3 || !slices.Equal(p.DenotingPerLayer, []int{1, 1}) ||
		p.Denoted.Mean != 0.5 || !slices.Equal(p.Denoted.Histogram, []int{1, 0, 1}) || p.MeanBestScore != 0.6 {
		t.Fatalf("epoch 5: %+v", p)
	}
	var buf bytes.Buffer
	if err := WriteEmergenceCSV(&buf, pts); err != nil || strings.Count(buf.String(), "\n") != 3 {
		t.Fatalf("CSV %v\n%s", err, buf.String())
	}
	if _, err := Emergence([]Snapshot{{Epoch: 1, Result: early}, {Epoch: 1, Result: late}}, 0); err == nil {
		t.Fatal("duplicate epochs accepted")
	}
	wide := fakeResult(4, [][]neuronSpec{{{}, {}, {}}, {{}}})
	if _, err := Emergence([]Snapshot{{Epoch: 1, Result: early}, {Epoch: 2, Result: wide}}, 0); err == nil {
		t.Fatal("architecture change accepted")
	}
}

func TestAblationContrast(t *testing.T) {
	// Class 0 collapses after ablation, the others stay correct.
	labels := []int{0, 0, 0, 1, 1, 1, 2, 2, 2, 2}
	before := make([]bool, 10)
	after := make([]bool, 10)
	for i, y := range labels {
		before[i] = true
		after[i] = y != 0
	}
	c, err := AblationContrast(labels, 3, before, after, property.MustLabelSet(0), DefaultContrastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if c.Contrast != 1 || c.DropIn != 1 || c.DropOut != 0 || c.CILow != 1 || c.CIHigh != 1 || c.Replicates != 1000 {
		t.Fatalf("%+v", c)
	}
	// Random correctness: the point estimate equals the contrast of the per-class accuracies,
	// the interval contains it, and the result depends only on the seed.
	rng := rand.New(rand.NewPCG(8, 8))
	n, k := 600, 5
	labels = make([]int, n)
	before, after = make([]bool, n), make([]bool, n)
	for i := range labels {
		labels[i] = i % k
		before[i] = rng.Float64() < 0.9
		after[i] = before[i] && rng.Float64() < 0.8+0.04*float64(labels[i])
	}
	for _, unit := range []string{UnitSamples, UnitClasses} {
		opt := DefaultContrastOptions()
		opt.Unit, opt.Seed = unit, 4
		c, err := AblationContrast(labels, k, before, after, property.MustLabelSet(0, 1), opt)
		if err != nil {
			t.Fatal(err)
		}
		accB, _ := PerClassAccuracy(labels, k, before)
		accA, _ := PerClassAccuracy(labels, k, after)
		want, _ := ContrastOfAccuracies(accB, accA, property.MustLabelSet(1, 0))
		if math.Abs(float64(c.Contrast)-want) > 1e-12 || !(c.CILow <= c.Contrast && c.Contrast <= c.CIHigh) || !(c.CILow < c.CIHigh) {
			t.Fatalf("%s: contrast %v want %v, CI [%v, %v]", unit, c.Contrast, want, c.CILow, c.CIHigh)
		}
		c2, _ := AblationContrast(labels, k, before, after, property.MustLabelSet(0, 1), opt)
		if c2.CILow != c.CILow || c2.CIHigh != c.CIHigh {
			t.Fatalf("%s: not deterministic", unit)
		}
	}
	for _, bad := range []struct {
		s    property.LabelSet
		opt  ContrastOptions
		want string
	}{
		{0, DefaultContrastOptions(), "empty"},
		{property.Full(5), DefaultContrastOptions(), "holds all 5 classes"},
		{property.MustLabelSet(7), DefaultContrastOptions(), "outside"},
		{property.MustLabelSet(1), ContrastOptions{Bootstrap: 10, Level: 0.95, Unit: "neurons"}, "unknown bootstrap unit"},
		{property.MustLabelSet(1), ContrastOptions{Bootstrap: 10, Level: 2}, "level"},
	} {
		if _, err := AblationContrast(labels, k, before, after, bad.s, bad.opt); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("S=%v: %v, want %q", bad.s, err, bad.want)
		}
	}
	if _, err := AblationContrast(labels, k, before[:5], after, property.MustLabelSet(1), DefaultContrastOptions()); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := PerClassAccuracy([]int{0, 1, 5}, 3, []bool{true, true, true}); err == nil {
		t.Error("label out of range accepted")
	}
}

func TestDenotationsCSVAndJSON(t *testing.T) {
	acts := nullActivations(120, 6)
	opt := DefaultOptions()
	opt.Permutations, opt.Seed = 50, 1
	res, err := Scan(acts, opt)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteDenotationsCSV(&buf, res.Denotations()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 1+len(res.Denotations()) || rows[1][2] != "0;1" || rows[1][11] == "" {
		t.Fatalf("CSV %v %v", rows, err)
	}
	js, err := json.Marshal(res.Denotations()[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"layer", "neuron", "labels", "label_proportion", "direction", "threshold",
		"balanced_accuracy", "min_class_fraction", "p_value", "q_value"} {
		if !strings.Contains(string(js), `"`+f+`":`) {
			t.Fatalf("JSON lacks %q: %s", f, js)
		}
	}
	var back Denotation
	if err := json.Unmarshal(js, &back); err != nil || *back.PValue != *res.Denotations()[0].PValue {
		t.Fatalf("round trip: %v", err)
	}
}
