package plotting

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

func TestNetworkGrid(t *testing.T) {
	layers := [][]float64{{0.1, -0.4, 0.3, 0.2}, {0.5, -0.6}}
	g, err := NewNetworkGrid(layers, NetworkGridOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c, r := g.Dims(); c != 4 || r != 2 {
		t.Fatalf("Dims = %d, %d; want 4, 2", c, r)
	}
	for r, row := range layers {
		if g.Y(r) != float64(r+1) {
			t.Errorf("Y(%d) = %v, want layer %d", r, g.Y(r), r+1)
		}
		for c := range 4 {
			z, n := g.Z(c, r), g.Neuron(c, r)
			if c < len(row) {
				if z != row[c] || n != c {
					t.Errorf("cell (%d,%d) = %v neuron %d; want %v neuron %d", c, r, z, n, row[c], c)
				}
			} else if !math.IsNaN(z) || n != -1 {
				t.Errorf("padding cell (%d,%d) = %v neuron %d; want NaN, -1", c, r, z, n)
			}
		}
	}
	if g.X(3) != 3 {
		t.Errorf("X(3) = %v", g.X(3))
	}
	if g.MaxAbs() != 0.6 {
		t.Errorf("MaxAbs = %v, want 0.6", g.MaxAbs())
	}

	s, err := NewNetworkGrid(layers, NetworkGridOptions{Sort: true, Center: true})
	if err != nil {
		t.Fatal(err)
	}
	wantZ := [][]float64{{0.3, 0.2, 0.1, -0.4}, {math.NaN(), 0.5, -0.6, math.NaN()}}
	wantN := [][]int{{2, 3, 0, 1}, {-1, 0, 1, -1}}
	for r := range 2 {
		for c := range 4 {
			z := s.Z(c, r)
			if (math.IsNaN(wantZ[r][c]) != math.IsNaN(z)) || (!math.IsNaN(z) && z != wantZ[r][c]) || s.Neuron(c, r) != wantN[r][c] {
				t.Errorf("sorted centred cell (%d,%d) = %v neuron %d; want %v neuron %d", c, r, z, s.Neuron(c, r), wantZ[r][c], wantN[r][c])
			}
		}
	}

	// A nil layer is a row of padding.
	p, err := NewNetworkGrid([][]float64{nil, {1, 2}}, NetworkGridOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(p.Z(0, 0)) || !math.IsNaN(p.Z(1, 0)) || p.Z(1, 1) != 2 {
		t.Errorf("nil layer not padded")
	}

	for name, bad := range map[string][][]float64{
		"no layers":  nil,
		"all empty":  {{}, nil},
		"NaN weight": {{1, math.NaN()}},
		"Inf weight": {{math.Inf(-1)}},
	} {
		if _, err := NewNetworkGrid(bad, NetworkGridOptions{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestWeightMap(t *testing.T) {
	w := LayerWeights{Title: "lt5", Accuracy: 0.9912, Layers: [][]float64{{0.5, -2, 1}, {0.25}}}
	f, err := WeightMap(w, WeightMapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	heat, bar := f.Panel("weights"), f.Panel("colorbar")
	if heat == nil || bar == nil || len(f.Panels) != 2 {
		t.Fatalf("panels %v, want weights and colorbar", panelNames(f))
	}
	if len(heat.Plotters) != 1 {
		t.Fatalf("weights panel has %d plotters, want 1", len(heat.Plotters))
	}
	hm, ok := heat.Plotters[0].(HeatMap)
	if !ok {
		t.Fatalf("weights plotter is %T, want HeatMap", heat.Plotters[0])
	}
	if hm.Min != -2 || hm.Max != 2 {
		t.Errorf("colour range [%v, %v], want symmetric ±2", hm.Min, hm.Max)
	}
	if n := len(hm.Palette.Colors()); n%2 != 1 {
		t.Errorf("diverging palette has %d colours; want an odd number so 0 is the middle colour", n)
	}
	if hm.NaN != PaddingColor {
		t.Errorf("NaN colour %v, want PaddingColor", hm.NaN)
	}
	g := hm.GridXYZ.(*NetworkGrid)
	if c, r := g.Dims(); c != 3 || r != 2 || !math.IsNaN(g.Z(2, 1)) || g.Z(1, 0) != -2 {
		t.Errorf("grid %d×%d, padding %v, (1,0) = %v", c, r, g.Z(2, 1), g.Z(1, 0))
	}
	if title := heat.Plot.Title.Text; !strings.Contains(title, "lt5") || !strings.Contains(title, "0.991") {
		t.Errorf("title %q lacks the property or the accuracy", title)
	}
	if got := tickLabels(heat.Plot.Y.Tick.Marker, 0, 3); strings.Join(got, ",") != "layer 1,layer 2" {
		t.Errorf("y tick labels %q, want layer 1, layer 2", got)
	}
	cb, ok := bar.Plotters[0].(colorBar)
	if !ok || cb.ColorMap.Min() != -2 || cb.ColorMap.Max() != 2 {
		t.Errorf("colour bar %#v, want range ±2", bar.Plotters[0])
	}
	if bar.AlignY != heat {
		t.Errorf("colour bar not aligned with the heat map")
	}

	// Unknown accuracy is left out of the title; zero weights get the range ±1; Scale fixes it.
	f, err = WeightMap(LayerWeights{Title: "x", Accuracy: -1, Layers: [][]float64{{0, 0}}}, WeightMapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if hm := f.Panels[0].Plotters[0].(HeatMap); hm.Max != 1 || strings.Contains(f.Panels[0].Plot.Title.Text, "accuracy") {
		t.Errorf("all-zero map: range %v, title %q", hm.Max, f.Panels[0].Plot.Title.Text)
	}
	f, err = WeightMap(w, WeightMapOptions{Scale: 5})
	if err != nil {
		t.Fatal(err)
	}
	if hm := f.Panels[0].Plotters[0].(HeatMap); hm.Min != -5 || hm.Max != 5 {
		t.Errorf("Scale 5: range [%v, %v]", hm.Min, hm.Max)
	}
	if _, err := PNG(f); err != nil {
		t.Error(err)
	}

	for name, bad := range map[string]LayerWeights{
		"no layers":      {Title: "a"},
		"NaN":            {Title: "a", Layers: [][]float64{{math.NaN()}}},
		"accuracy > 1":   {Title: "a", Accuracy: 1.5, Layers: [][]float64{{1}}},
		"accuracy NaN":   {Title: "a", Accuracy: math.NaN(), Layers: [][]float64{{1}}},
		"all layers nil": {Title: "a", Layers: [][]float64{nil}},
	} {
		if _, err := WeightMap(bad, WeightMapOptions{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := WeightMap(w, WeightMapOptions{Scale: -1}); err == nil {
		t.Errorf("negative scale: no error")
	}
}

func TestWeightMaps(t *testing.T) {
	maps := []LayerWeights{
		{Title: "even", Accuracy: 0.99, Layers: [][]float64{{1, -1}, {0.5}}},
		{Title: "lt5", Accuracy: 0.98, Layers: [][]float64{{4, -1}, {0.5}}},
		{Title: "loops", Accuracy: 0.97, Layers: [][]float64{{0.5, -0.25}, {0.5}}},
	}
	for _, shared := range []bool{false, true} {
		f, err := WeightMaps(maps, 2, WeightMapOptions{SharedScale: shared})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Panels) != 6 {
			t.Fatalf("%d panels, want 6: %v", len(f.Panels), panelNames(f))
		}
		for i, want := range []float64{1, 4, 0.5} {
			if shared {
				want = 4
			}
			p := f.Panel(strings.Replace("i:weights", "i", string(rune('0'+i)), 1))
			if p == nil {
				t.Fatalf("no panel %d:weights", i)
			}
			if hm := p.Plotters[0].(HeatMap); hm.Max != want {
				t.Errorf("shared=%v map %d: range ±%v, want ±%v", shared, i, hm.Max, want)
			}
			if !strings.HasPrefix(p.Plot.Title.Text, maps[i].Title) {
				t.Errorf("map %d title %q", i, p.Plot.Title.Text)
			}
		}
		if _, err := PNG(f); err != nil {
			t.Error(err)
		}
	}
	if _, err := WeightMaps(nil, 2, WeightMapOptions{}); err == nil {
		t.Error("no maps: no error")
	}
	bad := append([]LayerWeights{}, maps...)
	bad[1].Layers = [][]float64{{math.NaN()}}
	if _, err := WeightMaps(bad, 2, WeightMapOptions{}); err == nil || !strings.Contains(err.Error(), "map 1") {
		t.Errorf("bad map 1: error %v, want one naming map 1", err)
	}
}

// panelNames lists a figure's panel names.
func panelNames(f *Figure) []string {
	var out []string
	for _, p := range f.Panels {
		out = append(out, p.Name)
	}
	return out
}

// tickLabels returns the non-empty tick labels of m over [lo, hi].
func tickLabels(m plot.Ticker, lo, hi float64) []string {
	var out []string
	for _, t := range m.Ticks(lo, hi) {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}
