package findings

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/pkg/property"
	"github.com/denotation-go/denotation/plotting"
)

// SignificanceLevel is the false-discovery rate at which the findings count a denotation as
// significant (Benjamini–Hochberg q ≤ 0.05), when the scan ran permutations.
const SignificanceLevel = 0.05

// NamedSet is a denoted set S of a findings row: its labels, their class names and the
// proportion of samples whose label is in S. The rows embed it, so their JSON has these fields in
// place.
type NamedSet struct {
	Labels          property.LabelSet `json:"labels"`
	Classes         []string          `json:"classes"`
	LabelProportion float64           `json:"label_proportion"`
}

// namedSet spells out labels with classNames.
func namedSet(labels property.LabelSet, proportion float64, classNames []string) NamedSet {
	return NamedSet{Labels: labels, Classes: labels.Names(classNames), LabelProportion: proportion}
}

// DenotationRow is one denotation of a scan (neuron n of layer ℓ denotes S), with S spelled out
// as class names.
type DenotationRow struct {
	Layer  int `json:"layer"`
	Neuron int `json:"neuron"`
	// NamedSet is S (the high side: the classes above the threshold).
	NamedSet
	// Threshold is the reported threshold; S is denoted at every t in [ThresholdLow, ThresholdHigh).
	Threshold        float64 `json:"threshold"`
	ThresholdLow     float64 `json:"threshold_low"`
	ThresholdHigh    float64 `json:"threshold_high"`
	MinClassFraction float64 `json:"min_class_fraction"`
	BalancedAccuracy float64 `json:"balanced_accuracy"`
	// PValue and QValue are the permutation p-value and the Benjamini–Hochberg q-value (nil
	// without permutations).
	PValue *float64 `json:"p_value"`
	QValue *float64 `json:"q_value"`
	// LowerBound is the smallest per-class one-sided 95% Clopper–Pearson lower bound of the
	// fraction on the correct side, on the test split (nil for an unvalidated scan).
	LowerBound *float64 `json:"lower_bound,omitempty"`
	// Smallest is true for the smallest set the neuron denotes (its SmallestDenotation). The JSON
	// name "property" is kept from before the rename.
	Smallest bool `json:"property"`
}

// ScanSummary counts the outcome of a scan of every hidden neuron of one model.
type ScanSummary struct {
	Neurons  int `json:"neurons"`
	Constant int `json:"constant"`
	// Denoting is the number of neurons that denote at least one set; Denotations the number of
	// (neuron, S) pairs (a neuron may denote several nested sets).
	Denoting    int `json:"denoting"`
	Denotations int `json:"denotations"`
	// Significant is the number of denotations with q ≤ SignificanceLevel (0 without permutations).
	Significant int `json:"significant"`
	// DenotingPerLayer[ℓ−1] and DenotationsPerLayer[ℓ−1] restrict the counts to layer ℓ;
	// SignificantPerLayer counts the neurons of layer ℓ with a significant denotation.
	DenotingPerLayer    []int `json:"denoting_per_layer"`
	DenotationsPerLayer []int `json:"denotations_per_layer"`
	SignificantPerLayer []int `json:"significant_per_layer"`
	// MeanLabelProportion is the mean |S|/K of the denoting neurons' smallest denoted sets.
	MeanLabelProportion denotation.Num `json:"mean_label_proportion"`
	// MeanBestScore is the mean best MinClassFraction over non-constant neurons: how close the
	// neurons come to denoting (a neuron denotes iff its best score ≥ τ).
	MeanBestScore denotation.Num `json:"mean_best_score"`
}

// DenotationResult is F3: every label set a single hidden neuron denotes, validated — chosen on
// the training-split activations the observers use (the selection samples) and judged on the
// held-out test split — with the same measurement on the untrained control of the same
// architecture and on shuffled labels.
type DenotationResult struct {
	Setup        Setup              `json:"setup"`
	Architecture string             `json:"architecture"`
	Options      denotation.Options `json:"options"`
	ClassNames   []string           `json:"class_names"`
	TestSamples  int                `json:"test_samples"`
	TestAccuracy float64            `json:"test_accuracy"`
	// Tested is the size of the Benjamini–Hochberg family (0 without permutations).
	Tested int `json:"tested"`
	// SelectionSamples is the number of training samples the sets and thresholds were chosen on.
	SelectionSamples int `json:"selection_samples"`
	// Selected summarises the selection scan (before validation): how many neurons denote on the
	// samples their sets were chosen on.
	Selected ScanSummary `json:"selected"`
	// Trained and Untrained summarise the validated scans of the model and its untrained control;
	// Shuffled the validated scan of the model with the labels of both splits shuffled (seeded by
	// Options.Seed): a denotation that survives it would be an artefact of the procedure.
	Trained   ScanSummary `json:"trained"`
	Untrained ScanSummary `json:"untrained"`
	Shuffled  ScanSummary `json:"shuffled"`
	// Denotations lists every denotation of the trained model (by layer, neuron, smallest set
	// first); UntrainedDenotations those of the untrained control.
	Denotations          []DenotationRow `json:"denotations"`
	UntrainedDenotations []DenotationRow `json:"untrained_denotations"`
	// ShowcaseNeuron is the (layer, neuron) whose story tells the finding (see Showcase).
	ShowcaseNeuron [2]int `json:"showcase"`
	// Scan and UntrainedScan are the full scans (every neuron, its best reading).
	Scan          *denotation.Result `json:"-"`
	UntrainedScan *denotation.Result `json:"-"`
	// Figure draws the number of denoting neurons per layer, trained against untrained (and,
	// with permutations, the neurons with a significant denotation).
	Figure *plotting.Figure `json:"-"`
}

