package model

import (
	"cmp"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/denotation-go/denotation/datasets"
)

// small is the configuration most tests use: fast, yet it learns the synthetic task.
func small() Config {
	return DefaultConfig().WithHidden(16, 12).WithEpochs(2).WithBatchSize(32).WithSeed(3)
}

func TestConfigBuilderAndValidate(t *testing.T) {
	c := DefaultConfig().WithHidden(128, 64).WithActivation("tanh").WithLearningRate(0.01).WithSchedule("constant").WithBatchSize(64).WithEpochs(3).WithWeightDecay(1e-4).WithSeed(9)
	want := Config{Hidden: []int{128, 64}, Activation: "tanh", LearningRate: 0.01, Schedule: "constant", BatchSize: 64, Epochs: 3, WeightDecay: 1e-4, Seed: 9}
	if configKey(c) != configKey(want) {
		t.Fatalf("builder gave %+v, want %+v", c, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	widths := []int{5, 6}
	c2 := c.WithHidden(widths...)
	widths[0] = 99
	if c2.Hidden[0] != 5 || c.Hidden[0] != 128 {
		t.Errorf("Hidden must copy its argument and leave the receiver alone: %v, %v", c2.Hidden, c.Hidden)
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{DefaultConfig().WithHidden(), "no hidden layers"},
		{DefaultConfig().WithHidden(128, 0), "hidden layer 2 has width 0"},
		{DefaultConfig().WithActivation("gelu"), `unknown activation "gelu"`},
		{DefaultConfig().WithLearningRate(0), "learning rate 0"},
		{DefaultConfig().WithLearningRate(math.NaN()), "learning rate NaN"},
		{DefaultConfig().WithBatchSize(0), "batch size 0"},
		{DefaultConfig().WithSchedule("step"), `unknown learning-rate schedule "step"`},
		{DefaultConfig().WithEpochs(-1), "-1 epochs"},
		{DefaultConfig().WithWeightDecay(-1), "weight decay -1"},
	} {
		err := tc.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want an error containing %q", tc.cfg, err, tc.want)
		}
	}
	if w, err := ParseWidths("128, 64,32"); err != nil || !slices.Equal(w, []int{128, 64, 32}) {
		t.Errorf("ParseWidths = %v, %v", w, err)
	}
	for _, s := range []string{"", "12,x", "12,0", "-3"} {
		if _, err := ParseWidths(s); err == nil {
			t.Errorf("ParseWidths(%q) accepted", s)
		}
	}
	if _, err := NewUntrained(DefaultConfig(), 0, 10); err == nil {
		t.Error("NewUntrained accepted 0 features")
	}
}

func TestTrainLearnsAndEvaluates(t *testing.T) {
	ds := synthetic(600, 200, 4, 6, 6, 1)
	m, err := Train(ds, small().WithEpochs(4).WithLearningRate(0.003), &TrainOptions{Progress: Silent})
	if err != nil {
		t.Fatal(err)
	}
	if m.Info.EpochsDone != 4 || len(m.Info.History) != 4 || m.Info.Steps != 4*19 {
		t.Errorf("info after training: %+v", m.Info)
	}
	ev, err := m.Evaluate(ds.Test)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Accuracy < 0.9 {
		t.Errorf("test accuracy %.3f on an easy synthetic task, want ≥ 0.9", ev.Accuracy)
	}
	if ev.Accuracy != m.Info.TestAccuracy || m.Info.TestSamples != 200 {
		t.Errorf("Info.TestAccuracy %v (%d samples), Evaluate %v", m.Info.TestAccuracy, m.Info.TestSamples, ev.Accuracy)
	}
	// The evaluation is internally consistent and agrees with Predict.
	pred, err := m.Predict(ds.Test)
	if err != nil {
		t.Fatal(err)
	}
	correct, total := 0, 0
	for k := range ev.Confusion {
		rowSum := 0
		for j, c := range ev.Confusion[k] {
			rowSum += c
			total += c
			if j == k {
				correct += c
			}
		}
		if rowSum != ev.Support[k] || (rowSum > 0 && ev.PerClass[k] != float64(ev.Confusion[k][k])/float64(rowSum)) {
			t.Errorf("class %d: confusion row sums to %d, support %d, per-class %v", k, rowSum, ev.Support[k], ev.PerClass[k])
		}
	}
	nPred := 0
	for i, p := range pred {
		if p == ds.Test.Labels[i] {
			nPred++
		}
	}
	if total != 200 || float64(correct)/200 != ev.Accuracy || nPred != correct {
		t.Errorf("confusion total %d correct %d, Predict correct %d, accuracy %v", total, correct, nPred, ev.Accuracy)
	}
	if !(ev.Loss > 0) || ev.Loss > 1 {
		t.Errorf("test loss %v", ev.Loss)
	}
}

func TestTrainMNISTSubset(t *testing.T) {
	ds := mnist(t).Subset(5000, 1000, 1)
	m, err := Train(ds, DefaultConfig().WithHidden(32).WithEpochs(3).WithBatchSize(64).WithSeed(1), &TrainOptions{Progress: Silent})
	if err != nil {
		t.Fatal(err)
	}
	if m.Info.TestAccuracy < 0.88 {
		t.Errorf("784-32-10 after 3 epochs on 5000 MNIST samples: test accuracy %.3f, want ≥ 0.88", m.Info.TestAccuracy)
	}
	if m.Info.Dataset != "mnist" || len(m.Info.ClassNames) != 10 || m.Architecture() != "784-32-10 relu" {
		t.Errorf("provenance: %+v, %s", m.Info, m.Architecture())
	}
}

func sameState(t *testing.T, a, b *Model) {
	t.Helper()
	for i := range a.params {
		if !slices.Equal(a.params[i], b.params[i]) {
			t.Fatalf("parameter tensor %d differs", i)
		}
		if !slices.Equal(a.adamM[i], b.adamM[i]) || !slices.Equal(a.adamV[i], b.adamV[i]) {
			t.Fatalf("Adam state of tensor %d differs", i)
		}
	}
	if a.Info.Steps != b.Info.Steps || a.Info.EpochsDone != b.Info.EpochsDone {
		t.Fatalf("steps %d/%d, epochs %d/%d", a.Info.Steps, b.Info.Steps, a.Info.EpochsDone, b.Info.EpochsDone)
	}
}

func TestDeterminism(t *testing.T) {
	ds := synthetic(300, 130, 3, 5, 5, 2)
	for _, act := range ActivationNames {
		cfg := small().WithActivation(act)
		a, err := Train(ds, cfg, &TrainOptions{Progress: Silent})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Train(ds, cfg, &TrainOptions{Progress: Silent})
		if err != nil {
			t.Fatal(err)
		}
		sameState(t, a, b)
		if a.Info.TestAccuracy != b.Info.TestAccuracy {
			t.Errorf("%s: accuracies %v and %v", act, a.Info.TestAccuracy, b.Info.TestAccuracy)
		}
		actA, err := a.Activations(ds.Test)
		if err != nil {
			t.Fatal(err)
		}
		actB, err := b.Activations(ds.Test)
		if err != nil {
			t.Fatal(err)
		}
		for l := range actA.Layers {
			if !slices.Equal(actA.Layers[l].Post, actB.Layers[l].Post) || !slices.Equal(actA.Layers[l].Pre, actB.Layers[l].Pre) {
				t.Errorf("%s: activations of layer %d differ", act, l+1)
			}
		}
		c, err := Train(ds, cfg.WithSeed(4), &TrainOptions{Progress: Silent})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Equal(a.params[0], c.params[0]) {
			t.Errorf("%s: seeds 3 and 4 gave the same weights", act)
		}
	}
}

func TestUntrainedIsTrainingStart(t *testing.T) {
	ds := synthetic(100, 10, 3, 4, 4, 3)
	u, err := NewUntrained(small(), 16, 3)
	if err != nil {
		t.Fatal(err)
	}
	z, err := TrainSplit(ds.Train, 3, small().WithEpochs(0), &TrainOptions{Progress: Silent})
	if err != nil {
		t.Fatal(err)
	}
	for i := range u.params {
		if !slices.Equal(u.params[i], z.params[i]) {
			t.Fatalf("tensor %d: NewUntrained differs from a 0-epoch training run", i)
		}
	}
	if !u.Info.Untrained || u.Depth() != 2 || !slices.Equal(u.Widths(), []int{16, 12}) || u.NumParams() != 16*16+16+16*12+12+12*3+3 {
		t.Errorf("untrained model: %+v depth %d widths %v params %d", u.Info, u.Depth(), u.Widths(), u.NumParams())
	}
	w, b, in, out, err := u.Weights(2)
	if err != nil || in != 16 || out != 12 || len(w) != 192 || len(b) != 12 {
		t.Errorf("Weights(2): %d %d %d %d %v", in, out, len(w), len(b), err)
	}
	if _, _, _, _, err := u.Weights(4); err == nil {
		t.Error("Weights(4) of a 2-hidden-layer model accepted")
	}
	// The untrained model can be evaluated and captured like a trained one.
	if _, err := u.Activations(ds.Test); err != nil {
		t.Fatal(err)
	}
}

func TestResumeMatchesStraightRun(t *testing.T) {
	ds := synthetic(250, 20, 3, 5, 5, 4)
	cfg := small()
	straight, err := TrainSplit(ds.Train, 3, cfg, &TrainOptions{Progress: Silent})
	if err != nil {
		t.Fatal(err)
	}

	// Train one epoch of the two, save, load, fit to two.
	dir := t.TempDir()
	first, err := NewUntrained(cfg, 25, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Fit(ds.Train, 1, &TrainOptions{Progress: Silent}); err != nil {
		t.Fatal(err)
	}
	if err := first.Save(dir); err != nil {
		t.Fatal(err)
	}
	resumed, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := resumed.Fit(ds.Train, 2, &TrainOptions{Progress: Silent}); err != nil {
		t.Fatal(err)
	}
	sameState(t, straight, resumed)

	// An interrupted run (cancelled in epoch 2) resumes from its checkpoint folder.
	ckpt := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	_, err = TrainSplit(ds.Train, 3, cfg, &TrainOptions{CheckpointDir: ckpt, Context: ctx, Progress: func(u ProgressUpdate) {
		if u.Epoch == 2 && u.Step == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "checkpoint of epoch 1 is in "+ckpt) {
		t.Fatalf("cancelled run returned %v, want an error naming the checkpoint of epoch 1 in %s", err, ckpt)
	}
	if c, err := Load(ckpt); err != nil || c.Info.EpochsDone != 1 {
		t.Fatalf("checkpoint after the interruption: %v", err)
	}
	// The interrupted model object itself stays at its last whole epoch and can go on.
	part, err := NewUntrained(cfg, 25, 3)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	err = part.Fit(ds.Train, 2, &TrainOptions{Context: ctx2, Progress: func(u ProgressUpdate) {
		if u.Epoch == 2 && u.Step == 5 {
			cancel2()
		}
	}})
	if !errors.Is(err, context.Canceled) || part.Info.EpochsDone != 1 || part.Info.Steps != 8 {
		t.Fatalf("interrupted Fit: %v, %d epochs, %d steps", err, part.Info.EpochsDone, part.Info.Steps)
	}
	if err := part.Fit(ds.Train, 2, &TrainOptions{Progress: Silent}); err != nil {
		t.Fatal(err)
	}
	sameState(t, straight, part)
	var steps int
	again, err := TrainSplit(ds.Train, 3, cfg, &TrainOptions{CheckpointDir: ckpt, Progress: func(ProgressUpdate) { steps++ }})
	if err != nil {
		t.Fatal(err)
	}
	if steps != 8 {
		t.Errorf("the resumed run took %d steps, want the 8 of epoch 2", steps)
	}
	sameState(t, straight, again)

	// Fit refuses to go backwards, past the cosine schedule, or to switch data.
	if err := again.Fit(ds.Train, 1, nil); err == nil {
		t.Error("Fit to fewer epochs than done accepted")
	}
	if err := again.Fit(ds.Train, 3, nil); err == nil {
		t.Error("Fit past the end of the cosine schedule accepted")
	}
	// With a constant rate a run can be extended; its schedule does not depend on the epoch count.
	c1, err := TrainSplit(ds.Train, 3, cfg.WithSchedule(ScheduleConstant).WithEpochs(1), &TrainOptions{Progress: Silent})
	if err != nil {
		t.Fatal(err)
	}
	if err := c1.Fit(ds.Train, 2, &TrainOptions{Progress: Silent}); err != nil {
		t.Fatal(err)
	}
	c2, err := TrainSplit(ds.Train, 3, cfg.WithSchedule(ScheduleConstant), &TrainOptions{Progress: Silent})
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, c1, c2)
	other := synthetic(250, 20, 3, 5, 5, 5)
	if err := c2.Fit(other.Train, 3, &TrainOptions{Progress: Silent}); err == nil {
		t.Error("Fit on a different training split accepted")
	}
}

func TestSaveLoad(t *testing.T) {
	ds := synthetic(200, 50, 3, 4, 4, 6)
	m, err := Train(ds, small().WithEpochs(1), &TrainOptions{Progress: Silent})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	l, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, m, l)
	if configKey(l.Config) != configKey(m.Config) || l.Info.TestAccuracy != m.Info.TestAccuracy || l.Dir() != dir || l.Info.Dataset != "synthetic" {
		t.Errorf("loaded %+v %+v from %q", l.Config, l.Info, l.Dir())
	}
	ea, _ := m.Evaluate(ds.Test)
	eb, _ := l.Evaluate(ds.Test)
	if ea.Accuracy != eb.Accuracy || ea.Loss != eb.Loss {
		t.Errorf("evaluation after load: %v vs %v", eb, ea)
	}
	if _, err := os.Stat(filepath.Join(dir, ModelJSONFile)); err != nil {
		t.Error(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Damaged files are errors, never models.
	path := filepath.Join(dir, ModelFile)
	raw, _ := os.ReadFile(path)
	for name, bad := range map[string][]byte{
		"truncated": raw[:len(raw)-100],
		"flipped":   append(append(append([]byte{}, raw[:len(raw)/2]...), raw[len(raw)/2]^1), raw[len(raw)/2+1:]...),
		"empty":     {},
		"foreign":   []byte("PK\x03\x04 not a model at all, but long enough to pass the length check........"),
	} {
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "not a valid model file") {
			t.Errorf("%s file: Load gave %v", name, err)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "nothing")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing folder: %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil || !strings.Contains(err.Error(), "model.bin is missing") {
		t.Errorf("empty folder: %v", err)
	}
}

// refForward runs m on one sample in float64 from its weights, with the listed neurons'
// post-activations clamped: pre[ℓ−1] and post[ℓ−1] are layer ℓ's values before and after its
// activation for ℓ = 1 … Depth()+1 (the output layer's post are its logits, without softmax).
func refForward(m *Model, x []float32, ablations []Ablation) (pre, post [][]float64) {
	h := make([]float64, len(x))
	for i, v := range x {
		h[i] = float64(v)
	}
	for l := 1; l <= m.Depth()+1; l++ {
		w, b, in, out, _ := m.Weights(l)
		p, q := make([]float64, out), make([]float64, out)
		for j := range out {
			s := float64(b[j])
			for i := range in {
				s += h[i] * float64(w[i*out+j])
			}
			p[j], q[j] = s, s
			switch {
			case l > m.Depth():
			case m.Config.Activation == ActivationReLU:
				q[j] = math.Max(s, 0)
			case m.Config.Activation == ActivationTanh:
				q[j] = math.Tanh(s)
			case m.Config.Activation == ActivationSigmoid:
				q[j] = 1 / (1 + math.Exp(-s))
			}
		}
		for _, a := range ablations {
			if a.Layer == l {
				q[a.Neuron] = float64(a.Value)
			}
		}
		pre, post = append(pre, p), append(post, q)
		h = q
	}
	return pre, post
}

// reference computes the hidden layers of m on one sample in float64 from its weights.
func reference(m *Model, x []float32) (pre, post [][]float64) {
	pre, post = refForward(m, x, nil)
	return pre[:m.Depth()], post[:m.Depth()]
}

func TestActivations(t *testing.T) {
	// 1234 samples: 3 inference batches, the last one padded.
	ds := synthetic(300, 1234, 4, 6, 6, 7)
	for _, act := range []string{ActivationReLU, ActivationSigmoid} {
		m, err := Train(ds, small().WithActivation(act).WithEpochs(1), &TrainOptions{Progress: Silent})
		if err != nil {
			t.Fatal(err)
		}
		a, err := m.Activations(ds.Test)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
		if a.N != 1234 || len(a.Layers) != 2 || a.Layers[1].Width != 12 || a.Layers[1].Depth != 2 || a.NumClasses != 4 || !slices.Equal(a.Labels, ds.Test.Labels) {
			t.Fatalf("shapes: N %d layers %d", a.N, len(a.Layers))
		}
		for _, i := range []int{0, 499, 500, 1233} {
			pre, post := reference(m, ds.Test.Image(i))
			for l := range pre {
				w := a.Layers[l].Width
				for j := range w {
					gp, gq := float64(a.Layers[l].Pre[i*w+j]), float64(a.Layers[l].Post[i*w+j])
					if math.Abs(gp-pre[l][j]) > 1e-4*(1+math.Abs(pre[l][j])) || math.Abs(gq-post[l][j]) > 1e-4*(1+math.Abs(post[l][j])) {
						t.Fatalf("%s sample %d layer %d neuron %d: pre %v post %v, reference %v %v", act, i, l+1, j, gp, gq, pre[l][j], post[l][j])
					}
				}
			}
		}
		// A sample's activations do not depend on its batch or on padding.
		head := ds.Test.Head(7)
		b, err := m.Capture(head, false)
		if err != nil {
			t.Fatal(err)
		}
		for l := range b.Layers {
			w := b.Layers[l].Width
			if b.Layers[l].Pre != nil || !slices.Equal(b.Layers[l].Post, a.Layers[l].Post[:7*w]) {
				t.Errorf("%s layer %d: the first 7 samples captured alone differ from the full capture", act, l+1)
			}
		}
	}
}

func TestEvaluateAblated(t *testing.T) {
	ds := synthetic(400, 300, 3, 5, 5, 8)
	m, err := Train(ds, small(), &TrainOptions{Progress: Silent})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := m.Evaluate(ds.Test)
	none, err := m.EvaluateAblated(ds.Test, nil)
	if err != nil || none.Accuracy != ev.Accuracy || none.Loss != ev.Loss {
		t.Fatalf("no ablation: %v vs %v (%v)", none, ev, err)
	}
	// Clamping a neuron to the value it already has changes nothing: find a dead ReLU neuron…
	acts, _ := m.Activations(ds.Test)
	// Clamping every neuron of the last hidden layer makes the output constant.
	var all []Ablation
	for j := range 12 {
		all = append(all, Ablation{Layer: 2, Neuron: j, Value: 0.5})
	}
	abl, err := m.EvaluateAblated(ds.Test, all)
	if err != nil {
		t.Fatal(err)
	}
	cols := 0
	for j := range 3 {
		s := 0
		for k := range 3 {
			s += abl.Confusion[k][j]
		}
		if s > 0 {
			cols++
		}
	}
	if cols != 1 {
		t.Errorf("with layer 2 clamped the model still predicts %d classes", cols)
	}
	// Ablating one neuron to its own value on every sample is a no-op when the neuron is constant.
	l1 := acts.Layers[0]
	for j := range l1.Width {
		col := l1.Neuron(j)
		constant := true
		for _, v := range col {
			if v != col[0] {
				constant = false
			}
		}
		if constant {
			same, _ := m.EvaluateAblated(ds.Test, []Ablation{{Layer: 1, Neuron: j, Value: col[0]}})
			if same.Accuracy != ev.Accuracy {
				t.Errorf("clamping constant neuron %d to its value changed accuracy %v → %v", j, ev.Accuracy, same.Accuracy)
			}
		}
	}
	for _, bad := range [][]Ablation{
		{{Layer: 0, Neuron: 0}}, {{Layer: 3, Neuron: 0}}, {{Layer: 1, Neuron: 16}}, {{Layer: 1, Neuron: -1}},
		{{Layer: 1, Neuron: 2}, {Layer: 1, Neuron: 2}}, {{Layer: 1, Neuron: 2, Value: float32(math.Inf(1))}},
	} {
		if _, err := m.EvaluateAblated(ds.Test, bad); err == nil {
			t.Errorf("ablation %+v accepted", bad)
		}
	}
}

// referenceLogits computes m's logits on one sample in float64 from its weights, with the listed
// neurons' post-activations clamped.
func referenceLogits(m *Model, x []float32, ablations []Ablation) []float64 {
	_, post := refForward(m, x, ablations)
	return post[m.Depth()]
}

func TestCorrectAblated(t *testing.T) {
	// 700 samples: two inference batches, the last one padded.
	ds := synthetic(300, 700, 4, 5, 5, 11)
	for _, act := range []string{ActivationReLU, ActivationTanh, ActivationSigmoid} {
		m, err := Train(ds, small().WithActivation(act).WithEpochs(10), &TrainOptions{Progress: Silent})
		if err != nil {
			t.Fatal(err)
		}
		intact, err := m.CorrectAblated(ds.Test, nil)
		if err != nil {
			t.Fatal(err)
		}
		changed := 0
		for _, abl := range [][]Ablation{nil, {{Layer: 2, Neuron: 3, Value: 20}}, {{Layer: 1, Neuron: 0, Value: 0}, {Layer: 2, Neuron: 5, Value: -20}}} {
			got, err := m.CorrectAblated(ds.Test, abl)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := m.EvaluateAblated(ds.Test, abl)
			if err != nil {
				t.Fatal(err)
			}
			// Per class, the correct samples are the confusion matrix's diagonal.
			perClass := make([]int, 4)
			checked := 0
			for i, y := range ds.Test.Labels {
				if got[i] {
					perClass[y]++
				}
				if got[i] != intact[i] {
					changed++
				}
				// One by one, they are those of a float64 forward pass from the weights (unless the
				// two largest logits are too close to call in float32).
				z := referenceLogits(m, ds.Test.Image(i), abl)
				order := make([]int, len(z))
				for c := range order {
					order[c] = c
				}
				slices.SortFunc(order, func(a, b int) int { return cmp.Compare(z[b], z[a]) })
				if z[order[0]]-z[order[1]] < 1e-3*(1+math.Abs(z[order[0]])) {
					continue
				}
				checked++
				if want := order[0] == y; got[i] != want {
					t.Errorf("%s %v sample %d: correct %v, reference logits %v (label %d)", act, abl, i, got[i], z, y)
				}
			}
			for k := range 4 {
				if perClass[k] != ev.Confusion[k][k] {
					t.Errorf("%s %v class %d: %d correct, confusion says %d", act, abl, k, perClass[k], ev.Confusion[k][k])
				}
			}
			if checked < len(got)*9/10 {
				t.Errorf("%s %v: only %d of %d samples clear of ties", act, abl, checked, len(got))
			}
		}
		if changed == 0 {
			t.Errorf("%s: no ablation changed any sample's correctness", act)
		}
		if _, err := m.CorrectAblated(ds.Test, []Ablation{{Layer: 3, Neuron: 0}}); err == nil {
			t.Errorf("%s: ablation of a layer the model lacks accepted", act)
		}
	}
}

func TestTrainCached(t *testing.T) {
	cache := t.TempDir()
	ds := synthetic(200, 60, 3, 4, 4, 9)
	cfg := small()
	// Two concurrent trainings of the same entry both succeed and agree.
	var wg sync.WaitGroup
	models := make([]*Model, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			models[i], _, errs[i] = TrainCached(ds, cfg, &TrainOptions{Progress: Silent, CacheDir: cache})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sameState(t, models[0], models[1])
	m, cached, err := TrainCached(ds, cfg, &TrainOptions{Progress: Silent, CacheDir: cache})
	if err != nil || !cached {
		t.Fatalf("second call: cached=%v err=%v", cached, err)
	}
	sameState(t, models[0], m)
	want, _ := CachePath(cache, ds, cfg)
	if m.Dir() != want || !strings.Contains(want, "synthetic-16-16-12-3-relu-he-e2-s3-") {
		t.Errorf("entry %q, want %q", m.Dir(), want)
	}
	// A different seed, epoch count or training subset is a different entry.
	for _, c := range []struct {
		ds  *datasets.Dataset
		cfg Config
	}{{ds, cfg.WithSeed(4)}, {ds, cfg.WithEpochs(1)}, {ds.Subset(150, 0, 1), cfg}} {
		if p, _ := CachePath(cache, c.ds, c.cfg); p == want {
			t.Errorf("%+v shares the cache entry", c.cfg)
		}
	}
	// A corrupt entry is retrained, not returned.
	if err := os.WriteFile(filepath.Join(want, ModelFile), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	m2, cached, err := TrainCached(ds, cfg, &TrainOptions{Progress: Silent, CacheDir: cache})
	if err != nil || cached {
		t.Fatalf("after corruption: cached=%v err=%v", cached, err)
	}
	sameState(t, models[0], m2)
}
