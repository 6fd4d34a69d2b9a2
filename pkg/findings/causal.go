package findings

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/plotting"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// ---------------------------------------------------------------------------------------------
// Ablation: the causal check of single-neuron denotations.

// AblationOptions configure Ablations.
type AblationOptions struct {
	// Scan finds the denotations (τ, permutations).
	Scan denotation.Options `json:"scan"`
	// MaxQ, when > 0, ablates only neurons whose property has q ≤ MaxQ (needs Scan.Permutations).
	MaxQ float64 `json:"max_q"`
	// Value is the post-activation value an ablated neuron is clamped to (0: a ReLU that does not
	// fire).
	Value float32 `json:"value"`
	// Contrast configures the bootstrap interval of each contrast.
	Contrast denotation.ContrastOptions `json:"contrast"`
	// ControlSeed picks, for every ablated neuron, a control neuron of the same layer that denotes
	// nothing; its ablation is scored against the same S.
	ControlSeed uint64 `json:"control_seed"`
}

// DefaultAblationOptions returns τ = 0.95 without permutations, clamping to 0, 1000 bootstrap
// replicates over test samples at level 0.95.
func DefaultAblationOptions() AblationOptions {
	return AblationOptions{Scan: denotation.DefaultOptions(), Contrast: denotation.DefaultContrastOptions()}
}

// AblationRow is the ablation of one denoting neuron and of its control.
type AblationRow struct {
	Layer  int `json:"layer"`
	Neuron int `json:"neuron"`
	// Labels is the neuron's property S (its smallest denoted set), Classes their names.
	Labels           []int    `json:"labels"`
	Classes          []string `json:"classes"`
	LabelProportion  float64  `json:"label_proportion"`
	MinClassFraction float64  `json:"min_class_fraction"`
	QValue           *float64 `json:"q_value"`
	// AccuracyBefore and AccuracyAfter are the test accuracy of the model intact and with the
	// neuron clamped.
	AccuracyBefore float64 `json:"accuracy_before"`
	AccuracyAfter  float64 `json:"accuracy_after"`
	// Contrast: mean accuracy drop over the classes in S minus that over the other classes, with
	// its bootstrap interval.
	Contrast *denotation.Contrast `json:"contrast"`
	// ControlNeuron is a neuron of the same layer that denotes nothing (−1 when there is none) and
	// Control the contrast of ablating it, for the same S.
	ControlNeuron int                  `json:"control_neuron"`
	Control       *denotation.Contrast `json:"control"`
	// Discrepancy counts the samples by which the per-class correct counts of this package's
	// forward pass (used for the paired bootstrap) differ from the model's own (model.Evaluate,
	// model.EvaluateAblated), before and after; 0 means they agree exactly.
	Discrepancy int `json:"discrepancy"`
}

// AblationResult is the causal check of the denotations of one subject: each ablated neuron's
// contrast, how many are significantly positive, and the same for the control neurons.
type AblationResult struct {
	Options    AblationOptions `json:"options"`
	MaxNeurons int             `json:"max_neurons"`
	// Candidates is the number of neurons eligible (denoting, with q ≤ MaxQ when set).
	Candidates int           `json:"candidates"`
	Ablations  []AblationRow `json:"ablations"`
	// Positive is the number of ablations whose contrast interval lies above 0 (with no bootstrap:
	// whose contrast is > 0); ControlPositive the same for the controls.
	Positive        int `json:"positive"`
	ControlPositive int `json:"control_positive"`
	Controls        int `json:"controls"`
	// MeanContrast and MeanControlContrast average the contrasts.
	MeanContrast        denotation.Num `json:"mean_contrast"`
	MeanControlContrast denotation.Num `json:"mean_control_contrast"`
	// Strongest is the index in Ablations of the largest contrast (−1 when nothing was ablated).
	Strongest int `json:"strongest"`
	// Figure shows the per-class accuracy change of the strongest ablation (nil when nothing was
	// ablated).
	Figure *plotting.Figure `json:"-"`
}

