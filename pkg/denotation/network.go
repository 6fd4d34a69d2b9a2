package denotation

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// NetworkRun is one network of a depth study: its scan (normally validated, see Validate) and
// what else is known per layer.
type NetworkRun struct {
	Name      string `json:"name"`
	Depth     int    `json:"depth"`
	Seed      uint64 `json:"seed"`
	Untrained bool   `json:"untrained"`
	// Result is the network's scan; its layers are 1 … Depth.
	Result *Result `json:"-"`
	// FiringRate[ℓ−1] is the mean over layer ℓ's neurons of the fraction of held-out samples on
	// which the neuron is active (post-activation > 0); nil when unknown.
	FiringRate []float64 `json:"-"`
}

// LayerSummary is one layer of one network.
type LayerSummary struct {
	Layer int `json:"layer"`
	Width int `json:"width"`
	// Denoting is the number of the layer's neurons that denote a label set.
	Denoting int `json:"denoting"`
	// MeanProportion is the mean |S|/K of those neurons' smallest denoted sets;
	// undefined (null) when none denotes.
	MeanProportion Num `json:"mean_proportion"`
	// FiringRate is NetworkRun.FiringRate[ℓ−1] (undefined when unknown).
	FiringRate Num `json:"firing_rate"`
}

// NetworkSummary summarises one network: the unit of replication of a depth study.
type NetworkSummary struct {
	Name      string         `json:"name"`
	Depth     int            `json:"depth"`
	Seed      uint64         `json:"seed"`
	Untrained bool           `json:"untrained"`
	Layers    []LayerSummary `json:"layers"`
	// Denoting is the number of denoting neurons over all layers, MeanProportion the mean |S|/K
	// of their smallest denoted sets (undefined when none denotes).
	Denoting       int `json:"denoting"`
	MeanProportion Num `json:"mean_proportion"`
	// CountSlope is the least-squares slope of the per-layer denoting count against ℓ
	// (undefined for D = 1).
	CountSlope Num `json:"count_slope"`
	// ProportionSlope is the least-squares slope of |S|/K against ℓ over the network's denoting
	// neurons, each neuron one point (undefined unless they lie in ≥ 2 distinct layers).
	ProportionSlope Num `json:"proportion_slope"`
}

// Interval is a mean over networks with a two-sided t confidence interval (Lo, Hi undefined for
// fewer than 2 networks).
type Interval struct {
	Mean Num `json:"mean"`
	Lo   Num `json:"lo"`
	Hi   Num `json:"hi"`
	// N is the number of networks the mean is over.
	N int `json:"n"`
}

// Excludes reports whether the interval is defined and does not contain x.
func (iv Interval) Excludes(x float64) bool {
	return iv.Lo.Defined() && iv.Hi.Defined() && (float64(iv.Lo) > x || float64(iv.Hi) < x)
}

// String formats the interval as "0.123 [0.045, 0.201] (n = 5)".
func (iv Interval) String() string {
	if !iv.Mean.Defined() {
		return fmt.Sprintf("undefined (n = %d)", iv.N)
	}
	if !iv.Lo.Defined() {
		return fmt.Sprintf("%.3f (n = %d)", float64(iv.Mean), iv.N)
	}
	return fmt.Sprintf("%.3f [%.3f, %.3f] (n = %d)", float64(iv.Mean), float64(iv.Lo), float64(iv.Hi), iv.N)
}

// TInterval is the mean of the defined values of v with its two-sided t interval at level.
func TInterval(v []float64, level float64) Interval {
	var xs []float64
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			xs = append(xs, x)
		}
	}
	iv := Interval{Mean: NaN, Lo: NaN, Hi: NaN, N: len(xs)}
	if len(xs) == 0 {
		return iv
	}
	m, sd := stat.MeanStdDev(xs, nil)
	iv.Mean = Num(m)
	if len(xs) < 2 {
		return iv
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(xs) - 1)}.Quantile(0.5 + level/2)
	h := t * sd / math.Sqrt(float64(len(xs)))
	iv.Lo, iv.Hi = Num(m-h), Num(m+h)
	return iv
}

// LayerStat is layer ℓ of the networks of one depth D: intervals over networks.
type LayerStat struct {
	Layer int `json:"layer"`
	// Count is the number of denoting neurons per network; Proportion the mean |S|/K of the
	// layer's denoted sets per network, over the networks where the layer has a denoting neuron
	// (Proportion.N says how many); FiringRate the layer's mean firing rate per network.
	Count      Interval `json:"count"`
	Proportion Interval `json:"proportion"`
	FiringRate Interval `json:"firing_rate"`
	// CountDiff is trained − untrained denoting count, paired by seed (only in Trained stats).
	CountDiff *Interval `json:"count_diff,omitempty"`
}

