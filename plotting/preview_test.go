package plotting

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/denotation-go/denotation/pkg/property"
)

// synthWeights returns deterministic synthetic observer weights for widths.
func synthWeights(seed uint64, widths ...int) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([][]float64, len(widths))
	for l, w := range widths {
		out[l] = make([]float64, w)
		for j := range out[l] {
			out[l][j] = r.NormFloat64() * 0.3 / math.Sqrt(float64(l+1))
		}
	}
	return out
}

// TestPreview renders one PNG of each figure type into $PLOTTING_PREVIEW_DIR (skipped when unset),
// for a person to look at.
func TestPreview(t *testing.T) {
	save := previewSaver(t)
	w := LayerWeights{Title: "even", Accuracy: 0.9934, Layers: synthWeights(1, 256, 128, 64)}
	f, err := WeightMap(w, WeightMapOptions{})
	save("weights.png", f, err)
	f, err = WeightMap(w, WeightMapOptions{Grid: NetworkGridOptions{Sort: true, Center: true}})
	save("weights_sorted_centred.png", f, err)
	var maps []LayerWeights
	for i, name := range []string{"even", "lt5", "loops", "0", "1", "2", "3"} {
		maps = append(maps, LayerWeights{Title: name, Accuracy: 0.9 + 0.01*float64(i), Layers: synthWeights(uint64(i), 64, 32)})
	}
	f, err = WeightMaps(maps, 2, WeightMapOptions{SharedScale: true})
	save("weights_grid.png", f, err)
}

// synthActivity returns a synthetic neuron that fires for the classes in s.
func synthActivity(seed uint64, k, n int, s []int) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 2))
	in := map[int]bool{}
	for _, c := range s {
		in[c] = true
	}
	out := make([][]float64, k)
	for c := range k {
		out[c] = make([]float64, n)
		for i := range out[c] {
			v := r.NormFloat64()*0.3 - 0.2
			if in[c] {
				v = 1.2 + r.NormFloat64()*0.4
			}
			out[c][i] = math.Max(0, v)
		}
	}
	return out
}

// synthDigit returns a 28×28 ring, like a mean "0".
func synthDigit() Image {
	im := Image{Title: "mean of top-100 samples", Rows: 28, Cols: 28, Pixels: make([]float64, 28*28)}
	for i := range 28 {
		for j := range 28 {
			d := math.Hypot(float64(i)-13.5, (float64(j)-13.5)*1.4)
			im.Pixels[i*28+j] = math.Exp(-(d - 8) * (d - 8) / 6)
		}
	}
	return im
}

// previewDir returns $PLOTTING_PREVIEW_DIR, created, or skips the test when it is not set.
func previewDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PLOTTING_PREVIEW_DIR")
	if dir == "" {
		t.Skip("set PLOTTING_PREVIEW_DIR to render preview images")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// previewSaver returns a function that saves a figure (made with err) as name under previewDir,
// failing the test on an error.
func previewSaver(t *testing.T) func(name string, f *Figure, err error) {
	dir := previewDir(t)
	return func(name string, f *Figure, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := f.Save(filepath.Join(dir, name)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// TestPreviewOthers renders the other figure types, like TestPreview.
func TestPreviewOthers(t *testing.T) {
	save := previewSaver(t)
	props := []string{"even", "lt5", "loops", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	acc := make([][]float64, len(props))
	for i := range props {
		acc[i] = []float64{0.93 + 0.005*float64(i%4), 0.97 + 0.003*float64(i%5), 0.985 + 0.002*float64(i%6)}
	}
	f, err := AccuracyMap(AccuracyTable{Properties: props, Accuracy: acc})
	save("accuracy.png", f, err)
	save("accuracy.pdf", f, err)
	save("accuracy.svg", f, err)

	classes := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	act := NeuronActivity{Title: "layer 2 · neuron 17", ClassNames: classes, Values: synthActivity(3, 10, 300, []int{0, 6, 8}), Threshold: 0.55, Denoted: property.MustLabelSet(0, 6, 8)}
	f, err = NeuronActivations(act)
	save("neuron_activations.png", f, err)
	top := synthDigit()
	f, err = Story(NeuronStory{Activity: act, TopMean: &top})
	save("neuron_story.png", f, err)
	f, err = GrayImage(top)
	save("mean_image.png", f, err)
	wim := Image{Title: "linear observer on pixels: even", Rows: 28, Cols: 28, Pixels: make([]float64, 784)}
	for i := range wim.Pixels {
		wim.Pixels[i] = (top.Pixels[i] - 0.3) * math.Sin(float64(i)/40)
	}
	f, err = PixelWeights(wim)
	save("pixel_weights.png", f, err)

	var series []ProportionSeries
	for i, d := range []int{2, 3, 4} {
		s := ProportionSeries{Name: "D = " + string(rune('0'+d)), Depth: d}
		c := ProportionSeries{Name: "D = " + string(rune('0'+d)) + ", untrained", Depth: d, Control: true}
		for l := 1; l <= d; l++ {
			m := 0.2 + 0.25*float64(l)/float64(d) + 0.02*float64(i)
			s.Layers, s.Mean, s.Low, s.High = append(s.Layers, l), append(s.Mean, m), append(s.Low, m-0.05), append(s.High, m+0.06)
			c.Layers, c.Mean, c.Low, c.High = append(c.Layers, l), append(c.Mean, 0.5), append(c.Low, 0.42), append(c.High, 0.57)
		}
		series = append(series, s, c)
	}
	f, err = LabelProportion(series, ProportionOptions{})
	save("label_proportion.png", f, err)
	save("label_proportion.pdf", f, err)
	save("label_proportion.svg", f, err)
	f, err = LabelProportion(series, ProportionOptions{Relative: true})
	save("label_proportion_relative.png", f, err)
	f, err = DenotationCounts("", CountSeries{Name: "D = 2", Counts: []float64{12, 30}}, CountSeries{Name: "D = 3", Counts: []float64{8, 21, 40}},
		CountSeries{Name: "D = 3, untrained", Counts: []float64{1, 0, 2}, Control: true})
	save("denotation_counts.png", f, err)

	x := make([]float64, 20)
	loss, vloss, a, va := make([]float64, 20), make([]float64, 20), make([]float64, 20), make([]float64, 20)
	for i := range x {
		x[i] = float64(i + 1)
		loss[i] = 2 * math.Exp(-float64(i)/4)
		vloss[i] = loss[i]*1.1 + 0.05
		a[i] = 1 - 0.9*math.Exp(-float64(i)/3)
		va[i] = a[i] - 0.02
	}
	f, err = TrainingCurves(TrainingLog{Title: "784-256-128-10 MLP on MNIST", X: x, Loss: loss, ValLoss: vloss, Accuracy: a, ValAccuracy: va})
	save("training.png", f, err)
	f, err = Emergence(EmergenceLog{Epochs: x, Counts: [][]float64{loss, vloss, a}})
	save("emergence.png", f, err)

	f, err = AblationEffect(Ablation{Title: "ablating layer 2 · neuron 17", ClassNames: classes, Delta: []float64{-0.4, 0, -0.01, 0.002, 0, -0.02, -0.35, 0.01, -0.5, 0}, Denoted: property.MustLabelSet(0, 6, 8)})
	save("ablation.png", f, err)
	save("ablation.pdf", f, err)
	f, err = Story(NeuronStory{Activity: act, TopMean: &top})
	save("neuron_story.pdf", f, err)
	save("neuron_story.svg", f, err)
}
