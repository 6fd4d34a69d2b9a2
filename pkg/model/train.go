package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/denotation-go/denotation/datasets"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Adam's constants (PyTorch defaults).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// TrainOptions are the knobs of training that do not change its result.
type TrainOptions struct {
	// Progress receives progress updates. nil means AutoProgress() (a progress line on a terminal's
	// stderr, a live line in a GoNB notebook when pkg/model/gonbprogress is imported, nothing
	// otherwise); use Silent to switch it off.
	Progress ProgressFunc
	// CheckpointDir, if set, is a folder where the model is saved (atomically) after every epoch.
	// Train and Fit resume from a checkpoint found there when it belongs to the same run (same
	// configuration, same training data) and has not gone past the requested number of epochs.
	// A resumed run ends with the same weights as an uninterrupted one.
	CheckpointDir string
	// CacheDir is the run-cache folder of TrainCached ("" = CacheDir(): $DENOTATION_CACHE or
	// ~/.cache/denotation). Train and Fit ignore it.
	CacheDir string
	// Context, if set, stops training between steps when it is cancelled (the last completed
	// epoch is in CheckpointDir if one is set). Fit then returns the context's error.
	Context context.Context
	// EpochSnapshots, with CheckpointDir, also keeps the model of every completed epoch before the
	// last under CheckpointDir/epochs/epoch-E (see LoadEpoch): the states a study of emergence over
	// training reads back. TrainCached sets it.
	EpochSnapshots bool
	// StockDense uses gomlx's stock gradient of graph.Dot (slow; for benchmarks and tests).
	// The results agree with the default fast Dense up to float32 rounding.
	StockDense bool
	// Backend is the gomlx backend to train on, "NAME" or "NAME:CONFIG" ("" = $GOMLX_BACKEND when
	// set, else DefaultBackend, "go"); it must be compiled into the program (AvailableBackends).
	// Evaluation and activations of the same Model value then run on it too. See ResolveBackend.
	Backend string
	// BackendConfig is the simplego configuration of the "go" backend ("" = DefaultBackendConfig or
	// $DENOTATION_BACKEND_CONFIG).
	BackendConfig string
}

func (o *TrainOptions) orDefault() *TrainOptions {
	if o == nil {
		return &TrainOptions{}
	}
	return o
}

