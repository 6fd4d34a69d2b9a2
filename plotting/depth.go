package plotting

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ProportionSeries is the label proportion |S|/K of the sets denoted by the neurons of one network
// (or a group of networks of one depth), layer by layer, with a confidence interval.
type ProportionSeries struct {
	// Name is the legend entry, e.g. "D = 3" or "D = 3, untrained".
	Name string

	// Depth is the network depth D (number of hidden layers). Series of the same depth share a colour.
	Depth int

	// Layers are the layer numbers ℓ that have a value, strictly increasing in [1, Depth]
	// (a layer with no denoting neuron has no label proportion and is left out).
	Layers []int

	// Mean[i] is the mean label proportion at layer Layers[i], in [0, 1].
	Mean []float64

	// Low and High are the bounds of the confidence interval (e.g. a bootstrap 95% interval) around
	// Mean, as values, not offsets: Low[i] ≤ Mean[i] ≤ High[i]. Both nil means no error bars.
	Low, High []float64

	// Control marks a control (untrained network, shuffled labels): drawn dashed with hollow marks.
	Control bool
}

// ProportionOptions change LabelProportion. The zero value is the default.
type ProportionOptions struct {
	// Title of the figure; empty means "Label proportion of denoted sets vs depth".
	Title string

	// Relative puts the relative depth ℓ/D on the x axis instead of the layer number ℓ.
	Relative bool

	// YLabel and YMax change the y axis for a quantity other than a proportion (for example
	// denoting neurons per network): empty YLabel means "label proportion |S| / K", YMax 0 means 1.
	// The axis starts at 0 and the series' values must lie in [0, YMax].
	YLabel string
	YMax   float64

	// Dodge shifts the points of successive series horizontally by this much (in x units) so that
	// their error bars do not overlap; the shifts are centred on the true x. Zero means 0.06 layer
	// (0.012 in relative depth); negative means no shift.
	Dodge float64
}

// LabelProportion draws the label proportion of denoted sets against depth (the paper's F4): one
// line with marks per series, coloured by network depth D, with vertical error bars from Low to
// High; control series dashed with hollow marks. The y axis spans [0, 1]; the legend is in its own
// panel on the right.
//
// The figure has panels "proportion" and "legend". For each series, in order, "proportion" holds a
// *plotter.Line, a *plotter.Scatter and, when the series has bounds, a *plotter.YErrorBars whose
// YErrors are offsets (Mean-Low, High-Mean).
func LabelProportion(series []ProportionSeries, opts ProportionOptions) (*Figure, error) {
	if len(series) == 0 {
		return nil, errors.New("plotting: label proportion: no series")
	}
	depths := map[int]bool{}
	maxD := 0
	ymax := opts.YMax
	if ymax == 0 {
		ymax = 1
	}
	if !(ymax > 0) || math.IsInf(ymax, 0) {
		return nil, fmt.Errorf("plotting: label proportion: YMax %v: want a finite value > 0", opts.YMax)
	}
	for i, s := range series {
		if err := checkProportion(i, s, ymax); err != nil {
			return nil, err
		}
		depths[s.Depth] = true
		maxD = max(maxD, s.Depth)
	}
	rank := depthRanks(depths) // colour and mark shape of each depth

	dodge := opts.Dodge
	if dodge == 0 {
		dodge = 0.06
		if opts.Relative {
			dodge = 0.012
		}
	}
	dodge = math.Max(dodge, 0)

	f := &Figure{Width: 8 * vg.Inch, Height: 4.5 * vg.Inch}
	pn := f.newPanel("proportion", Full)
	lg := newLegendPanel(f, pn)

	for i, s := range series {
		shift := (float64(i) - float64(len(series)-1)/2) * dodge
		if err := addProportionSeries(pn, lg, i, s, shift, rank[s.Depth], opts.Relative); err != nil {
			return nil, err
		}
	}

	p := pn.Plot
	p.Title.Text = opts.Title
	if p.Title.Text == "" {
		p.Title.Text = "Label proportion of denoted sets vs depth"
	}
	p.Y.Label.Text = "label proportion |S| / K"
	p.Y.Min, p.Y.Max = 0, ymax
	if opts.YLabel != "" {
		p.Y.Label.Text = opts.YLabel
	}
	if ymax == 1 {
		p.Y.Tick.Marker = fractionTicks()
	}
	if opts.Relative {
		p.X.Label.Text = "relative depth ℓ / D"
		p.X.Min, p.X.Max = 0, 1.05
	} else {
		p.X.Label.Text = "layer ℓ"
		p.X.Min, p.X.Max = 0.5, float64(maxD)+0.5
		p.X.Tick.Marker = intTicks(1, maxD, nil)
	}
	p.Add(plotter.NewGrid())
	placeLegend(f, pn, lg, lg.Legend)
	return f, nil
}

