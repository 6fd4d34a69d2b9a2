package plotting

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"github.com/denotation-go/denotation/pkg/property"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// NeuronActivity is one neuron's activations on held-out samples, grouped by class, with the
// threshold and the set S it denotes (the high side: classes whose samples fire above the threshold).
type NeuronActivity struct {
	// Title names the neuron, e.g. "layer 2 · neuron 17".
	Title string

	// ClassNames are the K class names, the x tick labels.
	ClassNames []string

	// Values[k] holds the neuron's activations on the samples of class k (at least one each).
	Values [][]float64

	// Threshold is the denotation threshold t, drawn as a horizontal line.
	Threshold float64

	// Denoted are the classes of S, highlighted in HighlightColor. It may be empty (no denotation).
	Denoted property.LabelSet

	// YLabel labels the y axis; empty means "activation".
	YLabel string
}

// NeuronActivations draws one box plot (median, quartiles, whiskers at 1.5 IQR, outliers) of the
// neuron's activations per class, boxes of the denoted classes filled in HighlightColor and the others
// in OtherColor, and the threshold as a dashed horizontal line, with a legend.
//
// The figure has one panel, "activations": K *plotter.BoxPlot, then the threshold line.
func NeuronActivations(a NeuronActivity) (*Figure, error) {
	f := &Figure{Width: 7 * vg.Inch, Height: 3.6 * vg.Inch}
	if err := addActivations(f, a, Full); err != nil {
		return nil, err
	}
	return f, nil
}

func checkActivity(a NeuronActivity) error {
	k := len(a.ClassNames)
	if k == 0 {
		return errors.New("plotting: neuron activations: no classes")
	}
	if len(a.Values) != k {
		return fmt.Errorf("plotting: neuron activations: %d classes of values for %d class names", len(a.Values), k)
	}
	for c, v := range a.Values {
		if len(v) == 0 {
			return fmt.Errorf("plotting: neuron activations: class %d (%s) has no values", c, a.ClassNames[c])
		}
		if err := checkFinite(fmt.Sprintf("neuron activations: class %d (%s)", c, a.ClassNames[c]), v); err != nil {
			return err
		}
	}
	if err := checkValue("neuron activations: threshold", a.Threshold); err != nil {
		return err
	}
	return checkClasses("neuron activations: denoted set", a.Denoted, k)
}

// addActivations adds the "activations" panel to f in region.
func addActivations(f *Figure, a NeuronActivity, region Region) error {
	if err := checkActivity(a); err != nil {
		return err
	}
	k := len(a.ClassNames)
	pn := f.newPanel("activations", region)
	p := pn.Plot
	// Box width: 60% of a class's share of the data area (about the panel width less 1 inch).
	dataW := vg.Length(region.X1-region.X0)*f.Width - 1*vg.Inch
	boxW := max(vg.Points(4), dataW/vg.Length(k)*0.6)
	for c, v := range a.Values {
		b, err := plotter.NewBoxPlot(boxW, float64(c), plotter.Values(v))
		if err != nil {
			return fmt.Errorf("plotting: neuron activations: class %d: %w", c, err)
		}
		b.FillColor = OtherColor
		if a.Denoted.Contains(c) {
			b.FillColor = HighlightColor
		}
		b.GlyphStyle.Radius = vg.Points(1.5)
		pn.add(b)
	}
	th := hLine{Y: a.Threshold, Style: draw.LineStyle{Color: ThresholdColor, Width: vg.Points(1.5), Dashes: dashes}}
	pn.add(th)

	p.Title.Text = a.Title
	p.NominalX(a.ClassNames...)
	p.X.Label.Text = "class"
	p.Y.Label.Text = a.YLabel
	if p.Y.Label.Text == "" {
		p.Y.Label.Text = "activation"
	}
	outline := draw.LineStyle{Color: blackColor, Width: vg.Points(0.5)}
	if a.Denoted != 0 {
		pn.legend(fmt.Sprintf("denoted set S (%d of %d classes)", a.Denoted.Len(), k), swatch{Fill: HighlightColor, Outline: outline})
		pn.legend("other classes", swatch{Fill: OtherColor, Outline: outline})
	}
	pn.legend(fmt.Sprintf("threshold t = %.3g", a.Threshold), th)
	p.Legend.Top = true
	p.Legend.Left = true
	// Head-room so that the legend does not sit on the boxes.
	lo, hi := minMax(a.Values...)
	lo, hi = math.Min(lo, a.Threshold), math.Max(hi, a.Threshold)
	span := hi - lo
	if span == 0 {
		span = 1
	}
	p.Y.Min, p.Y.Max = lo-0.02*span, hi+0.07*span*float64(len(pn.Legend)+1)
	return nil
}