// Train trains a model of configuration cfg on ds.Train, then evaluates it on ds.Test
// (Info.TestAccuracy). opts may be nil.
func Train(ds *datasets.Dataset, cfg Config, opts *TrainOptions) (*Model, error) {
	if ds == nil || ds.Train == nil {
		return nil, errors.New("model: no training data")
	}
	m, err := TrainSplit(ds.Train, ds.NumClasses(), cfg, opts)
	if err != nil {
		return nil, err
	}
	m.Info.Dataset = ds.Name
	m.Info.ClassNames = append([]string(nil), ds.ClassNames...)
	if ds.Test != nil && ds.Test.Len() > 0 {
		ev, err := m.Evaluate(ds.Test)
		if err != nil {
			return nil, err
		}
		m.Info.TestAccuracy, m.Info.TestSamples = ev.Accuracy, ev.N
	}
	if dir := opts.orDefault().CheckpointDir; dir != "" {
		if err := m.Save(dir); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// TrainSplit trains a model of configuration cfg on a training split with numClasses classes.
// opts may be nil.
func TrainSplit(train *datasets.Split, numClasses int, cfg Config, opts *TrainOptions) (*Model, error) {
	if err := checkSplit(train, numClasses); err != nil {
		return nil, err
	}
	m, err := NewUntrained(cfg, train.Features(), numClasses)
	if err != nil {
		return nil, err
	}
	if err := m.Fit(train, cfg.Epochs, opts); err != nil {
		return nil, err
	}
	return m, nil
}

// checkSplit validates a split's shapes and labels.
func checkSplit(s *datasets.Split, numClasses int) error {
	if s == nil {
		return errors.New("model: nil split")
	}
	if s.Features() < 1 || len(s.Images) != s.Len()*s.Features() {
		return fmt.Errorf("model: split %q has %d pixel values for %d samples of %d×%d", s.Name, len(s.Images), s.Len(), s.Rows, s.Cols)
	}
	for i, y := range s.Labels {
		if y < 0 || y >= numClasses {
			return fmt.Errorf("model: split %q sample %d has label %d outside [0,%d)", s.Name, i, y, numClasses)
		}
	}
	return nil
}

// Fit trains the model on train until it has completed `epochs` epochs in all (Info.EpochsDone),
// continuing from where it stands: a model fitted to k epochs, saved, loaded and fitted to n
// epochs ends with the same weights as one fitted to n epochs straight. Epoch e visits the samples
// in an order drawn from (Config.Seed, e); the learning rate of each step follows the
// configuration's schedule over Config.Epochs epochs (so with the cosine schedule, epochs must
// not exceed Config.Epochs). opts may be nil.
func (m *Model) Fit(train *datasets.Split, epochs int, opts *TrainOptions) error {
	opts = opts.orDefault()
	fp, err := m.checkFit(train, epochs)
	if err != nil {
		return err
	}
	if opts.CheckpointDir != "" {
		if err := m.resumeFrom(opts.CheckpointDir, fp, epochs); err != nil {
			return err
		}
		if m.Info.EpochsDone < epochs {
			if err := checkWritable(opts.CheckpointDir); err != nil {
				return fmt.Errorf("model: the checkpoint folder is not writable: %w", err)
			}
		}
	}
	m.Info.TrainFingerprint = fp
	m.Info.TrainSamples = train.Len()
	if m.Info.EpochsDone == epochs {
		return nil
	}
	progress := opts.Progress
	if progress == nil {
		progress = AutoProgress()
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	m.Info.TestAccuracy, m.Info.TestSamples = 0, 0 // stale once the weights change
	rt, err := m.runtimeLocked(opts.Backend, opts.BackendConfig)
	if err != nil {
		return err
	}
	step, err := m.trainerLocked(rt, opts.StockDense)
	if err != nil {
		return err
	}
	fr := m.newFitRunLocked(rt, step, train)
	defer fr.close()
	start := time.Now()
	for epoch := m.Info.EpochsDone + 1; epoch <= epochs; epoch++ {
		if err := m.fitEpochLocked(ctx, fr, progress, start, epoch, epochs, opts); err != nil {
			return err
		}
	}
	return nil
}

// fitEpochLocked trains epoch `epoch` (of `epochs`) step by step, reporting progress after each
// step (start is when the Fit call began), then records the epoch's statistics and ends it
// (endEpochLocked). A cancelled context stops it between steps (stoppedLocked).
func (m *Model) fitEpochLocked(ctx context.Context, fr *fitRun, progress ProgressFunc, start time.Time, epoch, epochs int, opts *TrainOptions) error {
	order := epochOrder(m.Config.Seed, epoch, fr.train.Len())
	epochStart := time.Now()
	var lossSum, correctSum float64
	seen := 0
	for s := range fr.stepsPerEpoch {
		if err := ctx.Err(); err != nil {
			return m.stoppedLocked(epoch, epochs, opts.CheckpointDir, err)
		}
		nReal := fr.fillBatch(order, s)
		loss, correct, err := fr.step()
		if err != nil {
			return fmt.Errorf("model: training step %d of epoch %d: %w", s+1, epoch, err)
		}
		seen += nReal
		lossSum += float64(loss) * float64(nReal)
		correctSum += float64(correct)
		if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
			return fmt.Errorf("model: training diverged in epoch %d step %d (loss %v); try a smaller learning rate", epoch, s+1, loss)
		}
		elapsed := time.Since(epochStart)
		progress(ProgressUpdate{
			Epoch: epoch, Epochs: epochs, Step: s + 1, Steps: fr.stepsPerEpoch, Samples: seen,
			Loss: lossSum / float64(seen), Accuracy: correctSum / float64(seen),
			SamplesPerSecond: float64(seen) / elapsed.Seconds(), Elapsed: time.Since(start),
			EpochDone: s+1 == fr.stepsPerEpoch, Done: s+1 == fr.stepsPerEpoch && epoch == epochs,
		})
	}
	secs := time.Since(epochStart).Seconds()
	m.Info.History = append(m.Info.History, EpochStats{Epoch: epoch, Loss: lossSum / float64(seen),
		Accuracy: correctSum / float64(seen), Seconds: secs, SamplesPerSecond: float64(seen) / secs})
	return m.endEpochLocked(fr, epoch, epochs, opts)
}

// checkFit validates Fit's arguments and returns the fingerprint of the training split.
func (m *Model) checkFit(train *datasets.Split, epochs int) (string, error) {
	if err := checkSplit(train, m.NumClasses); err != nil {
		return "", err
	}
	if train.Features() != m.NumFeatures {
		return "", fmt.Errorf("model: split %q has %d features, the model takes %d", train.Name, train.Features(), m.NumFeatures)
	}
	if train.Len() == 0 {
		return "", fmt.Errorf("model: split %q is empty", train.Name)
	}
	if m.Config.Schedule == ScheduleCosine && epochs > m.Config.Epochs {
		return "", fmt.Errorf("model: asked to train to %d epochs, but the cosine learning-rate schedule of the configuration ends after %d", epochs, m.Config.Epochs)
	}
	if epochs < m.Info.EpochsDone {
		return "", fmt.Errorf("model: asked to train to %d epochs, but %d are already done", epochs, m.Info.EpochsDone)
	}
	fp := fingerprint(train)
	if m.Info.EpochsDone > 0 && m.Info.TrainFingerprint != "" && m.Info.TrainFingerprint != fp {
		return "", fmt.Errorf("model: cannot continue training on different data (split %q differs from the one of the first %d epochs)", train.Name, m.Info.EpochsDone)
	}
	return fp, nil
}

// fitRun is the state of one Fit call: the compiled training step, the parameters and Adam's
// moments as tensors (copied back to the model's slices after each epoch), and the batch buffers.
type fitRun struct {
	m             *Model
	rt            *runtime
	exec          *Exec
	train         *datasets.Split
	state         []*tensors.Tensor // params, then Adam's m, then Adam's v
	stepsPerEpoch int
	xb            []float32
	yb            []int32
	wb            []float32
	args          []any
	// steps counts the steps done, of earlier calls too (Info.Steps).
	steps int64
}

// newFitRunLocked moves the model's state into tensors (creating Adam's moments on the first
// fit); it invalidates the model's cached parameter tensors.
func (m *Model) newFitRunLocked(rt *runtime, exec *Exec, train *datasets.Split) *fitRun {
	nP := len(m.params)
	if m.adamM == nil {
		for _, p := range m.params {
			m.adamM = append(m.adamM, make([]float32, len(p)))
			m.adamV = append(m.adamV, make([]float32, len(p)))
		}
	}
	state := make([]*tensors.Tensor, 0, 3*nP)
	for _, set := range [][][]float32{m.params, m.adamM, m.adamV} {
		for i, p := range set {
			state = append(state, tensors.FromFlatDataAndDimensions(p, m.paramDims(i)...))
		}
	}
	m.invalidateParamsLocked()
	n, f, bs := train.Len(), m.NumFeatures, m.Config.BatchSize
	return &fitRun{m: m, rt: rt, exec: exec, train: train, state: state, stepsPerEpoch: (n + bs - 1) / bs,
		xb: make([]float32, bs*f), yb: make([]int32, bs), wb: make([]float32, bs), args: make([]any, 0, 6+3*nP),
		steps: m.Info.Steps}
}

func (fr *fitRun) close() {
	for _, t := range fr.state {
		_ = t.FinalizeAll()
	}
}

// fillBatch copies the samples of step s of an epoch (in the epoch's order) into the batch
// buffers, padding the last batch with zero-weight rows, and returns the number of real samples.
func (fr *fitRun) fillBatch(order []int, s int) int {
	n, f, bs := fr.train.Len(), fr.m.NumFeatures, fr.m.Config.BatchSize
	lo, hi := s*bs, min((s+1)*bs, n)
	for k := range bs {
		if lo+k < hi {
			i := order[lo+k]
			copy(fr.xb[k*f:(k+1)*f], fr.train.Image(i))
			fr.yb[k], fr.wb[k] = int32(fr.train.Labels[i]), 1
		} else { // padding of the last batch: zero weight
			clear(fr.xb[k*f : (k+1)*f])
			fr.yb[k], fr.wb[k] = 0, 0
		}
	}
	return hi - lo
}

// step runs one Adam step on the batch in the buffers, at the schedule's learning rate for the
// step, and returns the batch's mean loss and number of correct samples.
func (fr *fitRun) step() (loss, correct float32, err error) {
	m, bs, f := fr.m, fr.m.Config.BatchSize, fr.m.NumFeatures
	t := float64(fr.steps + 1)
	bc1 := 1 - math.Pow(adamBeta1, t)
	bc2 := 1 - math.Pow(adamBeta2, t)
	lr := m.Config.rate(fr.steps, int64(m.Config.Epochs*fr.stepsPerEpoch))
	args := fr.args[:0]
	args = append(args,
		tensors.FromFlatDataAndDimensions(fr.xb, bs, f),
		tensors.FromFlatDataAndDimensions(fr.yb, bs),
		tensors.FromFlatDataAndDimensions(fr.wb, bs),
		tensors.FromFlatDataAndDimensions([]float32{float32(lr / bc1), float32(math.Sqrt(bc2)), float32(1 - lr*m.Config.WeightDecay)}, 3))
	for _, t := range fr.state {
		args = append(args, t)
	}
	outs, err := fr.rt.run(fr.exec, args...)
	for _, a := range args[:4] {
		_ = a.(*tensors.Tensor).FinalizeAll()
	}
	if err != nil {
		return 0, 0, err
	}
	loss = tensors.MustCopyFlatData[float32](outs[0])[0]
	correct = tensors.MustCopyFlatData[float32](outs[1])[0]
	_ = outs[0].FinalizeAll()
	_ = outs[1].FinalizeAll()
	for i, t := range fr.state {
		_ = t.FinalizeAll()
		fr.state[i] = outs[2+i]
	}
	fr.steps++
	return loss, correct, nil
}

// endEpochLocked advances the model's state to the completed epoch (the state advances only by
// whole epochs: an interrupted epoch leaves it as it was) and saves the checkpoint, and the
// epoch's snapshot when asked, if there is a checkpoint folder.
func (m *Model) endEpochLocked(fr *fitRun, epoch, epochs int, opts *TrainOptions) error {
	m.Info.EpochsDone, m.Info.Steps = epoch, fr.steps
	m.Info.Untrained = false
	nP := len(m.params)
	for i, t := range fr.state {
		dst := [][][]float32{m.params, m.adamM, m.adamV}[i/nP][i%nP]
		tensors.MustConstFlatData[float32](t, func(flat []float32) { copy(dst, flat) })
	}
	if opts.CheckpointDir == "" {
		return nil
	}
	if opts.EpochSnapshots && epoch < epochs {
		if err := m.saveLocked(epochDir(opts.CheckpointDir, epoch)); err != nil {
			return err
		}
	}
	return m.saveLocked(opts.CheckpointDir)
}

// epochDir is the folder of the snapshot of epoch e inside checkpoint folder dir.
func epochDir(dir string, e int) string {
	return filepath.Join(dir, "epochs", fmt.Sprintf("epoch-%d", e))
}

// LoadEpoch returns the model saved in checkpoint folder dir after epoch e: the snapshot kept with
// TrainOptions.EpochSnapshots, or the folder's own model when it completed exactly e epochs.
func LoadEpoch(dir string, e int) (*Model, error) {
	if m, err := Load(dir); err == nil && m.Info.EpochsDone == e {
		return m, nil
	}
	m, err := Load(epochDir(dir, e))
	if err != nil {
		return nil, err
	}
	if m.Info.EpochsDone != e {
		return nil, fmt.Errorf("model: %s holds epoch %d, not %d", epochDir(dir, e), m.Info.EpochsDone, e)
	}
	return m, nil
}

// stoppedLocked is the error of training cancelled during epoch (of epochs): it says what is
// saved in the checkpoint folder dir, if any.
func (m *Model) stoppedLocked(epoch, epochs int, dir string, err error) error {
	switch {
	case dir == "":
		return fmt.Errorf("model: training stopped in epoch %d of %d (no checkpoint folder: nothing saved): %w", epoch, epochs, err)
	case m.Info.EpochsDone == 0:
		return fmt.Errorf("model: training stopped in epoch %d of %d, before any epoch completed (nothing saved in %s): %w", epoch, epochs, dir, err)
	}
	return fmt.Errorf("model: training stopped in epoch %d of %d; the checkpoint of epoch %d is in %s and training again resumes from it: %w", epoch, epochs, m.Info.EpochsDone, dir, err)
}

// resumeFrom replaces m's state by the checkpoint in dir if it continues the same run.
func (m *Model) resumeFrom(dir, fp string, epochs int) error {
	c, err := Load(dir)
	if err != nil {
		return nil // no usable checkpoint: start from m as it is
	}
	if !sameRun(c, m) || c.Info.TrainFingerprint != fp || c.Info.EpochsDone > epochs || c.Info.EpochsDone <= m.Info.EpochsDone || c.adamM == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.params, m.adamM, m.adamV = c.params, c.adamM, c.adamV
	info := c.Info
	m.Info = info
	m.invalidateParamsLocked()
	return nil
}

// sameRun reports whether a and b have the same architecture and training recipe.
func sameRun(a, b *Model) bool {
	return a.NumFeatures == b.NumFeatures && a.NumClasses == b.NumClasses && configKey(a.Config) == configKey(b.Config)
}

// epochOrder is the order in which epoch e visits the n training samples.
func epochOrder(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed, streamShuffle+uint64(epoch))).Perm(n)
}

