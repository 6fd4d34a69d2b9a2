package findings

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/pkg/property"
	"github.com/denotation-go/denotation/plotting"
)

// MaxDepth is the deepest network LabelProportionVsDepth trains.
const MaxDepth = 12

// DepthSetup is the experiment of F4: MLPs of several depths D (all hidden layers of one width),
// a few seeds each, trained on the same data, plus untrained controls of the same architectures;
// every hidden neuron is scanned on the test split. It is a plain struct (JSON-serialisable).
type DepthSetup struct {
	// Dataset is "mnist" or "fashion".
	Dataset string `json:"dataset"`
	// Depths are the numbers D of hidden layers, Width the width of every hidden layer.
	Depths []int `json:"depths"`
	Width  int   `json:"width"`
	// Seeds are the training (and initialisation) seeds; every depth is trained once per seed.
	Seeds []uint64 `json:"seeds"`
	// Epochs is the number of training epochs.
	Epochs int `json:"epochs"`
	// Recipe is the rest of the training recipe (activation, Adam's learning rate and schedule,
	// batch size, weight decay); its widths, epochs and seed are replaced by the fields above.
	Recipe model.Config `json:"recipe"`
	// TrainLimit is the number of training samples (stratified subset; 0 = the whole split),
	// Selection the number of those whose activations select each neuron's denotations, and
	// TestSamples the number of test samples the selected denotations are judged on (stratified
	// subset; 0 = the whole split), all drawn with SubsetSeed.
	TrainLimit  int    `json:"train_limit"`
	Selection   int    `json:"selection"`
	TestSamples int    `json:"test_samples"`
	SubsetSeed  uint64 `json:"subset_seed"`
	// Tau is τ of the denotation definition. Denotations are validated: chosen on the selection
	// samples, counted when they hold on the test samples (denotation.Validate).
	Tau float64 `json:"tau"`
	// Bootstrap replicates (over networks within each depth) and their seed, the confidence
	// level of the intervals and the number of relative-depth bins (denotation.DepthOptions).
	Bootstrap     int     `json:"bootstrap"`
	BootstrapSeed uint64  `json:"bootstrap_seed"`
	Level         float64 `json:"level"`
	RelativeBins  int     `json:"relative_bins"`
	// Quick records whether this is the quick (CI) version.
	Quick bool `json:"quick"`
}

// DefaultDepthSetup returns the F4 setup for dataset: depths 3 and 6, width 128, seeds 1…5, the
// study recipe (StudyModel: PyTorch-default initialisation, Adam at a constant 0.001, 6 epochs)
// on the whole training split; denotations at τ = 0.95 selected on 10,000 training samples and
// judged on the whole test split; t intervals over networks at 95%; for the secondary
// relative-depth view 1000 bootstrap replicates and 5 bins. The seeds are sized for the
// per-network slope of the denoting count, the effect that carries the trend (see notebook 04).
// When Quick() is true it shrinks to depths 1…3, width 32, seeds 1 and 2, 2 epochs with
// batches of 64 on 5,000 training samples, selection on 2,000 of them, 1,000 test samples, 200
// bootstrap replicates (≈ 10 s).
func DefaultDepthSetup(dataset string) DepthSetup {
	return DefaultDepthSetupFor(dataset, Quick())
}

// DefaultDepthSetupFor is DefaultDepthSetup with the quick version chosen by quick instead of
// $DENOTATION_QUICK.
func DefaultDepthSetupFor(dataset string, quick bool) DepthSetup {
	s := DepthSetup{Dataset: dataset, Depths: []int{3, 6}, Width: 128, Seeds: []uint64{1, 2, 3, 4, 5}, Epochs: StudyModel().Epochs,
		Recipe: StudyModel(), Selection: 10000, SubsetSeed: 1, Tau: denotation.DefaultTau, Bootstrap: 1000, Level: 0.95, RelativeBins: 5}
	if quick {
		s.Quick = true
		s.Depths, s.Width, s.Seeds, s.Epochs = []int{1, 2, 3}, 32, []uint64{1, 2}, 2
		s.Recipe = s.Recipe.WithBatchSize(64)
		s.TrainLimit, s.Selection, s.TestSamples, s.Bootstrap = 5000, 2000, 1000, 200
	}
	return s
}

