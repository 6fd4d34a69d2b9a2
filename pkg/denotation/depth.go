package denotation

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Run is the scan of one object model with what identifies it in an analysis across models.
type Run struct {
	// Name identifies the model (e.g. its folder).
	Name string `json:"name"`
	// Seed is the model's training (or initialisation) seed.
	Seed uint64 `json:"seed"`
	// Untrained marks a control: the same architecture, not trained.
	Untrained bool `json:"untrained"`
	// Result is the model's scan.
	Result *Result `json:"-"`
}

// DepthOptions configures AnalyzeDepth.
type DepthOptions struct {
	// RelativeBins is the number B of relative-depth bins: bin b covers (b/B, (b+1)/B].
	RelativeBins int `json:"relative_bins"`
	// Bootstrap is the number of bootstrap replicates (0: no confidence intervals).
	Bootstrap int `json:"bootstrap"`
	// Seed seeds the bootstrap: rand.New(rand.NewPCG(Seed, 0x64657074)).
	Seed uint64 `json:"seed"`
	// Level is the confidence level of the intervals, in (0, 1).
	Level float64 `json:"level"`
	// MaxQ, when > 0, counts only denotations with a q-value ≤ MaxQ (the runs must have been
	// scanned with permutations); 0 counts every denotation.
	MaxQ float64 `json:"max_q"`
}

// DefaultDepthOptions returns 5 bins, 1000 replicates, seed 0, level 0.95, no q filter.
func DefaultDepthOptions() DepthOptions {
	return DepthOptions{RelativeBins: 5, Bootstrap: 1000, Level: 0.95}
}

func (o *DepthOptions) validate() error {
	if o.RelativeBins < 1 {
		return fmt.Errorf("denotation: %d relative-depth bins: need at least 1", o.RelativeBins)
	}
	if o.Bootstrap < 0 {
		return fmt.Errorf("denotation: %d bootstrap replicates: must be ≥ 0", o.Bootstrap)
	}
	if !(o.Level > 0 && o.Level < 1) {
		return fmt.Errorf("denotation: confidence level %v is outside (0, 1)", o.Level)
	}
	if !(o.MaxQ >= 0 && o.MaxQ <= 1) {
		return fmt.Errorf("denotation: q level %v is outside [0, 1]", o.MaxQ)
	}
	return nil
}

// RunInfo describes one run of an analysis.
type RunInfo struct {
	Name      string `json:"name"`
	Seed      uint64 `json:"seed"`
	Untrained bool   `json:"untrained"`
	Depth     int    `json:"depth"`
	Neurons   int    `json:"neurons"`
	Denoting  int    `json:"denoting"`
}

// DepthCell aggregates the neurons of one layer position over the runs of one depth (a layer
// cell: Depth = D, Layer = ℓ), or of one relative-depth bin over all depths (a bin cell:
// Depth = Layer = 0), for trained models or for untrained controls.
type DepthCell struct {
	Untrained bool `json:"untrained"`
	Depth     int  `json:"depth"`
	Layer     int  `json:"layer"`
	// RelativeDepth is ℓ/D for a layer cell, the bin's centre for a bin cell; the cell covers
	// relative depths in (BinLow, BinHigh] (BinLow = BinHigh = ℓ/D for a layer cell).
	RelativeDepth float64 `json:"relative_depth"`
	BinLow        float64 `json:"bin_low"`
	BinHigh       float64 `json:"bin_high"`
	// Runs is the number of runs contributing; Layers the number of (run, layer) instances.
	Runs   int `json:"runs"`
	Layers int `json:"layers"`
	// Neurons, Constant and Denoting are totals over the instances.
	Neurons  int `json:"neurons"`
	Constant int `json:"constant"`
	Denoting int `json:"denoting"`
	// DenotingFraction is Denoting/Neurons with its bootstrap interval.
	DenotingFraction       Num `json:"denoting_fraction"`
	DenotingFractionCILow  Num `json:"denoting_fraction_ci_low"`
	DenotingFractionCIHigh Num `json:"denoting_fraction_ci_high"`
	// DenotingPerLayer summarises the number of denoting neurons per (run, layer) instance (per
	// run for a layer cell).
	DenotingPerLayer Summary `json:"denoting_per_layer"`
	// Denoted summarises the label proportions |S|/K of the denoting neurons' smallest denoted
	// sets.
	Denoted Summary `json:"denoted"`
	// Best summarises the label proportions of the best reading of every non-constant neuron.
	Best Summary `json:"best"`
}

