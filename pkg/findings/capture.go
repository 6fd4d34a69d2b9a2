package findings

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/pkg/observer"
	"github.com/denotation-go/denotation/pkg/property"
	"github.com/denotation-go/denotation/plotting"
)

// CaptureOptions configure F1. DefaultCaptureOptions returns the defaults given; a zero field also
// takes its default.
type CaptureOptions struct {
	// Properties are the named property specs (default "aliases": the data set's named properties).
	// A property whose complement is listed before it is skipped: it is the same split.
	Properties string
	// Kinds are the observer types compared on the named properties (default linear, MLP, single neuron).
	Kinds []observer.Kind
	// Margin is how far below its ceiling (the object model's own balanced accuracy on the property)
	// an observer's held-out balanced accuracy may be for the property to count as captured
	// decisively (default 0.01).
	Margin float64
	// Decisive is an absolute held-out balanced accuracy reported beside the ceiling-relative
	// verdict (default 0.99).
	Decisive float64
	// ValidationFraction is the part of the observers' training samples held out to choose each
	// property's best layer (default 0.2; the test split is never used to choose).
	ValidationFraction float64
	// AllSubsets also fits a linear observer for every label-subset split (2^(K−1) − 1 of them) at
	// every layer, on the trained and the untrained model (default true; set SkipSubsets to turn off).
	SkipSubsets bool
	// ControlRepeats is the number of control tasks averaged for the selectivity (default 3).
	ControlRepeats int
	// Seed drives the control tasks and MLP observers (default 1).
	Seed uint64
}

// DefaultCaptureOptions returns the defaults given with the fields of CaptureOptions.
func DefaultCaptureOptions() CaptureOptions {
	return CaptureOptions{Properties: "aliases",
		Kinds:  []observer.Kind{observer.Linear, observer.MLP, observer.SingleNeuron},
		Margin: 0.01, Decisive: 0.99, ValidationFraction: 0.2, ControlRepeats: 3, Seed: 1}
}

// F1Options are the options of F1 for dataset, shared by `denote reproduce` and the notebooks (so
// that a notebook run after it reads its result from the results cache): the data set's named
// properties and three single classes, decisive within 0.01 of the ceiling, 0.99 absolute beside.
func F1Options(dataset string) CaptureOptions {
	o := DefaultCaptureOptions()
	o.Properties = "aliases;digit=0;digit=1;digit=8"
	if dataset == "fashion" {
		o.Properties = "aliases;class=Trouser;class=Bag;class=Shirt"
	}
	return o
}

// withDefaults replaces every zero field of o by DefaultCaptureOptions' value.
func (o CaptureOptions) withDefaults() CaptureOptions {
	d := DefaultCaptureOptions()
	if len(o.Kinds) == 0 {
		o.Kinds = d.Kinds
	}
	o.Properties, o.Decisive, o.Margin = cmp.Or(o.Properties, d.Properties), cmp.Or(o.Decisive, d.Decisive), cmp.Or(o.Margin, d.Margin)
	o.ValidationFraction, o.ControlRepeats = cmp.Or(o.ValidationFraction, d.ValidationFraction), cmp.Or(o.ControlRepeats, d.ControlRepeats)
	o.Seed = cmp.Or(o.Seed, d.Seed)
	return o
}