// Ablations is the causal check of F3. It scans the subject's test activations, takes the
// denoting neurons (each with its property, its smallest denoted set S), keeps at most
// maxNeurons of them — the highest min-class fraction first, then by layer and neuron — and
// clamps each in turn to opt.Value. The contrast is the mean drop of per-class test accuracy over
// the classes in S minus that over the other classes (denotation.AblationContrast, with a
// paired bootstrap over test samples by default). For each, a neuron of the same layer that
// denotes nothing is ablated too and scored against the same S, as a control.
//
// Per-sample correctness comes from a forward pass of the layers above the ablated one, computed
// here from the recorded activations and the model's weights; its per-class counts are checked
// against model.EvaluateAblated (AblationRow.Discrepancy).
func Ablations(sub *Subject, maxNeurons int, opt AblationOptions) (*AblationResult, error) {
	if sub == nil || sub.Test == nil {
		return nil, errors.New("ablations: no subject")
	}
	if maxNeurons < 1 {
		return nil, fmt.Errorf("ablations: max neurons %d: want ≥ 1", maxNeurons)
	}
	if opt.MaxQ < 0 || opt.MaxQ > 1 || (opt.MaxQ > 0 && opt.Scan.Permutations == 0) {
		return nil, fmt.Errorf("ablations: max_q %v needs permutations and must lie in [0, 1]", opt.MaxQ)
	}
	if v := float64(opt.Value); math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("ablations: clamp value %v is not finite", opt.Value)
	}
	if err := checkSubjectSplit(sub); err != nil {
		return nil, err
	}
	scan, err := denotation.Scan(sub.Test, opt.Scan)
	if err != nil {
		return nil, err
	}
	var cands []denotation.Denotation
	for li := range scan.Layers {
		for ni := range scan.Layers[li].Neurons {
			nr := &scan.Layers[li].Neurons[ni]
			p, ok := nr.Property()
			if opt.MaxQ > 0 {
				ok = false
				for _, d := range nr.Denotations {
					if d.QValue != nil && *d.QValue <= opt.MaxQ {
						p, ok = d, true
						break
					}
				}
			}
			if ok {
				cands = append(cands, p)
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b denotation.Denotation) int {
		if c := cmp.Compare(b.MinClassFraction, a.MinClassFraction); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Layer, b.Layer); c != 0 {
			return c
		}
		return cmp.Compare(a.Neuron, b.Neuron)
	})
	res := &AblationResult{Options: opt, MaxNeurons: maxNeurons, Candidates: len(cands), Ablations: []AblationRow{}, Strongest: -1,
		MeanContrast: denotation.NaN, MeanControlContrast: denotation.NaN}
	if len(cands) > maxNeurons {
		cands = cands[:maxNeurons]
	}
	if len(cands) == 0 {
		return res, nil
	}
	fw, err := newForward(sub.Model)
	if err != nil {
		return nil, err
	}
	labels := sub.Test.Labels
	k := sub.Test.NumClasses
	names := sub.Data.ClassNames
	before := map[int][]bool{}
	correctBefore := func(l int) ([]bool, error) {
		if c, ok := before[l]; ok {
			return c, nil
		}
		c, err := fw.correct(sub.Test, l, -1, 0)
		before[l] = c
		return c, err
	}
	rng := rand.New(rand.NewPCG(opt.ControlSeed, 0x636f6e74))
	var sumC, sumCtl float64
	for _, d := range cands {
		cb, err := correctBefore(d.Layer)
		if err != nil {
			return nil, err
		}
		ca, err := fw.correct(sub.Test, d.Layer, d.Neuron, opt.Value)
		if err != nil {
			return nil, err
		}
		row := AblationRow{Layer: d.Layer, Neuron: d.Neuron, Labels: slices.Clone(d.Labels), Classes: classNames(d.Labels, names),
			LabelProportion: d.LabelProportion, MinClassFraction: d.MinClassFraction, QValue: d.QValue,
			AccuracyBefore: meanBool(cb), AccuracyAfter: meanBool(ca), ControlNeuron: -1}
		if row.Contrast, err = denotation.AblationContrast(labels, k, cb, ca, d.Labels, opt.Contrast); err != nil {
			return nil, err
		}
		ev, err := sub.Model.EvaluateAblated(sub.ObserveTest, []model.Ablation{{Layer: d.Layer, Neuron: d.Neuron, Value: opt.Value}})
		if err != nil {
			return nil, err
		}
		row.Discrepancy = discrepancy(labels, k, cb, sub.Eval) + discrepancy(labels, k, ca, ev)
		// Control: a non-constant neuron of the same layer that denotes nothing, else any that
		// denotes nothing.
		lr := &scan.Layers[d.Layer-1]
		var pool, constant []int
		for ni := range lr.Neurons {
			switch nr := &lr.Neurons[ni]; {
			case nr.Denotes():
			case nr.Constant:
				constant = append(constant, ni)
			default:
				pool = append(pool, ni)
			}
		}
		if len(pool) == 0 {
			pool = constant
		}
		if len(pool) > 0 {
			row.ControlNeuron = pool[rng.IntN(len(pool))]
			cc, err := fw.correct(sub.Test, d.Layer, row.ControlNeuron, opt.Value)
			if err != nil {
				return nil, err
			}
			if row.Control, err = denotation.AblationContrast(labels, k, cb, cc, d.Labels, opt.Contrast); err != nil {
				return nil, err
			}
			res.Controls++
			sumCtl += float64(row.Control.Contrast)
			if positive(row.Control) {
				res.ControlPositive++
			}
		}
		sumC += float64(row.Contrast.Contrast)
		if positive(row.Contrast) {
			res.Positive++
		}
		if res.Strongest < 0 || row.Contrast.Contrast > res.Ablations[res.Strongest].Contrast.Contrast {
			res.Strongest = len(res.Ablations)
		}
		res.Ablations = append(res.Ablations, row)
	}
	res.MeanContrast = denotation.Num(sumC / float64(len(res.Ablations)))
	if res.Controls > 0 {
		res.MeanControlContrast = denotation.Num(sumCtl / float64(res.Controls))
	}
	s := res.Ablations[res.Strongest]
	delta := make([]float64, k)
	for c := range delta {
		delta[c] = s.Contrast.AccuracyAfter[c] - s.Contrast.AccuracyBefore[c]
	}
	title := fmt.Sprintf("layer %d · neuron %d set to %g (denotes %s): contrast %.3f", s.Layer, s.Neuron,
		opt.Value, setString(s.Labels), float64(s.Contrast.Contrast))
	if s.Contrast.CILow.Defined() {
		title += fmt.Sprintf(" [%.3f, %.3f]", float64(s.Contrast.CILow), float64(s.Contrast.CIHigh))
	}
	var err2 error
	res.Figure, err2 = plotting.AblationEffect(plotting.Ablation{Title: title, ClassNames: names, Delta: delta, Denoted: s.Labels})
	if err2 != nil {
		return nil, err2
	}
	return res, nil
}

