package plotting

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Colours of this package. Series colours follow Okabe & Ito (2008), a qualitative palette that
// stays distinguishable under the common colour-vision deficiencies.
var (
	// PaddingColor fills heat-map cells that hold no value (NaN): the padding of narrower layers.
	// It is lighter than the centre of the diverging palette (a zero weight), so the two differ.
	PaddingColor color.Color = color.Gray{Y: 0xF4}

	// HighlightColor marks the classes of a denoted set S.
	HighlightColor color.Color = color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF} // Okabe–Ito orange

	// OtherColor draws classes outside S.
	OtherColor color.Color = color.NRGBA{R: 0x9E, G: 0xB3, B: 0xC2, A: 0xFF} // muted grey-blue

	// ThresholdColor draws threshold lines.
	ThresholdColor color.Color = color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF} // Okabe–Ito vermillion

	// blackColor draws outlines and reference lines.
	blackColor color.Color = color.Black

	// SeriesColors are the colours of successive series (Okabe–Ito without its yellow, which is
	// too light on white).
	SeriesColors = []color.Color{
		color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
		color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
		color.NRGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
		color.NRGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
		color.NRGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
		color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermillion
		color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, // black
	}
)

// seriesColor returns the i-th series colour, cycling.
func seriesColor(i int) color.Color { return SeriesColors[i%len(SeriesColors)] }

// glyphPairs are the mark shapes of successive series, filled and hollow (for controls): circle,
// square, triangle, then cross and plus (which have no hollow form).
var glyphPairs = [][2]draw.GlyphDrawer{
	{draw.CircleGlyph{}, draw.RingGlyph{}},
	{draw.BoxGlyph{}, draw.SquareGlyph{}},
	{draw.PyramidGlyph{}, draw.TriangleGlyph{}},
	{draw.CrossGlyph{}, draw.CrossGlyph{}},
	{draw.PlusGlyph{}, draw.PlusGlyph{}},
}

// seriesGlyph returns the i-th mark shape, hollow for a control series.
func seriesGlyph(i int, control bool) draw.GlyphDrawer {
	g := glyphPairs[i%len(glyphPairs)]
	if control {
		return g[1]
	}
	return g[0]
}

// dashes is the dash pattern of control series.
var dashes = []vg.Length{vg.Points(5), vg.Points(3)}

// newPlot returns a plot in this package's style: Liberation Sans (embedded in gonum/plot, no
// system fonts), a 13-point title, 11-point axis labels, 9-point tick labels.
func newPlot() *plot.Plot {
	p := plot.New()
	sans := func(s *text.Style, size vg.Length) {
		s.Font.Variant = "Sans"
		s.Font.Size = size
	}
	sans(&p.Title.TextStyle, 13) // not bold: gonum's PDF canvas cannot write bold fonts
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		sans(&a.Label.TextStyle, 11)
		sans(&a.Tick.Label, 9)
	}
	sans(&p.Legend.TextStyle, 9)
	p.Legend.Padding = vg.Points(3)
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), -vg.Points(4)
	return p
}

// newLegendPanel adds an empty panel "legend" to f for a legend drawn beside main (see
// placeLegend).
func newLegendPanel(f *Figure, main *Panel) *Panel {
	lg := f.newPanel("legend", main.Region)
	lg.Plot.HideAxes()
	lg.Plot.Legend.Top, lg.Plot.Legend.Left = true, true
	lg.Plot.Legend.XOffs, lg.Plot.Legend.YOffs = 0, 0
	lg.Plot.Legend.TextStyle.Font.Size = 10
	lg.Plot.Legend.Padding = vg.Points(4)
	lg.AlignY = main
	return lg
}

// placeLegend splits main's region between main (left) and the legend panel lg (right), giving lg
// the width of the longest of names.
func placeLegend(f *Figure, main, lg *Panel, names []string) {
	var textW vg.Length
	for _, name := range names {
		textW = max(textW, lg.Plot.Legend.TextStyle.Width(name))
	}
	w := lg.Plot.Legend.ThumbnailWidth + textW + 2*panelMargin + vg.Points(12)
	r := main.Region
	frac := float64(w / f.Width)
	split := math.Max(r.X0+(r.X1-r.X0)/2, r.X1-frac)
	main.Region.X1 = split
	lg.Region = Region{split, r.Y0, r.X1, r.Y1}
}

