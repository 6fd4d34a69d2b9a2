package observer

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/internal/linalg"
	"github.com/denotation-go/denotation/pkg/hidden"
	"github.com/denotation-go/denotation/pkg/property"
)

// logisticData draws n samples of d standard normal features and labels from a logistic model.
func logisticData(n, d int, seed uint64) (x []float32, y []bool) {
	r := rand.New(rand.NewPCG(seed, 7))
	w := make([]float64, d)
	for j := range w {
		w[j] = r.NormFloat64()
	}
	x = make([]float32, n*d)
	y = make([]bool, n)
	for i := 0; i < n; i++ {
		z := 0.3
		for j := 0; j < d; j++ {
			v := r.NormFloat64()*(1+0.5*float64(j)) + 0.2*float64(j)
			x[i*d+j] = float32(v)
			z += w[j] * v / (1 + 0.5*float64(j))
		}
		y[i] = r.Float64() < 1/(1+math.Exp(-2*z))
	}
	return x, y
}

func matrixTarget(t *testing.T, x []float32, y []bool, ntr, d int) (*Features, Target) {
	t.Helper()
	f, err := NewFeaturesFromMatrix(x[:ntr*d], nil, x[ntr*d:], nil, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f, Target{Name: "p", Train: y[:ntr], Test: y[ntr:]}
}

// referenceLogistic minimises the objective in float64 by plain (proximal) gradient descent with
// step 1/L for many iterations: slow, simple and exact enough to check the solvers against.
func referenceLogistic(f *Features, y []bool, balanced bool, lam2, lam1 float64, iters int) []float64 {
	n, d := f.NTrain, f.D
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	cp, cn := 1/float64(n), 1/float64(n)
	if balanced {
		cp, cn = 1/(2*float64(pos)), 1/(2*float64(n-pos))
	}
	// L ≤ ¼·max(c)·‖X̃‖²_F is a crude but safe bound.
	fro := float64(n)
	for _, v := range f.Train {
		fro += float64(v) * float64(v)
	}
	step := 1 / (0.25*math.Max(cp, cn)*fro + lam2)
	th := make([]float64, d+1)
	g := make([]float64, d+1)
	for it := 0; it < iters; it++ {
		clear(g)
		for i := 0; i < n; i++ {
			xi := f.Train[i*d : (i+1)*d]
			z := th[d]
			for j, v := range xi {
				z += th[j] * float64(v)
			}
			s := 1 / (1 + math.Exp(-z))
			c, t := cn, 0.0
			if y[i] {
				c, t = cp, 1
			}
			r := c * (s - t)
			for j, v := range xi {
				g[j] += r * float64(v)
			}
			g[d] += r
		}
		for j := 0; j <= d; j++ {
			if j < d {
				g[j] += lam2 * th[j]
			}
			u := th[j] - step*g[j]
			if j < d && lam1 > 0 {
				u = math.Copysign(math.Max(math.Abs(u)-step*lam1, 0), u)
			}
			th[j] = u
		}
	}
	return th
}

func flatWeights(r *Result) []float64 {
	var out []float64
	for _, row := range r.Weights {
		out = append(out, row...)
	}
	return append(out, r.Bias)
}

func TestLinearMatchesReference(t *testing.T) {
	const ntr, nte, d = 300, 200, 5
	x, y := logisticData(ntr+nte, d, 1)
	f, tg := matrixTarget(t, x, y, ntr, d)
	cases := []struct {
		name string
		o    Options
	}{
		{"l2", Options{Penalty: L2, C: 0.5}},
		{"l2-balanced", Options{Penalty: L2, C: 2, Balanced: true}},
		{"l1", Options{Penalty: L1, C: 0.05}},
		{"elasticnet", Options{Penalty: ElasticNet, C: 0.1, L1Ratio: 0.7}},
	}
	for _, tc := range cases {
		for _, path := range linalg.AllPaths {
			prev, err := linalg.SetKernel(path)
			if err != nil {
				t.Logf("%s: kernel path %s not run: %v", tc.name, path, err)
				continue
			}
			o := tc.o
			o.Tol, o.MaxIter = 3e-6, 20000
			r, err := Fit(f, tg, o)
			linalg.SetKernel(prev)
			if err != nil {
				t.Fatal(err)
			}
			oo, _ := o.withDefaults()
			lam2, lam1 := oo.penalties(ntr)
			ref := referenceLogistic(f, tg.Train, o.Balanced, lam2, lam1, 40000)
			got := flatWeights(r)
			for j := range ref {
				if math.Abs(got[j]-ref[j]) > 2e-3*(1+math.Abs(ref[j])) {
					t.Fatalf("%s kernel %s: θ[%d] = %.6f, reference %.6f (converged %v after %d)", tc.name, path, j, got[j], ref[j], r.Converged, r.Iterations)
				}
			}
			if !r.Converged {
				t.Fatalf("%s: not converged after %d iterations", tc.name, r.Iterations)
			}
			if tc.name == "l1" {
				zeros := 0
				for _, w := range got[:d] {
					if w == 0 {
						zeros++
					}
				}
				refZeros := 0
				for _, w := range ref[:d] {
					if w == 0 {
						refZeros++
					}
				}
				if zeros != refZeros {
					t.Fatalf("l1: %d zero weights, reference %d (%v vs %v)", zeros, refZeros, got, ref)
				}
			}
		}
	}
}

func TestBatchedEqualsIndividual(t *testing.T) {
	f := clusterFeatures(1500, 500, 24, 10, 3, 2)
	r := rand.New(rand.NewPCG(5, 5))
	var ps []property.LabelProperty
	all := property.AllSubsets(10)
	for range 20 {
		ps = append(ps, property.LabelProperty{Set: all[r.IntN(len(all))], K: 10})
	}
	ts, err := f.LabelTargets(ps)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{Tol: 3e-6, MaxIter: 1000}, {Penalty: L1, C: 0.2, Tol: 3e-6, MaxIter: 5000, Balanced: true}} {
		batch, err := FitMany(f, ts, o)
		if err != nil {
			t.Fatal(err)
		}
		for i, tg := range ts {
			one, err := Fit(f, tg, o)
			if err != nil {
				t.Fatal(err)
			}
			a, b := flatWeights(batch[i]), flatWeights(one)
			for j := range a {
				if math.Abs(a[j]-b[j]) > 2e-3*(1+math.Abs(b[j])) {
					t.Fatalf("%s %s: batched θ[%d] = %v, individual %v", o.Penalty, tg.Name, j, a[j], b[j])
				}
			}
			if math.Abs(batch[i].TestAccuracy-one.TestAccuracy) > 0.003 || math.Abs(batch[i].AUC-one.AUC) > 0.002 {
				t.Fatalf("%s: batched acc/AUC %v/%v, individual %v/%v", tg.Name, batch[i].TestAccuracy, batch[i].AUC, one.TestAccuracy, one.AUC)
			}
		}
	}
}

