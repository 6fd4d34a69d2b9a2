package findings

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/plotting"
)

// Ablation: the causal check of single-neuron denotations.

// AblationOptions configure Ablations.
type AblationOptions struct {
	// Scan finds the denotations (τ, permutations).
	Scan denotation.Options `json:"scan"`
	// MaxQ, when > 0, ablates only neurons whose smallest denoted set has q ≤ MaxQ (needs Scan.Permutations).
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
	// NamedSet is S, the neuron's smallest denoted set.
	NamedSet
	// MinClassFraction is the neuron's min-class fraction for S on the selection samples.
	MinClassFraction float64  `json:"min_class_fraction"`
	QValue           *float64 `json:"q_value"`
	// AccuracyBefore and AccuracyAfter are the test accuracy of the model intact and with the
	// neuron clamped.
	AccuracyBefore float64 `json:"accuracy_before"`
	AccuracyAfter  float64 `json:"accuracy_after"`
	// Contrast: mean accuracy drop over the classes in S minus that over the other classes, with
	// its bootstrap interval.
	Contrast *denotation.Contrast `json:"contrast"`
	// ControlNeuron is a neuron of the same layer that denotes nothing on the selection samples
	// (−1 when there is none) and Control the contrast of ablating it, for the same S.
	ControlNeuron int                  `json:"control_neuron"`
	Control       *denotation.Contrast `json:"control"`
}

// AblationResult is the causal check of the denotations of one subject: each ablated neuron's
// contrast, how many are significantly positive, and the same for the control neurons.
type AblationResult struct {
	Options    AblationOptions `json:"options"`
	MaxNeurons int             `json:"max_neurons"`
	// SelectionSamples is the number of training samples the denoting neurons were selected on, and
	// TestSamples the number of test samples their ablation was measured on.
	SelectionSamples int `json:"selection_samples"`
	TestSamples      int `json:"test_samples"`
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
	// ExcessOverControl is the mean over the ablated neurons that have a control of their contrast
	// minus their control's, with its 95% t interval: whether ablating a denoting neuron hurts its
	// classes more than ablating a non-denoting neuron of the same layer does. The neurons are of one
	// network, so the interval speaks for this network only.
	ExcessOverControl denotation.Interval `json:"excess_over_control"`
	// MeanAccuracyChange is the mean over the ablations of |accuracy after − accuracy before|: the
	// size of what a single-neuron ablation does to this network.
	MeanAccuracyChange denotation.Num `json:"mean_accuracy_change"`
	// Strongest is the index in Ablations of the largest contrast (−1 when nothing was ablated).
	Strongest int `json:"strongest"`
	// Figure shows the per-class accuracy change of the strongest ablation (nil when nothing was
	// ablated).
	Figure *plotting.Figure `json:"-"`
}

// Ablations is the causal check of F3. It scans the activations of the subject's selection samples
// (the observers' training samples, sub.Train: as in F3, the neurons are selected on other samples
// than those their effect is measured on), takes the denoting neurons (each with its smallest
// denoted set S), keeps at most
// maxNeurons of them — the highest min-class fraction first, then by layer and neuron — and
// clamps each in turn to opt.Value. The contrast is the mean drop of per-class test accuracy over
// the classes in S minus that over the other classes (denotation.AblationContrast, with a
// paired bootstrap over test samples by default), measured on the test split. For each, a neuron of
// the same layer that denotes nothing on the selection samples is ablated too and scored against
// the same S, as a control.
//
// Per-sample correctness, intact and ablated, comes from the model's own forward pass
// (model.Model.CorrectAblated) on the subject's test split. The result comes from the results cache
// when the same subject (setup, data and recorded state) was checked with the same options before.
func Ablations(sub *Subject, maxNeurons int, opt AblationOptions) (*AblationResult, error) {
	if err := checkAblationArgs(sub, maxNeurons, opt); err != nil {
		return nil, err
	}
	return cachedResult(sub.CacheDir, "ablation", []any{ablationMethod, sub.Setup, maxNeurons, opt, dataFingerprint(sub.Data), sub.stateKey()},
		func() (*AblationResult, error) { return ablations(sub, maxNeurons, opt) },
		func(r *AblationResult) error { return r.draw(sub) })
}

