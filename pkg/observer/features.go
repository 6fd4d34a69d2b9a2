package observer

import (
	"fmt"
	"math"
	"slices"

	"github.com/denotation-go/denotation/pkg/hidden"
)

// Neuron identifies one hidden neuron: Layer is 1-based (1 = first hidden layer), Index 0-based.
type Neuron struct {
	Layer int `json:"layer"`
	Index int `json:"neuron"`
}

func (n Neuron) String() string { return fmt.Sprintf("L%d/n%d", n.Layer, n.Index) }

// Selection chooses the neurons an observer reads: whole layers, or an explicit neuron set.
// The zero value selects every layer.
type Selection struct {
	// Layers are 1-based layer numbers; empty (with Neurons empty) means all layers.
	Layers []int
	// Neurons, when not empty, is an explicit neuron set and Layers is ignored.
	Neurons []Neuron
	// Pre reads pre-activation values instead of post-activation values.
	Pre bool
}

// Layer selects one hidden layer.
func Layer(l int) Selection { return Selection{Layers: []int{l}} }

// Layers selects several hidden layers.
func Layers(ls ...int) Selection { return Selection{Layers: slices.Clone(ls)} }

// AllLayers selects every hidden layer.
func AllLayers() Selection { return Selection{} }

// Neurons selects an explicit set of neurons.
func Neurons(ns ...Neuron) Selection { return Selection{Neurons: slices.Clone(ns)} }

// Features is an observer's input: the selected neurons' values on the training and test splits,
// standardised with training-split statistics (a neuron constant on the training split is left at 0
// on both splits), as row-major float32 matrices [N, D].
type Features struct {
	// D is the number of features (selected neurons).
	D int
	// NTrain and NTest are the numbers of training and test samples.
	NTrain, NTest int
	// Train and Test are the standardised values, row-major [NTrain, D] and [NTest, D].
	Train, Test []float32
	// Columns names the neuron behind each feature.
	Columns []Neuron
	// Mean and Std are the training-split mean and (population) standard deviation of each
	// feature; Std is 0 for a constant feature.
	Mean, Std []float64
	// Layers are the distinct layers of the selection in increasing order, and Widths their full
	// widths: the shape of weight maps ([len(Layers)][Widths[i]]).
	Layers, Widths []int
	// TrainLabels and TestLabels are the samples' class labels (nil when unknown), NumClasses is K.
	TrainLabels, TestLabels []int
	NumClasses              int
}

// NewFeatures extracts and standardises the selected neurons of an object model's activations on
// the training and test splits. Both must come from the same architecture; they are validated
// (shapes, labels, NaN/Inf) first.
func NewFeatures(train, test *hidden.Activations, sel Selection) (*Features, error) {
	if train == nil || test == nil {
		return nil, fmt.Errorf("observer features: nil activations")
	}
	if err := train.Validate(); err != nil {
		return nil, fmt.Errorf("observer features, training split: %w", err)
	}
	if err := test.Validate(); err != nil {
		return nil, fmt.Errorf("observer features, test split: %w", err)
	}
	if len(train.Layers) != len(test.Layers) {
		return nil, fmt.Errorf("observer features: training activations have %d layers, test activations %d", len(train.Layers), len(test.Layers))
	}
	for i := range train.Layers {
		if train.Layers[i].Width != test.Layers[i].Width {
			return nil, fmt.Errorf("observer features: layer %d has width %d on the training split and %d on the test split", i+1, train.Layers[i].Width, test.Layers[i].Width)
		}
	}
	if train.NumClasses != test.NumClasses {
		return nil, fmt.Errorf("observer features: %d classes on the training split, %d on the test split", train.NumClasses, test.NumClasses)
	}
	cols, err := resolve(train, sel)
	if err != nil {
		return nil, err
	}
	get := func(a *hidden.Activations, which string) ([]float32, error) {
		out := make([]float32, a.N*len(cols))
		for j, c := range cols {
			l := &a.Layers[c.Layer-1]
			src := l.Post
			if sel.Pre {
				src = l.Pre
				if src == nil {
					return nil, fmt.Errorf("observer features: layer %d of the %s split has no pre-activation values", c.Layer, which)
				}
			}
			for i := 0; i < a.N; i++ {
				out[i*len(cols)+j] = src[i*l.Width+c.Index]
			}
		}
		return out, nil
	}
	xtr, err := get(train, "training")
	if err != nil {
		return nil, err
	}
	xte, err := get(test, "test")
	if err != nil {
		return nil, err
	}
	f, err := standardise(xtr, train.N, xte, test.N, len(cols))
	if err != nil {
		return nil, err
	}
	f.Columns = cols
	f.TrainLabels, f.TestLabels, f.NumClasses = slices.Clone(train.Labels), slices.Clone(test.Labels), train.NumClasses
	for _, c := range cols {
		if !slices.Contains(f.Layers, c.Layer) {
			f.Layers = append(f.Layers, c.Layer)
		}
	}
	slices.Sort(f.Layers)
	for _, l := range f.Layers {
		f.Widths = append(f.Widths, train.Layers[l-1].Width)
	}
	return f, nil
}