// CaptureRow is one observer of one named property on one layer (Layer 0: all hidden layers).
type CaptureRow struct {
	Property        string        `json:"property"`
	Labels          string        `json:"labels"`
	LabelProportion float64       `json:"label_proportion"`
	Layer           int           `json:"layer"`
	Observer        observer.Kind `json:"observer"`
	TestAccuracy    float64       `json:"test_accuracy"`
	// BalancedAccuracy is the held-out balanced accuracy, the score Decisive is judged on.
	BalancedAccuracy float64 `json:"balanced_accuracy"`
	AUC              float64 `json:"auc"`
	// Ceiling is the object model's own held-out balanced accuracy on the property (its predicted
	// class ∈ S against the true class ∈ S): what an observer can be expected to reach. Decisive is
	// BalancedAccuracy ≥ Ceiling − Margin; DecisiveAbsolute is BalancedAccuracy ≥ the absolute level.
	Ceiling          float64 `json:"ceiling"`
	Decisive         bool    `json:"decisive"`
	DecisiveAbsolute bool    `json:"decisive_absolute"`
	// Confident is the fraction of test samples whose observer probability lies outside
	// [0.05, 0.95] (linear and MLP observers).
	Confident *float64 `json:"confident,omitempty"`
	// ValidationBalancedAccuracy is the linear observer's balanced accuracy on the validation part
	// of the training samples, fitted on the rest: what the best layer is chosen by.
	ValidationBalancedAccuracy *float64 `json:"validation_balanced_accuracy,omitempty"`
	// ShuffledBalancedAccuracy is the linear observer trained on shuffled training labels, mean
	// over ControlRepeats draws (the shuffled-label control; ≈ 0.5).
	ShuffledBalancedAccuracy *float64 `json:"shuffled_balanced_accuracy,omitempty"`
	// UntrainedBalancedAccuracy is the same observer on the untrained model of the same
	// architecture (linear and single-neuron observers; nil for the MLP, whose control is not fitted).
	UntrainedBalancedAccuracy *float64 `json:"untrained_balanced_accuracy,omitempty"`
	// ControlTaskAccuracy is the mean test accuracy of the same observer on control tasks (random
	// maps of classes to sides with the same label proportion); Selectivity = TestAccuracy − it.
	// Both are reported for linear observers only.
	ControlTaskAccuracy float64 `json:"control_task_accuracy,omitempty"`
	Selectivity         float64 `json:"selectivity,omitempty"`
}

// SubsetCapture is the linear observer of one label-subset split at every layer.
type SubsetCapture struct {
	Labels          string  `json:"labels"`
	Size            int     `json:"size"`
	LabelProportion float64 `json:"label_proportion"`
	// Ceiling is the object model's own balanced accuracy on the split.
	Ceiling float64 `json:"ceiling"`
	// BalancedAccuracy[ℓ-1] on layer ℓ of the trained model, Untrained[ℓ-1] on the untrained one.
	BalancedAccuracy []float64 `json:"balanced_accuracy"`
	Untrained        []float64 `json:"untrained"`
}

// SizeSummary summarises the subset observers of one set size |S| at one layer.
type SizeSummary struct {
	Layer           int     `json:"layer"`
	Size            int     `json:"size"`
	LabelProportion float64 `json:"label_proportion"`
	Sets            int     `json:"sets"`
	MeanBalanced    float64 `json:"mean_balanced_accuracy"`
	MinBalanced     float64 `json:"min_balanced_accuracy"`
	// FractionDecisive is the fraction of these sets captured decisively; Untrained the same on the
	// untrained model.
	FractionDecisive          float64 `json:"fraction_decisive"`
	UntrainedMeanBalanced     float64 `json:"untrained_mean_balanced_accuracy"`
	UntrainedFractionDecisive float64 `json:"untrained_fraction_decisive"`
}

// CaptureVerdict is F1's verdict on one named property: its best layer, chosen on the validation
// part of the training samples by the linear observer, and the held-out scores there.
type CaptureVerdict struct {
	Property string `json:"property"`
	Labels   string `json:"labels"`
	// Layer is the chosen layer (1 … L; 0 = all hidden layers together).
	Layer            int     `json:"layer"`
	Validation       float64 `json:"validation_balanced_accuracy"`
	BalancedAccuracy float64 `json:"balanced_accuracy"`
	Ceiling          float64 `json:"ceiling"`
	// Gap is Ceiling − BalancedAccuracy.
	Gap              float64 `json:"gap"`
	Decisive         bool    `json:"decisive"`
	DecisiveAbsolute bool    `json:"decisive_absolute"`
	Confident        float64 `json:"confident"`
	Untrained        float64 `json:"untrained_balanced_accuracy"`
	Shuffled         float64 `json:"shuffled_balanced_accuracy"`
}