// intTicks marks the integers lo…hi, labelled by label(i) (or the number when label is nil).
func intTicks(lo, hi int, label func(int) string) plot.ConstantTicks {
	var ts plot.ConstantTicks
	for i := lo; i <= hi; i++ {
		s := fmt.Sprint(i)
		if label != nil {
			s = label(i)
		}
		ts = append(ts, plot.Tick{Value: float64(i), Label: s})
	}
	return ts
}

// fractionTicks marks [0, 1]: labels every 0.2, minor ticks every 0.1 (label proportions of K = 10
// classes fall on them).
func fractionTicks() plot.ConstantTicks {
	var ts plot.ConstantTicks
	for i := 0; i <= 10; i++ {
		t := plot.Tick{Value: float64(i) / 10}
		if i%2 == 0 {
			t.Label = fmt.Sprintf("%.1f", t.Value)
		}
		ts = append(ts, t)
	}
	return ts
}

// frame outlines the data area of a plot (an image, whose axes are hidden).
type frame struct {
	Style draw.LineStyle
}

// Plot implements plot.Plotter.
func (fr frame) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	r := vg.Rectangle{
		Min: vg.Point{X: trX(p.X.Min), Y: trY(p.Y.Min)},
		Max: vg.Point{X: trX(p.X.Max), Y: trY(p.Y.Max)},
	}
	c.SetLineStyle(fr.Style)
	c.Stroke(r.Path())
}

// layerLabel is the tick label of hidden layer ℓ.
func layerLabel(l int) string { return fmt.Sprintf("layer %d", l) }

// divergingMap returns the diverging colour map of this package (Moreland's smooth blue–red,
// blue < 0 < red, centred on a light grey) over [-scale, scale].
func divergingMap(scale float64) palette.ColorMap {
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-scale)
	cm.SetMax(scale)
	return cm
}

// divergingColors is the number of palette entries of a diverging heat map. It is odd, so that 0
// falls exactly on the middle colour.
const divergingColors = 255

// grayMap returns a grey colour map over [lo, hi], white at lo and black at hi (ink is dark).
func grayMap(lo, hi float64) palette.ColorMap {
	cm, err := moreland.NewLuminance([]color.Color{color.Black, color.White})
	if err != nil { // cannot happen: black is darker than white
		panic(err)
	}
	cm = palette.Reverse(cm)
	cm.SetMin(lo)
	cm.SetMax(hi)
	return cm
}

// sequentialMap returns the sequential colour map of this package (Moreland's Kindlmann: dark at lo,
// light at hi, perceptually uniform) over [lo, hi].
func sequentialMap(lo, hi float64) palette.ColorMap {
	cm := moreland.Kindlmann()
	cm.SetMin(lo)
	cm.SetMax(hi)
	return cm
}

// sequentialColors is the number of palette entries of a sequential heat map. palette.Reverse
// leaves the middle entry of an odd-length palette nil, so this is even.
const sequentialColors = 256

// HeatMap is the heat-map plotter of this package's figures: a *plotter.HeatMap drawn as a raster
// image on image canvases (PNG: crisp cells, no anti-aliasing seams between them) and as vector
// rectangles in SVG and PDF. Its GridXYZ, Min, Max, Palette and NaN colour are plotter.HeatMap's.
type HeatMap struct {
	*plotter.HeatMap
}

// Plot implements plot.Plotter.
func (h HeatMap) Plot(c draw.Canvas, p *plot.Plot) {
	hm := *h.HeatMap
	_, hm.Rasterized = c.Canvas.(*vgimg.Canvas)
	hm.Plot(c, p)
}

// newHeatMap returns a heat map of g coloured by cm over [cm.Min(), cm.Max()] with n colours;
// NaN cells get PaddingColor, values out of range the end colours.
func newHeatMap(g plotter.GridXYZ, cm palette.ColorMap, n int) HeatMap {
	pal := cm.Palette(n)
	h := plotter.NewHeatMap(g, pal)
	h.Min, h.Max = cm.Min(), cm.Max()
	h.NaN = PaddingColor
	cols := pal.Colors()
	h.Underflow, h.Overflow = cols[0], cols[len(cols)-1]
	return HeatMap{h}
}

