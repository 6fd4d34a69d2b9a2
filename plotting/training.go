package plotting

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Curve is one line of a line chart: Y against X, points in order.
type Curve struct {
	// Name is the legend entry; an empty name leaves the curve out of the legend.
	Name string

	// X and Y are the points, of equal length ≥ 1, finite.
	X, Y []float64

	// Dashed draws the curve dashed (a held-out or control curve).
	Dashed bool
}

// LineChart is a set of curves on shared axes.
type LineChart struct {
	Title, XLabel, YLabel string

	Curves []Curve

	// YMin and YMax fix the y range when YMin < YMax; otherwise it follows the data.
	YMin, YMax float64
}

// Lines draws a line chart: curve i as a line in SeriesColors[i] (cycling), dashed if asked, over a
// light grid, with the names of the named curves in a legend beside the plot.
//
// The figure has panels "lines", holding one *plotter.Line per curve in order, and "legend"
// (present when a curve has a name).
func Lines(c LineChart) (*Figure, error) {
	return linesFigure(c, nil, "lines")
}

// linesFigure draws c in a panel called name with its legend in a panel beside it; colors[i],
// when given, is the colour index of curve i.
func linesFigure(c LineChart, colors []int, name string) (*Figure, error) {
	if err := checkLines(c); err != nil {
		return nil, err
	}
	f := &Figure{Width: 7 * vg.Inch, Height: 4 * vg.Inch}
	pn := f.newPanel(name, Full)
	var lg *Panel
	var names []string
	for _, cv := range c.Curves {
		if cv.Name != "" {
			names = append(names, cv.Name)
		}
	}
	if len(names) > 0 {
		lg = newLegendPanel(f, pn)
		placeLegend(f, pn, lg, names)
	}
	if err := addLines(pn, c, colors, lg); err != nil {
		return nil, err
	}
	return f, nil
}

func checkLines(c LineChart) error {
	if len(c.Curves) == 0 {
		return fmt.Errorf("plotting: line chart %q: no curves", c.Title)
	}
	if math.IsNaN(c.YMin) || math.IsNaN(c.YMax) || math.IsInf(c.YMin, 0) || math.IsInf(c.YMax, 0) {
		return fmt.Errorf("plotting: line chart %q: y range [%v, %v] must be finite", c.Title, c.YMin, c.YMax)
	}
	for i, cv := range c.Curves {
		what := fmt.Sprintf("line chart %q: curve %d (%q)", c.Title, i, cv.Name)
		if len(cv.X) == 0 {
			return fmt.Errorf("plotting: %s: no points", what)
		}
		if err := checkLen(what+": Y", cv.Y, len(cv.X), "x values"); err != nil {
			return err
		}
		if err := checkFinite(what+": X", cv.X); err != nil {
			return err
		}
		if err := checkFinite(what+": Y", cv.Y); err != nil {
			return err
		}
	}
	return nil
}