// f3Format names the shape of Denotations' results-cache entries (part of their key): the result,
// its showcase neuron included.
const f3Format = "result with showcase"

// Denotations finds every label set each hidden neuron of the subject denotes, validated: the
// exact scan (denotation.Scan, all 2^K − 2 sets) runs on the subject's training-split activations
// (sub.Train, the selection samples) and each (S, t) it finds is kept when it holds on the test
// split (sub.Test) at the same threshold (denotation.Validate). With opt.Permutations > 0 the
// selection scan also computes permutation p-values and Benjamini–Hochberg q-values: on thousands
// of samples they are minimal for every trained neuron that comes near denoting, so they only show
// that the neuron depends on the label. The same is done on the untrained control
// (sub.Untrained(), same architecture and initialisation seed, same samples) and with the labels
// of both splits shuffled.
func Denotations(sub *Subject, opt denotation.Options) (*DenotationResult, error) {
	if sub == nil || sub.Test == nil || sub.Train == nil || sub.Data == nil {
		return nil, fmt.Errorf("denotations: no subject")
	}
	return cachedResult(sub.CacheDir, "f3", []any{f3Format, sub.Setup, opt, dataFingerprint(sub.Data), sub.stateKey()},
		func() (*DenotationResult, error) { return denotations(sub, opt) }, (*DenotationResult).draw)
}

// denotations computes Denotations.
func denotations(sub *Subject, opt denotation.Options) (*DenotationResult, error) {
	scan, sel, err := denotation.ScanValidated(sub.Train, sub.Test, opt)
	if err != nil {
		return nil, err
	}
	ctl, err := sub.Untrained()
	if err != nil {
		return nil, err
	}
	uscan, _, err := denotation.ScanValidated(ctl.Train, ctl.Test, opt)
	if err != nil {
		return nil, err
	}
	sopt := opt
	sopt.Permutations = 0
	shuf, _, err := denotation.ScanValidated(shuffledLabels(sub.Train, opt.Seed), shuffledLabels(sub.Test, opt.Seed+1), sopt)
	if err != nil {
		return nil, err
	}
	names := sub.Data.ClassNames
	res := &DenotationResult{Setup: sub.Setup, Architecture: sub.Model.Architecture(), Options: opt,
		ClassNames: names, TestSamples: sub.Test.N, TestAccuracy: sub.Eval.Accuracy, Tested: sel.Tested,
		SelectionSamples: sub.Train.N, Selected: summarizeScan(sel),
		Trained: summarizeScan(scan), Untrained: summarizeScan(uscan), Shuffled: summarizeScan(shuf),
		Denotations: denotationRows(scan, names), UntrainedDenotations: denotationRows(uscan, names),
		Scan: scan, UntrainedScan: uscan}
	res.ShowcaseNeuron[0], res.ShowcaseNeuron[1] = showcaseNeuron(scan)
	if err := res.draw(); err != nil {
		return nil, err
	}
	return res, nil
}

// draw draws the number of denoting neurons per layer: selected, validated, and the controls.
func (res *DenotationResult) draw() error {
	series := []plotting.CountSeries{
		{Name: "selected on the training split", Counts: ints2floats(res.Selected.DenotingPerLayer)},
		{Name: "validated on the test split", Counts: ints2floats(res.Trained.DenotingPerLayer)}}
	series = append(series, plotting.CountSeries{Name: "untrained (validated)", Counts: ints2floats(res.Untrained.DenotingPerLayer), Control: true},
		plotting.CountSeries{Name: "shuffled labels (validated)", Counts: ints2floats(res.Shuffled.DenotingPerLayer), Control: true})
	title := fmt.Sprintf("Denoting neurons per layer (τ = %g; selected on %d training, judged on %d test samples)", res.Options.Tau, res.SelectionSamples, res.TestSamples)
	var err error
	res.Figure, err = plotting.DenotationCounts(title, series...)
	return err
}