// trainerLocked returns the compiled training step.
//
// Inputs: x [B,F] float32, labels [B] int32, sample weights [B] float32 (0 for padding),
// scalars [3] = (lr/(1−β₁ᵗ), √(1−β₂ᵗ), 1−lr·decay), params…, Adam m…, Adam v….
// Outputs: loss (weighted mean cross-entropy), number of correct predictions, params'…, m'…, v'….
func (m *Model) trainerLocked(rt *runtime, stock bool) (*Exec, error) {
	if e, ok := rt.trainers[stock]; ok {
		return e, nil
	}
	L, K := m.Depth(), m.NumClasses
	nP := 2 * (L + 1)
	act := m.Config.Activation
	decay := m.Config.WeightDecay != 0
	dense := DenseFast
	if stock {
		dense = DenseStock
	}
	e, err := NewExec(rt.backend, func(in []*Node) []*Node {
		x, y, w, sc := in[0], in[1], in[2], in[3]
		P, M, V := in[4:4+nP], in[4+nP:4+2*nP], in[4+2*nP:4+3*nP]
		h := x
		for l := range L {
			h = activate(act, dense(h, P[2*l], P[2*l+1]))
		}
		logits := dense(h, P[2*L], P[2*L+1])
		ce := Neg(ReduceSum(Mul(OneHot(y, K, dtypes.Float32), LogSoftmax(logits)), 1))
		loss := Div(ReduceAllSum(Mul(ce, w)), ReduceAllSum(w))
		grads := Gradient(loss, P...)
		pred := ArgMax(logits, 1, dtypes.Int32)
		correct := ReduceAllSum(Mul(ConvertDType(Equal(pred, y), dtypes.Float32), w))
		lrc := Reshape(Slice(sc, AxisRange(0, 1)))
		sbc2 := Reshape(Slice(sc, AxisRange(1, 2)))
		shrink := Reshape(Slice(sc, AxisRange(2, 3)))
		outs := []*Node{loss, correct}
		newM, newV := make([]*Node, nP), make([]*Node, nP)
		for i := range nP {
			g := grads[i]
			newM[i] = Add(MulScalar(M[i], adamBeta1), MulScalar(g, 1-adamBeta1))
			newV[i] = Add(MulScalar(V[i], adamBeta2), MulScalar(Mul(g, g), 1-adamBeta2))
			p := P[i]
			if i%2 == 0 && decay {
				p = Mul(p, shrink)
			}
			denom := AddScalar(Div(Sqrt(newV[i]), sbc2), adamEps)
			outs = append(outs, Sub(p, Mul(lrc, Div(newM[i], denom))))
		}
		return append(append(outs, newM...), newV...)
	})
	if err != nil {
		return nil, fmt.Errorf("model: building the training graph: %w", err)
	}
	rt.trainers[stock] = e
	return e, nil
}