// Trend measures how a quantity changes with relative depth ℓ/D over every neuron of the
// trained runs (or of the untrained controls).
type Trend struct {
	Untrained bool `json:"untrained"`
	// Measure is "denoted" (label proportion of denoting neurons' smallest denoted sets), "best" (label
	// proportion of every non-constant neuron's best reading) or "denoting" (1 if the neuron
	// denotes, else 0, over all neurons).
	Measure string `json:"measure"`
	Runs    int    `json:"runs"`
	// N is the number of neurons (observations).
	N int `json:"n"`
	// Spearman is the rank correlation (ties averaged) of the measure with ℓ/D.
	Spearman       Num `json:"spearman"`
	SpearmanCILow  Num `json:"spearman_ci_low"`
	SpearmanCIHigh Num `json:"spearman_ci_high"`
	// Slope and Intercept are the least-squares line measure = Intercept + Slope·(ℓ/D).
	Slope       Num `json:"slope"`
	SlopeCILow  Num `json:"slope_ci_low"`
	SlopeCIHigh Num `json:"slope_ci_high"`
	Intercept   Num `json:"intercept"`
	// Replicates is the number of bootstrap replicates with a defined Spearman correlation.
	Replicates int `json:"replicates"`
}

// DepthReport is the depth analysis (finding F4): where in a network the denoting neurons are
// and how general the sets they denote are.
type DepthReport struct {
	NumClasses int          `json:"num_classes"`
	Tau        float64      `json:"tau"`
	Options    DepthOptions `json:"options"`
	Runs       []RunInfo    `json:"runs"`
	Layers     []DepthCell  `json:"layers"`
	Bins       []DepthCell  `json:"bins"`
	Trends     []Trend      `json:"trends"`
}

// layerStats are the counts of one layer of one run.
type layerStats struct {
	neurons, constant, denoting int
	den, best                   []int // histograms of |S| (index k−1)
}

// member is one (run, layer) instance of a cell.
type member struct{ run, layer int }

// cellAgg accumulates weighted instances.
type cellAgg struct {
	den, best                []float64
	neurons, denoting, insts float64
}

func newCellAgg(k int) *cellAgg {
	return &cellAgg{den: make([]float64, k-1), best: make([]float64, k-1)}
}

func (c *cellAgg) add(s *layerStats, w float64) {
	for i := range s.den {
		c.den[i] += w * float64(s.den[i])
		c.best[i] += w * float64(s.best[i])
	}
	c.neurons += w * float64(s.neurons)
	c.denoting += w * float64(s.denoting)
	c.insts += w
}

func histMean(h []float64, k int) float64 {
	n, s := 0.0, 0.0
	for i, x := range h {
		n += x
		s += x * float64(i+1)
	}
	if n == 0 {
		return math.NaN()
	}
	return s / (n * float64(k))
}

// runLayerStats computes the per-layer counts of one scan.
func runLayerStats(res *Result, maxQ float64) []layerStats {
	k := res.NumClasses
	out := make([]layerStats, len(res.Layers))
	for li := range out {
		out[li].den, out[li].best = make([]int, k-1), make([]int, k-1)
	}
	for li, nr := range res.Neurons() {
		s := &out[li]
		s.neurons++
		if nr.Constant {
			s.constant++
			continue
		}
		if nr.Best != nil {
			s.best[nr.Best.Labels.Len()-1]++
		}
		if d, ok := nr.SmallestDenotationAt(maxQ); ok {
			s.denoting++
			s.den[d.Labels.Len()-1]++
		}
	}
	return out
}