// addProportionSeries adds series i, s, to panel pn and its legend to lg: a line with marks
// shifted by shift along x, coloured and shaped by rank (its depth's rank), with error bars when s
// has bounds; with relative, x is the relative depth ℓ / D.
func addProportionSeries(pn, lg *Panel, i int, s ProportionSeries, shift float64, rank int, relative bool) error {
	xys := make(plotter.XYs, len(s.Layers))
	for j, l := range s.Layers {
		x := float64(l)
		if relative {
			x /= float64(s.Depth)
		}
		xys[j] = plotter.XY{X: x + shift, Y: s.Mean[j]}
	}
	c := seriesColor(rank)
	line, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("plotting: label proportion: series %d (%q): %w", i, s.Name, err)
	}
	line.Color, line.Width = c, vg.Points(1.5)
	sc, err := plotter.NewScatter(xys)
	if err != nil {
		return fmt.Errorf("plotting: label proportion: series %d (%q): %w", i, s.Name, err)
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(3.5), Shape: seriesGlyph(rank, s.Control)}
	if s.Control {
		line.Dashes = dashes
	}
	pn.add(line, sc)
	if s.Low != nil {
		errs := make(plotter.YErrors, len(s.Mean))
		for j := range s.Mean {
			errs[j].Low, errs[j].High = s.Mean[j]-s.Low[j], s.High[j]-s.Mean[j]
		}
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys, errs})
		if err != nil {
			return fmt.Errorf("plotting: label proportion: series %d (%q): %w", i, s.Name, err)
		}
		eb.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1)}
		eb.CapWidth = vg.Points(6)
		pn.add(eb)
	}
	lg.legend(s.Name, line, sc)
	return nil
}

func checkProportion(i int, s ProportionSeries, ymax float64) error {
	name := fmt.Sprintf("label proportion: series %d (%q)", i, s.Name)
	if s.Depth < 1 {
		return fmt.Errorf("plotting: %s: depth %d: need at least 1", name, s.Depth)
	}
	if len(s.Layers) == 0 {
		return fmt.Errorf("plotting: %s: no layers", name)
	}
	for j, l := range s.Layers {
		if l < 1 || l > s.Depth {
			return fmt.Errorf("plotting: %s: layer %d is outside 1…%d", name, l, s.Depth)
		}
		if j > 0 && l <= s.Layers[j-1] {
			return fmt.Errorf("plotting: %s: layers must be strictly increasing (%d after %d)", name, l, s.Layers[j-1])
		}
	}
	if err := checkLen(name+": Mean", s.Mean, len(s.Layers), "layers"); err != nil {
		return err
	}
	if err := checkFinite(name+": Mean", s.Mean); err != nil {
		return err
	}
	for j, m := range s.Mean {
		if m < 0 || m > ymax {
			return fmt.Errorf("plotting: %s: Mean[%d] = %v is not in [0, %v]", name, j, m, ymax)
		}
	}
	if (s.Low == nil) != (s.High == nil) {
		return fmt.Errorf("plotting: %s: give both Low and High, or neither", name)
	}
	if s.Low == nil {
		return nil
	}
	for _, b := range []struct {
		what string
		v    []float64
	}{{"Low", s.Low}, {"High", s.High}} {
		if err := checkLen(name+": "+b.what, b.v, len(s.Layers), "layers"); err != nil {
			return err
		}
		if err := checkFinite(name+": "+b.what, b.v); err != nil {
			return err
		}
	}
	for j := range s.Mean {
		if !(s.Low[j] <= s.Mean[j] && s.Mean[j] <= s.High[j]) {
			return fmt.Errorf("plotting: %s: interval [%v, %v] at layer %d does not contain the mean %v", name, s.Low[j], s.High[j], s.Layers[j], s.Mean[j])
		}
	}
	return nil
}

