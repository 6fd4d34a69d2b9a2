package model

import (
	"slices"

	"github.com/denotation-go/denotation/datasets"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Activations records the pre- and post-activation values of every hidden neuron for every sample
// of split (in the split's order), streamed in batches of InferenceBatch so that memory holds only
// the result (4 bytes × N × Σwidths × 2) plus one batch.
func (m *Model) Activations(split *datasets.Split) (*Activations, error) {
	return m.Capture(split, true)
}

// Capture is Activations with the choice of also recording pre-activation values (withPre);
// without them LayerActivations.Pre is nil and the result takes half the memory.
func (m *Model) Capture(split *datasets.Split, withPre bool) (*Activations, error) {
	if err := m.checkInput(split); err != nil {
		return nil, err
	}
	L, n := m.Depth(), split.Len()
	a := &Activations{N: n, Labels: slices.Clone(split.Labels), NumClasses: m.NumClasses}
	for l, w := range m.Config.Hidden {
		la := LayerActivations{Layer: l + 1, Depth: L, Width: w, Post: make([]float32, n*w)}
		if withPre {
			la.Pre = make([]float32, n*w)
		}
		a.Layers = append(a.Layers, la)
	}
	err := m.inferBatches(split, captureGraph, nil, "capturing activations of", func(res []*tensors.Tensor, lo, hi int) {
		for l := range L {
			la := &a.Layers[l]
			w := la.Width
			dsts := [][]float32{la.Pre, la.Post}
			for k, dst := range dsts {
				if dst == nil {
					continue
				}
				tensors.MustConstFlatData[float32](res[2*l+k], func(flat []float32) {
					copy(dst[lo*w:hi*w], flat[:(hi-lo)*w])
				})
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}