// checkRuns validates runs for an analysis across models and returns K and τ.
func checkRuns(runs []Run, maxQ float64) (k int, tau float64, err error) {
	if len(runs) == 0 {
		return 0, 0, errors.New("denotation: no runs")
	}
	for i, r := range runs {
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i)
		}
		if r.Result == nil {
			return 0, 0, fmt.Errorf("denotation: run %s has no scan result", name)
		}
		res := r.Result
		if res.NumClasses < 2 || len(res.ClassCounts) != res.NumClasses {
			return 0, 0, fmt.Errorf("denotation: run %s: scan has %d classes", name, res.NumClasses)
		}
		if len(res.Layers) == 0 || res.Depth != len(res.Layers) {
			return 0, 0, fmt.Errorf("denotation: run %s: depth %d but %d layers", name, res.Depth, len(res.Layers))
		}
		for li := range res.Layers {
			if res.Layers[li].Layer != li+1 || len(res.Layers[li].Neurons) != res.Layers[li].Width {
				return 0, 0, fmt.Errorf("denotation: run %s: layer at position %d is numbered %d with %d neurons for width %d",
					name, li, res.Layers[li].Layer, len(res.Layers[li].Neurons), res.Layers[li].Width)
			}
		}
		if maxQ > 0 && res.Permutations == 0 {
			return 0, 0, fmt.Errorf("denotation: run %s was scanned without permutations: no q-values to filter at %v", name, maxQ)
		}
		if i == 0 {
			k, tau = res.NumClasses, res.Tau
			continue
		}
		if res.NumClasses != k {
			return 0, 0, fmt.Errorf("denotation: run %s has %d classes, run %s has %d", name, res.NumClasses, runs[0].Name, k)
		}
		if res.Tau != tau {
			return 0, 0, fmt.Errorf("denotation: run %s was scanned at tau %v, run %s at %v", name, res.Tau, runs[0].Name, tau)
		}
	}
	return k, tau, nil
}

// relBin is the relative-depth bin of layer ℓ of D: ⌈ℓB/D⌉ − 1, computed exactly.
func relBin(l, d, bins int) int { return (l*bins+d-1)/d - 1 }

type stratumKey struct {
	untrained bool
	depth     int
}

// AnalyzeDepth aggregates the scans of models of several depths (D = 1 … 6 hidden layers, a few
// seeds each, optionally untrained controls) by layer (D, ℓ) and by relative depth ℓ/D:
// the number and fraction of denoting neurons and the label proportions of their smallest
// denoted sets (mean, median, full distribution, bootstrap CI of the mean), the same for every
// neuron's best reading, and the trend of each with relative depth (Spearman correlation and least-squares
// slope with bootstrap CIs).
//
// The bootstrap resamples networks, not neurons: neurons of one network share its training and
// are not independent observations, so each replicate draws, within every (trained/untrained,
// D) group, as many runs as the group has, with replacement, and pools all their neurons. With
// 3 seeds per depth the intervals are coarse, which is honest: they describe the variation a new
// seed would bring. Everything depends only on the runs' order and opt.Seed.
func AnalyzeDepth(runs []Run, opt DepthOptions) (*DepthReport, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	k, tau, err := checkRuns(runs, opt.MaxQ)
	if err != nil {
		return nil, err
	}
	a := newDepthAnalysis(runs, k, opt.MaxQ)
	rep := &DepthReport{NumClasses: k, Tau: tau, Options: opt, Runs: a.runInfos()}
	cells := a.layerCells()
	nLayerCells := len(cells)
	cells = append(cells, a.binCells(opt.RelativeBins)...)
	trends := a.trendDefs()
	for ci := range cells {
		a.observeCell(&cells[ci])
	}
	ones := make([]float64, len(runs))
	for i := range ones {
		ones[i] = 1
	}
	for ti := range trends {
		a.observeTrend(&trends[ti], ones)
	}
	if opt.Bootstrap > 0 {
		a.bootstrap(cells, trends, opt)
	}
	for ci := range cells {
		if ci < nLayerCells {
			rep.Layers = append(rep.Layers, cells[ci].cell)
		} else {
			rep.Bins = append(rep.Bins, cells[ci].cell)
		}
	}
	for ti := range trends {
		rep.Trends = append(rep.Trends, trends[ti].trend)
	}
	return rep, nil
}