// Significant lists the denotations of the trained model with q ≤ SignificanceLevel.
func (r *DenotationResult) Significant() []DenotationRow {
	var out []DenotationRow
	for _, d := range r.Denotations {
		if d.QValue != nil && *d.QValue <= SignificanceLevel {
			out = append(out, d)
		}
	}
	return out
}

// summarizeScan counts a scan's outcome.
func summarizeScan(r *denotation.Result) ScanSummary {
	s := ScanSummary{DenotingPerLayer: make([]int, len(r.Layers)), DenotationsPerLayer: make([]int, len(r.Layers)),
		SignificantPerLayer: make([]int, len(r.Layers)), MeanLabelProportion: denotation.NaN, MeanBestScore: denotation.NaN}
	var sumProp, sumBest float64
	nBest := 0
	for li, nr := range r.Neurons() {
		s.Neurons++
		if nr.Constant {
			s.Constant++
			continue
		}
		if nr.Best != nil {
			sumBest += nr.Best.MinClassFraction
			nBest++
		}
		if p, ok := nr.SmallestDenotation(); ok {
			s.Denoting++
			s.DenotingPerLayer[li]++
			sumProp += p.LabelProportion
		}
		s.Denotations += len(nr.Denotations)
		s.DenotationsPerLayer[li] += len(nr.Denotations)
		if sig := len(nr.DenotationsAt(SignificanceLevel)); sig > 0 {
			s.Significant += sig
			s.SignificantPerLayer[li]++
		}
	}
	if s.Denoting > 0 {
		s.MeanLabelProportion = denotation.Num(sumProp / float64(s.Denoting))
	}
	if nBest > 0 {
		s.MeanBestScore = denotation.Num(sumBest / float64(nBest))
	}
	return s
}

// denotationRows lists every denotation of a scan with class names.
func denotationRows(r *denotation.Result, names []string) []DenotationRow {
	rows := []DenotationRow{}
	for _, nr := range r.Neurons() {
		for i, d := range nr.Denotations {
			row := rowOf(d, names)
			row.Smallest = i == 0
			rows = append(rows, row)
		}
	}
	return rows
}

func rowOf(d denotation.Denotation, names []string) DenotationRow {
	return DenotationRow{Layer: d.Layer, Neuron: d.Neuron, NamedSet: namedSet(d.Labels, d.LabelProportion, names),
		Threshold: d.Threshold, ThresholdLow: d.ThresholdLow, ThresholdHigh: d.ThresholdHigh,
		MinClassFraction: d.MinClassFraction, BalancedAccuracy: d.BalancedAccuracy, PValue: d.PValue, QValue: d.QValue, LowerBound: d.LowerBound}
}

// shuffledLabels returns a copy of a with its labels permuted (seeded): the activations keep
// their values, so no neuron can depend on the labels any more.
func shuffledLabels(a *model.Activations, seed uint64) *model.Activations {
	c := *a
	c.Labels = slices.Clone(a.Labels)
	r := rand.New(rand.NewPCG(seed, 0x5348_5546))
	r.Shuffle(len(c.Labels), func(i, j int) { c.Labels[i], c.Labels[j] = c.Labels[j], c.Labels[i] })
	return &c
}

func ints2floats(v []int) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// StoryTop is the number of top-activating test samples whose mean image a neuron's story shows.
const StoryTop = 64

// NeuronStoryResult is what one neuron does on the subject's test split: its scan (the sets it
// denotes, its best reading), the samples that activate it most, and the figure.
type NeuronStoryResult struct {
	Layer  int `json:"layer"`
	Neuron int `json:"neuron"`
	// Scan is the neuron's scan at Tau.
	Tau  float64                 `json:"tau"`
	Scan denotation.NeuronResult `json:"scan"`
	// Shown is the label set highlighted in the figure (the neuron's smallest denoted set; empty
	// when it denotes nothing) and Threshold the line drawn: that denotation's threshold, else the
	// best reading's, else the constant value.
	Shown     property.LabelSet `json:"shown"`
	Threshold float64           `json:"threshold"`
	// Top are the indices (into the subject's test split) of the StoryTop samples with the highest
	// activation (ties: lower index first), TopLabels their labels.
	Top       []int `json:"top"`
	TopLabels []int `json:"top_labels"`
	// Title is the figure's title: the neuron and what it denotes.
	Title string `json:"title"`
	// Figure: the per-class activations (box plots, denoted classes highlighted, threshold line)
	// and the mean image of the top-activating samples.
	Figure *plotting.Figure `json:"-"`
}