// Validate checks the setup before anything is loaded or trained.
func (s DepthSetup) Validate() error {
	if _, err := property.VocabularyFor(s.Dataset); err != nil {
		return err
	}
	if len(s.Depths) == 0 {
		return errors.New("depth setup: no depth given")
	}
	for i, d := range s.Depths {
		if d < 1 || d > MaxDepth {
			return fmt.Errorf("depth setup: depth %d is outside 1…%d", d, MaxDepth)
		}
		if slices.Contains(s.Depths[:i], d) {
			return fmt.Errorf("depth setup: depth %d is listed twice", d)
		}
	}
	if s.Width < 1 {
		return fmt.Errorf("depth setup: width %d: want ≥ 1", s.Width)
	}
	if len(s.Seeds) == 0 {
		return errors.New("depth setup: no seed given")
	}
	for i, x := range s.Seeds {
		if slices.Contains(s.Seeds[:i], x) {
			return fmt.Errorf("depth setup: seed %d is listed twice", x)
		}
	}
	if s.Epochs < 1 {
		return fmt.Errorf("depth setup: %d epochs: want ≥ 1", s.Epochs)
	}
	if s.TrainLimit < 0 || s.TestSamples < 0 {
		return fmt.Errorf("depth setup: sample counts must be ≥ 0 (train_limit %d, test_samples %d)", s.TrainLimit, s.TestSamples)
	}
	if !(s.Tau > 0.5 && s.Tau <= 1) {
		return fmt.Errorf("depth setup: tau %v is outside (0.5, 1]", s.Tau)
	}
	if s.Bootstrap < 0 || s.Selection < 0 {
		return fmt.Errorf("depth setup: bootstrap replicates (%d) and selection samples (%d) must be ≥ 0", s.Bootstrap, s.Selection)
	}
	if !(s.Level > 0 && s.Level < 1) {
		return fmt.Errorf("depth setup: confidence level %v is outside (0, 1)", s.Level)
	}
	if s.RelativeBins < 1 {
		return fmt.Errorf("depth setup: %d relative-depth bins: want ≥ 1", s.RelativeBins)
	}
	for _, d := range s.Depths {
		if err := s.ModelConfig(d, s.Seeds[0]).Validate(); err != nil {
			return err
		}
	}
	return nil
}

// ModelConfig is the configuration of the network of depth d trained with seed.
func (s DepthSetup) ModelConfig(d int, seed uint64) model.Config {
	w := make([]int, d)
	for i := range w {
		w[i] = s.Width
	}
	return s.Recipe.WithHidden(w...).WithEpochs(s.Epochs).WithSeed(seed)
}

// DepthOptions are the options of the analysis across depths.
func (s DepthSetup) DepthOptions() denotation.DepthOptions {
	return denotation.DepthOptions{RelativeBins: s.RelativeBins, Bootstrap: s.Bootstrap, Seed: s.BootstrapSeed,
		Level: s.Level}
}

// DepthModel is one network of the depth experiment (trained, or its untrained control).
type DepthModel struct {
	Name         string  `json:"name"`
	Depth        int     `json:"depth"`
	Seed         uint64  `json:"seed"`
	Untrained    bool    `json:"untrained"`
	Architecture string  `json:"architecture"`
	TestAccuracy float64 `json:"test_accuracy"`
	// Cached tells whether the trained model came from the run cache; TrainSeconds is the time its
	// training took when it was trained (whenever that was). Neither is marshalled, so that the
	// JSON of two runs with the same setup is the same.
	Cached       bool    `json:"-"`
	TrainSeconds float64 `json:"-"`
	// Neurons, Constant and Denoting count the scan's neurons (Denoting: with a validated
	// denotation); Selected counts those denoting on the selection samples.
	Neurons  int `json:"neurons"`
	Constant int `json:"constant"`
	Denoting int `json:"denoting"`
	Selected int `json:"selected"`
}