// Image is a grayscale image or pixel map (e.g. a 28×28 mean input, or an observer's weights on
// pixels): Pixels holds Rows × Cols values, row-major, row 0 at the top.
type Image struct {
	// Title is shown above the image.
	Title string

	// Rows and Cols are the image's size (28 × 28 for MNIST).
	Rows, Cols int

	// Pixels are the Rows*Cols values, row-major from the top-left corner.
	Pixels []float64
}

func (im Image) check(what string) error {
	if im.Rows < 1 || im.Cols < 1 {
		return fmt.Errorf("plotting: %s %q: size %d × %d: need at least 1 × 1", what, im.Title, im.Rows, im.Cols)
	}
	if len(im.Pixels) != im.Rows*im.Cols {
		return fmt.Errorf("plotting: %s %q: %d pixels for %d × %d", what, im.Title, len(im.Pixels), im.Rows, im.Cols)
	}
	return checkFinite(fmt.Sprintf("%s %q: pixel", what, im.Title), im.Pixels)
}

// GrayImage draws an image in grays, the right way up, square pixels: white at min(0, smallest
// value), black at the largest value (ink is dark, as on paper), with a colour bar. It suits the
// mean input image of a neuron's top-activating samples (pixels in [0, 1]).
//
// The figure has panels "image" and "colorbar".
func GrayImage(im Image) (*Figure, error) {
	if err := im.check("image"); err != nil {
		return nil, err
	}
	lo, hi := minMax(im.Pixels)
	lo = math.Min(lo, 0)
	if hi <= lo {
		hi = lo + 1
	}
	f := &Figure{Width: 4.2 * vg.Inch, Height: 3.8 * vg.Inch}
	addImage(f, im, grayMap(lo, hi), sequentialColors, "pixel value", "image", Full)
	return f, nil
}

// PixelWeights draws a map of weights on pixels (e.g. a linear observer on the input image) the
// right way up, square pixels, on the diverging palette over ±max|w| (blue negative, red positive),
// with a colour bar.
//
// The figure has panels "image" and "colorbar".
func PixelWeights(im Image) (*Figure, error) {
	if err := im.check("pixel weights"); err != nil {
		return nil, err
	}
	f := &Figure{Width: 4.2 * vg.Inch, Height: 3.8 * vg.Inch}
	addImage(f, im, divergingMap(weightScale(0, maxAbs(im.Pixels))), divergingColors, "weight", "image", Full)
	return f, nil
}

// addImage adds an image panel called name and its colour bar, side by side in region.
func addImage(f *Figure, im Image, cmap palette.ColorMap, n int, barLabel, name string, region Region) {
	// Colour bar: a fixed width on the right; image: the rest, made square by padding the plot.
	regionW := vg.Length(region.X1-region.X0) * f.Width
	barFrac := float64(colorBarWidth / regionW)
	pn := f.newPanel(name, Region{0, 0, 1 - barFrac, 1}.within(region))
	g := imageGrid{rows: im.Rows, cols: im.Cols, px: im.Pixels}
	pn.add(newHeatMap(g, cmap, n), frame{Style: draw.LineStyle{Color: color.Gray{Y: 0x80}, Width: vg.Points(0.5)}})
	p := pn.Plot
	p.Title.Text = im.Title
	p.HideAxes()
	p.X.Padding, p.Y.Padding = 0, 0
	pn.Aspect = float64(im.Cols) / float64(im.Rows) // square pixels
	bar := f.newPanel("colorbar", Region{1 - barFrac, 0, 1, 1}.within(region))
	addColorBar(bar, cmap, barLabel, pn)
}

// NeuronStory is what one neuron does: its activations per class and, optionally, the mean input
// image of the samples that activate it most.
type NeuronStory struct {
	Activity NeuronActivity

	// TopMean, when not nil, is the mean input image of the top-activating samples.
	TopMean *Image
}

// Story draws a neuron's story in one figure: its per-class activations (as NeuronActivations) on
// the left and, when s.TopMean is set, the mean image of its top-activating samples (as GrayImage)
// on the right.
//
// The figure has panels "activations" and, with TopMean, "top-mean" and "colorbar".
func Story(s NeuronStory) (*Figure, error) {
	if s.TopMean == nil {
		return NeuronActivations(s.Activity)
	}
	if err := s.TopMean.check("top-activating mean image"); err != nil {
		return nil, err
	}
	f := &Figure{Width: 10.5 * vg.Inch, Height: 3.6 * vg.Inch}
	split := 0.66
	if err := addActivations(f, s.Activity, Region{0, 0, split, 1}); err != nil {
		return nil, err
	}
	lo, hi := minMax(s.TopMean.Pixels)
	lo = math.Min(lo, 0)
	if hi <= lo {
		hi = lo + 1
	}
	addImage(f, *s.TopMean, grayMap(lo, hi), sequentialColors, "mean pixel", "top-mean", Region{split, 0, 1, 1})
	return f, nil
}
