package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/denotation-go/denotation/datasets"
	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// CodeVersion identifies the training code of this package. It is part of the run-cache key:
// bump it whenever a change alters what training produces (initialisation, optimiser, shuffling,
// loss, file format), so stale cache entries are not reused.
const CodeVersion = "model-v2"

// TrainingVersion is CodeVersion and, where simplego's matrix products run on the SIMD block
// kernel (KernelFamily "simd"), that kernel's name: its float32 sums round differently from
// simplego's own, so the models it trains are not bit-identical to those of the scalar kernel. The
// run cache and the findings' results cache key on it; with $DENOTATION_DOT_KERNEL=go it is
// CodeVersion alone, and entries written before the SIMD kernel existed are found again.
func TrainingVersion() string {
	if KernelFamily() == "simd" {
		return CodeVersion + "+simd"
	}
	return CodeVersion
}

// Random streams (the second PCG word) of the package's random choices, all derived from Config.Seed.
const (
	streamInit    = 0x1417_0001
	streamShuffle = 0x5348_0000 // + epoch number
)

// Model is a trained (or untrained) MLP object model: NumFeatures inputs → hidden layers
// 1…L (Config.Hidden) → NumClasses logits.
//
// A Model is safe for concurrent use by several goroutines for inference (Evaluate, Activations,
// Predict…); Fit must not run concurrently with other calls.
type Model struct {
	// Config is the architecture and training recipe.
	Config Config
	// NumFeatures is the input size (784 for 28×28 images).
	NumFeatures int
	// NumClasses is K, the number of logits.
	NumClasses int
	// Info records what the model was trained on and how training went.
	Info Info

	// params are W1,b1,…,W_{L+1},b_{L+1}: W_ℓ is [in, out] row-major, b_ℓ is [out];
	// layer L+1 is the output (logit) layer.
	params [][]float32
	// adamM and adamV are Adam's first and second moment estimates, shaped like params
	// (nil for a model that was never trained).
	adamM, adamV [][]float32

	mu  sync.Mutex
	rt  *runtime
	dir string // where the model was last saved to or loaded from
}

// Info records the provenance and training history of a model.
type Info struct {
	// Dataset is the data set's name ("mnist", "fashion"; empty if trained on a bare split).
	Dataset string `json:"dataset,omitempty"`
	// ClassNames are the data set's class names (may be empty).
	ClassNames []string `json:"class_names,omitempty"`
	// TrainSamples is the number of training samples.
	TrainSamples int `json:"train_samples"`
	// TrainFingerprint is a hash of the training split (sample indices, labels and pixels).
	TrainFingerprint string `json:"train_fingerprint,omitempty"`
	// EpochsDone is the number of completed epochs.
	EpochsDone int `json:"epochs_done"`
	// Steps is the number of optimiser steps taken (Adam's t).
	Steps int64 `json:"steps"`
	// History has one entry per completed epoch.
	History []EpochStats `json:"history,omitempty"`
	// TestAccuracy is the accuracy on the data set's test split after training (Train and
	// TrainCached set it; 0 when unknown).
	TestAccuracy float64 `json:"test_accuracy,omitempty"`
	// TestSamples is the number of test samples TestAccuracy was measured on (0: not measured).
	TestSamples int `json:"test_samples,omitempty"`
	// Untrained marks a model created by NewUntrained and never trained.
	Untrained bool `json:"untrained,omitempty"`
}

// EpochStats summarises one epoch of training.
type EpochStats struct {
	Epoch            int     `json:"epoch"`
	Loss             float64 `json:"loss"`           // mean training cross-entropy over the epoch
	Accuracy         float64 `json:"train_accuracy"` // training accuracy over the epoch (while learning)
	Seconds          float64 `json:"seconds"`
	SamplesPerSecond float64 `json:"samples_per_second"`
}

// Depth is the number L of hidden layers.
func (m *Model) Depth() int { return len(m.Config.Hidden) }

// Widths returns the hidden-layer widths (a copy).
func (m *Model) Widths() []int { return slices.Clone(m.Config.Hidden) }

// Architecture describes the network, e.g. "784-128-128-10 relu".
func (m *Model) Architecture() string { return m.Config.Architecture(m.NumFeatures, m.NumClasses) }

// NumParams is the number of weights and biases.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.params {
		n += len(p)
	}
	return n
}

// layerSizes returns the in and out sizes of layer ℓ = 1…L+1.
func (m *Model) layerSizes(l int) (in, out int) {
	sizes := append(append([]int{m.NumFeatures}, m.Config.Hidden...), m.NumClasses)
	return sizes[l-1], sizes[l]
}

