package plotting

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot/vg"
)

// LayerWeights are the weights of an observer model on the hidden neurons of an object model,
// arranged by layer: Layers[ℓ-1][j] is the weight on neuron j (0-based) of hidden layer ℓ.
// A nil or empty layer is drawn as padding (an observer that did not read that layer).
type LayerWeights struct {
	// Title names what the weights belong to, usually the property (e.g. "even").
	Title string

	// Accuracy is the observer's held-out balanced accuracy, shown in the title.
	// A negative value means "not known" and leaves it out.
	Accuracy float64

	// Layers holds one weight per neuron of each hidden layer, layer 1 first.
	Layers [][]float64
}

// WeightMapOptions change how weight heat maps are drawn. The zero value is the default.
type WeightMapOptions struct {
	// Grid orders and places each layer's neurons (index order and left-aligned by default).
	Grid NetworkGridOptions

	// Scale fixes the colour range to ±Scale. Zero means ±max|w| of the map (in WeightMaps, of each
	// map, or of all maps with SharedScale). If every weight is 0 the range is ±1.
	Scale float64

	// SharedScale makes WeightMaps use one range, ±max|w| over all maps, so colours compare across
	// properties. Each map still has its own colour bar.
	SharedScale bool

	// Width and Height are the size of one map with its colour bar. Zero means 8 inches wide (6 in
	// WeightMaps) and 1.1 inch plus 0.4 inch per layer high.
	Width, Height vg.Length
}

// weightMapSize returns the size of one weight map.
func (o WeightMapOptions) size(layers int, defaultWidth vg.Length) (vg.Length, vg.Length) {
	w, h := o.Width, o.Height
	if w == 0 {
		w = defaultWidth
	}
	if h == 0 {
		h = 1.1*vg.Inch + vg.Length(max(layers, 2))*0.4*vg.Inch
	}
	return w, h
}

// WeightMap draws an observer's weights as a heat map laid out like the network: one row per hidden
// layer with layer 1 (nearest the input) at the bottom, labelled "layer ℓ" on the y axis; one column
// per neuron (neuron index, or rank by weight with opts.Grid.Sort); layers narrower than the widest
// padded with PaddingColor. Colours diverge from 0 (blue negative, red positive, light grey zero) over
// a symmetric range ±max|w|, shown by a colour bar on the right. The title is
// "<Title> · balanced accuracy <Accuracy>".
//
// The figure has panels "weights" (a heat map over a *NetworkGrid) and "colorbar".
func WeightMap(w LayerWeights, opts WeightMapOptions) (*Figure, error) {
	g, err := newWeightGrid(w, opts)
	if err != nil {
		return nil, err
	}
	return weightFigure(w, g, weightScale(opts.Scale, g.MaxAbs()), opts, 8*vg.Inch)
}

// WeightMaps draws several weight maps (e.g. one per property) in a grid of cols columns, row by row,
// as one figure; cols ≤ 0 means 2. Each map is drawn as by WeightMap, with opts.SharedScale choosing
// one colour range for all. Panel names are "i:weights" and "i:colorbar", i the index in maps.
func WeightMaps(maps []LayerWeights, cols int, opts WeightMapOptions) (*Figure, error) {
	if len(maps) == 0 {
		return nil, errors.New("plotting: WeightMaps: no weight maps")
	}
	if cols <= 0 {
		cols = 2
	}
	grids := make([]*NetworkGrid, len(maps))
	shared := 0.0
	for i, w := range maps {
		g, err := newWeightGrid(w, opts)
		if err != nil {
			return nil, fmt.Errorf("%w (map %d)", err, i)
		}
		grids[i] = g
		shared = math.Max(shared, g.MaxAbs())
	}
	figs := make([]*Figure, len(maps))
	for i, w := range maps {
		scale := opts.Scale
		if scale == 0 && opts.SharedScale {
			scale = shared
		}
		f, err := weightFigure(w, grids[i], weightScale(scale, grids[i].MaxAbs()), opts, 6*vg.Inch)
		if err != nil {
			return nil, fmt.Errorf("%w (map %d)", err, i)
		}
		figs[i] = f
	}
	return Tile(cols, figs...)
}

// newWeightGrid validates w and lays it out.
func newWeightGrid(w LayerWeights, opts WeightMapOptions) (*NetworkGrid, error) {
	if math.IsNaN(w.Accuracy) || w.Accuracy > 1 {
		return nil, fmt.Errorf("plotting: weight map %q: accuracy %v is not in [0, 1] (or negative for unknown)", w.Title, w.Accuracy)
	}
	if math.IsNaN(opts.Scale) || opts.Scale < 0 || math.IsInf(opts.Scale, 0) {
		return nil, fmt.Errorf("plotting: weight map %q: scale %v must be finite and ≥ 0", w.Title, opts.Scale)
	}
	g, err := NewNetworkGrid(w.Layers, opts.Grid)
	if err != nil {
		return nil, fmt.Errorf("%w (weight map %q)", err, w.Title)
	}
	return g, nil
}

// weightScale picks the colour range: scale if set, else the data's max|w|, else 1.
func weightScale(scale, dataMax float64) float64 {
	switch {
	case scale > 0:
		return scale
	case dataMax > 0:
		return dataMax
	default:
		return 1
	}
}

// weightTitle is the title of a weight map.
func weightTitle(w LayerWeights) string {
	t := w.Title
	if t == "" {
		t = "observer weights"
	}
	if w.Accuracy >= 0 {
		t += fmt.Sprintf(" · balanced accuracy %.3f", w.Accuracy)
	}
	return t
}

func weightFigure(w LayerWeights, g *NetworkGrid, scale float64, opts WeightMapOptions, defaultWidth vg.Length) (*Figure, error) {
	cols, rows := g.Dims()
	width, height := opts.size(rows, defaultWidth)
	f := &Figure{Width: width, Height: height}
	barFrac := float64(colorBarWidth / width)
	if barFrac >= 0.5 {
		return nil, fmt.Errorf("plotting: weight map %q: width %v leaves no room beside the colour bar", w.Title, width)
	}
	heat := f.newPanel("weights", Region{0, 0, 1 - barFrac, 1})
	cm := divergingMap(scale)
	heat.add(newHeatMap(g, cm, divergingColors))
	p := heat.Plot
	p.Title.Text = weightTitle(w)
	p.X.Padding, p.Y.Padding = 0, 0
	switch {
	case opts.Grid.Sort:
		p.X.Label.Text = "neurons, sorted by weight within each layer"
	case opts.Grid.Center:
		p.X.Label.Text = "neurons (narrower layers centred)"
	default:
		p.X.Label.Text = "neuron index"
	}
	if opts.Grid.Sort || opts.Grid.Center {
		p.X.Tick.Marker = intTicks(0, -1, nil) // column positions are not neuron indices: no ticks
	} else if cols <= 12 {
		p.X.Tick.Marker = intTicks(0, cols-1, nil)
	}
	p.Y.Tick.Marker = intTicks(1, rows, layerLabel)
	bar := f.newPanel("colorbar", Region{1 - barFrac, 0, 1, 1})
	addColorBar(bar, cm, "weight", heat)
	return f, nil
}
