package findings

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/plotting"
)

// The primary view of F4 (docs/definitions.md, "Depth dependence"): the network is the unit of
// replication; depth is the layer ℓ within a network of depth D; intervals are t intervals over
// networks; trained networks are contrasted with their untrained controls paired by (D, seed).

// intervalSeries turns one per-layer statistic of one depth group into a plotting series with
// error bars (layers where the statistic is undefined are left out; an undefined bound is the mean).
func intervalSeries(name string, d int, control bool, stats []denotation.LayerStat, pick func(denotation.LayerStat) denotation.Interval) (plotting.ProportionSeries, float64, bool) {
	s := plotting.ProportionSeries{Name: name, Depth: d, Control: control}
	top := 0.0
	for _, ls := range stats {
		iv := pick(ls)
		if !iv.Mean.Defined() {
			continue
		}
		m := float64(iv.Mean)
		lo, hi := m, m
		if iv.Lo.Defined() {
			lo = math.Min(float64(iv.Lo), m)
		}
		if iv.Hi.Defined() {
			hi = math.Max(float64(iv.Hi), m)
		}
		s.Layers = append(s.Layers, ls.Layer)
		s.Mean = append(s.Mean, m)
		s.Low = append(s.Low, lo)
		s.High = append(s.High, hi)
		top = math.Max(top, hi)
	}
	return s, top, len(s.Layers) > 0
}

// clampLow raises negative lower bounds and means to 0 (counts and proportions cannot be
// negative; a t interval can reach below 0).
func clampLow(s *plotting.ProportionSeries) {
	for i := range s.Mean {
		s.Low[i] = math.Max(s.Low[i], 0)
		s.Mean[i] = math.Max(s.Mean[i], 0)
	}
}