// draw draws the per-class accuracy change of the strongest ablation (none when nothing was ablated).
func (res *AblationResult) draw(sub *Subject) error {
	if res.Strongest < 0 || res.Strongest >= len(res.Ablations) {
		return nil
	}
	var err error
	res.Figure, err = strongestAblationFigure(res.Ablations[res.Strongest], sub.Test.NumClasses, sub.Data.ClassNames, res.Options.Value)
	return err
}

// ablationMethod is part of the ablation's results-cache key: it names how the neurons are chosen
// (entries of the earlier method, which selected them on the test split, are not read).
const ablationMethod = "selected on the selection samples; excess over control"

// ablations computes Ablations.
func ablations(sub *Subject, maxNeurons int, opt AblationOptions) (*AblationResult, error) {
	scan, err := denotation.Scan(sub.Train, opt.Scan)
	if err != nil {
		return nil, err
	}
	cands := ablationCandidates(scan, opt.MaxQ)
	res := &AblationResult{Options: opt, MaxNeurons: maxNeurons, SelectionSamples: sub.Train.N, TestSamples: sub.Test.N,
		Candidates: len(cands), Ablations: []AblationRow{}, Strongest: -1,
		MeanContrast: denotation.NaN, MeanControlContrast: denotation.NaN, MeanAccuracyChange: denotation.NaN,
		ExcessOverControl: denotation.TInterval(nil, 0.95)}
	if len(cands) > maxNeurons {
		cands = cands[:maxNeurons]
	}
	if len(cands) == 0 {
		return res, nil
	}
	before, err := sub.Model.CorrectAblated(sub.ObserveTest, nil)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(opt.ControlSeed, 0x636f6e74))
	var sumC, sumCtl, sumChange float64
	var excess []float64
	for _, d := range cands {
		row, err := ablateOne(sub, scan, d, before, rng, opt)
		if err != nil {
			return nil, err
		}
		if row.Control != nil {
			res.Controls++
			sumCtl += float64(row.Control.Contrast)
			excess = append(excess, float64(row.Contrast.Contrast-row.Control.Contrast))
			if positive(row.Control) {
				res.ControlPositive++
			}
		}
		sumC += float64(row.Contrast.Contrast)
		sumChange += math.Abs(row.AccuracyAfter - row.AccuracyBefore)
		if positive(row.Contrast) {
			res.Positive++
		}
		if res.Strongest < 0 || row.Contrast.Contrast > res.Ablations[res.Strongest].Contrast.Contrast {
			res.Strongest = len(res.Ablations)
		}
		res.Ablations = append(res.Ablations, row)
	}
	res.MeanContrast = denotation.Num(sumC / float64(len(res.Ablations)))
	res.MeanAccuracyChange = denotation.Num(sumChange / float64(len(res.Ablations)))
	res.ExcessOverControl = denotation.TInterval(excess, 0.95)
	if res.Controls > 0 {
		res.MeanControlContrast = denotation.Num(sumCtl / float64(res.Controls))
	}
	return res, res.draw(sub)
}

// checkAblationArgs validates the arguments of Ablations.
func checkAblationArgs(sub *Subject, maxNeurons int, opt AblationOptions) error {
	if sub == nil || sub.Data == nil || sub.Train == nil || sub.Test == nil {
		return errors.New("ablations: no subject, or no data, or no activations of its selection or test samples")
	}
	if maxNeurons < 1 {
		return fmt.Errorf("ablations: max neurons %d: want ≥ 1", maxNeurons)
	}
	if opt.MaxQ < 0 || opt.MaxQ > 1 || (opt.MaxQ > 0 && opt.Scan.Permutations == 0) {
		return fmt.Errorf("ablations: max_q %v needs permutations and must lie in [0, 1]", opt.MaxQ)
	}
	if v := float64(opt.Value); math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("ablations: clamp value %v is not finite", opt.Value)
	}
	return checkSubjectSplit(sub)
}

