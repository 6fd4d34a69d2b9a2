package plotting

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DefaultDecisive is the balanced accuracy at or above which a property counts as captured
// decisively (docs/definitions.md).
const DefaultDecisive = 0.99

// AccuracyTable is the held-out balanced accuracy of observers, one per property (row) and layer
// (column): Accuracy[i][ℓ-1] is the accuracy of the observer of property Properties[i] on hidden
// layer ℓ.
type AccuracyTable struct {
	// Title of the figure; empty means "Observer balanced accuracy".
	Title string

	// Properties name the rows, listed top to bottom.
	Properties []string

	// Accuracy holds len(Properties) rows of equal length L ≥ 1, values in [0, 1].
	Accuracy [][]float64

	// Columns optionally names the columns (e.g. "layer 1", "layer 2", "all layers");
	// empty means "layer 1" … "layer L".
	Columns []string

	// ColorMin is the accuracy at the dark end of the colour scale (the light end is 1); values below
	// it get the darkest colour. Zero means the smallest accuracy rounded down to a multiple of 0.05,
	// kept within [0.5, 0.9] (0.5 is chance for balanced accuracy).
	ColorMin float64

	// Decisive is the threshold of a decisive capture: cells ≥ Decisive are outlined.
	// Zero means DefaultDecisive.
	Decisive float64

	// DecisiveRows, when given (one per property), replaces Decisive row by row: a property whose
	// threshold depends on what is attainable for it (a ceiling minus a margin). DecisiveLabel then
	// describes the rule in the x-axis label.
	DecisiveRows  []float64
	DecisiveLabel string
}

