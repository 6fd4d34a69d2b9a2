// Package synth makes synthetic network states for benchmarks: deterministic, shaped like the
// activations of a trained ReLU network (class-dependent levels, noise, exact zeros, dead neurons).
package synth

import (
	"math/rand/v2"

	"github.com/denotation-go/denotation/pkg/model"
)

// Activations is a synthetic depth×width ReLU network state on n samples of k classes (seed 42):
// each neuron has a random level per class (−0.5, 0.5 or 1.5) plus Gaussian noise of random width,
// clipped at 0; one neuron in 20 is dead. The first k samples have labels 0 … k−1.
func Activations(n, depth, width, k int) *model.Activations {
	rng := rand.New(rand.NewPCG(42, 0))
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(k)
	}
	for c := range k {
		labels[c] = c
	}
	acts := &model.Activations{N: n, Labels: labels, NumClasses: k}
	for l := 1; l <= depth; l++ {
		post := make([]float32, n*width)
		for j := range width {
			level := make([]float64, k)
			for c := range level {
				level[c] = float64(rng.IntN(3)) - 0.5
			}
			sigma := 0.05 + rng.Float64()*0.6
			dead := rng.IntN(20) == 0
			for i := range n {
				v := level[labels[i]] + rng.NormFloat64()*sigma
				if dead || v < 0 {
					v = 0
				}
				post[i*width+j] = float32(v)
			}
		}
		acts.Layers = append(acts.Layers, model.LayerActivations{Layer: l, Depth: depth, Width: width, Post: post})
	}
	return acts
}