// DepthResult is F4: the label proportion of the sets single neurons denote, by layer and by
// relative depth, over networks of several depths and seeds, against untrained controls.
type DepthResult struct {
	Setup        DepthSetup `json:"setup"`
	TrainSamples int        `json:"train_samples"`
	TestSamples  int        `json:"test_samples"`
	// SelectionSamples is the number of training samples denotations were selected on.
	SelectionSamples int `json:"selection_samples"`
	// Networks is the primary analysis (its Networks in the order of Models): per-network summaries by layer ℓ within networks of depth
	// D, t intervals over networks, trained − untrained contrasts paired by (D, seed).
	Networks *denotation.NetworkReport `json:"networks"`
	// RelativeText interprets the secondary relative-depth view (Report, Headline).
	RelativeText string `json:"relative_interpretation"`
	// LayerCounts draws denoting neurons per network at each layer ℓ (t interval over networks),
	// one series per depth D, untrained controls dashed; LayerProportion the mean |S|/K of the
	// denoted sets per network at each layer; CountContrast the paired trained − untrained
	// difference of the count; FiringRate the layers' firing rates.
	LayerCounts     *plotting.Figure `json:"-"`
	LayerProportion *plotting.Figure `json:"-"`
	CountContrast   *plotting.Figure `json:"-"`
	FiringRate      *plotting.Figure `json:"-"`
	// Models lists every network: the trained ones (by depth, then seed), then their untrained
	// controls in the same order.
	Models []DepthModel `json:"models"`
	// Report is the analysis across depths (denotation.AnalyzeDepth).
	Report *denotation.DepthReport `json:"report"`
	// Headline holds the numbers the interpretation speaks of; Text is the interpretation
	// (see Interpretation).
	Headline DepthHeadline `json:"headline"`
	Text     string        `json:"interpretation"`
	// Seconds is the wall time of the whole experiment, TrainSeconds the part spent training
	// (zero for cached models), ScanSeconds the part spent scanning (not marshalled).
	Seconds      float64 `json:"-"`
	TrainSeconds float64 `json:"-"`
	ScanSeconds  float64 `json:"-"`
	// Notes explain figures that could not be drawn (e.g. no neuron denotes anything).
	Notes []string `json:"notes,omitempty"`
	// Runs are the scans, in the order of Models.
	Runs []denotation.Run `json:"-"`
	// Proportion draws the mean label proportion of the denoting neurons' smallest denoted sets against the
	// layer ℓ, one series per network depth D (bootstrap CI over networks), untrained controls
	// dashed; Relative draws the same against ℓ/D; Counts the mean number of denoting neurons per
	// network at each layer, one series per depth, and the untrained controls pooled.
	// BestProportion draws, like Proportion, the label proportion of every non-constant neuron's
	// best reading (the set it comes closest to denoting, denoting or not): denotation at τ can
	// be rare, this is defined for almost every neuron.
	Proportion     *plotting.Figure `json:"-"`
	Relative       *plotting.Figure `json:"-"`
	Counts         *plotting.Figure `json:"-"`
	BestProportion *plotting.Figure `json:"-"`
}

// LabelProportionVsDepth trains (or takes from the run cache) a network for every depth and seed
// of ds, builds the untrained control of each, scans every hidden neuron of all of them on the
// test split and aggregates the scans by layer and relative depth (denotation.AnalyzeDepth).
// Training progress goes to opts.Progress (nil: model.AutoProgress()).
func LabelProportionVsDepth(ds DepthSetup, opts *PrepareOptions) (*DepthResult, error) {
	start := time.Now()
	opts = opts.orDefault()
	data, err := loadData(ds.Validate, ds.Dataset, ds.TrainLimit, ds.TestSamples, ds.SubsetSeed)
	if err != nil {
		return nil, err
	}
	return cachedResult(opts.CacheDir, "depth", []any{ds, dataFingerprint(data)},
		func() (*DepthResult, error) { return depthOn(ds, data, opts, start) }, (*DepthResult).redraw)
}

// redraw rebuilds the figures, notes and texts of a result read from the results cache; its
// trained models count as cached (nothing was trained).
func (r *DepthResult) redraw() error {
	r.Notes = nil
	for i := range r.Models {
		r.Models[i].Cached = !r.Models[i].Untrained
	}
	r.Text = networkText(r.Setup, r)
	r.RelativeText = r.Headline.Text()
	if err := r.drawFigures(); err != nil {
		return err
	}
	return r.drawNetworkFigures()
}