// DepthGroup gathers the networks of one depth D.
type DepthGroup struct {
	Depth int `json:"depth"`
	// Networks and UntrainedNetworks count the networks of the group.
	Networks          int `json:"networks"`
	UntrainedNetworks int `json:"untrained_networks"`
	// Trained and Untrained are the per-layer statistics (layers 1 … D).
	Trained   []LayerStat `json:"trained"`
	Untrained []LayerStat `json:"untrained"`
	// CountSlope and ProportionSlope are the per-network slopes against ℓ (see NetworkSummary)
	// of the trained networks, UntrainedCountSlope that of the controls, and CountSlopeDiff the
	// trained − untrained difference of the count slope paired by seed.
	CountSlope          Interval `json:"count_slope"`
	ProportionSlope     Interval `json:"proportion_slope"`
	UntrainedCountSlope Interval `json:"untrained_count_slope"`
	CountSlopeDiff      Interval `json:"count_slope_diff"`
	// Denoting is the number of denoting neurons per trained network, DenotingDiff the paired
	// trained − untrained difference.
	Denoting     Interval `json:"denoting"`
	DenotingDiff Interval `json:"denoting_diff"`
}

// NetworkReport is the per-network analysis of a depth study.
type NetworkReport struct {
	// Level is the confidence level of every interval.
	Level    float64          `json:"level"`
	Networks []NetworkSummary `json:"networks"`
	Groups   []DepthGroup     `json:"groups"`
	// PooledCountSlope and PooledProportionSlope are the per-network slopes of every trained
	// network with D ≥ 2, each network one unit; PooledCountSlopeDiff pairs each with its
	// untrained control.
	PooledCountSlope      Interval `json:"pooled_count_slope"`
	PooledProportionSlope Interval `json:"pooled_proportion_slope"`
	PooledCountSlopeDiff  Interval `json:"pooled_count_slope_diff"`
}

// Group returns the group of depth d, or nil.
func (r *NetworkReport) Group(d int) *DepthGroup {
	for i := range r.Groups {
		if r.Groups[i].Depth == d {
			return &r.Groups[i]
		}
	}
	return nil
}

// SummarizeNetwork computes the per-layer counts, label proportions and slopes of one network.
func SummarizeNetwork(run NetworkRun) (NetworkSummary, error) {
	res := run.Result
	if res == nil {
		return NetworkSummary{}, fmt.Errorf("denotation: network %q has no scan", run.Name)
	}
	if len(res.Layers) != run.Depth {
		return NetworkSummary{}, fmt.Errorf("denotation: network %q of depth %d has a scan of %d layers", run.Name, run.Depth, len(res.Layers))
	}
	if run.FiringRate != nil && len(run.FiringRate) != run.Depth {
		return NetworkSummary{}, fmt.Errorf("denotation: network %q: %d firing rates for %d layers", run.Name, len(run.FiringRate), run.Depth)
	}
	ns := NetworkSummary{Name: run.Name, Depth: run.Depth, Seed: run.Seed, Untrained: run.Untrained,
		CountSlope: NaN, ProportionSlope: NaN, MeanProportion: NaN}
	var ls, cs, px, py []float64
	total := 0.0
	for li := range res.Layers {
		l := &res.Layers[li]
		s := LayerSummary{Layer: li + 1, Width: l.Width, MeanProportion: NaN, FiringRate: NaN}
		sum := 0.0
		for ni := range l.Neurons {
			if d, ok := l.Neurons[ni].SmallestDenotation(); ok {
				s.Denoting++
				sum += d.LabelProportion
				px = append(px, float64(li+1))
				py = append(py, d.LabelProportion)
				total += d.LabelProportion
			}
		}
		if s.Denoting > 0 {
			s.MeanProportion = Num(sum / float64(s.Denoting))
		}
		if run.FiringRate != nil {
			s.FiringRate = Num(run.FiringRate[li])
		}
		ns.Denoting += s.Denoting
		ls = append(ls, float64(li+1))
		cs = append(cs, float64(s.Denoting))
		ns.Layers = append(ns.Layers, s)
	}
	if ns.Denoting > 0 {
		ns.MeanProportion = Num(total / float64(ns.Denoting))
	}
	if run.Depth >= 2 {
		ns.CountSlope = Num(olsSlope(ls, cs))
	}
	if distinct(px) >= 2 {
		ns.ProportionSlope = Num(olsSlope(px, py))
	}
	return ns, nil
}

// olsSlope is the least-squares slope of y on x (x must take ≥ 2 distinct values).
func olsSlope(x, y []float64) float64 {
	_, b := stat.LinearRegression(x, y, nil, false)
	return b
}

func distinct(x []float64) int {
	s := slices.Clone(x)
	slices.Sort(s)
	return len(slices.Compact(s))
}