func TestSeparable(t *testing.T) {
	// Two classes far apart along neuron 2; the others are noise.
	r := rand.New(rand.NewPCG(3, 3))
	const n, d = 600, 4
	x := make([]float32, n*d)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		labels[i] = i % 2
		for j := 0; j < d; j++ {
			x[i*d+j] = float32(r.NormFloat64())
		}
		x[i*d+2] += float32(6 * labels[i])
	}
	f, err := NewFeaturesFromMatrix(x[:400*d], labels[:400], x[400*d:], labels[400:], d, 2)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := f.LabelTarget(property.LabelProperty{Set: property.MustLabelSet(1), K: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []Kind{Linear, SingleNeuron, MLP} {
		res, err := Fit(f, tg, Options{Kind: k, Epochs: 100})
		if err != nil {
			t.Fatal(err)
		}
		if res.TestAccuracy < 0.99 || res.AUC < 0.995 {
			t.Fatalf("%s: test accuracy %v AUC %v on separable data", k, res.TestAccuracy, res.AUC)
		}
		if k == SingleNeuron && (res.Neuron.Index != 2 || res.Direction != 1 || res.Threshold < 1 || res.Threshold > 5) {
			t.Fatalf("neuron observer picked %v dir %d threshold %v", res.Neuron, res.Direction, res.Threshold)
		}
		if k == Linear {
			w := res.Weights[0]
			if math.Abs(w[2]) < 5*math.Max(math.Max(math.Abs(w[0]), math.Abs(w[1])), math.Abs(w[3])) {
				t.Fatalf("linear weights %v do not single out neuron 2", w)
			}
		}
	}
}

func TestAUCBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for trial := 0; trial < 20; trial++ {
		n := 5 + r.IntN(200)
		s := make([]float64, n)
		y := make([]bool, n)
		for i := range s {
			s[i] = float64(r.IntN(12)) // many ties
			y[i] = r.Float64() < 0.3+0.04*s[i]
		}
		y[0], y[1] = true, false
		var num, den float64
		for i := range s {
			for j := range s {
				if y[i] && !y[j] {
					den++
					switch {
					case s[i] > s[j]:
						num++
					case s[i] == s[j]:
						num += 0.5
					}
				}
			}
		}
		got, err := AUC(s, y)
		if err != nil || math.Abs(got-num/den) > 1e-12 {
			t.Fatalf("AUC %v (err %v), brute force %v", got, err, num/den)
		}
	}
	if _, err := AUC([]float64{1, 2}, []bool{true, true}); err == nil {
		t.Fatal("AUC with one class accepted")
	}
}

func TestSingleNeuronBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for trial := 0; trial < 10; trial++ {
		const ntr, nte, d = 60, 20, 3
		x := make([]float32, (ntr+nte)*d)
		y := make([]bool, ntr+nte)
		for i := range y {
			for j := 0; j < d; j++ {
				x[i*d+j] = float32(r.IntN(9)) // ties
			}
			y[i] = r.Float64() < 0.2+0.08*float64(x[i*d+trial%d])
		}
		y[0], y[1], y[ntr], y[ntr+1] = true, false, true, false
		f, tg := matrixTarget(t, x, y, ntr, d)
		for _, balanced := range []bool{false, true} {
			res, err := Fit(f, tg, Options{Kind: SingleNeuron, Balanced: balanced})
			if err != nil {
				t.Fatal(err)
			}
			best := -1.0
			for j := 0; j < d; j++ {
				for _, thr := range []float64{-1, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 9} {
					for _, dir := range []float64{1, -1} {
						pred := make([]bool, ntr)
						for i := 0; i < ntr; i++ {
							pred[i] = dir*(float64(x[i*d+j])-thr) > 0
						}
						var s float64
						if balanced {
							s, _ = BalancedAccuracy(pred, y[:ntr])
						} else {
							s, _ = Accuracy(pred, y[:ntr])
						}
						best = math.Max(best, s)
					}
				}
			}
			got := res.TrainAccuracy
			if balanced {
				got = res.TrainBalancedAccuracy
			}
			if math.Abs(got-best) > 1e-12 {
				t.Fatalf("trial %d balanced=%v: neuron observer scores %v on training data, brute force %v", trial, balanced, got, best)
			}
			if s := res.NeuronScores[0][res.Neuron.Index]; math.Abs(s-best) > 1e-12 {
				t.Fatalf("neuron score map %v, want %v", s, best)
			}
		}
	}
}