// ablationCandidates returns the property of every denoting neuron of scan (with maxQ > 0: its
// first denotation with q ≤ maxQ, for the neurons that have one), the highest min-class fraction
// first, then by layer and neuron.
func ablationCandidates(scan *denotation.Result, maxQ float64) []denotation.Denotation {
	var cands []denotation.Denotation
	for _, nr := range scan.Neurons() {
		if p, ok := nr.SmallestDenotationAt(maxQ); ok {
			cands = append(cands, p)
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
	return cands
}

// ablateOne clamps the neuron of denotation d to opt.Value and scores the per-sample correctness
// against before (the intact model's) by the contrast over d's set S; then it does the same for a
// control neuron of the same layer drawn with rng (controlNeuron), if there is one.
func ablateOne(sub *Subject, scan *denotation.Result, d denotation.Denotation, before []bool, rng *rand.Rand, opt AblationOptions) (AblationRow, error) {
	labels, k := sub.Test.Labels, sub.Test.NumClasses
	row := AblationRow{Layer: d.Layer, Neuron: d.Neuron, NamedSet: namedSet(d.Labels, d.LabelProportion, sub.Data.ClassNames),
		MinClassFraction: d.MinClassFraction, QValue: d.QValue,
		AccuracyBefore: meanBool(before), ControlNeuron: -1}
	after, err := sub.Model.CorrectAblated(sub.ObserveTest, []model.Ablation{{Layer: d.Layer, Neuron: d.Neuron, Value: opt.Value}})
	if err != nil {
		return row, err
	}
	row.AccuracyAfter = meanBool(after)
	if row.Contrast, err = denotation.AblationContrast(labels, k, before, after, d.Labels, opt.Contrast); err != nil {
		return row, err
	}
	ctl, ok := controlNeuron(&scan.Layers[d.Layer-1], rng)
	if !ok {
		return row, nil
	}
	row.ControlNeuron = ctl
	cc, err := sub.Model.CorrectAblated(sub.ObserveTest, []model.Ablation{{Layer: d.Layer, Neuron: ctl, Value: opt.Value}})
	if err != nil {
		return row, err
	}
	row.Control, err = denotation.AblationContrast(labels, k, before, cc, d.Labels, opt.Contrast)
	return row, err
}

// controlNeuron draws a non-constant neuron of the layer that denotes nothing, else any that
// denotes nothing; false when every neuron denotes.
func controlNeuron(lr *denotation.LayerResult, rng *rand.Rand) (int, bool) {
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
	if len(pool) == 0 {
		return -1, false
	}
	return pool[rng.IntN(len(pool))], true
}

// strongestAblationFigure draws the per-class accuracy change of the ablation s (of k classes).
func strongestAblationFigure(s AblationRow, k int, names []string, value float32) (*plotting.Figure, error) {
	delta := make([]float64, k)
	for c := range delta {
		delta[c] = s.Contrast.AccuracyAfter[c] - s.Contrast.AccuracyBefore[c]
	}
	title := fmt.Sprintf("layer %d · neuron %d set to %g (denotes %s): contrast %.3f", s.Layer, s.Neuron,
		value, s.Labels, float64(s.Contrast.Contrast))
	if s.Contrast.CILow.Defined() {
		title += fmt.Sprintf(" [%.3f, %.3f]", float64(s.Contrast.CILow), float64(s.Contrast.CIHigh))
	}
	return plotting.AblationEffect(plotting.Ablation{Title: title, ClassNames: names, Delta: delta, Denoted: s.Labels})
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
