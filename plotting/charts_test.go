package plotting

import (
	"math"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/pkg/property"
	"gonum.org/v1/plot/plotter"
)

func TestAccuracyMap(t *testing.T) {
	tab := AccuracyTable{
		Properties: []string{"even", "lt5", "loops"},
		Accuracy:   [][]float64{{0.95, 0.995}, {0.99, 0.97}, {0.6, 0.7}},
	}
	f, err := AccuracyMap(tab)
	if err != nil {
		t.Fatal(err)
	}
	heat := f.Panel("accuracy")
	if heat == nil || f.Panel("colorbar") == nil {
		t.Fatalf("panels %v", panelNames(f))
	}
	hm := heat.Plotters[0].(HeatMap)
	g := hm.GridXYZ
	if c, r := g.Dims(); c != 2 || r != 3 {
		t.Fatalf("grid %d×%d, want 2×3", c, r)
	}
	// The first property is the top row; columns are layers 1, 2.
	if g.Z(1, 2) != 0.995 || g.Z(0, 0) != 0.6 || g.X(0) != 1 {
		t.Errorf("grid layout: top-right %v, bottom-left %v, X(0) %v", g.Z(1, 2), g.Z(0, 0), g.X(0))
	}
	if hm.Min != 0.6 || hm.Max != 1 {
		t.Errorf("colour range [%v, %v], want [0.6, 1] (smallest accuracy rounded down to 0.05)", hm.Min, hm.Max)
	}
	labels := heat.Plotters[1].(*plotter.Labels)
	if len(labels.Labels) != 6 || labels.Labels[0] != "0.600" {
		t.Errorf("cell labels %q", labels.Labels)
	}
	marks := heat.Plotters[2].(cellOutlines)
	want := map[[2]float64]bool{{2, 2}: true, {1, 1}: true} // 0.995 (even, layer 2), 0.99 (lt5, layer 1)
	if len(marks.Cells) != len(want) {
		t.Errorf("outlined cells %v, want %v", marks.Cells, want)
	}
	for _, c := range marks.Cells {
		if !want[c] {
			t.Errorf("cell %v outlined, want only %v", c, want)
		}
	}
	if got := strings.Join(tickLabels(heat.Plot.Y.Tick.Marker, -1, 3), ","); got != "loops,lt5,even" {
		t.Errorf("y labels bottom to top %q", got)
	}
	if got := strings.Join(tickLabels(heat.Plot.X.Tick.Marker, 0, 3), ","); got != "layer 1,layer 2" {
		t.Errorf("x labels %q", got)
	}

	// A stricter threshold outlines fewer cells; column names replace "layer ℓ".
	tab.Decisive, tab.Columns = 0.995, []string{"layer 1", "all"}
	f, err = AccuracyMap(tab)
	if err != nil {
		t.Fatal(err)
	}
	if marks := f.Panel("accuracy").Plotters[2].(cellOutlines); len(marks.Cells) != 1 {
		t.Errorf("threshold 0.995: %d outlined cells, want 1", len(marks.Cells))
	}
	if _, err := PNG(f); err != nil {
		t.Error(err)
	}

	for name, bad := range map[string]AccuracyTable{
		"no properties":   {},
		"row count":       {Properties: []string{"a", "b"}, Accuracy: [][]float64{{0.9}}},
		"ragged":          {Properties: []string{"a", "b"}, Accuracy: [][]float64{{0.9, 0.8}, {0.9}}},
		"NaN":             {Properties: []string{"a"}, Accuracy: [][]float64{{math.NaN()}}},
		"above 1":         {Properties: []string{"a"}, Accuracy: [][]float64{{1.2}}},
		"no columns":      {Properties: []string{"a"}, Accuracy: [][]float64{{}}},
		"column names":    {Properties: []string{"a"}, Accuracy: [][]float64{{0.9}}, Columns: []string{"x", "y"}},
		"threshold":       {Properties: []string{"a"}, Accuracy: [][]float64{{0.9}}, Decisive: 2},
		"colour minimum":  {Properties: []string{"a"}, Accuracy: [][]float64{{0.9}}, ColorMin: 1},
		"negative accura": {Properties: []string{"a"}, Accuracy: [][]float64{{-0.1}}},
	} {
		if _, err := AccuracyMap(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func activity() NeuronActivity {
	return NeuronActivity{
		Title:      "layer 2 · neuron 7",
		ClassNames: []string{"a", "b", "c"},
		Values:     [][]float64{{0, 0.1, 0.05}, {2, 2.5, 1.8, 2.2}, {0.2}},
		Threshold:  1,
		Denoted:    property.MustLabelSet(1),
	}
}

func TestNeuronActivations(t *testing.T) {
	f, err := NeuronActivations(activity())
	if err != nil {
		t.Fatal(err)
	}
	p := f.Panel("activations")
	if p == nil || len(p.Plotters) != 4 {
		t.Fatalf("activations panel with %d plotters, want 3 box plots and a line", len(p.Plotters))
	}
	for c := range 3 {
		b := p.Plotters[c].(*plotter.BoxPlot)
		want := OtherColor
		if c == 1 {
			want = HighlightColor
		}
		if b.Location != float64(c) || b.FillColor != want {
			t.Errorf("box %d at %v colour %v, want at %d colour %v", c, b.Location, b.FillColor, c, want)
		}
	}
	if b := p.Plotters[1].(*plotter.BoxPlot); b.Median != 2.1 {
		t.Errorf("median of class b = %v, want 2.1", b.Median)
	}
	if th := p.Plotters[3].(hLine); th.Y != 1 {
		t.Errorf("threshold line at %v, want 1", th.Y)
	}
	if got := strings.Join(p.Legend, "|"); got != "denoted set S (1 of 3 classes)|other classes|threshold t = 1" {
		t.Errorf("legend %q", got)
	}
	if p.Plot.Title.Text != "layer 2 · neuron 7" {
		t.Errorf("title %q", p.Plot.Title.Text)
	}
	if _, err := PNG(f); err != nil {
		t.Error(err)
	}

	mod := func(fn func(*NeuronActivity)) NeuronActivity { a := activity(); fn(&a); return a }
	for name, bad := range map[string]NeuronActivity{
		"no classes":    {},
		"class count":   mod(func(a *NeuronActivity) { a.Values = a.Values[:2] }),
		"empty class":   mod(func(a *NeuronActivity) { a.Values[2] = nil }),
		"NaN value":     mod(func(a *NeuronActivity) { a.Values[0][1] = math.NaN() }),
		"NaN threshold": mod(func(a *NeuronActivity) { a.Threshold = math.NaN() }),
		"denoted range": mod(func(a *NeuronActivity) { a.Denoted = property.MustLabelSet(3) }),
	} {
		if _, err := NeuronActivations(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestImages(t *testing.T) {
	// A 2×3 image: the top row is 0 0 1.
	im := Image{Title: "img", Rows: 2, Cols: 3, Pixels: []float64{0, 0, 1, 0.5, 0.5, 0.5}}
	f, err := GrayImage(im)
	if err != nil {
		t.Fatal(err)
	}
	p := f.Panel("image")
	hm := p.Plotters[0].(HeatMap)
	g := hm.GridXYZ
	if c, r := g.Dims(); c != 3 || r != 2 {
		t.Fatalf("image grid %d×%d", c, r)
	}
	if g.Z(2, 1) != 1 || g.Z(2, 0) != 0.5 {
		t.Errorf("row 0 of the image is not the top row: Z(2,1) = %v, Z(2,0) = %v", g.Z(2, 1), g.Z(2, 0))
	}
	if hm.Min != 0 || hm.Max != 1 {
		t.Errorf("grey range [%v, %v], want [0, 1]", hm.Min, hm.Max)
	}
	if lo, hi := luminance(hm.Palette.Colors()[0]), luminance(hm.Palette.Colors()[len(hm.Palette.Colors())-1]); lo < 0.9 || hi > 0.1 {
		t.Errorf("grey palette runs from luminance %v to %v; want white (low values) to black", lo, hi)
	}
	for i, c := range hm.Palette.Colors() {
		if c == nil {
			t.Fatalf("grey palette colour %d is nil", i)
		}
	}
	if p.Aspect != 1.5 {
		t.Errorf("aspect %v, want 1.5 (square pixels)", p.Aspect)
	}
	if _, err := PNG(f); err != nil {
		t.Error(err)
	}

	w := Image{Rows: 2, Cols: 2, Pixels: []float64{0.5, -2, 1, 0}}
	f, err = PixelWeights(w)
	if err != nil {
		t.Fatal(err)
	}
	if hm := f.Panel("image").Plotters[0].(HeatMap); hm.Min != -2 || hm.Max != 2 {
		t.Errorf("pixel weights range [%v, %v], want ±2", hm.Min, hm.Max)
	}
	if _, err := SVG(f); err != nil {
		t.Error(err)
	}

	for name, bad := range map[string]Image{
		"no size":     {},
		"pixel count": {Rows: 2, Cols: 2, Pixels: []float64{1, 2, 3}},
		"NaN":         {Rows: 1, Cols: 1, Pixels: []float64{math.NaN()}},
	} {
		if _, err := GrayImage(bad); err == nil {
			t.Errorf("GrayImage %s: no error", name)
		}
		if _, err := PixelWeights(bad); err == nil {
			t.Errorf("PixelWeights %s: no error", name)
		}
	}

	s, err := Story(NeuronStory{Activity: activity(), TopMean: &im})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(panelNames(s), ","); got != "activations,top-mean,colorbar" {
		t.Errorf("story panels %q", got)
	}
	if _, err := PNG(s); err != nil {
		t.Error(err)
	}
	if _, err := Story(NeuronStory{Activity: activity(), TopMean: &Image{Rows: 1}}); err == nil {
		t.Error("story with a bad image: no error")
	}
	if s, err := Story(NeuronStory{Activity: activity()}); err != nil || len(s.Panels) != 1 {
		t.Errorf("story without image: %v, %d panels", err, len(s.Panels))
	}
}

func TestLabelProportion(t *testing.T) {
	series := []ProportionSeries{
		{Name: "D = 2", Depth: 2, Layers: []int{1, 2}, Mean: []float64{0.3, 0.5}, Low: []float64{0.25, 0.4}, High: []float64{0.4, 0.55}},
		{Name: "D = 2, untrained", Depth: 2, Layers: []int{2}, Mean: []float64{0.5}, Control: true},
		{Name: "D = 4", Depth: 4, Layers: []int{1, 3, 4}, Mean: []float64{0.2, 0.3, 0.6}, Low: []float64{0.1, 0.3, 0.5}, High: []float64{0.2, 0.4, 0.7}},
	}
	f, err := LabelProportion(series, ProportionOptions{Dodge: -1})
	if err != nil {
		t.Fatal(err)
	}
	p := f.Panel("proportion")
	lg := f.Panel("legend")
	if p == nil || lg == nil {
		t.Fatalf("panels %v", panelNames(f))
	}
	var lines []*plotter.Line
	var bars []*plotter.YErrorBars
	for _, pl := range p.Plotters {
		switch v := pl.(type) {
		case *plotter.Line:
			lines = append(lines, v)
		case *plotter.YErrorBars:
			bars = append(bars, v)
		}
	}
	if len(lines) != 3 || len(bars) != 2 {
		t.Fatalf("%d lines and %d error bars, want 3 and 2 (the control has no interval)", len(lines), len(bars))
	}
	if len(lines[1].Dashes) == 0 || len(lines[0].Dashes) != 0 {
		t.Errorf("only the control series should be dashed")
	}
	if lines[0].Color != lines[1].Color || lines[0].Color == lines[2].Color {
		t.Errorf("series of one depth should share a colour, other depths not")
	}
	if x := lines[2].XYs[1].X; x != 3 {
		t.Errorf("D = 4 second point at x = %v, want layer 3", x)
	}
	wantErr := []struct{ low, high float64 }{{0.1, 0}, {0, 0.1}, {0.1, 0.1}}
	for i, e := range bars[1].YErrors {
		if math.Abs(e.Low-wantErr[i].low) > 1e-12 || math.Abs(e.High-wantErr[i].high) > 1e-12 {
			t.Errorf("D = 4 error bar %d = (%v, %v), want offsets (%v, %v)", i, e.Low, e.High, wantErr[i].low, wantErr[i].high)
		}
	}
	if bars[1].XYs[2].Y != 0.6 {
		t.Errorf("error bar centre %v, want the mean 0.6", bars[1].XYs[2].Y)
	}
	if got := strings.Join(lg.Legend, "|"); got != "D = 2|D = 2, untrained|D = 4" {
		t.Errorf("legend %q", got)
	}
	if p.Plot.Y.Min != 0 || p.Plot.Y.Max != 1 || p.Plot.X.Label.Text != "layer ℓ" {
		t.Errorf("axes: y [%v, %v], x label %q", p.Plot.Y.Min, p.Plot.Y.Max, p.Plot.X.Label.Text)
	}
	if _, err := PNG(f); err != nil {
		t.Error(err)
	}

	rel, err := LabelProportion(series, ProportionOptions{Relative: true, Dodge: -1})
	if err != nil {
		t.Fatal(err)
	}
	rp := rel.Panel("proportion")
	if x := rp.Plotters[len(rp.Plotters)-2].(*plotter.Scatter).XYs[1].X; x != 0.75 {
		t.Errorf("relative depth of layer 3 of 4 = %v, want 0.75", x)
	}
	if !strings.Contains(rp.Plot.X.Label.Text, "relative") {
		t.Errorf("relative x label %q", rp.Plot.X.Label.Text)
	}

	// The default dodge shifts series symmetrically around the true x.
	dd, err := LabelProportion(series[:2], ProportionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l0 := dd.Panel("proportion").Plotters[0].(*plotter.Line)
	if x := l0.XYs[0].X; x >= 1 || x < 0.9 {
		t.Errorf("dodged x = %v, want slightly left of 1", x)
	}

	mod := func(i int, fn func(*ProportionSeries)) []ProportionSeries {
		out := append([]ProportionSeries{}, series...)
		s := out[i]
		s.Low = append([]float64{}, s.Low...)
		fn(&s)
		out[i] = s
		return out
	}
	for name, bad := range map[string][]ProportionSeries{
		"no series":       nil,
		"depth 0":         mod(0, func(s *ProportionSeries) { s.Depth = 0 }),
		"layer > D":       mod(0, func(s *ProportionSeries) { s.Layers = []int{1, 3} }),
		"not increasing":  mod(0, func(s *ProportionSeries) { s.Layers = []int{2, 1} }),
		"mean length":     mod(0, func(s *ProportionSeries) { s.Mean = []float64{0.3} }),
		"NaN mean":        mod(0, func(s *ProportionSeries) { s.Mean = []float64{math.NaN(), 0.5} }),
		"mean > 1":        mod(0, func(s *ProportionSeries) { s.Mean = []float64{1.5, 0.5} }),
		"low only":        mod(0, func(s *ProportionSeries) { s.High = nil }),
		"low above mean":  mod(0, func(s *ProportionSeries) { s.Low[0] = 0.35 }),
		"bounds length":   mod(0, func(s *ProportionSeries) { s.Low = s.Low[:1] }),
		"no layers":       mod(1, func(s *ProportionSeries) { s.Layers, s.Mean = nil, nil }),
		"NaN upper bound": mod(2, func(s *ProportionSeries) { s.High = []float64{math.NaN(), 0.4, 0.7} }),
	} {
		if _, err := LabelProportion(bad, ProportionOptions{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDenotationCounts(t *testing.T) {
	f, err := DenotationCounts("counts",
		CountSeries{Name: "D = 2", Counts: []float64{3, 5}},
		CountSeries{Name: "D = 3", Counts: []float64{1, 2, 8}},
		CountSeries{Name: "untrained", Counts: []float64{0, 1, 0}, Control: true})
	if err != nil {
		t.Fatal(err)
	}
	p := f.Panel("counts")
	if len(p.Plotters) != 3 {
		t.Fatalf("%d plotters, want 3 bar charts", len(p.Plotters))
	}
	b0, b1 := p.Plotters[0].(*plotter.BarChart), p.Plotters[1].(*plotter.BarChart)
	if len(b0.Values) != 2 || b1.Values[2] != 8 || b0.XMin != 1 {
		t.Errorf("bars: %v at x from %v, %v", b0.Values, b0.XMin, b1.Values)
	}
	if !(b0.Offset < 0 && b1.Offset == 0) {
		t.Errorf("offsets %v, %v: bars of a group should be side by side, centred", b0.Offset, b1.Offset)
	}
	if got := strings.Join(f.Panel("legend").Legend, "|"); got != "D = 2|D = 3|untrained" {
		t.Errorf("legend %q", got)
	}
	if _, err := PNG(f); err != nil {
		t.Error(err)
	}
	for name, bad := range map[string][]CountSeries{
		"none":     nil,
		"empty":    {{Name: "a"}},
		"negative": {{Name: "a", Counts: []float64{-1}}},
		"NaN":      {{Name: "a", Counts: []float64{math.NaN()}}},
	} {
		if _, err := DenotationCounts("", bad...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTrainingCurves(t *testing.T) {
	x := []float64{1, 2, 3}
	f, err := TrainingCurves(TrainingLog{Title: "mlp", X: x, Loss: []float64{1, 0.5, 0.3}, ValLoss: []float64{1.1, 0.6, 0.4}, ValAccuracy: []float64{0.8, 0.9, 0.95}})
	if err != nil {
		t.Fatal(err)
	}
	loss, acc := f.Panel("loss"), f.Panel("accuracy")
	if loss == nil || acc == nil {
		t.Fatalf("panels %v", panelNames(f))
	}
	if len(loss.Plotters) != 2 || len(acc.Plotters) != 1 {
		t.Errorf("loss has %d curves (want 2), accuracy %d (want 1)", len(loss.Plotters), len(acc.Plotters))
	}
	if l := acc.Plotters[0].(*plotter.Line); len(l.Dashes) == 0 || l.XYs[2].Y != 0.95 {
		t.Errorf("held-out accuracy curve: dashes %v, last %v", l.Dashes, l.XYs[2].Y)
	}
	if strings.Join(loss.Legend, "|") != "training|held-out" || loss.Plot.Title.Text != "mlp" || loss.Plot.X.Label.Text != "epoch" {
		t.Errorf("loss panel: legend %q, title %q, x %q", loss.Legend, loss.Plot.Title.Text, loss.Plot.X.Label.Text)
	}
	if _, err := PNG(f); err != nil {
		t.Error(err)
	}
	for name, bad := range map[string]TrainingLog{
		"no x":       {Loss: []float64{1}},
		"no series":  {X: x},
		"short loss": {X: x, Loss: []float64{1, 2}},
		"NaN loss":   {X: x, Loss: []float64{1, math.NaN(), 2}},
		"acc > 1":    {X: x, Accuracy: []float64{0.5, 1.5, 1}},
	} {
		if _, err := TrainingCurves(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestLinesAndEmergence(t *testing.T) {
	f, err := Lines(LineChart{Title: "t", Curves: []Curve{{Name: "a", X: []float64{0, 1}, Y: []float64{1, 2}}, {X: []float64{0}, Y: []float64{3}, Dashed: true}}, YMin: 0, YMax: 5})
	if err != nil {
		t.Fatal(err)
	}
	p := f.Panel("lines")
	if len(p.Plotters) != 2 || strings.Join(f.Panel("legend").Legend, "|") != "a" || p.Plot.Y.Max != 5 {
		t.Errorf("lines: %d plotters, legend %q, y max %v", len(p.Plotters), f.Panel("legend").Legend, p.Plot.Y.Max)
	}
	if _, err := Lines(LineChart{}); err == nil {
		t.Error("no curves: no error")
	}
	if _, err := Lines(LineChart{Curves: []Curve{{X: []float64{1}, Y: []float64{1}}}, YMax: math.NaN()}); err == nil {
		t.Error("NaN y range: no error")
	}

	e, err := Emergence(EmergenceLog{Epochs: []float64{0, 1, 2}, Counts: [][]float64{{0, 2, 4}, {1, 1, 3}}})
	if err != nil {
		t.Fatal(err)
	}
	ep := e.Panel("emergence")
	if len(ep.Plotters) != 3 {
		t.Fatalf("%d lines, want 2 layers and a total", len(ep.Plotters))
	}
	total := ep.Plotters[2].(*plotter.Line)
	if total.XYs[2].Y != 7 || total.XYs[0].Y != 1 {
		t.Errorf("total line %v, want 1, 3, 7", total.XYs)
	}
	if strings.Join(e.Panel("legend").Legend, "|") != "layer 1|layer 2|all layers" {
		t.Errorf("legend %q", e.Panel("legend").Legend)
	}
	if _, err := PNG(e); err != nil {
		t.Error(err)
	}
	for name, bad := range map[string]EmergenceLog{
		"no epochs": {Counts: [][]float64{{1}}},
		"no layers": {Epochs: []float64{1}},
		"length":    {Epochs: []float64{1, 2}, Counts: [][]float64{{1}}},
		"negative":  {Epochs: []float64{1}, Counts: [][]float64{{-1}}},
	} {
		if _, err := Emergence(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestAblationEffect(t *testing.T) {
	a := Ablation{Title: "ablate", ClassNames: []string{"a", "b", "c", "d"}, Delta: []float64{-0.5, 0.01, -0.3, 0}, Denoted: property.MustLabelSet(0, 2)}
	f, err := AblationEffect(a)
	if err != nil {
		t.Fatal(err)
	}
	p := f.Panel("ablation")
	s, o := p.Plotters[0].(*plotter.BarChart), p.Plotters[1].(*plotter.BarChart)
	wantS, wantO := []float64{-0.5, 0, -0.3, 0}, []float64{0, 0.01, 0, 0}
	for i := range 4 {
		if s.Values[i] != wantS[i] || o.Values[i] != wantO[i] {
			t.Errorf("class %d: S bar %v, other bar %v; want %v, %v", i, s.Values[i], o.Values[i], wantS[i], wantO[i])
		}
	}
	if s.Color != HighlightColor || o.Color != OtherColor {
		t.Errorf("bar colours %v, %v", s.Color, o.Color)
	}
	if strings.Join(f.Panel("legend").Legend, "|") != "classes in S (2)|other classes" {
		t.Errorf("legend %q", f.Panel("legend").Legend)
	}
	if p.Plot.Y.Min >= -0.5 || p.Plot.Y.Max <= 0.01 {
		t.Errorf("y range [%v, %v] does not hold the bars", p.Plot.Y.Min, p.Plot.Y.Max)
	}
	if _, err := PDF(f); err != nil {
		t.Error(err)
	}
	for name, bad := range map[string]Ablation{
		"no classes": {},
		"length":     {ClassNames: []string{"a", "b"}, Delta: []float64{0}},
		"NaN":        {ClassNames: []string{"a"}, Delta: []float64{math.NaN()}},
		"range":      {ClassNames: []string{"a"}, Delta: []float64{-2}},
		"denoted":    {ClassNames: []string{"a"}, Delta: []float64{0}, Denoted: property.MustLabelSet(1)},
	} {
		if _, err := AblationEffect(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestToCP1252(t *testing.T) {
	if got := toCP1252("layer ℓ · ≥ 0.99 − Δ é"); got != "layer l \xb7 >= 0.99 - delta  \xe9" {
		t.Errorf("toCP1252 = %q", got)
	}
}