// depthAnalysis holds what AnalyzeDepth derives from its runs: each run's per-layer counts, the
// runs of every (trained/untrained, D) stratum, the strata in order (trained first, then by D),
// and the relative-depth levels ℓ/D that occur.
type depthAnalysis struct {
	runs   []Run
	k      int
	stats  [][]layerStats
	strata map[stratumKey][]int
	keys   []stratumKey
	xs     []float64
}

// depthCellDef is a cell of the analysis with the (run, layer) instances it aggregates.
type depthCellDef struct {
	cell    DepthCell
	members []member
}

// trendDef is a trend of the analysis with the (run, layer) instances it is measured over.
type trendDef struct {
	trend   Trend
	members []member
}

func newDepthAnalysis(runs []Run, k int, maxQ float64) *depthAnalysis {
	a := &depthAnalysis{runs: runs, k: k, stats: make([][]layerStats, len(runs)), strata: map[stratumKey][]int{}}
	for i, r := range runs {
		a.stats[i] = runLayerStats(r.Result, maxQ)
		key := stratumKey{r.Untrained, r.Result.Depth}
		a.strata[key] = append(a.strata[key], i)
	}
	for key := range a.strata {
		a.keys = append(a.keys, key)
	}
	slices.SortFunc(a.keys, func(x, y stratumKey) int {
		if x.untrained != y.untrained {
			if x.untrained {
				return 1
			}
			return -1
		}
		return x.depth - y.depth
	})
	for _, key := range a.keys {
		for l := 1; l <= key.depth; l++ {
			a.xs = append(a.xs, float64(l)/float64(key.depth))
		}
	}
	slices.Sort(a.xs)
	a.xs = slices.Compact(a.xs)
	return a
}

// runInfos describes every run with its neuron and denoting counts.
func (a *depthAnalysis) runInfos() []RunInfo {
	var out []RunInfo
	for i, r := range a.runs {
		info := RunInfo{Name: r.Name, Seed: r.Seed, Untrained: r.Untrained, Depth: r.Result.Depth}
		for _, s := range a.stats[i] {
			info.Neurons += s.neurons
			info.Denoting += s.denoting
		}
		out = append(out, info)
	}
	return out
}

// layerCells returns one cell per (stratum, layer ℓ), with layer ℓ of every run of the stratum.
func (a *depthAnalysis) layerCells() []depthCellDef {
	var cells []depthCellDef
	for _, key := range a.keys {
		for l := 1; l <= key.depth; l++ {
			c := depthCellDef{cell: DepthCell{Untrained: key.untrained, Depth: key.depth, Layer: l}}
			r := float64(l) / float64(key.depth)
			c.cell.RelativeDepth, c.cell.BinLow, c.cell.BinHigh = r, r, r
			for _, ri := range a.strata[key] {
				c.members = append(c.members, member{ri, l - 1})
			}
			cells = append(cells, c)
		}
	}
	return cells
}

