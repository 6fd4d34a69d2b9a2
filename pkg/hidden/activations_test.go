package hidden

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// sample returns valid activations: 4 samples of 3 classes, a layer of 3 neurons with
// pre-activation values and a layer of 2 without.
func sample() *Activations {
	return &Activations{
		N: 4, Labels: []int{0, 2, 1, 2}, NumClasses: 3,
		Layers: []LayerActivations{
			{Layer: 1, Depth: 2, Width: 3,
				Post: []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
				Pre:  []float32{-1, 1, 2, 3, -4, 5, 6, 7, 8, 9, 10, -11}},
			{Layer: 2, Depth: 2, Width: 2, Post: []float32{0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4}},
		},
	}
}

func TestAccessors(t *testing.T) {
	a := sample()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := a.TotalNeurons(); n != 5 {
		t.Errorf("TotalNeurons = %d, want 5", n)
	}
	l, err := a.Layer(2)
	if err != nil || l != &a.Layers[1] {
		t.Fatalf("Layer(2) = %p, %v; want the second layer", l, err)
	}
	if got := l.Neuron(1); !slices.Equal(got, []float32{1, 2, 3, 4}) {
		t.Errorf("layer 2 neuron 1 = %v", got)
	}
	if got := a.Layers[0].Neuron(2); !slices.Equal(got, []float32{2, 5, 8, 11}) {
		t.Errorf("layer 1 neuron 2 = %v", got)
	}
	// Neuron returns a copy.
	col := a.Layers[0].Neuron(0)
	col[0] = 99
	if a.Layers[0].Post[0] != 0 {
		t.Error("Neuron returned a view, not a copy")
	}
	if d := a.Layers[0].RelativeDepth(); d != 0.5 {
		t.Errorf("RelativeDepth of layer 1 of 2 = %v", d)
	}
	if d := (&LayerActivations{Layer: 1}).RelativeDepth(); d != 0 {
		t.Errorf("RelativeDepth with unknown depth = %v, want 0", d)
	}
	for _, bad := range []int{0, 3, -1} {
		if _, err := a.Layer(bad); err == nil || !strings.Contains(err.Error(), "hidden layers 1…2") {
			t.Errorf("Layer(%d): %v", bad, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(a *Activations)
		want  string
	}{
		{"labels", func(a *Activations) { a.Labels = a.Labels[:3] }, "3 labels for 4 samples"},
		{"negative N", func(a *Activations) { a.N = -1 }, "for -1 samples"},
		{"label range", func(a *Activations) { a.Labels[1] = 3 }, "label 3 of sample 1 is outside [0,3)"},
		{"negative label", func(a *Activations) { a.Labels[0] = -1 }, "label -1 of sample 0"},
		{"numbering", func(a *Activations) { a.Layers[1].Layer = 3 }, "layer at position 1 is numbered 3, want 2"},
		{"width", func(a *Activations) { a.Layers[1].Width = 0 }, "layer 2 has width 0"},
		{"post", func(a *Activations) { a.Layers[1].Post = a.Layers[1].Post[:7] }, "layer 2 has 7 post-activation values, want 4×2"},
		{"pre", func(a *Activations) { a.Layers[0].Pre = a.Layers[0].Pre[:11] }, "layer 1 has 11 pre-activation values, want 4×3"},
		{"NaN", func(a *Activations) { a.Layers[0].Post[7] = float32(math.NaN()) }, "layer 1 neuron 1 sample 2: post-activation value is NaN"},
		{"Inf pre", func(a *Activations) { a.Layers[0].Pre[5] = float32(math.Inf(-1)) }, "layer 1 neuron 2 sample 1: pre-activation value is -Inf"},
	} {
		a := sample()
		tc.spoil(a)
		err := a.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	// NumClasses 0 means unknown: any non-negative label is accepted.
	a := sample()
	a.NumClasses = 0
	a.Labels[0] = 17
	if err := a.Validate(); err != nil {
		t.Errorf("unknown class count: %v", err)
	}
}