// positive is whether a contrast is significantly above 0: its interval's lower bound when there
// is one, else the contrast itself.
func positive(c *denotation.Contrast) bool {
	if c.CILow.Defined() {
		return c.CILow > 0
	}
	return c.Contrast > 0
}

func meanBool(v []bool) float64 {
	n := 0
	for _, b := range v {
		if b {
			n++
		}
	}
	return float64(n) / float64(len(v))
}

// discrepancy is Σ_c |#correct_c from correct − #correct_c of ev|.
func discrepancy(labels []int, k int, correct []bool, ev *model.Evaluation) int {
	mine := make([]int, k)
	for i, y := range labels {
		if correct[i] {
			mine[y]++
		}
	}
	d := 0
	for c := range k {
		theirs := 0
		if c < len(ev.Confusion) {
			theirs = ev.Confusion[c][c]
		}
		d += max(mine[c]-theirs, theirs-mine[c])
	}
	return d
}

// forward computes a model's logits from the recorded activations of one hidden layer, with
// gonum's BLAS: the layers above ℓ and the logit layer, as model's own forward graph does.
type forward struct {
	m      *model.Model
	w, b   [][]float32 // layer ℓ = 1…L+1 at index ℓ−1
	in, ou []int
}

func newForward(m *model.Model) (*forward, error) {
	f := &forward{m: m}
	for l := 1; l <= m.Depth()+1; l++ {
		w, b, in, out, err := m.Weights(l)
		if err != nil {
			return nil, err
		}
		f.w, f.b, f.in, f.ou = append(f.w, w), append(f.b, b), append(f.in, in), append(f.ou, out)
	}
	return f, nil
}

