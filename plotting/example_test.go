package plotting_test

import (
	"fmt"
	"image"
	_ "image/png" // image.DecodeConfig reads PNG
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/denotation-go/denotation/plotting"
)

// A linear observer of "even" read two hidden layers of 4 and 2 neurons. Its weights are drawn as
// a heat map laid out like the network, saved as a PNG.
func ExampleWeightMap() {
	w := plotting.LayerWeights{
		Title:    "even",
		Accuracy: 0.995,
		Layers:   [][]float64{{0.8, -1.2, 0.1, 0.4}, {-0.5, 0.9}},
	}
	fig, err := plotting.WeightMap(w, plotting.WeightMapOptions{})
	if err != nil {
		log.Fatal(err)
	}
	heat := fig.Panel("weights")
	hm := heat.Plotters[0].(plotting.HeatMap)
	cols, rows := hm.GridXYZ.Dims()
	fmt.Printf("grid: %d neuron slots × %d layers\n", cols, rows)
	fmt.Printf("layer 2, slot 3 is padding: %v\n", math.IsNaN(hm.GridXYZ.Z(3, 1)))
	fmt.Printf("colour range: %+.1f … %+.1f\n", hm.Min, hm.Max)
	fmt.Println("title:", heat.Plot.Title.Text)

	dir, err := os.MkdirTemp("", "plotting-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "even.png")
	if err := fig.Save(path); err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("saved: %s, %d × %d pixels\n", format, cfg.Width, cfg.Height)
	// Output:
	// grid: 4 neuron slots × 2 layers
	// layer 2, slot 3 is padding: true
	// colour range: -1.2 … +1.2
	// title: even · balanced accuracy 0.995
	// saved: png, 768 × 182 pixels
}