// CaptureResult is F1: which properties observers capture decisively, at which layer, with which
// observer, against the ceiling the object model itself reaches and the untrained-model,
// shuffled-label and control-task baselines.
type CaptureResult struct {
	// Margin is the allowed distance below the ceiling; Decisive the absolute level reported beside.
	Margin   float64 `json:"margin"`
	Decisive float64 `json:"decisive"`
	Layers   []int   `json:"layers"`
	// PropertyNames are the named properties in order (rows of the figure), Kinds the observer
	// kinds compared.
	PropertyNames []string        `json:"properties"`
	Kinds         []observer.Kind `json:"kinds"`
	// Verdicts has one entry per named property (linear observer at the validation-chosen layer).
	Verdicts []CaptureVerdict `json:"verdicts"`
	// ValidationSamples is the number of training samples held out to choose the layers.
	ValidationSamples int `json:"validation_samples"`
	// Named are the named properties × (each layer, all layers) × observer kinds.
	Named []CaptureRow `json:"named"`
	// Subsets are all label-subset splits (empty with SkipSubsets), and BySize their summary.
	Subsets []SubsetCapture `json:"subsets,omitempty"`
	BySize  []SizeSummary   `json:"by_size,omitempty"`
	// DecisiveSubsets[ℓ-1] counts the splits captured decisively at layer ℓ (trained, untrained).
	DecisiveSubsets          []int `json:"decisive_subsets,omitempty"`
	DecisiveSubsetsUntrained []int `json:"decisive_subsets_untrained,omitempty"`

	// NamedFigure shows the named properties' balanced accuracy (rows) per layer (columns), one
	// panel per observer kind plus the untrained linear control. SubsetFigure shows the mean
	// balanced accuracy and the fraction of splits captured decisively against |S|/K, per layer.
	NamedFigure  *plotting.Figure `json:"-"`
	SubsetFigure *plotting.Figure `json:"-"`
}

// ObserversCapture measures F1 on sub (from the results cache when the same setup, options and
// data were measured before; see observersCapture): for each named property, a linear, an MLP and a single-neuron
// observer on each hidden layer and on all layers together, scored on held-out data, with the same
// observers on the untrained model and (linear) on control tasks; and a linear observer for every
// label-subset split at every layer, trained and untrained.
func ObserversCapture(sub *Subject, opt CaptureOptions) (*CaptureResult, error) {
	opt = opt.withDefaults()
	if sub == nil || sub.Data == nil {
		return nil, fmt.Errorf("F1: no subject")
	}
	return cachedResult(sub.CacheDir, "f1", []any{sub.Setup, opt, dataFingerprint(sub.Data), sub.stateKey()},
		func() (*CaptureResult, error) { return observersCapture(sub, opt) },
		func(r *CaptureResult) error { return r.draw(r.PropertyNames, r.Kinds) })
}

// observersCapture computes F1: for each named property, a linear, an MLP and a single-neuron
// observer on each hidden layer and on all layers together, with its controls, and the subsets.
func observersCapture(sub *Subject, opt CaptureOptions) (*CaptureResult, error) {
	parsed, err := sub.Vocab.ParseList(opt.Properties)
	if err != nil {
		return nil, err
	}
	props := distinctSplits(parsed)
	ctl, err := sub.Untrained()
	if err != nil {
		return nil, err
	}
	L := len(sub.Train.Layers)
	res := &CaptureResult{Decisive: opt.Decisive, Margin: opt.Margin}
	for l := 1; l <= L; l++ {
		res.Layers = append(res.Layers, l)
	}
	type selection struct {
		layer int
		sel   observer.Selection
	}
	var sels []selection
	for l := 1; l <= L; l++ {
		sels = append(sels, selection{l, observer.Layer(l)})
	}
	sels = append(sels, selection{0, observer.AllLayers()})
	fitPart, valPart := splitActivations(sub.Train, opt.ValidationFraction, opt.Seed)
	res.ValidationSamples = valPart.N
	for _, s := range sels {
		nf, err := newNamedFits(sub, ctl, fitPart, valPart, s.layer, s.sel, props, opt)
		if err != nil {
			return nil, err
		}
		for _, kind := range opt.Kinds {
			rows, err := nf.rows(sub, kind, props, opt)
			if err != nil {
				return nil, err
			}
			res.Named = append(res.Named, rows...)
		}
	}
	res.Verdicts = verdicts(res, props)
	if !opt.SkipSubsets {
		if err := captureSubsets(sub, ctl, res, opt.Margin); err != nil {
			return nil, err
		}
	}
	for _, p := range props {
		res.PropertyNames = append(res.PropertyNames, p.Name())
	}
	res.Kinds = slices.Clone(opt.Kinds)
	if err := res.draw(res.PropertyNames, res.Kinds); err != nil {
		return nil, err
	}
	return res, nil
}