// correct returns, for every sample of acts, whether the model classifies it correctly when
// neuron j of layer l is clamped to value (j < 0: nothing clamped), starting from the recorded
// post-activations of layer l.
func (f *forward) correct(acts *model.Activations, l, j int, value float32) ([]bool, error) {
	la, err := acts.Layer(l)
	if err != nil {
		return nil, err
	}
	n := acts.N
	h := slices.Clone(la.Post)
	if j >= 0 {
		if j >= la.Width {
			return nil, fmt.Errorf("ablations: layer %d has %d neurons, not %d", l, la.Width, j+1)
		}
		for i := range n {
			h[i*la.Width+j] = value
		}
	}
	width := la.Width
	act := f.m.Config.Activation
	for li := l; li <= f.m.Depth(); li++ { // weights index li = layer li+1
		in, out := f.in[li], f.ou[li]
		if in != width {
			return nil, fmt.Errorf("ablations: layer %d takes %d inputs, layer %d has %d neurons", li+1, in, li, width)
		}
		z := make([]float32, n*out)
		for i := range n {
			copy(z[i*out:(i+1)*out], f.b[li])
		}
		blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas32.General{Rows: n, Cols: in, Stride: in, Data: h},
			blas32.General{Rows: in, Cols: out, Stride: out, Data: f.w[li]}, 1,
			blas32.General{Rows: n, Cols: out, Stride: out, Data: z})
		if li < f.m.Depth() {
			for i, v := range z {
				switch act {
				case model.ActivationTanh:
					z[i] = float32(math.Tanh(float64(v)))
				case model.ActivationSigmoid:
					z[i] = float32(1 / (1 + math.Exp(-float64(v))))
				default:
					z[i] = max(v, 0)
				}
			}
		}
		h, width = z, out
	}
	k := width
	out := make([]bool, n)
	for i := range n {
		row := h[i*k : (i+1)*k]
		best := 0
		for c, v := range row {
			if v > row[best] {
				best = c
			}
		}
		out[i] = best == acts.Labels[i]
	}
	return out, nil
}

// ---------------------------------------------------------------------------------------------
// Replication across seeds.

// ReplicatedRow is one (layer, S) pair of a replication report, with S spelled out.
type ReplicatedRow struct {
	Layer           int      `json:"layer"`
	Labels          []int    `json:"labels"`
	Classes         []string `json:"classes"`
	LabelProportion float64  `json:"label_proportion"`
	// NumRuns is the number of seeds with a neuron of Layer denoting S; Seeds lists them.
	NumRuns int      `json:"num_runs"`
	Seeds   []uint64 `json:"seeds"`
	// Neurons is the number of (seed, neuron) pairs denoting S.
	Neurons int `json:"neurons"`
}

// ReplicationResult is the replication check: the same architecture trained with several seeds,
// each scanned, and the denotations matched by (layer, S) (neurons of different seeds are not
// aligned), against untrained controls of the same seeds.
type ReplicationResult struct {
	Setup   Setup              `json:"setup"`
	Seeds   []uint64           `json:"seeds"`
	Options denotation.Options `json:"options"`
	// TestAccuracy[i] and Denoting[i] are the test accuracy and number of denoting neurons of seed
	// Seeds[i]; UntrainedDenoting the same for its untrained control.
	TestAccuracy      []float64 `json:"test_accuracy"`
	Denoting          []int     `json:"denoting"`
	UntrainedDenoting []int     `json:"untrained_denoting"`
	// Report matches every denoted set; Significant (with permutations) only those with
	// q ≤ SignificanceLevel; Untrained the controls' sets.
	Report      *denotation.ReplicationReport `json:"report"`
	Significant *denotation.ReplicationReport `json:"significant,omitempty"`
	Untrained   *denotation.ReplicationReport `json:"untrained"`
	// Surviving lists the (layer, S) pairs denoted in at least two seeds (most seeds first);
	// InAll counts those denoted in every seed; Total counts all pairs found.
	Surviving []ReplicatedRow `json:"surviving"`
	InAll     int             `json:"in_all"`
	Total     int             `json:"total"`
	// UntrainedSurviving is the number of (layer, S) pairs of the controls denoted in ≥ 2 seeds.
	UntrainedSurviving int `json:"untrained_surviving"`
	// Figure counts, per layer, the (layer, S) pairs found in every seed, in at least two and in
	// one only, with the controls' pairs found in at least two seeds.
	Figure *plotting.Figure `json:"-"`
}