// Weights returns copies of layer ℓ's weight matrix W ([in, out] row-major: W[i*out+j] connects
// input i to neuron j) and bias b ([out]). ℓ = 1…L are the hidden layers, ℓ = L+1 the logit layer.
func (m *Model) Weights(l int) (w, b []float32, in, out int, err error) {
	if l < 1 || l > m.Depth()+1 {
		return nil, nil, 0, 0, fmt.Errorf("model: unknown layer %d (hidden layers 1…%d, logits %d)", l, m.Depth(), m.Depth()+1)
	}
	in, out = m.layerSizes(l)
	return slices.Clone(m.params[2*(l-1)]), slices.Clone(m.params[2*(l-1)+1]), in, out, nil
}

// NewUntrained returns a model with the architecture of cfg and freshly initialised weights drawn
// from cfg's seed — exactly the weights Train starts from. It is the untrained control of the
// observer experiments.
//
// Initialisation (cfg.InitScheme(), see InitHe, InitTorch, InitGlorot): "he" draws W ~ U(−a, a)
// with a = √(6/fan_in) for ReLU hidden layers and a = √(6/(fan_in+fan_out)) for the logit layer
// and tanh/sigmoid layers, biases 0; "glorot" uses a = √(6/(fan_in+fan_out)) everywhere, biases 0;
// "torch" (PyTorch's nn.Linear) draws weights and then biases from U(±1/√fan_in). Layers are drawn
// in order from one random stream, weights row-major.
func NewUntrained(cfg Config, numFeatures, numClasses int) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if numFeatures < 1 {
		return nil, fmt.Errorf("model: %d input features (want ≥ 1)", numFeatures)
	}
	if numClasses < 2 {
		return nil, fmt.Errorf("model: %d classes (want ≥ 2)", numClasses)
	}
	cfg.Hidden = slices.Clone(cfg.Hidden)
	m := &Model{Config: cfg, NumFeatures: numFeatures, NumClasses: numClasses, Info: Info{Untrained: true}}
	rng := rand.New(rand.NewPCG(cfg.Seed, streamInit))
	for l := 1; l <= m.Depth()+1; l++ {
		in, out := m.layerSizes(l)
		a := math.Sqrt(6 / float64(in+out))
		switch cfg.InitScheme() {
		case InitHe:
			if cfg.Activation == ActivationReLU && l <= m.Depth() {
				a = math.Sqrt(6 / float64(in))
			}
		case InitTorch:
			a = 1 / math.Sqrt(float64(in))
		}
		w := make([]float32, in*out)
		for i := range w {
			w[i] = float32((2*rng.Float64() - 1) * a)
		}
		b := make([]float32, out)
		if cfg.InitScheme() == InitTorch {
			for i := range b {
				b[i] = float32((2*rng.Float64() - 1) * a)
			}
		}
		m.params = append(m.params, w, b)
	}
	return m, nil
}

// paramDims returns the dimensions of params[i].
func (m *Model) paramDims(i int) []int {
	in, out := m.layerSizes(i/2 + 1)
	if i%2 == 0 {
		return []int{in, out}
	}
	return []int{out}
}

// checkShapes verifies that params (and Adam's state, if any) match the architecture.
func (m *Model) checkShapes() error {
	n := 2 * (m.Depth() + 1)
	if len(m.params) != n {
		return fmt.Errorf("model: %d parameter tensors, want %d for %s", len(m.params), n, m.Architecture())
	}
	for _, set := range []struct {
		name string
		ts   [][]float32
	}{{"parameter", m.params}, {"Adam first-moment", m.adamM}, {"Adam second-moment", m.adamV}} {
		if set.ts == nil && set.name != "parameter" {
			continue
		}
		if len(set.ts) != n {
			return fmt.Errorf("model: %d %s tensors, want %d", len(set.ts), set.name, n)
		}
		for i, t := range set.ts {
			want := 1
			for _, d := range m.paramDims(i) {
				want *= d
			}
			if len(t) != want {
				return fmt.Errorf("model: %s tensor %d of layer %d has %d values, want %d", set.name, i, i/2+1, len(t), want)
			}
		}
	}
	if (m.adamM == nil) != (m.adamV == nil) {
		return errors.New("model: only one of Adam's moment estimates is present")
	}
	return nil
}

// runtime holds the compiled graphs and the parameters as tensors for inference.
type runtime struct {
	config   string // the backend, "NAME:CONFIG"
	backend  backends.Backend
	execMu   *sync.Mutex // serialises executions on backend (see execLock)
	forward  *Exec       // x, keep_1..L, fill_1..L, params → logits
	capture  *Exec       // x, params → pre_1, post_1, …, pre_L, post_L
	paramsT  []*tensors.Tensor
	trainers map[bool]*Exec // by StockDense
}

