// Package hidden holds the activation matrices of a classifier's hidden layers: the values of every
// hidden neuron over N samples, with the samples' labels. It is the data every analysis of the
// project takes (pkg/observer, pkg/denotation) and that pkg/model produces (Model.Activations) or
// pkg/actfile/actmodel reads from NumPy files.
//
// It imports only the standard library (and internal/atomicfile and pkg/actfile, which do too), so that the statistics packages do not depend on gomlx
// or GoNB. pkg/model keeps model.Activations and model.LayerActivations as aliases of these types.
//
// # Layout
//
// Layers are numbered from 1 (the first hidden layer) to L (the last); LayerActivations.Depth is
// L, so RelativeDepth is ℓ/L. A layer's values are row-major float32 [N, Width]: sample i, neuron
// j is at i*Width+j. Pre (pre-activation values) may be nil when only post-activation values were
// recorded.
//
//	a := &hidden.Activations{N: 2, Labels: []int{0, 1}, NumClasses: 2, Layers: []hidden.LayerActivations{
//		{Layer: 1, Depth: 1, Width: 3, Post: []float32{0, 1, 2, 3, 4, 5}},
//	}}
//	err := a.Validate()          // shapes, labels, layer numbers, finite values
//	col := a.Layers[0].Neuron(2) // [2 5]
//	err = a.SaveNPZ("acts.npz")  // labels, layer_ℓ, preact_ℓ arrays for numpy.load
//
// Validate's error names the first bad layer, neuron and sample; WriteNPZ and SaveNPZ refuse
// activations that do not validate, and SaveNPZ writes atomically.
package hidden
