package plotting

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot/plotter"
)

// NetworkGrid is a plotter.GridXYZ with one value per hidden neuron, laid out like the network:
// row r is hidden layer ℓ = r+1, so layer 1 (nearest the input) is the bottom row when drawn, and
// Y(r) = ℓ; column c is a neuron slot, X(c) = c. Layers narrower than the widest are padded with
// NaN cells (drawn in PaddingColor), on the right, or on both sides when centred.
//
// Invariants: Dims() is (width of the widest layer, number of layers), both ≥ 1; every non-padding
// cell holds a finite value; Neuron(c, r) is the 0-based index, within layer r+1, of the neuron in
// cell (c, r), or -1 for padding. In index order (not sorted, not centred) Neuron(c, r) == c.
type NetworkGrid struct {
	cols   int
	z      [][]float64 // z[r][c]
	neuron [][]int     // neuron[r][c]
}

// NetworkGridOptions choose how NewNetworkGrid orders and places the neurons of each layer. The
// zero value is the default.
type NetworkGridOptions struct {
	// Sort orders each layer's neurons by value, largest first (ties by index), so that columns are
	// ranks within the layer, not neuron indices.
	Sort bool

	// Center centres narrower layers, as a network is usually drawn, instead of left-aligning them.
	Center bool
}

// NewNetworkGrid returns the grid of values[ℓ-1][j], the value of neuron j of hidden layer ℓ.
// A nil or empty layer is a row of padding (e.g. a layer an observer did not read), but at least one
// layer must have values; NaN and ±Inf are errors.
func NewNetworkGrid(values [][]float64, opts NetworkGridOptions) (*NetworkGrid, error) {
	if len(values) == 0 {
		return nil, errors.New("plotting: network grid: no layers")
	}
	cols := 0
	for l, v := range values {
		if err := checkFinite(fmt.Sprintf("layer %d", l+1), v); err != nil {
			return nil, err
		}
		cols = max(cols, len(v))
	}
	if cols == 0 {
		return nil, errors.New("plotting: network grid: every layer is empty")
	}
	g := &NetworkGrid{cols: cols, z: make([][]float64, len(values)), neuron: make([][]int, len(values))}
	for r, v := range values {
		order := make([]int, len(v))
		for j := range order {
			order[j] = j
		}
		if opts.Sort {
			sort.SliceStable(order, func(a, b int) bool { return v[order[a]] > v[order[b]] })
		}
		off := 0
		if opts.Center {
			off = (cols - len(v)) / 2
		}
		g.z[r] = make([]float64, cols)
		g.neuron[r] = make([]int, cols)
		for c := range cols {
			g.z[r][c], g.neuron[r][c] = math.NaN(), -1
		}
		for k, j := range order {
			g.z[r][off+k], g.neuron[r][off+k] = v[j], j
		}
	}
	return g, nil
}

// Dims implements plotter.GridXYZ: (widest layer, number of layers).
func (g *NetworkGrid) Dims() (c, r int) { return g.cols, len(g.z) }

// Z implements plotter.GridXYZ: the value in cell (c, r), NaN for padding.
func (g *NetworkGrid) Z(c, r int) float64 { return g.z[r][c] }

// X implements plotter.GridXYZ: X(c) = c.
func (g *NetworkGrid) X(c int) float64 {
	if c < 0 || c >= g.cols {
		panic(fmt.Sprintf("plotting: NetworkGrid column %d out of range [0, %d)", c, g.cols))
	}
	return float64(c)
}

// Y implements plotter.GridXYZ: Y(r) = r+1, the layer number ℓ.
func (g *NetworkGrid) Y(r int) float64 {
	if r < 0 || r >= len(g.z) {
		panic(fmt.Sprintf("plotting: NetworkGrid row %d out of range [0, %d)", r, len(g.z)))
	}
	return float64(r + 1)
}

// Neuron returns the 0-based index within layer r+1 of the neuron shown in cell (c, r), or -1 for
// padding.
func (g *NetworkGrid) Neuron(c, r int) int { return g.neuron[r][c] }

// MaxAbs returns the largest |value| over all neurons (0 when all are zero).
func (g *NetworkGrid) MaxAbs() float64 { return maxAbs(g.z...) }

var _ plotter.GridXYZ = (*NetworkGrid)(nil)

// imageGrid shows a Rows × Cols image (row-major, row 0 at the top) the right way up:
// X(c) = c, Y(r) = r, and cell (c, r) holds pixel (Rows-1-r, c).
type imageGrid struct {
	rows, cols int
	px         []float64
}

func (g imageGrid) Dims() (c, r int)   { return g.cols, g.rows }
func (g imageGrid) Z(c, r int) float64 { return g.px[(g.rows-1-r)*g.cols+c] }
func (g imageGrid) X(c int) float64    { return float64(c) }
func (g imageGrid) Y(r int) float64    { return float64(r) }

// tableGrid shows a table with named rows listed top to bottom: X(c) = c+1, Y(r) = r, and cell (c, r)
// holds z[len(z)-1-r][c].
type tableGrid struct {
	z [][]float64
}

func (g tableGrid) Dims() (c, r int)   { return len(g.z[0]), len(g.z) }
func (g tableGrid) Z(c, r int) float64 { return g.z[len(g.z)-1-r][c] }
func (g tableGrid) X(c int) float64    { return float64(c + 1) }
func (g tableGrid) Y(r int) float64    { return float64(r) }