// loadSetupData loads the data of a setup as Prepare does: the stratified training subset and
// the observers' test subset.
func loadSetupData(s Setup) (*datasets.Dataset, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	full, err := datasets.Load(s.Dataset)
	if err != nil {
		return nil, err
	}
	return full.Subset(s.TrainLimit, s.ObserveTest, s.SubsetSeed), nil
}

// Replication trains the setup's architecture once per seed (from the run cache when it can),
// scans each model and its untrained control on the test split, and matches the denotations
// across seeds by (layer, S) (denotation.Replicate). At least two seeds are needed.
func Replication(s Setup, seeds []uint64, opt denotation.Options, opts *PrepareOptions) (*ReplicationResult, error) {
	if len(seeds) < 2 {
		return nil, fmt.Errorf("replication: %d seeds: need at least 2", len(seeds))
	}
	for i, x := range seeds {
		if slices.Contains(seeds[:i], x) {
			return nil, fmt.Errorf("replication: seed %d is listed twice", x)
		}
	}
	if opts == nil {
		opts = &PrepareOptions{}
	}
	data, err := loadSetupData(s)
	if err != nil {
		return nil, err
	}
	return cachedResult(opts.CacheDir, "replication", []any{s, seeds, opt, dataFingerprint(data)},
		func() (*ReplicationResult, error) { return replicationOn(s, seeds, opt, data, opts) }, (*ReplicationResult).draw)
}

// replicationOn runs the replication check on loaded data.
func replicationOn(s Setup, seeds []uint64, opt denotation.Options, data *datasets.Dataset, opts *PrepareOptions) (*ReplicationResult, error) {
	res := &ReplicationResult{Setup: s, Seeds: slices.Clone(seeds), Options: opt}
	sel := selectionSplit(data.Train, s.ObserveTrain, s.SubsetSeed)
	var err error
	var runs, ctl []denotation.Run
	for _, seed := range seeds {
		cfg := s.Model.WithSeed(seed)
		m, _, err := model.TrainCached(data, cfg, &model.TrainOptions{Progress: opts.Progress, CacheDir: opts.CacheDir, Context: opts.Context})
		if err != nil {
			return nil, fmt.Errorf("replication: seed %d: %w", seed, err)
		}
		ev, err := m.Evaluate(data.Test)
		if err != nil {
			return nil, err
		}
		r, err := scanModel(m, sel, data.Test, opt)
		if err != nil {
			return nil, err
		}
		u, err := model.NewUntrained(cfg, data.Train.Features(), data.NumClasses())
		if err != nil {
			return nil, err
		}
		ur, err := scanModel(u, sel, data.Test, opt)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("seed %d", seed)
		runs = append(runs, denotation.Run{Name: name, Seed: seed, Result: r})
		ctl = append(ctl, denotation.Run{Name: name + " untrained", Seed: seed, Untrained: true, Result: ur})
		res.TestAccuracy = append(res.TestAccuracy, ev.Accuracy)
		res.Denoting = append(res.Denoting, r.NumDenoting())
		res.UntrainedDenoting = append(res.UntrainedDenoting, ur.NumDenoting())
	}
	if res.Report, err = denotation.Replicate(runs, denotation.ReplicationOptions{}); err != nil {
		return nil, err
	}
	if opt.Permutations > 0 {
		if res.Significant, err = denotation.Replicate(runs, denotation.ReplicationOptions{MaxQ: SignificanceLevel}); err != nil {
			return nil, err
		}
	}
	if res.Untrained, err = denotation.Replicate(ctl, denotation.ReplicationOptions{}); err != nil {
		return nil, err
	}
	names := data.ClassNames
	res.Surviving = []ReplicatedRow{}
	for _, set := range res.Report.Sets {
		res.Total++
		if set.NumRuns == len(seeds) {
			res.InAll++
		}
		if set.NumRuns >= 2 {
			res.Surviving = append(res.Surviving, ReplicatedRow{Layer: set.Layer, Labels: slices.Clone(set.Labels),
				Classes: classNames(set.Labels, names), LabelProportion: set.LabelProportion, NumRuns: set.NumRuns,
				Seeds: slices.Clone(set.Seeds), Neurons: set.Neurons})
		}
	}
	for _, set := range res.Untrained.Sets {
		if set.NumRuns >= 2 {
			res.UntrainedSurviving++
		}
	}
	if err := res.draw(); err != nil {
		return nil, err
	}
	return res, nil
}