// binCells returns one cell per (trained/untrained, relative-depth bin) that holds any layer,
// trained first.
func (a *depthAnalysis) binCells(bins int) []depthCellDef {
	var cells []depthCellDef
	for _, untrained := range []bool{false, true} {
		for b := range bins {
			c := depthCellDef{cell: DepthCell{Untrained: untrained}}
			c.cell.BinLow = float64(b) / float64(bins)
			c.cell.BinHigh = float64(b+1) / float64(bins)
			c.cell.RelativeDepth = (c.cell.BinLow + c.cell.BinHigh) / 2
			for _, key := range a.keys {
				if key.untrained != untrained {
					continue
				}
				for _, ri := range a.strata[key] {
					for l := 1; l <= key.depth; l++ {
						if relBin(l, key.depth, bins) == b {
							c.members = append(c.members, member{ri, l - 1})
						}
					}
				}
			}
			if len(c.members) > 0 {
				cells = append(cells, c)
			}
		}
	}
	return cells
}

// trendDefs returns, for trained and untrained runs (when there are any), one trend per measure
// ("denoted", "best", "denoting") over every layer of those runs.
func (a *depthAnalysis) trendDefs() []trendDef {
	var trends []trendDef
	for _, untrained := range []bool{false, true} {
		var ms []member
		nruns := 0
		for _, key := range a.keys {
			if key.untrained != untrained {
				continue
			}
			for _, ri := range a.strata[key] {
				nruns++
				for l := 0; l < key.depth; l++ {
					ms = append(ms, member{ri, l})
				}
			}
		}
		if len(ms) == 0 {
			continue
		}
		for _, m := range []string{"denoted", "best", "denoting"} {
			trends = append(trends, trendDef{trend: Trend{Untrained: untrained, Measure: m, Runs: nruns}, members: ms})
		}
	}
	return trends
}

// table tabulates a trend's measure against relative depth, each run weighted by weight[run]:
// the label proportions s/K of the denoted or best sets, or not denoting (0) / denoting (1).
func (a *depthAnalysis) table(td *trendDef, weight []float64) *table {
	t := &table{x: a.xs}
	if td.trend.Measure == "denoting" {
		t.y = []float64{0, 1}
	} else {
		for s := 1; s < a.k; s++ {
			t.y = append(t.y, float64(s)/float64(a.k))
		}
	}
	t.w = make([][]float64, len(a.xs))
	for i := range t.w {
		t.w[i] = make([]float64, len(t.y))
	}
	for _, m := range td.members {
		w := weight[m.run]
		if w == 0 {
			continue
		}
		s := &a.stats[m.run][m.layer]
		xi, _ := slices.BinarySearch(a.xs, float64(m.layer+1)/float64(a.runs[m.run].Result.Depth))
		row := t.w[xi]
		switch td.trend.Measure {
		case "denoted":
			for i, h := range s.den {
				row[i] += w * float64(h)
			}
		case "best":
			for i, h := range s.best {
				row[i] += w * float64(h)
			}
		default:
			row[0] += w * float64(s.neurons-s.denoting)
			row[1] += w * float64(s.denoting)
		}
	}
	return t
}

// observeCell fills a cell's observed counts and summaries (its intervals NaN until bootstrap).
func (a *depthAnalysis) observeCell(c *depthCellDef) {
	den, best := make([]int, a.k-1), make([]int, a.k-1)
	var perLayer []float64
	seen := map[int]bool{}
	for _, m := range c.members {
		s := &a.stats[m.run][m.layer]
		seen[m.run] = true
		c.cell.Layers++
		c.cell.Neurons += s.neurons
		c.cell.Constant += s.constant
		c.cell.Denoting += s.denoting
		for i := range den {
			den[i] += s.den[i]
			best[i] += s.best[i]
		}
		perLayer = append(perLayer, float64(s.denoting))
	}
	c.cell.Runs = len(seen)
	c.cell.Denoted = SummarizeProportions(den, a.k)
	c.cell.Best = SummarizeProportions(best, a.k)
	c.cell.DenotingPerLayer = valuesSummary(perLayer)
	c.cell.DenotingFraction, c.cell.DenotingFractionCILow, c.cell.DenotingFractionCIHigh = NaN, NaN, NaN
	if c.cell.Neurons > 0 {
		c.cell.DenotingFraction = Num(float64(c.cell.Denoting) / float64(c.cell.Neurons))
	}
}