// AnalyzeNetworks summarises every network and aggregates them by depth D with t intervals over
// networks at level; trained networks are paired with the untrained control of the same depth and
// seed where one is given.
func AnalyzeNetworks(runs []NetworkRun, level float64) (*NetworkReport, error) {
	if len(runs) == 0 {
		return nil, errors.New("denotation: no networks to analyse")
	}
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("denotation: confidence level %v is outside (0, 1)", level)
	}
	rep := &NetworkReport{Level: level}
	type key struct {
		d         int
		seed      uint64
		untrained bool
	}
	byKey := map[key]*NetworkSummary{}
	var depths []int
	for _, r := range runs {
		ns, err := SummarizeNetwork(r)
		if err != nil {
			return nil, err
		}
		k := key{r.Depth, r.Seed, r.Untrained}
		if byKey[k] != nil {
			return nil, fmt.Errorf("denotation: two networks of depth %d, seed %d (untrained %v)", r.Depth, r.Seed, r.Untrained)
		}
		rep.Networks = append(rep.Networks, ns)
		byKey[k] = &rep.Networks[len(rep.Networks)-1]
		if !slices.Contains(depths, r.Depth) {
			depths = append(depths, r.Depth)
		}
	}
	// rep.Networks may have been reallocated: rebuild the index.
	for i := range rep.Networks {
		n := &rep.Networks[i]
		byKey[key{n.Depth, n.Seed, n.Untrained}] = n
	}
	slices.Sort(depths)
	var pooledC, pooledP, pooledD []float64
	for _, d := range depths {
		g := DepthGroup{Depth: d}
		var tr, un []*NetworkSummary
		var pairs [][2]*NetworkSummary
		for i := range rep.Networks {
			n := &rep.Networks[i]
			if n.Depth != d {
				continue
			}
			if n.Untrained {
				un = append(un, n)
				continue
			}
			tr = append(tr, n)
			if u := byKey[key{d, n.Seed, true}]; u != nil {
				pairs = append(pairs, [2]*NetworkSummary{n, u})
			}
		}
		g.Networks, g.UntrainedNetworks = len(tr), len(un)
		g.Trained = layerIntervals(tr, pairs, d, level)
		g.Untrained = layerIntervals(un, nil, d, level)
		collect := func(ns []*NetworkSummary, f func(*NetworkSummary) float64) []float64 {
			out := make([]float64, len(ns))
			for i, n := range ns {
				out[i] = f(n)
			}
			return out
		}
		cslope := func(n *NetworkSummary) float64 { return float64(n.CountSlope) }
		pslope := func(n *NetworkSummary) float64 { return float64(n.ProportionSlope) }
		g.CountSlope = TInterval(collect(tr, cslope), level)
		g.ProportionSlope = TInterval(collect(tr, pslope), level)
		g.UntrainedCountSlope = TInterval(collect(un, cslope), level)
		g.Denoting = TInterval(collect(tr, func(n *NetworkSummary) float64 { return float64(n.Denoting) }), level)
		var ds, dd []float64
		for _, p := range pairs {
			ds = append(ds, float64(p[0].CountSlope)-float64(p[1].CountSlope))
			dd = append(dd, float64(p[0].Denoting-p[1].Denoting))
		}
		g.CountSlopeDiff = TInterval(ds, level)
		g.DenotingDiff = TInterval(dd, level)
		if d >= 2 {
			pooledC = append(pooledC, collect(tr, cslope)...)
			pooledP = append(pooledP, collect(tr, pslope)...)
			pooledD = append(pooledD, ds...)
		}
		rep.Groups = append(rep.Groups, g)
	}
	rep.PooledCountSlope = TInterval(pooledC, level)
	rep.PooledProportionSlope = TInterval(pooledP, level)
	rep.PooledCountSlopeDiff = TInterval(pooledD, level)
	return rep, nil
}

// layerIntervals aggregates layers 1 … d over networks; pairs (trained, untrained) give CountDiff.
func layerIntervals(ns []*NetworkSummary, pairs [][2]*NetworkSummary, d int, level float64) []LayerStat {
	if len(ns) == 0 {
		return nil
	}
	out := make([]LayerStat, d)
	for li := range d {
		var c, p, f []float64
		for _, n := range ns {
			l := n.Layers[li]
			c = append(c, float64(l.Denoting))
			p = append(p, float64(l.MeanProportion))
			f = append(f, float64(l.FiringRate))
		}
		out[li] = LayerStat{Layer: li + 1, Count: TInterval(c, level), Proportion: TInterval(p, level), FiringRate: TInterval(f, level)}
		if len(pairs) > 0 {
			var diff []float64
			for _, pr := range pairs {
				diff = append(diff, float64(pr[0].Layers[li].Denoting-pr[1].Layers[li].Denoting))
			}
			iv := TInterval(diff, level)
			out[li].CountDiff = &iv
		}
	}
	return out
}