// addColorBar fills panel p with a vertical colour bar for cm, labelled label, aligned with the
// data area of heat (when not nil) and 12 points wide.
func addColorBar(p *Panel, cm palette.ColorMap, label string, heat *Panel) {
	p.add(colorBar{ColorMap: cm})
	p.Plot.HideX()
	p.Plot.X.Padding = 0
	p.Plot.Y.Padding = 0
	p.Plot.Y.Label.Text = label
	p.AlignY = heat
	p.DataWidth = vg.Points(12)
}

// colorBar is a vertical colour bar for ColorMap, drawn as colorBarBands horizontal bands of
// vector rectangles in every format. (gonum's plotter.ColorBar draws an image, which gonum's PDF
// canvas draws upside down and some SVG renderers leave out.)
type colorBar struct {
	ColorMap palette.ColorMap
}

// colorBarBands is the number of colour steps of a colour bar.
const colorBarBands = 200

// Plot implements plot.Plotter.
func (b colorBar) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	lo, hi := b.ColorMap.Min(), b.ColorMap.Max()
	x0, x1, top := trX(0), trX(1), trY(hi)
	for i := range colorBarBands {
		v := lo + (hi-lo)*(float64(i)+0.5)/colorBarBands
		col, err := b.ColorMap.At(v)
		if err != nil {
			continue
		}
		// Each band reaches the top and the next one paints over it: no seams between bands.
		y0 := trY(lo + (hi-lo)*float64(i)/colorBarBands)
		r := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: top}}
		c.SetColor(col)
		c.Fill(r.Path())
	}
}

// DataRange implements plot.DataRanger: x in [0, 1], y over the colour map's range.
func (b colorBar) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, 1, b.ColorMap.Min(), b.ColorMap.Max()
}

// colorBarWidth is the page width given to a colour-bar panel (bar, ticks, label).
const colorBarWidth = 0.95 * vg.Inch

// hLine is a horizontal line at Y across the whole width of the plot's data area.
type hLine struct {
	Y     float64
	Style draw.LineStyle
}

// Plot implements plot.Plotter.
func (l hLine) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	y := trY(l.Y)
	c.StrokeLine2(l.Style, c.Min.X, y, c.Max.X, y)
}

// DataRange implements plot.DataRanger: the line's Y, and no X range.
func (l hLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	return math.Inf(1), math.Inf(-1), l.Y, l.Y
}

// Thumbnail implements plot.Thumbnailer.
func (l hLine) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(l.Style, c.Min.X, y, c.Max.X, y)
}

// swatch is a legend thumbnail: a filled rectangle with an optional outline.
type swatch struct {
	Fill    color.Color
	Outline draw.LineStyle
}

// Thumbnail implements plot.Thumbnailer.
func (s swatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	inset := (r.Max.Y - r.Min.Y) * 0.15
	r.Min.Y += inset
	r.Max.Y -= inset
	if s.Fill != nil {
		c.SetColor(s.Fill)
		c.Fill(r.Path())
	}
	if s.Outline.Width > 0 {
		c.SetLineStyle(s.Outline)
		c.Stroke(r.Path())
	}
}

// cellOutlines outlines heat-map cells (unit cells centred on integer X, Y) with Style.
type cellOutlines struct {
	Cells [][2]float64 // (x, y) centres
	Style draw.LineStyle
}

// Plot implements plot.Plotter.
func (o cellOutlines) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	inset := o.Style.Width / 2
	for _, xy := range o.Cells {
		r := vg.Rectangle{
			Min: vg.Point{X: trX(xy[0]-0.5) + inset, Y: trY(xy[1]-0.5) + inset},
			Max: vg.Point{X: trX(xy[0]+0.5) - inset, Y: trY(xy[1]+0.5) - inset},
		}
		c.SetLineStyle(o.Style)
		c.Stroke(r.Path())
	}
}

// luminance returns the relative luminance of c in [0,1] (sRGB, Rec. 709 weights on linear values).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xFFFF
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// textOn returns black or white, whichever reads better on background bg.
func textOn(bg color.Color) color.Color {
	if luminance(bg) < 0.25 {
		return color.White
	}
	return color.Black
}