// observeTrend fills a trend's observed Spearman correlation and slope with every run weighing
// ones[run] = 1 (its intervals NaN until bootstrap).
func (a *depthAnalysis) observeTrend(td *trendDef, ones []float64) {
	t := a.table(td, ones)
	n := 0.0
	for _, row := range t.w {
		for _, w := range row {
			n += w
		}
	}
	td.trend.N = int(n)
	td.trend.Spearman = Num(t.spearman())
	slope, icpt := t.ols()
	td.trend.Slope, td.trend.Intercept = Num(slope), Num(icpt)
	td.trend.SpearmanCILow, td.trend.SpearmanCIHigh, td.trend.SlopeCILow, td.trend.SlopeCIHigh = NaN, NaN, NaN, NaN
}

// bootstrap sets the percentile intervals of every cell and trend from opt.Bootstrap replicates,
// each drawing, within every stratum, as many runs as it has with replacement.
func (a *depthAnalysis) bootstrap(cells []depthCellDef, trends []trendDef, opt DepthOptions) {
	rng := rand.New(rand.NewPCG(opt.Seed, 0x64657074))
	nc := len(cells)
	repDen := make([][]float64, nc)
	repBest := make([][]float64, nc)
	repFrac := make([][]float64, nc)
	repPer := make([][]float64, nc)
	repRho := make([][]float64, len(trends))
	repSlope := make([][]float64, len(trends))
	weight := make([]float64, len(a.runs))
	for range opt.Bootstrap {
		clear(weight)
		for _, key := range a.keys {
			st := a.strata[key]
			for range st {
				weight[st[rng.IntN(len(st))]]++
			}
		}
		for ci := range cells {
			agg := newCellAgg(a.k)
			for _, m := range cells[ci].members {
				agg.add(&a.stats[m.run][m.layer], weight[m.run])
			}
			repDen[ci] = append(repDen[ci], histMean(agg.den, a.k))
			repBest[ci] = append(repBest[ci], histMean(agg.best, a.k))
			frac, per := math.NaN(), math.NaN()
			if agg.neurons > 0 {
				frac = agg.denoting / agg.neurons
			}
			if agg.insts > 0 {
				per = agg.denoting / agg.insts
			}
			repFrac[ci] = append(repFrac[ci], frac)
			repPer[ci] = append(repPer[ci], per)
		}
		for ti := range trends {
			t := a.table(&trends[ti], weight)
			slope, _ := t.ols()
			repRho[ti] = append(repRho[ti], t.spearman())
			repSlope[ti] = append(repSlope[ti], slope)
		}
	}
	for ci := range cells {
		c := &cells[ci].cell
		c.Denoted.CILow, c.Denoted.CIHigh, c.Denoted.Replicates = percentileCI(repDen[ci], opt.Level)
		c.Best.CILow, c.Best.CIHigh, c.Best.Replicates = percentileCI(repBest[ci], opt.Level)
		c.DenotingFractionCILow, c.DenotingFractionCIHigh, _ = percentileCI(repFrac[ci], opt.Level)
		c.DenotingPerLayer.CILow, c.DenotingPerLayer.CIHigh, c.DenotingPerLayer.Replicates = percentileCI(repPer[ci], opt.Level)
	}
	for ti := range trends {
		t := &trends[ti].trend
		t.SpearmanCILow, t.SpearmanCIHigh, t.Replicates = percentileCI(repRho[ti], opt.Level)
		t.SlopeCILow, t.SlopeCIHigh, _ = percentileCI(repSlope[ti], opt.Level)
	}
}