// resolve turns a selection into the list of neurons, in layer order then index order for layer
// selections, and in the given order for explicit neuron sets.
func resolve(a *hidden.Activations, sel Selection) ([]Neuron, error) {
	var cols []Neuron
	if len(sel.Neurons) > 0 {
		seen := map[Neuron]bool{}
		for _, n := range sel.Neurons {
			l, err := a.Layer(n.Layer)
			if err != nil {
				return nil, fmt.Errorf("observer features: neuron %v: %w", n, err)
			}
			if n.Index < 0 || n.Index >= l.Width {
				return nil, fmt.Errorf("observer features: neuron %v: layer %d has neurons 0…%d", n, n.Layer, l.Width-1)
			}
			if seen[n] {
				return nil, fmt.Errorf("observer features: neuron %v selected twice", n)
			}
			seen[n] = true
			cols = append(cols, n)
		}
		return cols, nil
	}
	layers := sel.Layers
	if len(layers) == 0 {
		for i := range a.Layers {
			layers = append(layers, i+1)
		}
	}
	seen := map[int]bool{}
	for _, ln := range layers {
		l, err := a.Layer(ln)
		if err != nil {
			return nil, fmt.Errorf("observer features: %w", err)
		}
		if seen[ln] {
			return nil, fmt.Errorf("observer features: layer %d selected twice", ln)
		}
		seen[ln] = true
		for j := 0; j < l.Width; j++ {
			cols = append(cols, Neuron{Layer: ln, Index: j})
		}
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("observer features: the selection holds no neurons")
	}
	return cols, nil
}

// NewFeaturesFromMatrix standardises plain matrices: train is [nTrain, d] and test [nTest, d],
// row-major. Labels may be nil (then label-subset targets and the control task are unavailable);
// otherwise they must lie in [0, numClasses). The features are named as layer 1, neurons 0…d−1.
func NewFeaturesFromMatrix(train []float32, trainLabels []int, test []float32, testLabels []int, d, numClasses int) (*Features, error) {
	if d < 1 {
		return nil, fmt.Errorf("observer features: %d features", d)
	}
	if len(train)%d != 0 || len(test)%d != 0 {
		return nil, fmt.Errorf("observer features: %d training and %d test values are not whole rows of %d features", len(train), len(test), d)
	}
	ntr, nte := len(train)/d, len(test)/d
	for _, lab := range []struct {
		name   string
		labels []int
		n      int
	}{{"training", trainLabels, ntr}, {"test", testLabels, nte}} {
		if lab.labels == nil {
			continue
		}
		if len(lab.labels) != lab.n {
			return nil, fmt.Errorf("observer features: %d %s labels for %d samples", len(lab.labels), lab.name, lab.n)
		}
		for i, y := range lab.labels {
			if y < 0 || y >= numClasses {
				return nil, fmt.Errorf("observer features: %s label %d of sample %d is outside [0,%d)", lab.name, y, i, numClasses)
			}
		}
	}
	for _, m := range []struct {
		name string
		x    []float32
	}{{"training", train}, {"test", test}} {
		for i, v := range m.x {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("observer features: %s sample %d feature %d is %v", m.name, i/d, i%d, v)
			}
		}
	}
	f, err := standardise(slices.Clone(train), ntr, slices.Clone(test), nte, d)
	if err != nil {
		return nil, err
	}
	for j := 0; j < d; j++ {
		f.Columns = append(f.Columns, Neuron{Layer: 1, Index: j})
	}
	f.Layers, f.Widths = []int{1}, []int{d}
	f.TrainLabels, f.TestLabels, f.NumClasses = slices.Clone(trainLabels), slices.Clone(testLabels), numClasses
	return f, nil
}

// standardise scales the columns of xtr and xte in place with xtr's mean and standard deviation.
func standardise(xtr []float32, ntr int, xte []float32, nte, d int) (*Features, error) {
	if ntr < 2 {
		return nil, fmt.Errorf("observer features: %d training samples, need at least 2", ntr)
	}
	if nte < 1 {
		return nil, fmt.Errorf("observer features: no test samples")
	}
	mean, std := make([]float64, d), make([]float64, d)
	for i := 0; i < ntr; i++ {
		row := xtr[i*d : (i+1)*d]
		for j, v := range row {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(ntr)
	}
	for i := 0; i < ntr; i++ {
		row := xtr[i*d : (i+1)*d]
		for j, v := range row {
			dv := float64(v) - mean[j]
			std[j] += dv * dv
		}
	}
	scale := make([]float64, d)
	for j := range std {
		std[j] = math.Sqrt(std[j] / float64(ntr))
		// A feature is constant when its spread is at float32 rounding level.
		if std[j] <= 1e-6*math.Max(math.Abs(mean[j]), 1e-30) || std[j] == 0 {
			std[j] = 0
			continue
		}
		scale[j] = 1 / std[j]
	}
	apply := func(x []float32, n int) {
		for i := 0; i < n; i++ {
			row := x[i*d : (i+1)*d]
			for j, v := range row {
				row[j] = float32((float64(v) - mean[j]) * scale[j])
			}
		}
	}
	apply(xtr, ntr)
	apply(xte, nte)
	return &Features{D: d, NTrain: ntr, NTest: nte, Train: xtr, Test: xte, Mean: mean, Std: std}, nil
}

// WeightMap spreads one value per feature over the selected layers: out[i][n] is the value of
// neuron n of layer Layers[i]; neurons outside the selection get 0.
func (f *Features) WeightMap(values []float64) [][]float64 {
	out := make([][]float64, len(f.Layers))
	for i, w := range f.Widths {
		out[i] = make([]float64, w)
	}
	for j, c := range f.Columns {
		if j < len(values) {
			out[slices.Index(f.Layers, c.Layer)][c.Index] = values[j]
		}
	}
	return out
}

// Raw converts a standardised value of feature j back to the neuron's activation units.
func (f *Features) Raw(j int, v float64) float64 { return f.Mean[j] + v*f.Std[j] }