// distinctSplits drops from ps every property whose split an earlier one already makes: a set and
// its complement are the same split (and the same observer up to sign), so the first is kept.
func distinctSplits(ps []property.LabelProperty) []property.LabelProperty {
	var props []property.LabelProperty
	seen := map[property.LabelSet]bool{}
	for _, p := range ps {
		if c := p.Canonical().Set; !seen[c] {
			seen[c] = true
			props = append(props, p)
		}
	}
	return props
}

// namedFits holds, for one selection of layers, the features and targets of the named properties
// on the trained model (f, ts) and on the untrained one (fu, tsu), and the linear observers that
// every kind's rows report: fitted on the fit part of the training samples and scored on the
// validation part (val), and fitted on shuffled labels (shuffled).
type namedFits struct {
	layer         int
	f, fu         *observer.Features
	ts, tsu       []observer.Target
	val, shuffled []*observer.Result
}

// newNamedFits builds the features and targets of props on the layers sel selects (layer; 0 for
// all layers) of sub and of its untrained control ctl, and fits the validation and shuffled-label
// linear observers.
func newNamedFits(sub, ctl *Subject, fitPart, valPart *model.Activations, layer int, sel observer.Selection,
	props []property.LabelProperty, opt CaptureOptions) (*namedFits, error) {
	nf := &namedFits{layer: layer}
	var err error
	if nf.f, err = observer.NewFeatures(sub.Train, sub.Test, sel); err != nil {
		return nil, err
	}
	if nf.fu, err = observer.NewFeatures(ctl.Train, ctl.Test, sel); err != nil {
		return nil, err
	}
	fv, err := observer.NewFeatures(fitPart, valPart, sel)
	if err != nil {
		return nil, err
	}
	if nf.ts, err = nf.f.LabelTargets(props); err != nil {
		return nil, err
	}
	if nf.tsu, err = nf.fu.LabelTargets(props); err != nil {
		return nil, err
	}
	tsv, err := fv.LabelTargets(props)
	if err != nil {
		return nil, err
	}
	lin := observer.Options{Kind: observer.Linear, Balanced: true}
	if nf.val, err = observer.FitMany(fv, tsv, lin); err != nil {
		return nil, fmt.Errorf("F1 validation observers, layer %d: %w", layer, err)
	}
	shuf := lin
	// Several draws: one shuffled fit is a random direction, which can separate class clusters
	// (and so the property) by accident, far from 0.5.
	shuf.Control = observer.Control{Kind: observer.ShuffledLabels, Seed: opt.Seed, Repeats: opt.ControlRepeats}
	if nf.shuffled, err = observer.FitMany(nf.f, nf.ts, shuf); err != nil {
		return nil, fmt.Errorf("F1 shuffled-label observers, layer %d: %w", layer, err)
	}
	return nf, nil
}