// AccuracyMap draws an accuracy table as a heat map: properties down, layers across, each cell
// coloured on a sequential scale from ColorMin (dark) to 1 (light) and labelled with its value; cells at or above the decisive threshold are
// outlined in black. A colour bar is on the right.
//
// The figure has panels "accuracy" (heat map, cell labels, outlines) and "colorbar".
func AccuracyMap(t AccuracyTable) (*Figure, error) {
	decisive, lo, err := t.check()
	if err != nil {
		return nil, err
	}
	cols := len(t.Accuracy[0])
	rows := len(t.Properties)
	width := 2.2*vg.Inch + vg.Length(cols)*0.8*vg.Inch + colorBarWidth
	height := 1.3*vg.Inch + vg.Length(rows)*0.32*vg.Inch
	f := &Figure{Width: width, Height: height}
	barFrac := float64(colorBarWidth / width)
	heat := f.newPanel("accuracy", Region{0, 0, 1 - barFrac, 1})
	g := tableGrid{z: t.Accuracy}
	cm := sequentialMap(lo, 1)
	hm := newHeatMap(g, cm, sequentialColors)
	heat.add(hm)

	if err := t.addCellLabels(heat, hm, g, decisive, lo); err != nil {
		return nil, err
	}

	p := heat.Plot
	p.Title.Text = t.Title
	if p.Title.Text == "" {
		p.Title.Text = "Observer balanced accuracy"
	}
	p.X.Label.Text = fmt.Sprintf("outlined: captured decisively (≥ %g)", decisive)
	if t.DecisiveRows != nil {
		p.X.Label.Text = "outlined: captured decisively"
		if t.DecisiveLabel != "" {
			p.X.Label.Text += " (" + t.DecisiveLabel + ")"
		}
	}
	p.X.Padding, p.Y.Padding = 0, 0
	colNames := t.Columns
	if len(colNames) == 0 {
		colNames = make([]string, cols)
		for c := range cols {
			colNames[c] = layerLabel(c + 1)
		}
	}
	var xt, yt plot.ConstantTicks
	for c, name := range colNames {
		xt = append(xt, plot.Tick{Value: g.X(c), Label: name})
	}
	for r := range rows {
		yt = append(yt, plot.Tick{Value: g.Y(r), Label: t.Properties[rows-1-r]})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = xt, yt
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0

	bar := f.newPanel("colorbar", Region{1 - barFrac, 0, 1, 1})
	addColorBar(bar, cm, "balanced accuracy", heat)
	return f, nil
}

// check checks t and returns the decisive threshold and the colour scale's minimum it gives
// (their defaults when zero).
func (t AccuracyTable) check() (decisive, lo float64, err error) {
	if len(t.Properties) == 0 {
		return 0, 0, errors.New("plotting: accuracy map: no properties")
	}
	if len(t.Accuracy) != len(t.Properties) {
		return 0, 0, fmt.Errorf("plotting: accuracy map: %d rows of accuracy for %d properties", len(t.Accuracy), len(t.Properties))
	}
	cols := len(t.Accuracy[0])
	if cols == 0 {
		return 0, 0, errors.New("plotting: accuracy map: no layers (columns)")
	}
	for i, row := range t.Accuracy {
		if err := checkLen(fmt.Sprintf("accuracy map: row %d (%q)", i, t.Properties[i]), row, cols, "columns"); err != nil {
			return 0, 0, err
		}
		if err := checkFinite(fmt.Sprintf("accuracy map: row %d (%q)", i, t.Properties[i]), row); err != nil {
			return 0, 0, err
		}
		for j, a := range row {
			if a < 0 || a > 1 {
				return 0, 0, fmt.Errorf("plotting: accuracy map: accuracy[%d][%d] = %v is not in [0, 1]", i, j, a)
			}
		}
	}
	if len(t.Columns) != 0 && len(t.Columns) != cols {
		return 0, 0, fmt.Errorf("plotting: accuracy map: %d column names for %d columns", len(t.Columns), cols)
	}
	decisive = t.Decisive
	if decisive == 0 {
		decisive = DefaultDecisive
	}
	if math.IsNaN(decisive) || decisive <= 0 || decisive > 1 {
		return 0, 0, fmt.Errorf("plotting: accuracy map: decisive threshold %v is not in (0, 1]", t.Decisive)
	}
	if t.DecisiveRows != nil {
		if len(t.DecisiveRows) != len(t.Properties) {
			return 0, 0, fmt.Errorf("plotting: accuracy map: %d decisive thresholds for %d properties", len(t.DecisiveRows), len(t.Properties))
		}
		for i, d := range t.DecisiveRows {
			if math.IsNaN(d) || d <= 0 || d > 1 {
				return 0, 0, fmt.Errorf("plotting: accuracy map: decisive threshold %v of %q is not in (0, 1]", d, t.Properties[i])
			}
		}
	}
	lo = t.ColorMin
	if lo == 0 {
		lo, _ = minMax(t.Accuracy...)
		lo = math.Min(0.9, math.Max(0.5, math.Floor(lo*20+1e-9)/20))
	}
	if math.IsNaN(lo) || lo < 0 || lo >= 1 {
		return 0, 0, fmt.Errorf("plotting: accuracy map: colour scale minimum %v is not in [0, 1)", t.ColorMin)
	}
	return decisive, lo, nil
}

// addCellLabels labels each cell of the heat map hm of t's accuracies (grid g, colour scale from
// lo to 1) with its value, in a colour that reads on the cell, and outlines the cells at or above
// their decisive threshold (decisive, or t.DecisiveRows).
func (t AccuracyTable) addCellLabels(heat *Panel, hm HeatMap, g tableGrid, decisive, lo float64) error {
	rows, cols := len(t.Properties), len(t.Accuracy[0])
	pal := hm.Palette.Colors()
	var xys plotter.XYs
	var labels []string
	var styles []text.Style
	var decisiveCells [][2]float64
	base := heat.Plot.Y.Tick.Label
	base.XAlign, base.YAlign = draw.XCenter, draw.YCenter
	for r := range rows {
		for c := range cols {
			a := g.Z(c, r)
			x, y := g.X(c), g.Y(r)
			xys = append(xys, plotter.XY{X: x, Y: y})
			labels = append(labels, fmt.Sprintf("%.3f", a))
			st := base
			st.Color = textOn(pal[paletteIndex(a, lo, 1, len(pal))])
			styles = append(styles, st)
			thr := decisive
			if t.DecisiveRows != nil {
				thr = t.DecisiveRows[rows-1-r] // grid row r shows property rows-1-r (tableGrid)
			}
			if a >= thr {
				decisiveCells = append(decisiveCells, [2]float64{x, y})
			}
		}
	}
	lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return fmt.Errorf("plotting: accuracy map: %w", err)
	}
	lab.TextStyle = styles
	heat.add(lab)
	outline := cellOutlines{Cells: decisiveCells, Style: draw.LineStyle{Color: blackColor, Width: vg.Points(2.5)}}
	heat.add(outline)
	return nil
}

// paletteIndex is the palette entry plotter.HeatMap uses for v over [lo, hi] with n colours.
func paletteIndex(v, lo, hi float64, n int) int {
	switch {
	case v <= lo:
		return 0
	case v >= hi:
		return n - 1
	}
	return int((v-lo)*float64(n-1)/(hi-lo) + 0.5)
}