// depthRanks numbers the depths 0, 1, … in increasing order.
func depthRanks(depths map[int]bool) map[int]int {
	ds := make([]int, 0, len(depths))
	for d := range depths {
		ds = append(ds, d)
	}
	sort.Ints(ds)
	out := make(map[int]int, len(ds))
	for i, d := range ds {
		out[d] = i
	}
	return out
}

// CountSeries is the number of denoting neurons per layer of one network (or a mean over networks).
type CountSeries struct {
	// Name is the legend entry.
	Name string

	// Counts[ℓ-1] is the count at hidden layer ℓ (≥ 0).
	Counts []float64

	// Control marks a control series: drawn as a pale bar with a dashed outline.
	Control bool
}

// DenotationCounts draws counts of denoting neurons per layer as grouped bars: one group per layer
// ℓ, one bar per series, in order. Series shorter than the deepest have no bar at the missing layers
// (a zero count is drawn as a flat bar).
//
// The figure has panels "counts" (one *plotter.BarChart per series) and "legend".
func DenotationCounts(title string, series ...CountSeries) (*Figure, error) {
	if len(series) == 0 {
		return nil, errors.New("plotting: denotation counts: no series")
	}
	maxL := 0
	for i, s := range series {
		name := fmt.Sprintf("denotation counts: series %d (%q)", i, s.Name)
		if len(s.Counts) == 0 {
			return nil, fmt.Errorf("plotting: %s: no layers", name)
		}
		if err := checkFinite(name, s.Counts); err != nil {
			return nil, err
		}
		for l, c := range s.Counts {
			if c < 0 {
				return nil, fmt.Errorf("plotting: %s: count %v at layer %d is negative", name, c, l+1)
			}
		}
		maxL = max(maxL, len(s.Counts))
	}
	f := &Figure{Width: 8 * vg.Inch, Height: 4 * vg.Inch}
	pn := f.newPanel("counts", Full)
	lg := newLegendPanel(f, pn)
	names := make([]string, len(series))
	for i, s := range series {
		names[i] = s.Name
	}
	placeLegend(f, pn, lg, names)

	// Group width: 70% of a layer's share of the data area.
	dataW := vg.Length(pn.Region.X1-pn.Region.X0)*f.Width - 1*vg.Inch
	barW := dataW / vg.Length(maxL) * 0.7 / vg.Length(len(series))
	for i, s := range series {
		b, err := plotter.NewBarChart(plotter.Values(s.Counts), barW)
		if err != nil {
			return nil, fmt.Errorf("plotting: denotation counts: series %d (%q): %w", i, s.Name, err)
		}
		c := seriesColor(i)
		b.Color = c
		b.LineStyle = draw.LineStyle{Color: blackColor, Width: vg.Points(0.5)}
		if s.Control {
			b.Color = pale(c)
			b.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(3), vg.Points(2)}}
		}
		b.XMin = 1
		b.Offset = (vg.Length(i) - vg.Length(len(series)-1)/2) * barW
		pn.add(b)
		lg.legend(s.Name, b)
	}
	p := pn.Plot
	p.Title.Text = title
	if p.Title.Text == "" {
		p.Title.Text = "Denoting neurons per layer"
	}
	p.X.Label.Text = "layer ℓ"
	p.Y.Label.Text = "denoting neurons"
	p.X.Tick.Marker = intTicks(1, maxL, nil)
	p.X.Min, p.X.Max = 0.5, float64(maxL)+0.5
	p.Y.Min = 0
	p.Add(&plotter.Grid{Horizontal: plotter.DefaultGridLineStyle})
	return f, nil
}

// pale mixes c with 65% white.
func pale(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((float64(v>>8)*0.35 + 255*0.65) + 0.5) }
	return color.NRGBA{R: mix(r), G: mix(g), B: mix(b), A: 0xFF}
}

var _ plot.Thumbnailer = (*plotter.BarChart)(nil)