// draw draws the replication figure from the reports.
func (res *ReplicationResult) draw() error {
	depth := res.Setup.Model.Depth()
	seeds := res.Seeds
	all, two, one, ctlTwo := make([]float64, depth), make([]float64, depth), make([]float64, depth), make([]float64, depth)
	for _, set := range res.Report.Sets {
		switch {
		case set.NumRuns == len(seeds):
			all[set.Layer-1]++
		case set.NumRuns >= 2:
			two[set.Layer-1]++
		default:
			one[set.Layer-1]++
		}
	}
	for _, set := range res.Untrained.Sets {
		if set.NumRuns >= 2 {
			ctlTwo[set.Layer-1]++
		}
	}
	var err error
	res.Figure, err = plotting.DenotationCounts(fmt.Sprintf("Denoted (layer, S) pairs found again across %d seeds (τ = %g)", len(seeds), res.Options.Tau),
		plotting.CountSeries{Name: "in every seed", Counts: all},
		plotting.CountSeries{Name: "in ≥ 2 seeds, not all", Counts: two},
		plotting.CountSeries{Name: "in one seed only", Counts: one},
		plotting.CountSeries{Name: "untrained, in ≥ 2 seeds", Counts: ctlTwo, Control: true})
	if err != nil {
		return err
	}
	if p := res.Figure.Panel("counts"); p != nil && p.Plot != nil {
		p.Plot.Y.Label.Text = "(layer, S) pairs"
	}
	return nil
}

// scanModel records m's post-activations on the selection and the held-out split and returns the
// validated denotations at opt.Tau: chosen on sel (with opt's permutation test, if any), judged on
// held (denotation.Validate).
func scanModel(m *model.Model, sel, held *datasets.Split, opt denotation.Options) (*denotation.Result, error) {
	obs, err := observe(m, sel, held)
	if err != nil {
		return nil, err
	}
	r, _, err := denotation.ScanValidated(obs.Sel, obs.Test, opt)
	return r, err
}

// ---------------------------------------------------------------------------------------------
// Emergence over training.

// EmergenceEpoch is the state of the model after one epoch (0: at initialisation).
type EmergenceEpoch struct {
	Epoch        int     `json:"epoch"`
	TestAccuracy float64 `json:"test_accuracy"`
	TestLoss     float64 `json:"test_loss"`
	// Cached tells whether the snapshot came from the run cache (not marshalled).
	Cached bool `json:"-"`
}

// EmergenceResult is the emergence of denotation over one training run: the model scanned at
// initialisation and after every epoch.
type EmergenceResult struct {
	Setup   Setup              `json:"setup"`
	Options denotation.Options `json:"options"`
	Epochs  []EmergenceEpoch   `json:"epochs"`
	// Points summarise each snapshot's scan (denotation.Emergence); Significant counts only
	// denotations with q ≤ SignificanceLevel (with permutations).
	Points      []denotation.EmergencePoint `json:"points"`
	Significant []denotation.EmergencePoint `json:"significant,omitempty"`
	// Snapshots are the scans, epoch 0 first.
	Snapshots []denotation.Snapshot `json:"-"`
	// Figure draws the denoting neurons of each layer against epoch; Curves the test accuracy,
	// the fraction of neurons denoting and their mean best min-class fraction against epoch.
	Figure *plotting.Figure `json:"-"`
	Curves *plotting.Figure `json:"-"`
}

