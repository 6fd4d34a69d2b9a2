package hidden

import (
	"fmt"
	"math"
)

// LayerActivations is the recorded state of one hidden layer for N samples.
//
// Invariants (checked by Activations.Validate): Layer ≥ 1, Width ≥ 1,
// len(Post) == len(Pre) == N*Width (row-major: sample i, neuron j is at i*Width+j).
// Pre may be nil when only post-activation values were recorded.
type LayerActivations struct {
	// Layer is the 1-based hidden layer number ℓ (1 = first hidden layer, L = last hidden layer).
	Layer int
	// Depth is the total number L of hidden layers of the model the layer belongs to,
	// so the relative depth is Layer/Depth.
	Depth int
	// Width is the number of neurons of the layer.
	Width int
	// Post holds post-activation values, [N, Width] row-major.
	Post []float32
	// Pre holds pre-activation values, [N, Width] row-major (may be nil).
	Pre []float32
}

// RelativeDepth returns ℓ / L.
func (l *LayerActivations) RelativeDepth() float64 {
	if l.Depth == 0 {
		return 0
	}
	return float64(l.Layer) / float64(l.Depth)
}

// Neuron returns a copy of neuron j's post-activation values over the N samples.
func (l *LayerActivations) Neuron(j int) []float32 {
	n := len(l.Post) / l.Width
	out := make([]float32, n)
	for i := range n {
		out[i] = l.Post[i*l.Width+j]
	}
	return out
}

// Activations is the state of every hidden neuron of an object model over N samples,
// together with the samples' labels (in the data set's order).
type Activations struct {
	// N is the number of samples.
	N int
	// Labels are the class labels of the N samples, in [0, K).
	Labels []int
	// NumClasses is K.
	NumClasses int
	// Layers are the hidden layers, in order 1 … L.
	Layers []LayerActivations
}

// Layer returns the hidden layer with 1-based number ℓ, or an error naming the valid range.
func (a *Activations) Layer(l int) (*LayerActivations, error) {
	if l < 1 || l > len(a.Layers) {
		return nil, fmt.Errorf("unknown layer %d: the model has hidden layers 1…%d", l, len(a.Layers))
	}
	return &a.Layers[l-1], nil
}

// TotalNeurons is the number of hidden neurons over all layers.
func (a *Activations) TotalNeurons() int {
	t := 0
	for _, l := range a.Layers {
		t += l.Width
	}
	return t
}

// Validate checks shapes, label range, layer numbering, and that no value is NaN or ±Inf.
// Its error names the layer and neuron of the first bad value.
func (a *Activations) Validate() error {
	if a.N < 0 || len(a.Labels) != a.N {
		return fmt.Errorf("activations: %d labels for %d samples", len(a.Labels), a.N)
	}
	for i, y := range a.Labels {
		if y < 0 || (a.NumClasses > 0 && y >= a.NumClasses) {
			return fmt.Errorf("activations: label %d of sample %d is outside [0,%d)", y, i, a.NumClasses)
		}
	}
	for k := range a.Layers {
		l := &a.Layers[k]
		if l.Layer != k+1 {
			return fmt.Errorf("activations: layer at position %d is numbered %d, want %d", k, l.Layer, k+1)
		}
		if l.Width < 1 {
			return fmt.Errorf("activations: layer %d has width %d", l.Layer, l.Width)
		}
		if len(l.Post) != a.N*l.Width {
			return fmt.Errorf("activations: layer %d has %d post-activation values, want %d×%d", l.Layer, len(l.Post), a.N, l.Width)
		}
		if l.Pre != nil && len(l.Pre) != a.N*l.Width {
			return fmt.Errorf("activations: layer %d has %d pre-activation values, want %d×%d", l.Layer, len(l.Pre), a.N, l.Width)
		}
		for _, part := range []struct {
			name string
			vals []float32
		}{{"post-activation", l.Post}, {"pre-activation", l.Pre}} {
			for idx, v := range part.vals {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return fmt.Errorf("activations: layer %d neuron %d sample %d: %s value is %v", l.Layer, idx%l.Width, idx/l.Width, part.name, v)
				}
			}
		}
	}
	return nil
}
