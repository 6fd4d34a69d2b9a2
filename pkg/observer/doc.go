// Package observer trains observer models: classifiers that read an object model's hidden neurons
// and predict a property of the input (Allen 2021, "Neural Networks and Denotation"). An observer is
// trained on the activations of the training split and scored on those of the test split.
//
// # Inputs
//
// Features holds the selected neurons' values — one layer (Layer), several (Layers), all
// (AllLayers) or an explicit neuron set (Neurons), post-activation by default or pre-activation
// (Selection.Pre) — standardised with the training split's mean and standard deviation. A neuron
// that is constant on the training split (a dead ReLU) is set to 0 on both splits.
// NewFeaturesFromMatrix does the same for plain matrices. A Target holds one boolean per sample on
// each split; Features.LabelTarget builds it for a label subset, PropertyTarget for any
// property.Property (pixel attributes included).
//
// # Observers
//
//   - Linear: logistic regression on the standardised features with an intercept. The objective
//     is the mean logistic loss (with Balanced: class-weighted, weights N/(2·N_class) as
//     scikit-learn's class_weight="balanced") plus (1/(C·N))·(ρ‖w‖₁ + (1−ρ)/2·‖w‖²), which is
//     scikit-learn's LogisticRegression(C) objective divided by N; ρ = 0 for L2, 1 for L1, L1Ratio
//     for ElasticNet; NoPenalty drops the term. L2 and no penalty are solved by L-BFGS (memory 10,
//     backtracking Armijo line search, stopping when the largest gradient component ≤ Tol = 1e-4,
//     at most MaxIter = 100 iterations); L1 and elastic net by FISTA with a fixed step from a
//     curvature bound and adaptive restart (gradient mapping ≤ Tol, at most 1000 iterations).
//     Weights are reported in standardised units per (layer, neuron), ready for a heat map.
//   - MLP: one hidden ReLU layer (Hidden = 64 units) and a logistic output, trained with Adam
//     (LearningRate 1e-3, BatchSize 128, Epochs 30, WeightDecay 1e-4), seeded. It is written in
//     plain Go on the package's float32 matrix kernels, not gomlx: at these sizes it is simpler and
//     much faster than gomlx's pure-Go backend.
//   - SingleNeuron: for every neuron, the best threshold and direction on the training split by an
//     exact sweep over its sorted values (all midpoints between distinct values, both directions,
//     and the constant predictions); the neuron with the best training accuracy (balanced accuracy
//     with Balanced) is the observer. Every neuron's score is returned as a map.
//
// All observers report training accuracy and balanced accuracy, and test accuracy, balanced
// accuracy and AUC (exact, from ranks, ties counting one half).
//
// # Many properties at once
//
// FitMany fits the linear observers of many targets together: each L-BFGS (or FISTA) iteration
// evaluates the objectives and gradients of every unfinished target with two float32 matrix
// products, Z = X·W and G = Xᵀ·R over a [D, P] weight matrix, and a fused loss/residual pass, all
// spread over GOMAXPROCS goroutines. The matrix products use a packed, cache-blocked kernel whose
// micro-kernel, like the fused exp/log1p loss pass, has AVX-512 and AVX2+FMA assembly on amd64 and
// plain Go elsewhere (or with the purego build tag); the best path the CPU supports is chosen at
// start-up, DENOTATION_KERNEL=go|avx2|avx512 forces one, and KernelPath reports it. Each target
// keeps its own line search and stops on its own. Work
// is evaluated in float32 with float64 accumulation; the attainable gradient is ~1e-7 on
// standardised features, far below the default tolerance. On 2 cores, the 1022 label-subset
// observers of a 128-neuron MNIST layer on 10,000 samples take a few seconds (bench/observer).
//
// # Controls
//
// Options.Control adds a control measurement to every fit, with selectivity = test accuracy −
// control test accuracy:
//
//   - Untrained: the same observer on an untrained object model's activations (Control.Untrained,
//     built by the caller from the same samples and selection);
//   - ShuffledLabels: trained on randomly permuted training targets (seeded per property), scored
//     against the true test targets — chance level on average;
//   - Task: Hewitt and Liang's control task: a random map of the classes to the two sides with the
//     same label proportion |S|/K (seeded per property; Features.ControlTask).
//
// Bad input — mismatched shapes, NaN or ±Inf values, an empty or full label set, a property with
// one side empty on either split, unknown options — returns an error naming the problem, never a
// panic.
package observer
