// Package actfile reads hidden-layer activations recorded outside this project — by a network
// trained in PyTorch, JAX or anything that can hand NumPy an array — so that the project's
// analyses (observers, the single-neuron denotation scan, the depth statistics) can be run on
// any network.
//
// # Format
//
// A NumPy .npz archive, as numpy.savez or numpy.savez_compressed writes it, holding
//
//	labels        integers [N]                 each sample's class, 0 … K−1 (required)
//	layer_ℓ       float32 or float64 [N, …]    hidden layer ℓ = 1 … L, one row per sample (required)
//	preact_ℓ      like layer_ℓ                 its pre-activation values (optional)
//	class_names   strings [K]                  (optional)
//	split         "train"/"test", bool or 0/1 [N]  (optional; True or 1 = test)
//
// Layers may have different widths; a layer with several dimensions per sample (a convolutional
// feature map [N, C, H, W]) is flattened in C order, every element a neuron. Fortran-ordered and
// big-endian arrays are read correctly. This is also what `denote activations` writes (labels,
// layer_ℓ and preact_ℓ), so a model of this project read back from its file gives the same
// numbers. A PyTorch user writes one with
//
//	np.savez("acts.npz", labels=y.numpy(), layer_1=h1.detach().numpy(), layer_2=h2.detach().numpy())
//
// Without a split array a file holds one split; the training and test splits may also come in
// two files.
//
// # Validation
//
// ReadNPZ checks everything and reports the first problem as one line that starts with the
// file's name and names the array: a missing labels or layer array, a misnamed array (layer1,
// layer_0, arr_0 from positional np.savez arguments), a gap in the layer numbers, a row count
// that differs from labels', a NaN or infinite value (with its position), a negative label or one
// beyond class_names, a non-numeric dtype (objects, strings, complex, dates), a truncated file, a
// damaged archive. It never panics (FuzzReadNPZ).
//
// The package imports only the standard library; package actfile/actmodel turns a Set into the
// types the analyses take.
package actfile
