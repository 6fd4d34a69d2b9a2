// Package denotation finds the label sets that single hidden neurons denote, tests them for
// significance, and aggregates them across seeds, depths and training epochs (Allen 2021,
// "Neural Networks and Denotation"; definitions in docs/definitions.md).
//
// # Definitions
//
// The input is the state of a trained classifier on the held-out split: hidden.Activations
// (model.Activations is the same type), post-activation values [N, W] per hidden layer (layers
// numbered from 1) and the labels in [0, K). A label set S (property.LabelSet, the one label-set
// type of the module, written "{0,6,8,9}" and in JSON [0,6,8,9]) is proper when 0 < |S| < K; its
// label proportion is |S|/K.
//
//   - Denotation. Neuron n denotes S at threshold t when every class in S has at least a
//     fraction τ of its samples above t (value > t) and every class outside S at least τ at or
//     below t. τ ∈ (0.5, 1], default 0.95 (DefaultTau). Fractions are count/classCount in
//     float64, compared with ≥ τ. Every class needs at least one held-out sample.
//   - The denoted set is the high side: S holds the classes above t (for a ReLU neuron, the
//     classes for which it fires). The low-side reading, the complement at or below t, describes
//     the same split; Denotation.Complement derives it, labelled Direction "low", and it is
//     reported only as such.
//   - Nested sets. Raising t only removes classes from the high side, so the sets one neuron
//     denotes are nested. Each is reported (NeuronResult.Denotations, smallest first) with the
//     interval [ThresholdLow, ThresholdHigh) of thresholds at which it is denoted (always one
//     interval). Where one set per neuron is needed, it is the neuron's smallest denoted set
//     (NeuronResult.SmallestDenotation).
//   - Reported threshold. Within that interval, the partition of the samples with the largest
//     min-class fraction (ties: largest class-balanced accuracy, then lowest threshold), placed at
//     the midpoint between the two consecutive distinct values that bound it.
//   - Scores of a (S, t) pair, held by a Reading: MinClassFraction = the smallest per-class fraction on the correct
//     side (S denoted iff ≥ τ); BalancedAccuracy = ½(TPR + TNR) over samples for "label ∈ S";
//     ClassBalancedAccuracy = ½(mean over c ∈ S of c's fraction above + mean over c ∉ S of the
//     fraction at or below), every class weighing the same; FractionAbove per class.
//   - Best reading. For every non-constant neuron, denoting or not, the (S, t) with the largest
//     MinClassFraction over all proper S and all thresholds (ties: largest class-balanced
//     accuracy, then lowest threshold). Its MinClassFraction is the largest τ at which the neuron
//     would denote something, so the neuron denotes iff it is ≥ τ (and the best reading is then
//     one of its denotations). The min-class score, rather than balanced accuracy, is used so
//     that the best reading is the τ-free version of the definition.
//   - A constant neuron (one value on the whole split, e.g. a dead ReLU) denotes nothing and has
//     no best reading (NeuronResult.Constant).
//
// # Exact scan
//
// Scan covers all 2^K − 2 proper sets of every neuron without one stump per set. A neuron's
// values are sorted once (radix sort); the sweep then lowers the "above" side one group of equal
// values at a time, keeping per-class counts. At a threshold, the best set is obtained by putting
// each class on the side holding more than half of its samples, and the neuron denotes S exactly
// when every class then has at least τ on its side; two running counters make most thresholds
// O(1). The cost is O(N log N + N·K) per neuron instead of O(2^K·N·K) for the per-set loop
// (ScanNeuronNaive, kept as the reference). Neurons are spread over goroutines; results do not
// depend on their number.
//
// # Significance
//
// With Options.Permutations = P > 0, the labels are shuffled P times (permutation i uses
// rand.New(rand.NewPCG(Seed, i)); the same shuffle for all neurons) and every neuron is
// rescanned; its statistic under permutation is its best MinClassFraction, the maximum over all
// sets and thresholds. A tested (neuron, S) pair with observed MinClassFraction s gets
// p = (1 + #{permutations with statistic ≥ s}) / (1 + P): comparing a set's score with the null
// of the maximum over sets pays for the search over 2^K − 2 sets and all thresholds within the
// neuron. The family of tested pairs is every denoted (neuron, S) plus, for each non-constant
// neuron that denotes nothing, its best reading, so the family is not chosen by looking at the
// scores. Benjamini–Hochberg q-values are computed over that family (Result.Tested pairs);
// Result.Significant(q) lists the denotations that survive at level q. With P permutations
// p ≥ 1/(1+P), so surviving many tests at q needs P large (about m/(q·k) for k of m tests);
// NullLayer pools the permutation statistics of the neurons of a layer for finer p-values at
// the cost of assuming those neurons share one null distribution.
//
// # Across models
//
// Replicate matches denotations of several seeds of one architecture by (layer, S).
// AnalyzeDepth aggregates models of depths D = 1 … L (a few seeds each, plus untrained controls)
// by layer (D, ℓ) and relative depth ℓ/D: numbers of denoting neurons, label proportions of
// their smallest denoted sets and of every neuron's best reading, and their trends with relative depth;
// its bootstrap resamples networks within each (trained, D) group, not neurons. Emergence
// summarises snapshots taken during training. AblationContrast is the causal check: the mean
// accuracy drop over the classes in S minus that over the others when the neuron is ablated,
// with a bootstrap over test samples (paired, within classes) or over classes.
//
// Every random choice comes from a recorded seed, and results marshal to JSON (undefined
// numbers, type Num, as null); WriteCSV-style functions write flat tables.
package denotation
