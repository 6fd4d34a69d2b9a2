// Package model is the object model of denotation: a multi-layer perceptron classifier trained on an
// image data set (MNIST, Fashion-MNIST), whose hidden neurons the rest of the project interprets.
//
// The network is input → hidden layers 1…L → K logits (layers are numbered from 1; the logits are
// not a hidden layer), with ReLU, tanh or sigmoid activations. It is built and trained with gomlx,
// by default on its pure-Go backend (simplego, "go"):
//
//	ds, _ := datasets.Load("mnist")
//	cfg := model.DefaultConfig().WithHidden(128, 128).WithEpochs(5).WithSeed(1)
//	m, cached, err := model.TrainCached(ds, cfg, nil) // or model.Train(ds, cfg, nil)
//	ev, _ := m.Evaluate(ds.Test)                           // accuracy, per-class accuracy, confusion
//	acts, _ := m.Activations(ds.Test)                      // pre/post activations of every hidden neuron
//	abl, _ := m.EvaluateAblated(ds.Test, []model.Ablation{{Layer: 2, Neuron: 17, Value: 0}})
//
// # Pieces
//
//   - Config: architecture and training recipe (Adam, cosine or constant learning rate, batch size,
//     epochs, optional decoupled weight decay, seed), a plain struct with a fluent builder and Validate.
//   - DenseFast: a dense layer whose gradient is computed with matrix products (dX = V·Wᵀ,
//     dW = Xᵀ·V, db = ΣV) through graph.IdentityWithCustomGradient. gomlx's stock gradient of Dot
//     materialises a [batch, in, out] tensor and trains ~12× slower on simplego.
//   - Train, TrainSplit, Fit: seeded, deterministic training (same config and seed ⇒ identical
//     weights, accuracy and activations on the same machine). Progress goes to a ProgressFunc:
//     AutoProgress (default) draws a bar on a terminal and, when pkg/model/gonbprogress is
//     imported (pkg/findings does), a live line in GoNB notebooks; Silent shows nothing. This
//     package does not depend on GoNB.
//   - Save, Load: a single checksummed file per model folder, written atomically; it includes
//     Adam's state, so an interrupted run resumes (TrainOptions.CheckpointDir) and ends with the
//     same weights as an uninterrupted one. Load refuses a truncated or corrupted file and one
//     with non-finite weights; Evaluate refuses NaN or infinite logits (an overflowing model), and
//     Activations.Validate names the first neuron whose value is not finite.
//   - TrainCached: a run cache under $DENOTATION_CACHE (default ~/.cache/denotation), keyed by the
//     code version, the training data, the architecture and the recipe.
//   - Activations, Capture: hidden-layer states streamed in fixed batches of InferenceBatch (the
//     last batch padded, so one compiled graph serves every size), into Activations;
//     Activations.SaveNPZ writes them for NumPy. Activations and LayerActivations are aliases of
//     the types of pkg/hidden (standard library only), where the analyses take them from.
//   - EvaluateAblated: evaluation with chosen neurons clamped, for causal analyses;
//     CorrectAblated: the same forward pass's per-sample correctness, for paired statistics.
//   - NewUntrained: the same architecture with its seeded initial weights, the untrained control.
//
// # Backends
//
// The default backend is "go" (DefaultBackend), created by this package itself, so gomlx's
// automatic choice (which tries XLA first) is never involved. Another backend compiled into the
// program (AvailableBackends: one whose package the program imports, e.g. gomlx's XLA backend,
// which this module does not import) is chosen with TrainOptions.Backend or $GOMLX_BACKEND
// ("NAME" or "NAME:CONFIG"); a choice that is not compiled in is an error naming the available
// ones (ResolveBackend). The simplego configuration defaults to DefaultBackendConfig and can be
// overridden with $DENOTATION_BACKEND_CONFIG.
package model
