package plotting

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"github.com/denotation-go/denotation/pkg/property"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Ablation is the causal check of a denotation: how the object model's per-class accuracy changes
// when one neuron is ablated (e.g. clamped to its mean or to zero).
type Ablation struct {
	// Title names the neuron and the ablation, e.g. "ablating layer 2 · neuron 17 (set to 0)".
	Title string

	// ClassNames are the K class names.
	ClassNames []string

	// Delta[k] is the change of accuracy on class k, ablated minus intact (negative: the class got
	// worse), in [-1, 1].
	Delta []float64

	// Denoted are the classes of the set S the neuron denotes, highlighted.
	Denoted property.LabelSet
}

// AblationEffect draws the per-class accuracy change as bars: classes of S in HighlightColor, the
// others in OtherColor, with a zero line; the legend is beside the plot. The y range always
// includes 0.
//
// The figure has panels "ablation", holding a *plotter.BarChart for the classes in S (zero
// elsewhere), one for the other classes (zero on S), then the zero line, and "legend".
func AblationEffect(a Ablation) (*Figure, error) {
	k := len(a.ClassNames)
	if k == 0 {
		return nil, errors.New("plotting: ablation: no classes")
	}
	if err := checkLen("ablation: Delta", a.Delta, k, "classes"); err != nil {
		return nil, err
	}
	if err := checkFinite("ablation: Delta", a.Delta); err != nil {
		return nil, err
	}
	for c, d := range a.Delta {
		if d < -1 || d > 1 {
			return nil, fmt.Errorf("plotting: ablation: Delta[%d] = %v is not an accuracy change in [-1, 1]", c, d)
		}
	}
	if err := checkClasses("ablation: denoted set", a.Denoted, k); err != nil {
		return nil, err
	}
	sVals, oVals := make(plotter.Values, k), make(plotter.Values, k)
	for c, d := range a.Delta {
		if a.Denoted.Contains(c) {
			sVals[c] = d
		} else {
			oVals[c] = d
		}
	}
	f := &Figure{Width: 7.5 * vg.Inch, Height: 3.8 * vg.Inch}
	pn := f.newPanel("ablation", Full)
	lg := newLegendPanel(f, pn)
	sName := fmt.Sprintf("classes in S (%d)", a.Denoted.Len())
	placeLegend(f, pn, lg, []string{sName, "other classes"})
	barW := (vg.Length(pn.Region.X1-pn.Region.X0)*f.Width - 1.2*vg.Inch) / vg.Length(k) * 0.65
	outline := draw.LineStyle{Color: blackColor, Width: vg.Points(0.5)}
	for _, part := range []struct {
		vals  plotter.Values
		color color.Color
		name  string
	}{
		{sVals, HighlightColor, sName},
		{oVals, OtherColor, "other classes"},
	} {
		b, err := plotter.NewBarChart(part.vals, barW)
		if err != nil {
			return nil, fmt.Errorf("plotting: ablation: %w", err)
		}
		b.Color = part.color
		b.LineStyle = outline
		pn.add(b)
		lg.legend(part.name, b)
	}
	pn.add(hLine{Y: 0, Style: draw.LineStyle{Color: blackColor, Width: vg.Points(1)}})
	p := pn.Plot
	p.Title.Text = a.Title
	if p.Title.Text == "" {
		p.Title.Text = "Per-class accuracy change on ablation"
	}
	p.NominalX(a.ClassNames...)
	p.X.Label.Text = "class"
	p.Y.Label.Text = "accuracy change (ablated – intact)"
	lo, hi := minMax(a.Delta)
	lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	pad := 0.05 * math.Max(hi-lo, 0.01)
	p.Y.Min, p.Y.Max = lo-pad, hi+pad
	p.Add(&plotter.Grid{Horizontal: plotter.DefaultGridLineStyle})
	return f, nil
}