// addLines draws c's curves into pn, their legend entries into lg (pn when nil); colors[i], when
// given, is the colour index of curve i. c must have passed checkLines.
func addLines(pn *Panel, c LineChart, colors []int, lg *Panel) error {
	if lg == nil {
		lg = pn
	}
	for i, cv := range c.Curves {
		xys := make(plotter.XYs, len(cv.X))
		for j := range cv.X {
			xys[j] = plotter.XY{X: cv.X[j], Y: cv.Y[j]}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("plotting: line chart %q: curve %d: %w", c.Title, i, err)
		}
		ci := i
		if colors != nil {
			ci = colors[i]
		}
		l.LineStyle = draw.LineStyle{Color: seriesColor(ci), Width: vg.Points(1.5)}
		if cv.Dashed {
			l.Dashes = dashes
		}
		pn.add(l)
		if cv.Name != "" {
			lg.legend(cv.Name, l)
		}
	}
	p := pn.Plot
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = c.Title, c.XLabel, c.YLabel
	if c.YMin < c.YMax {
		p.Y.Min, p.Y.Max = c.YMin, c.YMax
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return nil
}

// TrainingLog is an object model's training history: values recorded at steps or epochs X.
// Every series present has len(X) values; nil series are left out.
type TrainingLog struct {
	// Title of the figure, e.g. "784-256-128-10 ReLU MLP on MNIST".
	Title string

	// XLabel names the x axis; empty means "epoch".
	XLabel string

	// X are the steps or epochs at which the values were recorded.
	X []float64

	// Loss and ValLoss are the training and held-out losses.
	Loss, ValLoss []float64

	// Accuracy and ValAccuracy are the training and held-out accuracies, in [0, 1].
	Accuracy, ValAccuracy []float64
}

// TrainingCurves draws a training history as two panels side by side: "loss" (training solid,
// held-out dashed; legend top right) and "accuracy" (likewise; legend bottom right), each left out
// when it has no series. The title goes over the first panel.
func TrainingCurves(t TrainingLog) (*Figure, error) {
	if len(t.X) == 0 {
		return nil, errors.New("plotting: training curves: no x values")
	}
	xl := t.XLabel
	if xl == "" {
		xl = "epoch"
	}
	type part struct {
		name, ylabel string
		train, val   []float64
		ymin, ymax   float64
	}
	var parts []part
	if t.Loss != nil || t.ValLoss != nil {
		parts = append(parts, part{"loss", "loss", t.Loss, t.ValLoss, 0, 0})
	}
	if t.Accuracy != nil || t.ValAccuracy != nil {
		parts = append(parts, part{"accuracy", "accuracy", t.Accuracy, t.ValAccuracy, 0, 0})
	}
	if len(parts) == 0 {
		return nil, errors.New("plotting: training curves: no loss or accuracy series")
	}
	for _, a := range [][]float64{t.Accuracy, t.ValAccuracy} {
		for i, v := range a {
			if v < 0 || v > 1 {
				return nil, fmt.Errorf("plotting: training curves: accuracy[%d] = %v is not in [0, 1]", i, v)
			}
		}
	}
	f := &Figure{Width: vg.Length(len(parts)) * 5 * vg.Inch, Height: 3.8 * vg.Inch}
	for i, pt := range parts {
		lc := LineChart{XLabel: xl, YLabel: pt.ylabel}
		if i == 0 {
			lc.Title = t.Title
		}
		var colors []int
		if pt.train != nil {
			lc.Curves = append(lc.Curves, Curve{Name: "training", X: t.X, Y: pt.train})
			colors = append(colors, 0)
		}
		if pt.val != nil {
			lc.Curves = append(lc.Curves, Curve{Name: "held-out", X: t.X, Y: pt.val, Dashed: true})
			colors = append(colors, 1)
		}
		if err := checkLines(lc); err != nil {
			return nil, fmt.Errorf("plotting: training curves: %w", err)
		}
		w := 1 / float64(len(parts))
		pn := f.newPanel(pt.name, Region{float64(i) * w, 0, float64(i+1) * w, 1})
		if err := addLines(pn, lc, colors, nil); err != nil {
			return nil, fmt.Errorf("plotting: training curves: %w", err)
		}
		// Loss falls and accuracy rises: keep the legend where the curves are not.
		pn.Plot.Legend.Top = pt.name == "loss"
	}
	return f, nil
}

// EmergenceLog counts denotations over training: Counts[ℓ-1][e] is the number of denoting neurons
// (or of denoted sets) of hidden layer ℓ measured after epoch Epochs[e].
type EmergenceLog struct {
	// Title of the figure; empty means "Emergence of denotation over training".
	Title string

	// Epochs are the x values (epoch 0 = at initialisation).
	Epochs []float64

	// Counts holds one row of len(Epochs) values ≥ 0 per hidden layer, layer 1 first.
	Counts [][]float64
}

// Emergence draws denotations over training: one line per layer ("layer ℓ") and their total
// ("all layers", black, dashed) against epoch.
//
// The figure has panels "emergence", one *plotter.Line per layer then the total (when there is more
// than one layer), and "legend".
func Emergence(e EmergenceLog) (*Figure, error) {
	if len(e.Epochs) == 0 {
		return nil, errors.New("plotting: emergence: no epochs")
	}
	if len(e.Counts) == 0 {
		return nil, errors.New("plotting: emergence: no layers")
	}
	total := make([]float64, len(e.Epochs))
	lc := LineChart{Title: e.Title, XLabel: "epoch", YLabel: "denoting neurons"}
	if lc.Title == "" {
		lc.Title = "Emergence of denotation over training"
	}
	var colors []int
	for l, row := range e.Counts {
		what := fmt.Sprintf("emergence: layer %d", l+1)
		if err := checkLen(what, row, len(e.Epochs), "epochs"); err != nil {
			return nil, err
		}
		if err := checkFinite(what, row); err != nil {
			return nil, err
		}
		for i, v := range row {
			if v < 0 {
				return nil, fmt.Errorf("plotting: %s: count %v at epoch %v is negative", what, v, e.Epochs[i])
			}
			total[i] += v
		}
		lc.Curves = append(lc.Curves, Curve{Name: layerLabel(l + 1), X: e.Epochs, Y: row})
		colors = append(colors, l%(len(SeriesColors)-1)) // black is kept for the total
	}
	if len(e.Counts) > 1 {
		lc.Curves = append(lc.Curves, Curve{Name: "all layers", X: e.Epochs, Y: total, Dashed: true})
		colors = append(colors, len(SeriesColors)-1)
	}
	f, err := linesFigure(lc, colors, "emergence")
	if err != nil {
		return nil, err
	}
	f.Panels[0].Plot.Y.Min = 0
	return f, nil
}
