package findings

import (
	"fmt"
	"slices"

	"github.com/denotation-go/denotation/pkg/observer"
	"github.com/denotation-go/denotation/pkg/property"
	"github.com/denotation-go/denotation/plotting"
)

// CaptureOptions configure F1.
type CaptureOptions struct {
	// Properties are the named property specs (default "aliases": the data set's named properties).
	// A property whose complement is listed before it is skipped: it is the same split.
	Properties string
	// Kinds are the observer types compared on the named properties (default linear, MLP, single neuron).
	Kinds []observer.Kind
	// Decisive is the held-out balanced accuracy at or above which a property counts as captured
	// decisively (default 0.99).
	Decisive float64
	// AllSubsets also fits a linear observer for every label-subset split (2^(K−1) − 1 of them) at
	// every layer, on the trained and the untrained model (default true; set SkipSubsets to turn off).
	SkipSubsets bool
	// ControlRepeats is the number of control tasks averaged for the selectivity (default 3).
	ControlRepeats int
	// Seed drives the control tasks and MLP observers (default 1).
	Seed uint64
}

func (o CaptureOptions) withDefaults() CaptureOptions {
	if o.Properties == "" {
		o.Properties = "aliases"
	}
	if len(o.Kinds) == 0 {
		o.Kinds = []observer.Kind{observer.Linear, observer.MLP, observer.SingleNeuron}
	}
	if o.Decisive == 0 {
		o.Decisive = 0.99
	}
	if o.ControlRepeats == 0 {
		o.ControlRepeats = 3
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
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
	Decisive         bool    `json:"decisive"`
	// UntrainedBalancedAccuracy is the same observer on the untrained model of the same architecture.
	UntrainedBalancedAccuracy float64 `json:"untrained_balanced_accuracy"`
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

// CaptureResult is F1: which properties observers capture decisively, at which layer, with which
// observer, against the untrained-model and control-task baselines.
type CaptureResult struct {
	Decisive float64 `json:"decisive"`
	Layers   []int   `json:"layers"`
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

// ObserversCapture measures F1 on sub: for each named property, a linear, an MLP and a single-neuron
// observer on each hidden layer and on all layers together, scored on held-out data, with the same
// observers on the untrained model and (linear) on control tasks; and a linear observer for every
// label-subset split at every layer, trained and untrained.
func ObserversCapture(sub *Subject, opt CaptureOptions) (*CaptureResult, error) {
	opt = opt.withDefaults()
	parsed, err := sub.Vocab.ParseList(opt.Properties)
	if err != nil {
		return nil, err
	}
	// A set and its complement are the same split (and the same observer up to sign): keep the first.
	var props []property.LabelProperty
	seen := map[property.LabelSet]bool{}
	for _, p := range parsed {
		if c := p.Canonical().Set; !seen[c] {
			seen[c] = true
			props = append(props, p)
		}
	}
	ctl, err := sub.Untrained()
	if err != nil {
		return nil, err
	}
	L := len(sub.Train.Layers)
	res := &CaptureResult{Decisive: opt.Decisive}
	for l := 1; l <= L; l++ {
		res.Layers = append(res.Layers, l)
	}
	sels := []struct {
		layer int
		sel   observer.Selection
	}{}
	for l := 1; l <= L; l++ {
		sels = append(sels, struct {
			layer int
			sel   observer.Selection
		}{l, observer.Layer(l)})
	}
	sels = append(sels, struct {
		layer int
		sel   observer.Selection
	}{0, observer.AllLayers()})

	for _, s := range sels {
		f, err := observer.NewFeatures(sub.Train, sub.Test, s.sel)
		if err != nil {
			return nil, err
		}
		fu, err := observer.NewFeatures(ctl.Train, ctl.Test, s.sel)
		if err != nil {
			return nil, err
		}
		ts, err := f.LabelTargets(props)
		if err != nil {
			return nil, err
		}
		tsu, err := fu.LabelTargets(props)
		if err != nil {
			return nil, err
		}
		for _, kind := range opt.Kinds {
			o := observer.Options{Kind: kind, Seed: opt.Seed}
			ou := o
			if kind == observer.Linear {
				o.Control = observer.Control{Kind: observer.Task, Seed: opt.Seed, Repeats: opt.ControlRepeats}
			}
			trained, err := observer.FitMany(f, ts, o)
			if err != nil {
				return nil, fmt.Errorf("F1 %s observers, layer %d: %w", kind, s.layer, err)
			}
			untrained, err := observer.FitMany(fu, tsu, ou)
			if err != nil {
				return nil, fmt.Errorf("F1 %s observers on the untrained model, layer %d: %w", kind, s.layer, err)
			}
			for i, r := range trained {
				row := CaptureRow{Property: props[i].Name(), Labels: props[i].Labels(), LabelProportion: props[i].LabelProportion(),
					Layer: s.layer, Observer: kind, TestAccuracy: r.TestAccuracy, BalancedAccuracy: r.BalancedAccuracy, AUC: r.AUC,
					Decisive: r.BalancedAccuracy >= opt.Decisive, UntrainedBalancedAccuracy: untrained[i].BalancedAccuracy}
				if r.Control != nil {
					row.ControlTaskAccuracy, row.Selectivity = r.Control.TestAccuracy, r.Control.Selectivity
				}
				res.Named = append(res.Named, row)
			}
		}
	}
	if !opt.SkipSubsets {
		if err := captureSubsets(sub, ctl, res); err != nil {
			return nil, err
		}
	}
	if err := res.draw(props, opt.Kinds); err != nil {
		return nil, err
	}
	return res, nil
}

// captureSubsets fits a linear observer for every split at every layer, on sub and on ctl.
func captureSubsets(sub, ctl *Subject, res *CaptureResult) error {
	splits := sub.Vocab.Splits()
	L := len(res.Layers)
	res.Subsets = make([]SubsetCapture, len(splits))
	for i, p := range splits {
		res.Subsets[i] = SubsetCapture{Labels: p.Labels(), Size: p.Set.Len(), LabelProportion: p.LabelProportion(),
			BalancedAccuracy: make([]float64, L), Untrained: make([]float64, L)}
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
			rs, err := observer.FitMany(f, ts, observer.Options{Kind: observer.Linear})
			if err != nil {
				return fmt.Errorf("F1 subset observers, layer %d: %w", l, err)
			}
			for i, r := range rs {
				if which == 0 {
					res.Subsets[i].BalancedAccuracy[li] = r.BalancedAccuracy
					if r.BalancedAccuracy >= res.Decisive {
						res.DecisiveSubsets[li]++
					}
				} else {
					res.Subsets[i].Untrained[li] = r.BalancedAccuracy
					if r.BalancedAccuracy >= res.Decisive {
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
			if sc.BalancedAccuracy[li] >= res.Decisive {
				s.FractionDecisive++
			}
			if sc.Untrained[li] >= res.Decisive {
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

// DecisiveNamed lists the named properties captured decisively by some observer at some layer,
// with the first layer (1 … L; 0 = only with all layers) where that happens.
func (r *CaptureResult) DecisiveNamed() map[string]int {
	out := map[string]int{}
	for _, row := range r.Named {
		if !row.Decisive {
			continue
		}
		if first, ok := out[row.Property]; !ok || (row.Layer != 0 && (first == 0 || row.Layer < first)) {
			out[row.Property] = row.Layer
		}
	}
	return out
}

func (r *CaptureResult) draw(props []property.LabelProperty, kinds []observer.Kind) error {
	cols := make([]string, 0, len(r.Layers)+1)
	for _, l := range r.Layers {
		cols = append(cols, fmt.Sprintf("layer %d", l))
	}
	cols = append(cols, "all")
	names := make([]string, len(props))
	for i, p := range props {
		names[i] = p.Name()
	}
	table := func(title string, kind observer.Kind, untrained bool) (*plotting.Figure, error) {
		acc := make([][]float64, len(props))
		for i, p := range props {
			acc[i] = make([]float64, len(cols))
			for j := range cols {
				layer := j + 1
				if j == len(r.Layers) {
					layer = 0
				}
				row := r.Row(p.Name(), layer, kind)
				if row == nil {
					return nil, fmt.Errorf("F1: no %s observer for %s at layer %d", kind, p.Name(), layer)
				}
				acc[i][j] = row.BalancedAccuracy
				if untrained {
					acc[i][j] = row.UntrainedBalancedAccuracy
				}
			}
		}
		return plotting.AccuracyMap(plotting.AccuracyTable{Title: title, Properties: names, Accuracy: acc, Columns: cols,
			ColorMin: 0.5, Decisive: r.Decisive})
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