// EmergenceOverTraining follows ONE training run of the setup's model: it scans the model at
// initialisation and after every epoch, continuing the same run (model.Model.Fit), so the
// learning-rate schedule is the one of the full run and the last snapshot is the model Prepare
// trains. It reads the snapshots the run cache keeps beside a model (model.LoadEpoch), else keeps
// its own in the run cache (under snapshots/), so a second call only rescans. Denotations are
// validated (selected on the training split, judged on the test split).
func EmergenceOverTraining(s Setup, opt denotation.Options, opts *PrepareOptions) (*EmergenceResult, error) {
	if opts == nil {
		opts = &PrepareOptions{}
	}
	data, err := loadSetupData(s)
	if err != nil {
		return nil, err
	}
	cfg := s.Model
	entry, err := model.CachePath(opts.CacheDir, data, cfg)
	if err != nil {
		return nil, err
	}
	snapRoot := filepath.Join(filepath.Dir(filepath.Dir(entry)), "snapshots", filepath.Base(entry))
	m, err := model.NewUntrained(cfg, data.Train.Features(), data.NumClasses())
	if err != nil {
		return nil, err
	}
	res := &EmergenceResult{Setup: s, Options: opt}
	sel := selectionSplit(data.Train, s.ObserveTrain, s.SubsetSeed)
	topt := &model.TrainOptions{Progress: opts.Progress, Context: opts.Context}
	for e := 0; e <= cfg.Epochs; e++ {
		ep := EmergenceEpoch{Epoch: e}
		if e > 0 {
			dir := filepath.Join(snapRoot, fmt.Sprintf("epoch-%d", e))
			if c, err := model.LoadEpoch(entry, e); err == nil && reflect.DeepEqual(c.Config, cfg) && c.NumFeatures == m.NumFeatures && c.NumClasses == m.NumClasses {
				m, ep.Cached = c, true // the run cache's own snapshot (model.TrainOptions.EpochSnapshots)
			} else if c, err := model.Load(dir); err == nil && c.Info.EpochsDone == e && reflect.DeepEqual(c.Config, cfg) && c.NumFeatures == m.NumFeatures && c.NumClasses == m.NumClasses {
				m, ep.Cached = c, true
			} else {
				if err := m.Fit(data.Train, e, topt); err != nil {
					return nil, fmt.Errorf("emergence: epoch %d: %w", e, err)
				}
				if err := os.MkdirAll(snapRoot, 0o755); err != nil {
					return nil, err
				}
				if err := m.Save(dir); err != nil {
					return nil, err
				}
			}
		}
		ev, err := m.Evaluate(data.Test)
		if err != nil {
			return nil, err
		}
		ep.TestAccuracy, ep.TestLoss = ev.Accuracy, ev.Loss
		r, err := scanModel(m, sel, data.Test, opt)
		if err != nil {
			return nil, err
		}
		res.Epochs = append(res.Epochs, ep)
		res.Snapshots = append(res.Snapshots, denotation.Snapshot{Epoch: e, Result: r})
	}
	if res.Points, err = denotation.Emergence(res.Snapshots, 0); err != nil {
		return nil, err
	}
	if opt.Permutations > 0 {
		if res.Significant, err = denotation.Emergence(res.Snapshots, SignificanceLevel); err != nil {
			return nil, err
		}
	}
	log := plotting.EmergenceLog{Title: fmt.Sprintf("Denoting neurons per layer over training (%s, τ = %g)", m.Architecture(), opt.Tau),
		Counts: make([][]float64, cfg.Depth())}
	x := make([]float64, len(res.Points))
	acc, frac, best := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
	for i, p := range res.Points {
		x[i] = float64(p.Epoch)
		for l, c := range p.DenotingPerLayer {
			log.Counts[l] = append(log.Counts[l], float64(c))
		}
		acc[i] = res.Epochs[i].TestAccuracy
		frac[i] = float64(p.Denoting) / float64(p.Neurons)
		best[i] = float64(p.MeanBestScore)
		if !p.MeanBestScore.Defined() {
			best[i] = 0
		}
	}
	log.Epochs = x
	if res.Figure, err = plotting.Emergence(log); err != nil {
		return nil, err
	}
	res.Curves, err = plotting.Lines(plotting.LineChart{Title: "Accuracy and denotation over training", XLabel: "epoch", YMin: 0, YMax: 1,
		Curves: []plotting.Curve{{Name: "test accuracy", X: x, Y: acc}, {Name: "fraction of neurons denoting", X: x, Y: frac},
			{Name: "mean best min-class fraction", X: x, Y: best, Dashed: true}}})
	if err != nil {
		return nil, err
	}
	return res, nil
}