// depthOn runs the depth experiment on loaded data.
func depthOn(ds DepthSetup, data *datasets.Dataset, opts *PrepareOptions, start time.Time) (*DepthResult, error) {
	progress := opts.Progress
	if progress == nil {
		progress = model.AutoProgress()
	}
	res := &DepthResult{Setup: ds, TrainSamples: data.Train.Len(), TestSamples: data.Test.Len()}
	sel := selectionSplit(data.Train, ds.Selection, ds.SubsetSeed)
	res.SelectionSamples = sel.Len()
	// measure records m's validated scan and firing rates into dm.
	measure := func(m *model.Model, dm *DepthModel) (*denotation.Result, []float64, error) {
		obs, err := observe(m, sel, data.Test)
		if err != nil {
			return nil, nil, err
		}
		t0 := time.Now()
		r, selScan, err := validatedScan(obs.Sel, obs.Test, ds.Tau)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", dm.Name, err)
		}
		res.ScanSeconds += time.Since(t0).Seconds()
		dm.Selected = selScan.NumDenoting()
		dm.Neurons, dm.Constant, dm.Denoting = r.Counts(0)
		return r, FiringRates(obs.Test), nil
	}
	var trained, controls []DepthModel
	var runs, ctlRuns []denotation.Run
	var nets, ctlNets []denotation.NetworkRun
	for _, d := range ds.Depths {
		for _, seed := range ds.Seeds {
			if opts.Context != nil && opts.Context.Err() != nil {
				return nil, fmt.Errorf("depth study: stopped before depth %d seed %d: %w", d, seed, opts.Context.Err())
			}
			cfg := ds.ModelConfig(d, seed)
			m, dm, err := trainDepthModel(data, cfg, d, seed, &model.TrainOptions{Progress: progress, CacheDir: opts.CacheDir, Context: opts.Context})
			if err != nil {
				return nil, err
			}
			if !dm.Cached {
				res.TrainSeconds += dm.TrainSeconds
			}
			r, fire, err := measure(m, &dm)
			if err != nil {
				return nil, err
			}
			trained = append(trained, dm)
			runs = append(runs, denotation.Run{Name: dm.Name, Seed: seed, Result: r})
			nets = append(nets, denotation.NetworkRun{Name: dm.Name, Depth: d, Seed: seed, Result: r, FiringRate: fire})

			u, um, err := untrainedDepthModel(data, cfg, dm)
			if err != nil {
				return nil, err
			}
			if r, fire, err = measure(u, &um); err != nil {
				return nil, err
			}
			controls = append(controls, um)
			ctlRuns = append(ctlRuns, denotation.Run{Name: um.Name, Seed: seed, Untrained: true, Result: r})
			ctlNets = append(ctlNets, denotation.NetworkRun{Name: um.Name, Depth: d, Seed: seed, Untrained: true, Result: r, FiringRate: fire})
		}
	}
	res.Models = append(trained, controls...)
	res.Runs = append(runs, ctlRuns...)
	var err error
	if res.Networks, err = denotation.AnalyzeNetworks(append(nets, ctlNets...), ds.Level); err != nil {
		return nil, err
	}
	if res.Report, err = denotation.AnalyzeDepth(res.Runs, ds.DepthOptions()); err != nil {
		return nil, err
	}
	res.Headline = res.computeHeadline()
	res.Text = networkText(ds, res)
	res.RelativeText = res.Headline.Text()
	if err := res.drawFigures(); err != nil {
		return nil, err
	}
	if err := res.drawNetworkFigures(); err != nil {
		return nil, err
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// trainDepthModel trains (or takes from the run cache) the network of depth d and seed seed,
// configured by cfg, and describes it with its training time and test accuracy.
func trainDepthModel(data *datasets.Dataset, cfg model.Config, d int, seed uint64, topts *model.TrainOptions) (*model.Model, DepthModel, error) {
	m, cached, err := model.TrainCached(data, cfg, topts)
	if err != nil {
		return nil, DepthModel{}, fmt.Errorf("depth %d seed %d: %w", d, seed, err)
	}
	dm := DepthModel{Name: fmt.Sprintf("D%d-s%d", d, seed), Depth: d, Seed: seed, Architecture: m.Architecture(), Cached: cached}
	for _, e := range m.Info.History {
		dm.TrainSeconds += e.Seconds
	}
	if m.Info.TestSamples == data.Test.Len() {
		dm.TestAccuracy = m.Info.TestAccuracy
	} else {
		ev, err := m.Evaluate(data.Test)
		if err != nil {
			return nil, DepthModel{}, err
		}
		dm.TestAccuracy = ev.Accuracy
	}
	return m, dm, nil
}

// untrainedDepthModel builds the untrained control of the trained network dm (configuration cfg)
// and describes it with its test accuracy.
func untrainedDepthModel(data *datasets.Dataset, cfg model.Config, dm DepthModel) (*model.Model, DepthModel, error) {
	u, err := model.NewUntrained(cfg, data.Train.Features(), data.NumClasses())
	if err != nil {
		return nil, DepthModel{}, err
	}
	um := DepthModel{Name: dm.Name + "-untrained", Depth: dm.Depth, Seed: dm.Seed, Untrained: true, Architecture: u.Architecture()}
	ev, err := u.Evaluate(data.Test)
	if err != nil {
		return nil, DepthModel{}, err
	}
	um.TestAccuracy = ev.Accuracy
	return u, um, nil
}

// Interpretation returns the generated interpretation: the per-network analysis (Text), then the
// secondary relative-depth view (RelativeText). Every number in it is computed from the result.
func (r *DepthResult) Interpretation() string {
	return r.Text + " " + r.RelativeText
}

// CellFigures are the figures of the secondary, pooled view of a depth study: cells of the
// denotation.DepthReport pooled over the networks of each depth.
type CellFigures struct {
	// Proportion and Relative draw the mean |S|/K of the denoted sets against ℓ and against ℓ/D
	// (nil when nothing denotes), Best that of every neuron's best reading, Counts the mean number
	// of denoting neurons per network at each layer.
	Proportion, Relative, Best, Counts *plotting.Figure
	// Notes say why a figure is missing.
	Notes []string
}

// DrawCellFigures draws the pooled view of rep for the given depths; withCI adds the report's
// bootstrap intervals (at level); the untrained controls, when rep has any, are drawn dashed and,
// pooled over depths, in the counts.
func DrawCellFigures(rep *denotation.DepthReport, depths []int, withCI bool, level float64, suffix string) (*CellFigures, error) {
	series := func(best bool) []plotting.ProportionSeries {
		var out []plotting.ProportionSeries
		for _, untrained := range []bool{false, true} {
			for _, d := range depths {
				ps := plotting.ProportionSeries{Name: fmt.Sprintf("D = %d", d), Depth: d, Control: untrained}
				if untrained {
					ps.Name += ", untrained"
				}
				for _, c := range rep.Layers {
					sum := c.Denoted
					if best {
						sum = c.Best
					}
					if c.Untrained != untrained || c.Depth != d || sum.N == 0 || !sum.Mean.Defined() {
						continue
					}
					// Bounds outside the mean (a percentile interval need not contain the point
					// estimate) are clamped to it; an undefined bound is the mean.
					m := float64(sum.Mean)
					ps.Layers = append(ps.Layers, c.Layer)
					ps.Mean = append(ps.Mean, m)
					if withCI {
						lo, hi := m, m
						if sum.CILow.Defined() {
							lo = math.Min(float64(sum.CILow), m)
						}
						if sum.CIHigh.Defined() {
							hi = math.Max(float64(sum.CIHigh), m)
						}
						ps.Low, ps.High = append(ps.Low, lo), append(ps.High, hi)
					}
				}
				if len(ps.Layers) > 0 {
					out = append(out, ps)
				}
			}
		}
		return out
	}
	ci := ""
	if withCI {
		ci = fmt.Sprintf(", %g%% CI over networks", 100*level)
	}
	out := &CellFigures{}
	var err error
	if den := series(false); len(den) == 0 {
		out.Notes = append(out.Notes, "no neuron of any network denotes a label set: the label-proportion figures are not drawn")
	} else {
		if out.Proportion, err = plotting.LabelProportion(den, plotting.ProportionOptions{
			Title: fmt.Sprintf("|S|/K of denoted sets by layer (τ = %g%s)", rep.Tau, ci)}); err != nil {
			return nil, err
		}
		if out.Relative, err = plotting.LabelProportion(den, plotting.ProportionOptions{Relative: true,
			Title: fmt.Sprintf("|S|/K of denoted sets by relative depth (τ = %g%s)", rep.Tau, ci)}); err != nil {
			return nil, err
		}
	}
	if best := series(true); len(best) > 0 {
		if out.Best, err = plotting.LabelProportion(best, plotting.ProportionOptions{
			Title: fmt.Sprintf("|S|/K of every neuron's best property by layer%s", ci)}); err != nil {
			return nil, err
		}
	}
	var counts []plotting.CountSeries
	maxD := slices.Max(depths)
	for _, d := range depths {
		cs := plotting.CountSeries{Name: fmt.Sprintf("D = %d", d), Counts: make([]float64, d)}
		for _, c := range rep.Layers {
			if !c.Untrained && c.Depth == d && c.Layers > 0 {
				cs.Counts[c.Layer-1] = float64(c.Denoting) / float64(c.Layers)
			}
		}
		counts = append(counts, cs)
	}
	den, inst := make([]int, maxD), make([]int, maxD)
	for _, c := range rep.Layers {
		if c.Untrained {
			den[c.Layer-1] += c.Denoting
			inst[c.Layer-1] += c.Layers
		}
	}
	if slices.Max(inst) > 0 {
		ctl := plotting.CountSeries{Name: "untrained (all depths)", Counts: make([]float64, maxD), Control: true}
		for l := range ctl.Counts {
			if inst[l] > 0 {
				ctl.Counts[l] = float64(den[l]) / float64(inst[l])
			}
		}
		counts = append(counts, ctl)
	}
	if out.Counts, err = plotting.DenotationCounts(fmt.Sprintf("Denoting neurons per network at each layer (%sτ = %g)", suffix, rep.Tau), counts...); err != nil {
		return nil, err
	}
	return out, nil
}

// drawFigures draws the pooled (secondary) figures of the result.
func (r *DepthResult) drawFigures() error {
	f, err := DrawCellFigures(r.Report, r.Setup.Depths, r.Setup.Bootstrap > 0, r.Setup.Level, fmt.Sprintf("width %d, ", r.Setup.Width))
	if err != nil {
		return err
	}
	r.Proportion, r.Relative, r.BestProportion, r.Counts = f.Proportion, f.Relative, f.Best, f.Counts
	r.Notes = append(r.Notes, f.Notes...)
	return nil
}

// DepthHeadline holds the numbers of the depth experiment that its interpretation speaks of, all
// computed from the result.
type DepthHeadline struct {
	Dataset string  `json:"dataset"`
	Tau     float64 `json:"tau"`
	Width   int     `json:"width"`
	Depths  []int   `json:"depths"`
	// TrainedRuns and UntrainedRuns are the numbers of networks; MinAccuracy and MaxAccuracy the
	// range of the trained networks' test accuracy.
	TrainedRuns   int     `json:"trained_runs"`
	UntrainedRuns int     `json:"untrained_runs"`
	MinAccuracy   float64 `json:"min_accuracy"`
	MaxAccuracy   float64 `json:"max_accuracy"`
	// Neurons and Denoting count the hidden neurons of the trained networks and those that
	// denote; UntrainedNeurons and UntrainedDenoting the same for the controls.
	Neurons           int `json:"neurons"`
	Denoting          int `json:"denoting"`
	UntrainedNeurons  int `json:"untrained_neurons"`
	UntrainedDenoting int `json:"untrained_denoting"`
	// MeanProportion is the mean label proportion of the trained networks' denoting neurons'
	// smallest denoted sets, UntrainedMeanProportion the same for the controls.
	MeanProportion          denotation.Num `json:"mean_proportion"`
	UntrainedMeanProportion denotation.Num `json:"untrained_mean_proportion"`
	// FirstLayer and LastLayer pool the denoting neurons of the first (ℓ = 1) and of the last
	// (ℓ = D) hidden layer of the trained networks with MinDepthCompared ≤ D (2 when a depth ≥ 2 is
	// in the setup, so that the two layers differ; else 1): mean label proportion and count.
	MinDepthCompared int            `json:"min_depth_compared"`
	FirstLayerMean   denotation.Num `json:"first_layer_mean"`
	FirstLayerN      int            `json:"first_layer_n"`
	LastLayerMean    denotation.Num `json:"last_layer_mean"`
	LastLayerN       int            `json:"last_layer_n"`
	// Trend is the report's trend of the denoted sets' label proportion with ℓ/D over the trained
	// networks, BestTrend that of every neuron's best reading, UntrainedTrend and
	// UntrainedBestTrend the controls' (nil where the report has none).
	Trend              *denotation.Trend `json:"trend"`
	BestTrend          *denotation.Trend `json:"best_trend"`
	UntrainedTrend     *denotation.Trend `json:"untrained_trend"`
	UntrainedBestTrend *denotation.Trend `json:"untrained_best_trend"`
	Level              float64           `json:"level"`
}

func findTrend(rep *denotation.DepthReport, untrained bool, measure string) *denotation.Trend {
	for i := range rep.Trends {
		if t := &rep.Trends[i]; t.Untrained == untrained && t.Measure == measure {
			c := *t
			return &c
		}
	}
	return nil
}

// computeHeadline computes the headline numbers from the report and the models.
func (r *DepthResult) computeHeadline() DepthHeadline {
	rep := r.Report
	h := DepthHeadline{Dataset: r.Setup.Dataset, Tau: rep.Tau, Width: r.Setup.Width, Depths: slices.Clone(r.Setup.Depths),
		MeanProportion: denotation.NaN, UntrainedMeanProportion: denotation.NaN, FirstLayerMean: denotation.NaN,
		LastLayerMean: denotation.NaN, Level: r.Setup.Level, MinAccuracy: math.NaN(), MaxAccuracy: math.NaN(),
		Trend: findTrend(rep, false, "denoted"), BestTrend: findTrend(rep, false, "best"),
		UntrainedTrend: findTrend(rep, true, "denoted"), UntrainedBestTrend: findTrend(rep, true, "best")}
	for _, m := range r.Models {
		if m.Untrained {
			h.UntrainedRuns++
			h.UntrainedNeurons += m.Neurons
			h.UntrainedDenoting += m.Denoting
			continue
		}
		h.TrainedRuns++
		h.Neurons += m.Neurons
		h.Denoting += m.Denoting
		if h.TrainedRuns == 1 {
			h.MinAccuracy, h.MaxAccuracy = m.TestAccuracy, m.TestAccuracy
		}
		h.MinAccuracy, h.MaxAccuracy = math.Min(h.MinAccuracy, m.TestAccuracy), math.Max(h.MaxAccuracy, m.TestAccuracy)
	}
	k := rep.NumClasses
	h.MinDepthCompared = 1
	if slices.Max(r.Setup.Depths) >= 2 {
		h.MinDepthCompared = 2
	}
	var all, allU, first, last []int
	for _, c := range rep.Layers {
		switch {
		case c.Untrained:
			allU = addHist(allU, c.Denoted.Histogram)
		default:
			all = addHist(all, c.Denoted.Histogram)
			if c.Depth >= h.MinDepthCompared && c.Layer == 1 {
				first = addHist(first, c.Denoted.Histogram)
			}
			if c.Depth >= h.MinDepthCompared && c.Layer == c.Depth {
				last = addHist(last, c.Denoted.Histogram)
			}
		}
	}
	h.MeanProportion = denotation.SummarizeProportions(all, k).Mean
	h.UntrainedMeanProportion = denotation.SummarizeProportions(allU, k).Mean
	fs, ls := denotation.SummarizeProportions(first, k), denotation.SummarizeProportions(last, k)
	h.FirstLayerMean, h.FirstLayerN = fs.Mean, fs.N
	h.LastLayerMean, h.LastLayerN = ls.Mean, ls.N
	return h
}

func addHist(acc, h []int) []int {
	if acc == nil {
		acc = make([]int, len(h))
	}
	for i, x := range h {
		acc[i] += x
	}
	return acc
}

// f3 formats a number with three decimals, "undefined" when it is not.
func f3(x denotation.Num) string {
	if !x.Defined() {
		return "undefined"
	}
	if math.Abs(float64(x)) < 0.0005 {
		x = 0 // no "-0.000" for a rounding residue
	}
	return fmt.Sprintf("%.3f", float64(x))
}

func pct(a, b int) string {
	if b == 0 {
		return "undefined"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}

// trendWords describes a trend: its Spearman correlation and slope with their intervals, and
// whether the interval of the slope excludes zero.
func trendWords(t *denotation.Trend, level float64) string {
	if t == nil || !t.Spearman.Defined() {
		return "no measurable trend (too few denoting neurons, or a single relative depth)"
	}
	s := fmt.Sprintf("Spearman ρ = %s", f3(t.Spearman))
	hasCI := t.SpearmanCILow.Defined() && t.SpearmanCIHigh.Defined()
	if hasCI {
		s += fmt.Sprintf(" (%g%% CI %s to %s)", 100*level, f3(t.SpearmanCILow), f3(t.SpearmanCIHigh))
	}
	s += fmt.Sprintf(" and least-squares slope %s per unit of relative depth", f3(t.Slope))
	slopeCI := t.SlopeCILow.Defined() && t.SlopeCIHigh.Defined()
	if slopeCI {
		s += fmt.Sprintf(" (%g%% CI %s to %s)", 100*level, f3(t.SlopeCILow), f3(t.SlopeCIHigh))
	}
	switch {
	case !slopeCI:
		s += " (no bootstrap interval, so no claim of a trend)"
	case t.SlopeCILow > 0:
		s += ": the label proportion rises with relative depth"
	case t.SlopeCIHigh < 0:
		s += ": the label proportion falls with relative depth"
	default:
		s += ": the interval includes zero, so no trend is established at this number of networks"
	}
	return s
}

// Text writes the interpretation of the headline numbers: a few sentences, every number in them
// taken from h.
func (h DepthHeadline) Text() string {
	var b strings.Builder
	depths := fmt.Sprint(h.Depths[0])
	if len(h.Depths) > 1 {
		depths = fmt.Sprintf("%d–%d", slices.Min(h.Depths), slices.Max(h.Depths))
	}
	fmt.Fprintf(&b, "On %s, %d trained networks (depths %s, width %d; test accuracy %.4f to %.4f) have %d hidden neurons, "+
		"of which %d (%s) denote a label set at τ = %g; the mean label proportion |S|/K of their properties is %s.",
		h.Dataset, h.TrainedRuns, depths, h.Width, h.MinAccuracy, h.MaxAccuracy, h.Neurons, h.Denoting,
		pct(h.Denoting, h.Neurons), h.Tau, f3(h.MeanProportion))
	which := "networks with D ≥ 2"
	if h.MinDepthCompared == 1 {
		which = "D = 1 only: the first and last layer are the same"
	}
	layerWords := func(name string, mean denotation.Num, n int) string {
		if n == 0 {
			return fmt.Sprintf("no neuron of the %s hidden layer denotes", name)
		}
		return fmt.Sprintf("in the %s hidden layer it is %s (%d denoting neurons)", name, f3(mean), n)
	}
	fmt.Fprintf(&b, " By position (%s): %s; %s.", which, layerWords("first", h.FirstLayerMean, h.FirstLayerN),
		layerWords("last", h.LastLayerMean, h.LastLayerN))
	fmt.Fprintf(&b, " Against relative depth ℓ/D, the label proportion of the denoted sets has %s.", trendWords(h.Trend, h.Level))
	if h.BestTrend != nil && h.BestTrend.Spearman.Defined() {
		fmt.Fprintf(&b, " Over every non-constant neuron's best property (the set it comes closest to denoting, denoting or not), it has %s.",
			trendWords(h.BestTrend, h.Level))
	}
	if h.UntrainedDenoting == 0 {
		fmt.Fprintf(&b, " In the untrained controls of the same architectures none of the %d neurons denotes", h.UntrainedNeurons)
	} else {
		fmt.Fprintf(&b, " In the untrained controls of the same architectures %d of %d neurons (%s) denote, with mean label proportion %s",
			h.UntrainedDenoting, h.UntrainedNeurons, pct(h.UntrainedDenoting, h.UntrainedNeurons), f3(h.UntrainedMeanProportion))
	}
	if h.UntrainedBestTrend != nil && h.UntrainedBestTrend.Spearman.Defined() {
		fmt.Fprintf(&b, "; their best properties' label proportion has Spearman ρ = %s", f3(h.UntrainedBestTrend.Spearman))
		if h.UntrainedBestTrend.SpearmanCILow.Defined() && h.UntrainedBestTrend.SpearmanCIHigh.Defined() {
			fmt.Fprintf(&b, " (%g%% CI %s to %s)", 100*h.Level, f3(h.UntrainedBestTrend.SpearmanCILow), f3(h.UntrainedBestTrend.SpearmanCIHigh))
		}
		b.WriteString(" with relative depth")
	}
	b.WriteString(".")
	return b.String()
}