// rows fits the observers of kind for props on the trained model (with the control task for the
// linear kind) and on the untrained one, and returns a row per property.
func (nf *namedFits) rows(sub *Subject, kind observer.Kind, props []property.LabelProperty, opt CaptureOptions) ([]CaptureRow, error) {
	o := observer.Options{Kind: kind, Seed: opt.Seed, Balanced: true}
	ou := o
	if kind == observer.Linear {
		o.Control = observer.Control{Kind: observer.Task, Seed: opt.Seed, Repeats: opt.ControlRepeats}
	}
	trained, err := observer.FitMany(nf.f, nf.ts, o)
	if err != nil {
		return nil, fmt.Errorf("F1 %s observers, layer %d: %w", kind, nf.layer, err)
	}
	// The untrained control of the MLP observer is not reported (the figure and the verdicts
	// use the linear one) and costs as much as all the other fits together: skip it.
	var untrained []*observer.Result
	if kind != observer.MLP {
		if untrained, err = observer.FitMany(nf.fu, nf.tsu, ou); err != nil {
			return nil, fmt.Errorf("F1 %s observers on the untrained model, layer %d: %w", kind, nf.layer, err)
		}
	}
	var rows []CaptureRow
	for i, r := range trained {
		ceiling := Ceiling(sub.Eval, props[i].Set)
		row := CaptureRow{Property: props[i].Name(), Labels: props[i].Labels(), LabelProportion: props[i].LabelProportion(),
			Layer: nf.layer, Observer: kind, TestAccuracy: r.TestAccuracy, BalancedAccuracy: r.BalancedAccuracy, AUC: r.AUC,
			Ceiling: ceiling, Decisive: r.BalancedAccuracy >= ceiling-opt.Margin, DecisiveAbsolute: r.BalancedAccuracy >= opt.Decisive,
			Confident: r.Confident}
		if untrained != nil {
			u := untrained[i].BalancedAccuracy
			row.UntrainedBalancedAccuracy = &u
		}
		if r.Control != nil {
			row.ControlTaskAccuracy, row.Selectivity = r.Control.TestAccuracy, r.Control.Selectivity
		}
		if kind == observer.Linear {
			v, sh := nf.val[i].BalancedAccuracy, nf.shuffled[i].Control.BalancedAccuracy
			row.ValidationBalancedAccuracy, row.ShuffledBalancedAccuracy = &v, &sh
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// captureSubsets fits a (class-balanced) linear observer for every split at every layer, on sub
// and on ctl; a split is captured decisively within margin of its own ceiling.
func captureSubsets(sub, ctl *Subject, res *CaptureResult, margin float64) error {
	splits := sub.Vocab.Splits()
	L := len(res.Layers)
	res.Subsets = make([]SubsetCapture, len(splits))
	for i, p := range splits {
		res.Subsets[i] = SubsetCapture{Labels: p.Labels(), Size: p.Set.Len(), LabelProportion: p.LabelProportion(),
			Ceiling: Ceiling(sub.Eval, p.Set), BalancedAccuracy: make([]float64, L), Untrained: make([]float64, L)}
	}
	res.DecisiveSubsets = make([]int, L)
	res.DecisiveSubsetsUntrained = make([]int, L)
	for li, l := range res.Layers {
		for which, s := range []*Subject{sub, ctl} {
			f, err := observer.NewFeatures(s.Train, s.Test, observer.Layer(l))
			if err != nil {
				return err
			}
			ts, err := f.LabelTargets(splits)
			if err != nil {
				return err
			}
			rs, err := observer.FitMany(f, ts, observer.Options{Kind: observer.Linear, Balanced: true})
			if err != nil {
				return fmt.Errorf("F1 subset observers, layer %d: %w", l, err)
			}
			for i, r := range rs {
				decisive := r.BalancedAccuracy >= res.Subsets[i].Ceiling-margin
				if which == 0 {
					res.Subsets[i].BalancedAccuracy[li] = r.BalancedAccuracy
					if decisive {
						res.DecisiveSubsets[li]++
					}
				} else {
					res.Subsets[i].Untrained[li] = r.BalancedAccuracy
					if decisive {
						res.DecisiveSubsetsUntrained[li]++
					}
				}
			}
		}
	}
	// Summaries by set size (splits are canonical: |S| ≤ K/2).
	for li, l := range res.Layers {
		sizes := map[int]*SizeSummary{}
		for _, sc := range res.Subsets {
			s := sizes[sc.Size]
			if s == nil {
				s = &SizeSummary{Layer: l, Size: sc.Size, LabelProportion: sc.LabelProportion, MinBalanced: 1}
				sizes[sc.Size] = s
			}
			s.Sets++
			s.MeanBalanced += sc.BalancedAccuracy[li]
			s.UntrainedMeanBalanced += sc.Untrained[li]
			s.MinBalanced = min(s.MinBalanced, sc.BalancedAccuracy[li])
			if sc.BalancedAccuracy[li] >= sc.Ceiling-res.Margin {
				s.FractionDecisive++
			}
			if sc.Untrained[li] >= sc.Ceiling-res.Margin {
				s.UntrainedFractionDecisive++
			}
		}
		keys := make([]int, 0, len(sizes))
		for k := range sizes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			s := sizes[k]
			n := float64(s.Sets)
			s.MeanBalanced /= n
			s.UntrainedMeanBalanced /= n
			s.FractionDecisive /= n
			s.UntrainedFractionDecisive /= n
			res.BySize = append(res.BySize, *s)
		}
	}
	return nil
}

// Ceiling is the object model's own held-out balanced accuracy on the property "label ∈ S": its
// predicted class ∈ S against the true class ∈ S, from the confusion matrix of ev.
func Ceiling(ev *model.Evaluation, set property.LabelSet) float64 {
	var tp, pos, tn, neg int
	for k, row := range ev.Confusion {
		for j, n := range row {
			switch in, pin := set.Contains(k), set.Contains(j); {
			case in:
				pos += n
				if pin {
					tp += n
				}
			default:
				neg += n
				if !pin {
					tn += n
				}
			}
		}
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return 0.5 * (float64(tp)/float64(pos) + float64(tn)/float64(neg))
}

// splitActivations splits a into a fitting part and a validation part holding a fraction frac of
// every class's samples (a seeded shuffle within each class; order kept within each part).
func splitActivations(a *model.Activations, frac float64, seed uint64) (fit, val *model.Activations) {
	byClass := map[int][]int{}
	for i, y := range a.Labels {
		byClass[y] = append(byClass[y], i)
	}
	inVal := make([]bool, a.N)
	r := rand.New(rand.NewPCG(seed, 0x56414c))
	for c := 0; c < a.NumClasses; c++ {
		idx := byClass[c]
		perm := r.Perm(len(idx))
		for _, p := range perm[:int(math.Round(frac*float64(len(idx))))] {
			inVal[idx[p]] = true
		}
	}
	var fi, vi []int
	for i, v := range inVal {
		if v {
			vi = append(vi, i)
		} else {
			fi = append(fi, i)
		}
	}
	return rowsOf(a, fi), rowsOf(a, vi)
}

// rowsOf returns the activations of the samples idx of a.
func rowsOf(a *model.Activations, idx []int) *model.Activations {
	out := &model.Activations{N: len(idx), NumClasses: a.NumClasses, Labels: make([]int, len(idx))}
	for i, j := range idx {
		out.Labels[i] = a.Labels[j]
	}
	for _, l := range a.Layers {
		nl := model.LayerActivations{Layer: l.Layer, Depth: l.Depth, Width: l.Width, Post: make([]float32, len(idx)*l.Width)}
		for i, j := range idx {
			copy(nl.Post[i*l.Width:(i+1)*l.Width], l.Post[j*l.Width:(j+1)*l.Width])
		}
		out.Layers = append(out.Layers, nl)
	}
	return out
}

// verdicts picks, for each named property, the layer whose linear observer scores best on the
// validation part (ties: the lowest layer, "all layers" last) and reads its held-out scores.
func verdicts(res *CaptureResult, props []property.LabelProperty) []CaptureVerdict {
	var out []CaptureVerdict
	for _, p := range props {
		var best *CaptureRow
		for i := range res.Named {
			row := &res.Named[i]
			if row.Property != p.Name() || row.Observer != observer.Linear || row.ValidationBalancedAccuracy == nil {
				continue
			}
			if best == nil || *row.ValidationBalancedAccuracy > *best.ValidationBalancedAccuracy {
				best = row
			}
		}
		if best == nil {
			continue
		}
		v := CaptureVerdict{Property: best.Property, Labels: best.Labels, Layer: best.Layer, Validation: *best.ValidationBalancedAccuracy,
			BalancedAccuracy: best.BalancedAccuracy, Ceiling: best.Ceiling, Gap: best.Ceiling - best.BalancedAccuracy,
			Decisive: best.Decisive, DecisiveAbsolute: best.DecisiveAbsolute, Untrained: *best.UntrainedBalancedAccuracy}
		if best.Confident != nil {
			v.Confident = *best.Confident
		}
		if best.ShuffledBalancedAccuracy != nil {
			v.Shuffled = *best.ShuffledBalancedAccuracy
		}
		out = append(out, v)
	}
	return out
}

// ceilingOf is the ceiling of a named property (NaN if unknown).
func (r *CaptureResult) ceilingOf(prop string) float64 {
	for _, row := range r.Named {
		if row.Property == prop {
			return row.Ceiling
		}
	}
	return math.NaN()
}

// Row returns the named row for (property, layer, kind), or nil.
func (r *CaptureResult) Row(prop string, layer int, kind observer.Kind) *CaptureRow {
	for i := range r.Named {
		row := &r.Named[i]
		if row.Property == prop && row.Layer == layer && row.Observer == kind {
			return row
		}
	}
	return nil
}

func (r *CaptureResult) draw(names []string, kinds []observer.Kind) error {
	cols := make([]string, 0, len(r.Layers)+1)
	for _, l := range r.Layers {
		cols = append(cols, fmt.Sprintf("layer %d", l))
	}
	cols = append(cols, "all")
	table := func(title string, kind observer.Kind, untrained bool) (*plotting.Figure, error) {
		acc := make([][]float64, len(names))
		for i, name := range names {
			acc[i] = make([]float64, len(cols))
			for j := range cols {
				layer := j + 1
				if j == len(r.Layers) {
					layer = 0
				}
				row := r.Row(name, layer, kind)
				if row == nil {
					return nil, fmt.Errorf("F1: no %s observer for %s at layer %d", kind, name, layer)
				}
				acc[i][j] = row.BalancedAccuracy
				if untrained {
					acc[i][j] = *row.UntrainedBalancedAccuracy
				}
			}
		}
		// Trained linear and MLP observers score 0.9–1: a scale from 0.5 would paint them all the
		// same near-white. Single neurons and the untrained control keep the scale from chance (0.5).
		lo, rule, thr := 0.9, fmt.Sprintf("within %g of the model's own accuracy on the property", r.Margin), make([]float64, len(names))
		for i, name := range names {
			thr[i] = math.Max(math.Min(r.ceilingOf(name)-r.Margin, 1), 1e-9)
		}
		if untrained || kind == observer.SingleNeuron {
			lo = 0.5 // single neurons and the untrained network span 0.5–1
		}
		return plotting.AccuracyMap(plotting.AccuracyTable{Title: title, Properties: names, Accuracy: acc, Columns: cols,
			ColorMin: lo, DecisiveRows: thr, DecisiveLabel: rule})
	}
	var figs []*plotting.Figure
	for _, k := range kinds {
		f, err := table(fmt.Sprintf("%s observer", k), k, false)
		if err != nil {
			return err
		}
		figs = append(figs, f)
	}
	f, err := table("linear observer, untrained model", observer.Linear, true)
	if err != nil {
		return err
	}
	figs = append(figs, f)
	if r.NamedFigure, err = plotting.Tile(2, figs...); err != nil {
		return err
	}
	if len(r.BySize) == 0 {
		return nil
	}
	var mean, frac []plotting.Curve
	for _, l := range r.Layers {
		var x, m, fd, mu, fu []float64
		for _, s := range r.BySize {
			if s.Layer != l {
				continue
			}
			x = append(x, s.LabelProportion)
			m, fd = append(m, s.MeanBalanced), append(fd, s.FractionDecisive)
			mu, fu = append(mu, s.UntrainedMeanBalanced), append(fu, s.UntrainedFractionDecisive)
		}
		name := fmt.Sprintf("layer %d", l)
		mean = append(mean, plotting.Curve{Name: name, X: x, Y: m}, plotting.Curve{Name: name + " untrained", X: x, Y: mu, Dashed: true})
		frac = append(frac, plotting.Curve{Name: name, X: x, Y: fd}, plotting.Curve{Name: name + " untrained", X: x, Y: fu, Dashed: true})
	}
	f1, err := plotting.Lines(plotting.LineChart{Title: "All label-subset splits: mean balanced accuracy",
		XLabel: "label proportion |S|/K", YLabel: "balanced accuracy", Curves: mean, YMin: 0.5, YMax: 1})
	if err != nil {
		return err
	}
	f2, err := plotting.Lines(plotting.LineChart{Title: fmt.Sprintf("Splits captured decisively (≥ %.2f)", r.Decisive),
		XLabel: "label proportion |S|/K", YLabel: "fraction of splits", Curves: frac, YMin: 0, YMax: 1})
	if err != nil {
		return err
	}
	r.SubsetFigure, err = plotting.Tile(2, f1, f2)
	return err
}