// niceMax rounds a positive axis maximum up to 1, 2 or 5 × a power of ten.
func niceMax(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// drawNetworkFigures draws the per-network figures of F4.
func (r *DepthResult) drawNetworkFigures() error {
	rep := r.Networks
	lvl := fmt.Sprintf("%g%% CI over networks", 100*rep.Level)
	draw := func(title, ylabel string, proportion bool, withControls bool, pick func(denotation.LayerStat) denotation.Interval) (*plotting.Figure, error) {
		var series []plotting.ProportionSeries
		top := 0.0
		for _, control := range []bool{false, true} {
			if control && !withControls {
				continue
			}
			for _, g := range rep.Groups {
				stats, name := g.Trained, fmt.Sprintf("D = %d (%d networks)", g.Depth, g.Networks)
				if control {
					stats, name = g.Untrained, fmt.Sprintf("D = %d, untrained", g.Depth)
				}
				s, t, ok := intervalSeries(name, g.Depth, control, stats, pick)
				if !ok {
					continue
				}
				if !proportion {
					clampLow(&s)
				}
				top = math.Max(top, t)
				series = append(series, s)
			}
		}
		if len(series) == 0 {
			return nil, nil
		}
		opt := plotting.ProportionOptions{Title: title}
		if !proportion {
			opt.YLabel, opt.YMax = ylabel, niceMax(top)
			for i := range series {
				for j := range series[i].High {
					series[i].High[j] = math.Min(series[i].High[j], opt.YMax)
				}
			}
		}
		return plotting.LabelProportion(series, opt)
	}
	var err error
	tau := r.Setup.Tau
	if r.LayerCounts, err = draw(fmt.Sprintf("Denoting neurons per network by layer (τ = %g, %s)", tau, lvl),
		"denoting neurons per network", false, true, func(s denotation.LayerStat) denotation.Interval { return s.Count }); err != nil {
		return err
	}
	if r.LayerProportion, err = draw(fmt.Sprintf("|S|/K of denoted sets by layer (τ = %g, %s)", tau, lvl),
		"", true, true, func(s denotation.LayerStat) denotation.Interval { return s.Proportion }); err != nil {
		return err
	}
	if r.LayerProportion == nil {
		r.Notes = append(r.Notes, "no neuron of any network has a validated denotation: the per-network label-proportion figure is not drawn")
	}
	if r.FiringRate, err = draw(fmt.Sprintf("Fraction of test samples a neuron is active on (%s)", lvl),
		"mean firing rate", true, true, func(s denotation.LayerStat) denotation.Interval { return s.FiringRate }); err != nil {
		return err
	}
	// The paired contrast can be negative: shift nothing, draw it on its own axis with the lines.
	var curves []plotting.Curve
	for _, g := range rep.Groups {
		var xs, ys, lo, hi []float64
		for _, s := range g.Trained {
			if s.CountDiff == nil || !s.CountDiff.Mean.Defined() {
				continue
			}
			xs = append(xs, float64(s.Layer))
			ys = append(ys, float64(s.CountDiff.Mean))
			l, h := float64(s.CountDiff.Mean), float64(s.CountDiff.Mean)
			if s.CountDiff.Lo.Defined() {
				l, h = float64(s.CountDiff.Lo), float64(s.CountDiff.Hi)
			}
			lo, hi = append(lo, l), append(hi, h)
		}
		if len(xs) == 0 {
			continue
		}
		name := fmt.Sprintf("D = %d", g.Depth)
		curves = append(curves, plotting.Curve{Name: name, X: xs, Y: ys},
			plotting.Curve{Name: name + ", interval", X: xs, Y: lo, Dashed: true}, plotting.Curve{X: xs, Y: hi, Dashed: true})
	}
	if len(curves) > 0 {
		r.CountContrast, err = plotting.Lines(plotting.LineChart{Title: "Trained − untrained denoting neurons, paired by (D, seed)",
			XLabel: "layer ℓ", YLabel: "difference in denoting neurons", Curves: curves})
	}
	return err
}

// networkText is the generated interpretation of the per-network analysis: which way the depth
// dependence goes, how big it is, whether it holds across D, and what it does not show.
func networkText(ds DepthSetup, r *DepthResult) string {
	rep := r.Networks
	var b strings.Builder
	lv := fmt.Sprintf("%g%%", 100*rep.Level)
	fmt.Fprintf(&b, "Primary analysis (each network one unit; %s t intervals over networks; denotations at τ = %g selected on %d training samples and judged on %d test samples). ",
		lv, ds.Tau, r.SelectionSamples, r.TestSamples)
	for _, g := range rep.Groups {
		fmt.Fprintf(&b, "D = %d (%d networks): %s validated denoting neurons per network (trained − untrained control, paired by seed: %s)",
			g.Depth, g.Networks, g.Denoting, g.DenotingDiff)
		if g.Depth >= 2 {
			var per []string
			for _, s := range g.Trained {
				per = append(per, fmt.Sprintf("ℓ=%d: %.1f", s.Layer, float64(s.Count.Mean)))
			}
			fmt.Fprintf(&b, "; by layer %s; per-network slope of the count against ℓ %s, %s", strings.Join(per, ", "), g.CountSlope, direction(g.CountSlope, "denoting neurons become more numerous with depth", "denoting neurons become fewer with depth"))
			fmt.Fprintf(&b, "; slope of |S|/K against ℓ %s, %s", g.ProportionSlope, direction(g.ProportionSlope, "deeper neurons denote larger sets", "deeper neurons denote smaller sets"))
		}
		b.WriteString(". ")
	}
	var rising, falling, flat, sparse []int
	for _, g := range rep.Groups {
		switch {
		case g.Depth < 2:
		case g.Denoting.Mean < 2:
			sparse = append(sparse, g.Depth) // too few denoting neurons to see a trend
		case g.CountSlope.Excludes(0) && g.CountSlope.Mean > 0:
			rising = append(rising, g.Depth)
		case g.CountSlope.Excludes(0):
			falling = append(falling, g.Depth)
		default:
			flat = append(flat, g.Depth)
		}
	}
	switch {
	case len(rising) > 0 && len(falling) == 0 && len(flat) == 0:
		fmt.Fprintf(&b, "The count of denoting neurons rises with the layer in D = %s", intsList(rising))
		if len(sparse) > 0 {
			fmt.Fprintf(&b, "; networks of D = %s have fewer than 2 denoting neurons each, too few to show a trend", intsList(sparse))
		} else {
			b.WriteString(": the dependence holds across every depth studied")
		}
		b.WriteString(". ")
	case len(rising) > 0:
		fmt.Fprintf(&b, "The count rises with the layer for D = %s but not for D = %s. ", intsList(rising), intsList(append(falling, flat...)))
	case len(falling) > 0:
		fmt.Fprintf(&b, "The count falls with the layer for D = %s. ", intsList(falling))
	default:
		b.WriteString("No depth dependence of the count is established at this number of networks. ")
	}
	fmt.Fprintf(&b, "Pooled over every network with D ≥ 2, the count slope is %s (trained − untrained: %s) and the |S|/K slope %s. ",
		rep.PooledCountSlope, rep.PooledCountSlopeDiff, rep.PooledProportionSlope)
	if g := deepest(rep); g != nil && len(g.Trained) > 1 {
		var fire, count []float64
		var parts []string
		for _, ls := range g.Trained {
			if ls.FiringRate.Mean.Defined() {
				fire = append(fire, float64(ls.FiringRate.Mean))
				count = append(count, float64(ls.Count.Mean))
				parts = append(parts, fmt.Sprintf("%.2f", float64(ls.FiringRate.Mean)))
			}
		}
		if len(fire) == len(g.Trained) {
			rho := denotation.Spearman(fire, count)
			fmt.Fprintf(&b, "Firing rate as a candidate explanation: in D = %d the fraction of samples a neuron is active on is %s from ℓ = 1 to %d; its rank correlation with the denoting count over the layers is %.2f, ",
				g.Depth, strings.Join(parts, ", "), g.Depth, rho)
			if math.IsNaN(rho) {
				b.WriteString("undefined (one of the two is the same in every layer). ")
			} else if math.Abs(rho) >= 0.8 {
				b.WriteString("so the two move together (6 layers: suggestive, not a test). ")
			} else {
				b.WriteString("so how often neurons fire does not explain where denoting neurons are. ")
			}
		}
	}
	b.WriteString("What this does not show: that depth causes denotation in other architectures, data sets or recipes (the factor study shows the initialisation matters), or that a denoting neuron is used by the network (the ablation finding tests that).")
	return b.String()
}

func direction(iv denotation.Interval, up, down string) string {
	switch {
	case !iv.Mean.Defined():
		return "undefined"
	case iv.Excludes(0) && iv.Mean > 0:
		return up
	case iv.Excludes(0):
		return down
	case !iv.Lo.Defined():
		return "no interval (too few networks)"
	}
	return "the interval includes 0: not established"
}

func deepest(rep *denotation.NetworkReport) *denotation.DepthGroup {
	if len(rep.Groups) == 0 {
		return nil
	}
	return &rep.Groups[len(rep.Groups)-1]
}

func intsList(v []int) string {
	v = slices.Clone(v)
	slices.Sort(v)
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

// NetworkTable lists the per-layer statistics of F4's primary analysis as Markdown.
func (r *DepthResult) NetworkTable() string {
	b, p := printer()
	mdHeader(p, "D", "ℓ", "networks", "denoting/net", "untrained", "paired diff", "mean \\|S\\|/K (networks)", "firing rate")
	for _, g := range r.Networks.Groups {
		for i, s := range g.Trained {
			u := "–"
			if i < len(g.Untrained) {
				u = fmt.Sprintf("%.1f", float64(g.Untrained[i].Count.Mean))
			}
			diff := "–"
			if s.CountDiff != nil {
				diff = s.CountDiff.String()
			}
			p("| %d | %d | %d | %s | %s | %s | %s | %s |", g.Depth, s.Layer, g.Networks, s.Count, u, diff, s.Proportion, f3(s.FiringRate.Mean))
		}
	}
	return b.String()
}