// runtimeLocked returns the model's runtime, creating it on first use on the backend chosen by
// choice and goConfig (see resolveBackend; both "" = the runtime already built, else the default
// backend). m.mu must be held.
func (m *Model) runtimeLocked(choice, goConfig string) (*runtime, error) {
	if m.rt != nil && choice == "" && goConfig == "" {
		return m.rt, nil
	}
	b, key, err := backendFor(choice, goConfig)
	if err != nil {
		return nil, err
	}
	if m.rt != nil && m.rt.config == key {
		return m.rt, nil
	}
	if m.rt != nil { // a different backend was asked for: rebuild the graphs on it
		finalizeAll(m.rt.paramsT)
		m.rt = nil
	}
	rt := &runtime{backend: b, config: key, execMu: execLock(b), trainers: map[bool]*Exec{}}
	// Inference needs no gradient, so it uses the plain x·W + b (DenseStock) rather than
	// DenseFast, whose zero gradient carrier 0·(Σx + ΣW) would turn a single overflowing value
	// into NaN in every neuron of the layer and hide which neuron overflowed.
	L := m.Depth()
	act := m.Config.Activation
	rt.forward, err = NewExec(b, func(in []*Node) []*Node {
		x, keep, fill, p := in[0], in[1:1+L], in[1+L:1+2*L], in[1+2*L:]
		h := x
		for l := range L {
			h = activate(act, DenseStock(h, p[2*l], p[2*l+1]))
			h = Add(Mul(h, InsertAxes(keep[l], 0)), InsertAxes(fill[l], 0))
		}
		return []*Node{DenseStock(h, p[2*L], p[2*L+1])}
	})
	if err != nil {
		return nil, fmt.Errorf("model: building the forward graph: %w", err)
	}
	rt.capture, err = NewExec(b, func(in []*Node) []*Node {
		x, p := in[0], in[1:]
		h := x
		var outs []*Node
		for l := range L {
			pre := DenseStock(h, p[2*l], p[2*l+1])
			h = activate(act, pre)
			outs = append(outs, pre, h)
		}
		return outs
	})
	if err != nil {
		return nil, fmt.Errorf("model: building the capture graph: %w", err)
	}
	m.rt = rt
	return rt, nil
}

// run executes e on args, one execution at a time per backend.
func (rt *runtime) run(e *Exec, args ...any) ([]*tensors.Tensor, error) {
	rt.execMu.Lock()
	defer rt.execMu.Unlock()
	return e.Exec(args...)
}

// inferBatches runs the graph that exec picks from the model's runtime over split in batches of
// InferenceBatch (the last one padded), with the arguments x, extra…, params, and calls use with
// each batch's results (finalized after use returns); what names the pass in errors.
func (m *Model) inferBatches(split *datasets.Split, exec func(rt *runtime) *Exec, extra []*tensors.Tensor, what string, use func(res []*tensors.Tensor, lo, hi int)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	rt, err := m.runtimeLocked("", "")
	if err != nil {
		return err
	}
	e, params := exec(rt), m.paramTensorsLocked(rt)
	return forEachBatch(split, m.NumFeatures, func(x *tensors.Tensor, lo, hi int) error {
		args := make([]any, 0, 1+len(extra)+len(params))
		args = append(args, x)
		for _, t := range extra {
			args = append(args, t)
		}
		for _, t := range params {
			args = append(args, t)
		}
		res, err := rt.run(e, args...)
		if err != nil {
			return fmt.Errorf("model: %s samples %d…%d: %w", what, lo, hi-1, err)
		}
		defer finalizeAll(res)
		use(res, lo, hi)
		return nil
	})
}

// forwardGraph and captureGraph pick an inference graph of a runtime, for inferBatches.
func forwardGraph(rt *runtime) *Exec { return rt.forward }
func captureGraph(rt *runtime) *Exec { return rt.capture }

// paramTensorsLocked returns the parameters as tensors (cached until the parameters change).
func (m *Model) paramTensorsLocked(rt *runtime) []*tensors.Tensor {
	if rt.paramsT == nil {
		for i, p := range m.params {
			rt.paramsT = append(rt.paramsT, tensors.FromFlatDataAndDimensions(p, m.paramDims(i)...))
		}
	}
	return rt.paramsT
}

// invalidateParamsLocked drops cached parameter tensors after the parameters changed.
func (m *Model) invalidateParamsLocked() {
	if m.rt == nil {
		return
	}
	for _, t := range m.rt.paramsT {
		_ = t.FinalizeAll()
	}
	m.rt.paramsT = nil
}

// activate applies the named nonlinearity.
func activate(name string, x *Node) *Node {
	switch name {
	case ActivationTanh:
		return Tanh(x)
	case ActivationSigmoid:
		return Logistic(x)
	default:
		return Max(x, ZerosLike(x))
	}
}