func TestControls(t *testing.T) {
	f := clusterFeatures(2000, 1000, 32, 10, 0.7, 4)
	v, _ := property.VocabularyFor("mnist")
	even, _ := v.Parse("even")
	tg, err := f.LabelTarget(even)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Fit(f, tg, Options{Control: Control{Kind: ShuffledLabels, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if res.TestAccuracy < 0.95 {
		t.Fatalf("test accuracy %v on an easy property", res.TestAccuracy)
	}
	c := res.Control
	if math.Abs(c.Selectivity-(res.TestAccuracy-c.TestAccuracy)) > 1e-12 {
		t.Fatalf("selectivity %v", c.Selectivity)
	}
	// One shuffled fit can correlate with the property by chance (a random direction in a space
	// with class structure); over many properties the control averages to chance.
	ts, err := f.LabelTargets(v.Splits()[:60])
	if err != nil {
		t.Fatal(err)
	}
	rs, err := FitMany(f, ts, Options{Control: Control{Kind: ShuffledLabels, Seed: 2}})
	if err != nil {
		t.Fatal(err)
	}
	var mba, mauc float64
	for _, r := range rs {
		mba += r.Control.BalancedAccuracy / float64(len(rs))
		mauc += r.Control.AUC / float64(len(rs))
	}
	if math.Abs(mba-0.5) > 0.03 || math.Abs(mauc-0.5) > 0.03 {
		t.Fatalf("shuffled control: mean balanced accuracy %v, mean AUC %v over %d properties; want chance", mba, mauc, len(rs))
	}
	// Shuffles are seeded and per property.
	again, _ := Fit(f, tg, Options{Control: Control{Kind: ShuffledLabels, Seed: 1}})
	if again.Control.TestAccuracy != c.TestAccuracy {
		t.Fatal("shuffled control is not deterministic")
	}
	task, err := f.ControlTask(tg, 3)
	if err != nil {
		t.Fatal(err)
	}
	if task.Set.Len() != 5 || task.Set == even.Set || task.Set == even.Set.Complement(10) {
		t.Fatalf("control task %v for %v", task.Set, even.Set)
	}
	res, err = Fit(f, tg, Options{Control: Control{Kind: Task, Seed: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Control.Property != task.Set.String() {
		t.Fatalf("control task property %q, want %q", res.Control.Property, task.Set.String())
	}
	// Repeats average several draws.
	rep, err := Fit(f, tg, Options{Control: Control{Kind: Task, Seed: 3, Repeats: 3}})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	var names []string
	for s := uint64(3); s < 6; s++ {
		one, err := Fit(f, tg, Options{Control: Control{Kind: Task, Seed: s}})
		if err != nil {
			t.Fatal(err)
		}
		sum += one.Control.TestAccuracy
		names = append(names, one.Control.Property)
	}
	if math.Abs(rep.Control.TestAccuracy-sum/3) > 1e-12 || rep.Control.Property != strings.Join(names, ";") || rep.Control.Repeats != 3 {
		t.Fatalf("3 repeats: %+v, want mean %v of %v", rep.Control, sum/3, names)
	}
	// Untrained control: features with no information about the labels.
	noise := clusterFeatures(2000, 1000, 32, 10, 0.7, 5)
	noise.TrainLabels, noise.TestLabels = f.TrainLabels, f.TestLabels
	res, err = Fit(f, tg, Options{Control: Control{Kind: Untrained, Untrained: noise}})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Control.BalancedAccuracy-0.5) > 0.06 || res.Control.Selectivity < 0.3 {
		t.Fatalf("untrained control on uninformative features: %+v", res.Control)
	}
	if _, err := Fit(f, tg, Options{Control: Control{Kind: Untrained}}); err == nil {
		t.Fatal("untrained control without features accepted")
	}
}

func TestMLPBeatsLinearOnXOR(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	const n, d = 3000, 2
	x := make([]float32, n*d)
	y := make([]bool, n)
	for i := 0; i < n; i++ {
		a, b := r.Float64()*2-1, r.Float64()*2-1
		x[i*d], x[i*d+1] = float32(a), float32(b)
		y[i] = (a > 0) != (b > 0)
	}
	f, tg := matrixTarget(t, x, y, 2000, d)
	lin, err := Fit(f, tg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mlp, err := Fit(f, tg, Options{Kind: MLP, Hidden: 16, Epochs: 60, LearningRate: 1e-2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if lin.TestAccuracy > 0.6 || mlp.TestAccuracy < 0.9 {
		t.Fatalf("XOR: linear %v, MLP %v", lin.TestAccuracy, mlp.TestAccuracy)
	}
	again, _ := Fit(f, tg, Options{Kind: MLP, Hidden: 16, Epochs: 60, LearningRate: 1e-2, Seed: 1})
	if again.TestAccuracy != mlp.TestAccuracy || again.AUC != mlp.AUC {
		t.Fatal("MLP observer is not deterministic for a fixed seed")
	}
}

func activations(n int, widths []int, seed uint64) *hidden.Activations {
	r := rand.New(rand.NewPCG(seed, 1))
	a := &hidden.Activations{N: n, NumClasses: 3, Labels: make([]int, n)}
	for i := range a.Labels {
		a.Labels[i] = i % 3
	}
	for l, w := range widths {
		la := hidden.LayerActivations{Layer: l + 1, Depth: len(widths), Width: w, Post: make([]float32, n*w), Pre: make([]float32, n*w)}
		for i := range la.Post {
			la.Pre[i] = float32(r.NormFloat64())
			la.Post[i] = max(la.Pre[i], 0)
		}
		a.Layers = append(a.Layers, la)
	}
	return a
}

func TestFeaturesFromActivations(t *testing.T) {
	tr, te := activations(50, []int{4, 3}, 1), activations(20, []int{4, 3}, 2)
	for i := 0; i < tr.N; i++ { // neuron 1 of layer 2 is dead on the training split
		tr.Layers[1].Post[i*3+1] = 0
	}
	f, err := NewFeatures(tr, te, AllLayers())
	if err != nil {
		t.Fatal(err)
	}
	if f.D != 7 || len(f.Layers) != 2 || f.Widths[1] != 3 || f.Columns[5] != (Neuron{2, 1}) {
		t.Fatalf("features %d %v %v %v", f.D, f.Layers, f.Widths, f.Columns)
	}
	if f.Std[5] != 0 || f.Train[5] != 0 || f.Test[5] != 0 {
		t.Fatalf("constant neuron: std %v values %v %v", f.Std[5], f.Train[5], f.Test[5])
	}
	for j := 0; j < f.D; j++ {
		if j == 5 {
			continue
		}
		var m, s float64
		for i := 0; i < f.NTrain; i++ {
			v := float64(f.Train[i*f.D+j])
			m += v
			s += v * v
		}
		m /= float64(f.NTrain)
		if math.Abs(m) > 1e-5 || math.Abs(s/float64(f.NTrain)-1) > 1e-4 {
			t.Fatalf("feature %d: mean %v var %v after standardising", j, m, s/float64(f.NTrain))
		}
	}
	g, err := NewFeatures(tr, te, Neurons(Neuron{2, 2}, Neuron{1, 0}))
	if err != nil {
		t.Fatal(err)
	}
	wm := g.WeightMap([]float64{7, 9})
	if len(wm) != 2 || wm[0][0] != 9 || wm[1][2] != 7 || wm[0][1] != 0 || len(wm[0]) != 4 {
		t.Fatalf("weight map %v", wm)
	}
	p, err := NewFeatures(tr, te, Selection{Layers: []int{2}, Pre: true})
	if err != nil || p.D != 3 {
		t.Fatalf("pre-activation features: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	tr, te := activations(30, []int{4}, 1), activations(10, []int{4}, 2)
	errs := map[string]error{}
	_, errs["unknown layer"] = NewFeatures(tr, te, Layer(3))
	_, errs["neuron out of range"] = NewFeatures(tr, te, Neurons(Neuron{1, 4}))
	_, errs["neuron twice"] = NewFeatures(tr, te, Neurons(Neuron{1, 1}, Neuron{1, 1}))
	wide := activations(10, []int{5}, 3)
	_, errs["width mismatch"] = NewFeatures(tr, wide, AllLayers())
	nan := activations(10, []int{4}, 4)
	nan.Layers[0].Post[7] = float32(math.NaN())
	_, errs["NaN activation"] = NewFeatures(tr, nan, AllLayers())
	_, errs["nil"] = NewFeatures(nil, te, AllLayers())
	_, errs["ragged matrix"] = NewFeaturesFromMatrix(make([]float32, 10), nil, make([]float32, 4), nil, 3, 0)
	_, errs["NaN matrix"] = NewFeaturesFromMatrix([]float32{1, 2, float32(math.NaN()), 4}, nil, []float32{1, 2}, nil, 2, 0)
	_, errs["label count"] = NewFeaturesFromMatrix(make([]float32, 8), []int{0}, make([]float32, 2), nil, 2, 2)
	_, errs["label range"] = NewFeaturesFromMatrix(make([]float32, 4), []int{0, 5}, make([]float32, 2), []int{1}, 2, 2)

	f, err := NewFeatures(tr, te, AllLayers())
	if err != nil {
		t.Fatal(err)
	}
	_, errs["empty subset"] = f.LabelTarget(property.LabelProperty{Set: 0, K: 3})
	_, errs["all classes"] = f.LabelTarget(property.LabelProperty{Set: property.Full(3), K: 3})
	_, errs["wrong K"] = f.LabelTarget(property.LabelProperty{Set: 1, K: 10})
	allTrue := Target{Name: "everything", Train: make([]bool, 30), Test: make([]bool, 10)}
	for i := range allTrue.Train {
		allTrue.Train[i] = true
	}
	_, errs["one side empty"] = Fit(f, allTrue, Options{})
	_, errs["short targets"] = Fit(f, Target{Name: "short", Train: make([]bool, 3), Test: make([]bool, 10)}, Options{})
	good, _ := f.LabelTarget(property.LabelProperty{Set: 1, K: 3})
	_, errs["bad kind"] = Fit(f, good, Options{Kind: "forest"})
	_, errs["bad penalty"] = Fit(f, good, Options{Penalty: "l3"})
	_, errs["bad C"] = Fit(f, good, Options{C: -1})
	_, errs["bad ratio"] = Fit(f, good, Options{Penalty: ElasticNet, L1Ratio: 2})
	_, errs["no targets"] = FitMany(f, nil, Options{})
	_, errs["nil features"] = Fit(nil, good, Options{})
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: multi-line error %q", name, err)
		}
	}
	if _, err := Fit(f, good, Options{}); err != nil {
		t.Fatalf("good input rejected: %v", err)
	}
}

func TestSetKernelPath(t *testing.T) {
	start := KernelPath()
	if _, err := SetKernelPath("sse9"); err == nil || KernelPath() != start {
		t.Fatalf("SetKernelPath(sse9): err %v, path %s", err, KernelPath())
	}
	prev, err := SetKernelPath("go")
	if err != nil || prev != start || KernelPath() != "go" {
		t.Fatalf("SetKernelPath(go) = %q, %v; now %s", prev, err, KernelPath())
	}
	if _, err := SetKernelPath(start); err != nil || KernelPath() != start {
		t.Fatalf("restoring %s: %v", start, err)
	}
}