// NeuronStory draws neuron `neuron` (0-based) of hidden layer `layer` (1-based) of the subject on
// its test split at the default τ: see NeuronStoryAt.
func NeuronStory(sub *Subject, layer, neuron int) (*NeuronStoryResult, error) {
	return NeuronStoryAt(sub, layer, neuron, denotation.DefaultTau)
}

// NeuronStoryAt draws one neuron's story at τ: the distribution of its post-activation values
// per class on the subject's test split, the classes of its smallest denoted set
// highlighted with their threshold, and the mean input image of its StoryTop most activating
// test samples. A neuron that denotes nothing shows its best reading's threshold and no
// highlighted class.
func NeuronStoryAt(sub *Subject, layer, neuron int, tau float64) (*NeuronStoryResult, error) {
	if sub == nil || sub.Test == nil {
		return nil, fmt.Errorf("neuron story: no subject")
	}
	la, err := sub.Test.Layer(layer)
	if err != nil {
		return nil, err
	}
	if neuron < 0 || neuron >= la.Width {
		return nil, fmt.Errorf("neuron story: layer %d has neurons 0…%d, not %d", layer, la.Width-1, neuron)
	}
	if err := checkSubjectSplit(sub); err != nil {
		return nil, err
	}
	vals := la.Neuron(neuron)
	acts := sub.Test
	// The neuron's sets are chosen on the selection samples and judged on the test split, as in F3.
	selLayer, err := sub.Train.Layer(layer)
	if err != nil {
		return nil, err
	}
	selNR, err := denotation.ScanNeuron(selLayer.Neuron(neuron), sub.Train.Labels, sub.Train.NumClasses, tau)
	if err != nil {
		return nil, fmt.Errorf("neuron story: layer %d neuron %d: %w", layer, neuron, err)
	}
	nr, err := denotation.ValidateNeuron(selNR, vals, acts.Labels, acts.NumClasses, tau, 0.95)
	if err != nil {
		return nil, fmt.Errorf("neuron story: layer %d neuron %d: %w", layer, neuron, err)
	}
	nr.Layer, nr.Neuron = layer, neuron
	for i := range nr.Denotations {
		nr.Denotations[i].Layer, nr.Denotations[i].Neuron = layer, neuron
	}
	st := &NeuronStoryResult{Layer: layer, Neuron: neuron, Tau: tau, Scan: nr}
	names := sub.Data.ClassNames
	head := fmt.Sprintf("layer %d · neuron %d", layer, neuron)
	switch p, ok := nr.SmallestDenotation(); {
	case ok:
		st.Shown, st.Threshold = p.Labels, p.Threshold
		st.Title = fmt.Sprintf("%s denotes %s, min class fraction %.3f", head, p.Labels, p.MinClassFraction)
		if len(nr.Denotations) > 1 {
			st.Title += fmt.Sprintf(", +%d larger nested sets", len(nr.Denotations)-1)
		}
	case nr.Constant || nr.Best == nil:
		st.Threshold = float64(vals[0])
		st.Title = fmt.Sprintf("%s is constant (%.3g): denotes nothing", head, vals[0])
	default:
		st.Threshold = nr.Best.Threshold
		st.Title = fmt.Sprintf("%s denotes nothing at τ = %g (best %s at %.3f)", head, tau,
			nr.Best.Labels, nr.Best.MinClassFraction)
	}
	k := acts.NumClasses
	perClass := make([][]float64, k)
	for i, y := range acts.Labels {
		perClass[y] = append(perClass[y], float64(vals[i]))
	}
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(vals[b], vals[a]) })
	top := order[:min(StoryTop, len(order))]
	st.Top = slices.Clone(top)
	split := sub.ObserveTest
	f := split.Features()
	mean := make([]float64, f)
	for _, i := range top {
		st.TopLabels = append(st.TopLabels, split.Labels[i])
		for p, v := range split.Image(i) {
			mean[p] += float64(v)
		}
	}
	for p := range mean {
		mean[p] /= float64(len(top))
	}
	story := plotting.NeuronStory{
		Activity: plotting.NeuronActivity{Title: st.Title, ClassNames: names, Values: perClass,
			Threshold: st.Threshold, Denoted: st.Shown, YLabel: "post-activation (test split)"},
		TopMean: &plotting.Image{Title: fmt.Sprintf("mean of the %d most activating test samples", len(top)),
			Rows: split.Rows, Cols: split.Cols, Pixels: mean},
	}
	if st.Figure, err = plotting.Story(story); err != nil {
		return nil, err
	}
	return st, nil
}

// checkSubjectSplit verifies that the subject's test activations belong to its test split.
func checkSubjectSplit(sub *Subject) error {
	if sub.ObserveTest == nil || sub.ObserveTest.Len() != sub.Test.N {
		return fmt.Errorf("subject: %d test activations for a test split of %d samples", sub.Test.N, sub.ObserveTest.Len())
	}
	return nil
}
