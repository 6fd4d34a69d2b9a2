package denotation

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/denotation-go/denotation/pkg/hidden"
	"github.com/denotation-go/denotation/pkg/property"
)

// DefaultTau is the default fraction τ of a class's samples that must lie on its side.
const DefaultTau = 0.95

// Direction names the side of the threshold a label set is read from.
type Direction string

const (
	// High is the canonical reading: S is the set of classes above the threshold.
	High Direction = "high"
	// Low is the complementary reading: the classes at or below the threshold.
	// Scan never produces it; Complement derives it from a High result.
	Low Direction = "low"
)

// NullKind chooses the permutation null distribution a p-value is computed against.
type NullKind string

const (
	// NullNeuron (the default) compares a (neuron, S) score with the permutation distribution of
	// the same neuron's best score: exact, but p ≥ 1/(1+Permutations).
	NullNeuron NullKind = "neuron"
	// NullLayer pools the permutation best scores of every non-constant neuron of the layer:
	// finer p-values (p ≥ 1/(1+Permutations·W)), assuming those neurons share one null.
	NullLayer NullKind = "layer"
)

// Options configures Scan.
type Options struct {
	// Tau is τ ∈ (0.5, 1]: the fraction of each class's samples that must lie on its side.
	Tau float64 `json:"tau"`
	// Permutations is the number of label permutations of the significance test (0: no test,
	// p and q values stay nil).
	Permutations int `json:"permutations"`
	// Seed seeds the permutations: permutation i shuffles the labels with
	// rand.New(rand.NewPCG(Seed, i)).
	Seed uint64 `json:"seed"`
	// Null is the null distribution of the p-values ("" means NullNeuron).
	Null NullKind `json:"null"`
	// Workers is the number of goroutines (≤ 0: runtime.GOMAXPROCS(0)). Results do not depend on it.
	Workers int `json:"-"`
}

// DefaultOptions returns τ = 0.95, no permutations, the per-neuron null.
func DefaultOptions() Options {
	return Options{Tau: DefaultTau, Null: NullNeuron}
}

func (o *Options) validate() error {
	if err := checkTau(o.Tau); err != nil {
		return err
	}
	if o.Permutations < 0 {
		return fmt.Errorf("denotation: %d permutations: must be ≥ 0", o.Permutations)
	}
	switch o.Null {
	case "", NullNeuron, NullLayer:
	default:
		return fmt.Errorf("denotation: unknown null %q (want %q or %q)", o.Null, NullNeuron, NullLayer)
	}
	return nil
}

// Reading is a label set S read from one neuron at one threshold, with its scores: "x has S" iff
// the neuron's value on x is above Threshold. It is the high side: S holds the classes above.
// A neuron's denotations and its best reading are Readings.
type Reading struct {
	// Labels is S (0 < |S| < K); in JSON the array of its classes in increasing order.
	Labels property.LabelSet `json:"labels"`
	// LabelProportion is |S| / K.
	LabelProportion float64 `json:"label_proportion"`
	// Direction is always High for results of Scan (see Complement).
	Direction Direction `json:"direction"`
	// Threshold t: compare float64(value) > Threshold. It is the midpoint between the two
	// consecutive distinct values of the chosen partition (see Denotation for the choice).
	Threshold float64 `json:"threshold"`
	// BalancedAccuracy is ½(TPR + TNR) over samples for the task "label ∈ S" (TPR: fraction of
	// the samples with label in S above t; TNR: fraction of the others at or below t).
	BalancedAccuracy float64 `json:"balanced_accuracy"`
	// ClassBalancedAccuracy is ½(mean_{c∈S} above_c + mean_{c∉S} below_c): every class weighs
	// the same, whatever its size.
	ClassBalancedAccuracy float64 `json:"class_balanced_accuracy"`
	// MinClassFraction is the smallest per-class fraction on the correct side:
	// min(min_{c∈S} above_c, min_{c∉S} below_c). The neuron denotes S at t iff it is ≥ τ.
	MinClassFraction float64 `json:"min_class_fraction"`
	// FractionAbove[c] is the fraction of class c's samples above Threshold.
	FractionAbove []float64 `json:"fraction_above"`
	// PValue is the permutation p-value (nil without permutations); see Options and doc.go.
	PValue *float64 `json:"p_value"`
	// QValue is the Benjamini–Hochberg q-value over every tested (neuron, S) pair of the scan.
	QValue *float64 `json:"q_value"`
	// LowerBound, set by Validate, is the smallest over classes of the one-sided Clopper–Pearson
	// lower confidence bound of the class's fraction on its side (nil for a plain scan).
	LowerBound *float64 `json:"lower_bound,omitempty"`
}

// SignificantAt reports whether the reading's q-value is at most q (false without permutations).
func (r Reading) SignificantAt(q float64) bool { return r.QValue != nil && *r.QValue <= q }

// Denotation is a label set S denoted by a neuron: on the held-out split every class in S has
// at least a fraction τ of its samples above the threshold and every other class at least τ at
// or below it.
//
// The neuron denotes S at every threshold t with ThresholdLow ≤ t < ThresholdHigh (the set of
// such thresholds is always one interval). The reported Threshold is, among the partitions of
// the samples inside that interval, the one with the largest MinClassFraction (ties: the
// largest ClassBalancedAccuracy, then the lowest threshold), placed at the midpoint between the
// two distinct values that bound that partition.
type Denotation struct {
	// Layer is the 1-based hidden layer.
	Layer int `json:"layer"`
	// Neuron is the 0-based index of the neuron in its layer.
	Neuron int `json:"neuron"`
	Reading
	// ThresholdLow and ThresholdHigh bound the thresholds at which S is denoted: [low, high).
	ThresholdLow  float64 `json:"threshold_low"`
	ThresholdHigh float64 `json:"threshold_high"`
}

// Complement returns the low-side reading of d: the complementary label set, read as the
// classes at or below the threshold. It describes the same split; report it only as such.
func (d Denotation) Complement(numClasses int) Denotation {
	out := d
	out.Labels = d.Labels.Complement(numClasses)
	out.LabelProportion = out.Labels.Proportion(numClasses)
	out.Direction = Low
	return out
}

// NeuronResult is the scan of one neuron.
type NeuronResult struct {
	Layer  int `json:"layer"`
	Neuron int `json:"neuron"`
	// Constant is true when the neuron takes a single value on the held-out split (e.g. a dead
	// ReLU): it denotes nothing and has no best reading.
	Constant bool `json:"constant"`
	// Denotations are the sets the neuron denotes, nested, smallest first (highest threshold).
	Denotations []Denotation `json:"denotations"`
	// Best is the neuron's best reading whether or not it denotes: the (S, t) with the largest
	// MinClassFraction over all proper S and all thresholds (ties: largest
	// ClassBalancedAccuracy, then lowest threshold; at one threshold S puts each class on the
	// side holding more than half of its samples). The neuron denotes something iff
	// Best.MinClassFraction ≥ τ, and then Best is one of Denotations. Nil for a constant neuron.
	Best *Reading `json:"best"`
}

// Denotes reports whether the neuron denotes at least one set.
func (n *NeuronResult) Denotes() bool { return len(n.Denotations) > 0 }

// SmallestDenotation is the neuron's denotation where one set per neuron is needed: its smallest
// denoted set. ok is false when the neuron denotes nothing.
func (n *NeuronResult) SmallestDenotation() (d Denotation, ok bool) {
	if len(n.Denotations) == 0 {
		return Denotation{}, false
	}
	return n.Denotations[0], true
}

// DenotationsAt lists the neuron's denotations with a significance filter: with maxQ > 0 those
// whose q-value is at most maxQ (none without permutations); with maxQ ≤ 0 all of them.
func (n *NeuronResult) DenotationsAt(maxQ float64) []Denotation {
	if maxQ <= 0 {
		return n.Denotations
	}
	var out []Denotation
	for _, d := range n.Denotations {
		if d.SignificantAt(maxQ) {
			out = append(out, d)
		}
	}
	return out
}

// SmallestDenotationAt is SmallestDenotation with a significance filter: with maxQ > 0 the
// smallest denoted set whose q-value is at most maxQ (none without permutations); with maxQ ≤ 0
// the smallest denoted set. It is the neuron's denotation as the aggregations across neurons and
// runs count it.
func (n *NeuronResult) SmallestDenotationAt(maxQ float64) (Denotation, bool) {
	if maxQ <= 0 {
		return n.SmallestDenotation()
	}
	for _, d := range n.Denotations {
		if d.SignificantAt(maxQ) {
			return d, true
		}
	}
	return Denotation{}, false
}

// LayerResult is the scan of one hidden layer.
type LayerResult struct {
	Layer   int            `json:"layer"`
	Depth   int            `json:"depth"`
	Width   int            `json:"width"`
	Neurons []NeuronResult `json:"neurons"`
}

// NumDenoting is the number of neurons of the layer that denote at least one set.
func (l *LayerResult) NumDenoting() int {
	n := 0
	for i := range l.Neurons {
		if l.Neurons[i].Denotes() {
			n++
		}
	}
	return n
}

// Result is the scan of every neuron of an object model.
type Result struct {
	Tau         float64 `json:"tau"`
	NumClasses  int     `json:"num_classes"`
	NumSamples  int     `json:"num_samples"`
	ClassCounts []int   `json:"class_counts"`
	// Depth is L, the number of hidden layers of the model.
	Depth int `json:"depth"`
	// Permutations, PermutationSeed and Null describe the significance test (0: none).
	Permutations    int      `json:"permutations"`
	PermutationSeed uint64   `json:"permutation_seed"`
	Null            NullKind `json:"null,omitempty"`
	// Tested is the number of (neuron, S) pairs in the Benjamini–Hochberg family.
	Tested int           `json:"tested"`
	Layers []LayerResult `json:"layers"`
	// Validation is set when the result comes from Validate: the denotations were chosen on
	// another sample set and judged on this one.
	Validation *Validation `json:"validation,omitempty"`
}

// Neurons yields every neuron of the scan, layer by layer, with the index of its layer in Layers.
func (r *Result) Neurons() iter.Seq2[int, *NeuronResult] {
	return func(yield func(int, *NeuronResult) bool) {
		for li := range r.Layers {
			for ni := range r.Layers[li].Neurons {
				if !yield(li, &r.Layers[li].Neurons[ni]) {
					return
				}
			}
		}
	}
}

// Counts returns the number of neurons of the scan, of constant ones and of denoting ones (those
// with a SmallestDenotationAt(maxQ)).
func (r *Result) Counts(maxQ float64) (neurons, constant, denoting int) {
	for _, nr := range r.Neurons() {
		neurons++
		if nr.Constant {
			constant++
		}
		if _, ok := nr.SmallestDenotationAt(maxQ); ok {
			denoting++
		}
	}
	return neurons, constant, denoting
}

// Denotations lists every denotation of the scan, by layer, neuron, then smallest set first.
func (r *Result) Denotations() []Denotation {
	var out []Denotation
	for _, nr := range r.Neurons() {
		out = append(out, nr.Denotations...)
	}
	return out
}

// SmallestDenotations lists each denoting neuron's smallest denoted set (its SmallestDenotation).
func (r *Result) SmallestDenotations() []Denotation {
	var out []Denotation
	for _, nr := range r.Neurons() {
		if d, ok := nr.SmallestDenotation(); ok {
			out = append(out, d)
		}
	}
	return out
}

// NumDenoting is the number of neurons that denote at least one set.
func (r *Result) NumDenoting() int {
	n := 0
	for li := range r.Layers {
		n += r.Layers[li].NumDenoting()
	}
	return n
}

// Significant lists the denotations whose q-value is at most q (none without permutations).
func (r *Result) Significant(q float64) []Denotation {
	var out []Denotation
	for _, d := range r.Denotations() {
		if d.SignificantAt(q) {
			out = append(out, d)
		}
	}
	return out
}

// CountSignificant is len(r.Significant(q)).
func (r *Result) CountSignificant(q float64) int { return len(r.Significant(q)) }

// Neuron returns the result of neuron j (0-based) of layer ℓ (1-based).
func (r *Result) Neuron(layer, j int) (*NeuronResult, error) {
	if layer < 1 || layer > len(r.Layers) {
		return nil, fmt.Errorf("denotation: unknown layer %d: the scan has layers 1…%d", layer, len(r.Layers))
	}
	l := &r.Layers[layer-1]
	if j < 0 || j >= len(l.Neurons) {
		return nil, fmt.Errorf("denotation: layer %d has no neuron %d (width %d)", layer, j, len(l.Neurons))
	}
	return &l.Neurons[j], nil
}

// chunkBytes bounds the memory of the transposed values a scan holds at once (a variable so
// that tests can exercise several chunks per layer).
var chunkBytes = 32 << 20

// Scan finds every label set denoted by every hidden neuron of acts (the held-out split), and
// every neuron's best reading; with opt.Permutations > 0 it also computes permutation p-values
// and Benjamini–Hochberg q-values. The scan is exact over all 2^K − 2 label sets: each neuron's
// values are sorted once and the thresholds between consecutive distinct values are swept with
// per-class counts. Neurons are spread over opt.Workers goroutines; the result does not depend
// on the number of workers.
//
// Why it is long: the chunking of each layer's transposed values, the per-worker buffers and the
// permutation nulls are set up and consumed in one pass so that memory stays bounded by
// chunkBytes and the result is independent of the workers; the per-neuron work is already in
// ScanNeuron and parallel, and what remains is that one pass.
func Scan(acts *hidden.Activations, opt Options) (*Result, error) {
	if err := opt.validate(); err != nil {
		return nil, err
	}
	if opt.Null == "" {
		opt.Null = NullNeuron
	}
	if acts == nil {
		return nil, errors.New("denotation: nil activations")
	}
	if acts.N <= 0 || len(acts.Labels) != acts.N {
		return nil, fmt.Errorf("denotation: %d labels for %d samples", len(acts.Labels), acts.N)
	}
	if acts.N >= math.MaxInt32 {
		return nil, fmt.Errorf("denotation: %d samples: at most %d are supported", acts.N, math.MaxInt32-1)
	}
	if len(acts.Layers) == 0 {
		return nil, errors.New("denotation: the activations have no hidden layer")
	}
	tab, err := newClassTable(acts.Labels, acts.NumClasses, opt.Tau)
	if err != nil {
		return nil, err
	}
	res := &Result{
		Tau: opt.Tau, NumClasses: tab.k, NumSamples: acts.N,
		ClassCounts: append([]int(nil), tab.counts...), Depth: len(acts.Layers),
		Permutations: opt.Permutations, PermutationSeed: opt.Seed,
		Layers: make([]LayerResult, len(acts.Layers)),
	}
	if opt.Permutations > 0 {
		res.Null = opt.Null
	}
	for li := range acts.Layers {
		l := &acts.Layers[li]
		if l.Layer != li+1 {
			return nil, fmt.Errorf("denotation: layer at position %d is numbered %d, want %d", li, l.Layer, li+1)
		}
		if l.Width < 1 {
			return nil, fmt.Errorf("denotation: layer %d has width %d", l.Layer, l.Width)
		}
		if len(l.Post) != acts.N*l.Width {
			return nil, fmt.Errorf("denotation: layer %d has %d post-activation values, want %d×%d", l.Layer, len(l.Post), acts.N, l.Width)
		}
		depth := l.Depth
		if depth == 0 {
			depth = len(acts.Layers)
		}
		res.Layers[li] = LayerResult{Layer: l.Layer, Depth: depth, Width: l.Width, Neurons: make([]NeuronResult, l.Width)}
	}
	lbl := labels8(acts.Labels)
	perms := permutedLabels(lbl, opt.Permutations, opt.Seed)
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ws := make([]*scanWorker, workers)
	for i := range ws {
		ws[i] = &scanWorker{sw: newSweeper(tab), tmp: make([]uint64, acts.N), sn: sortedNeuron{ends: make([]int32, 0, acts.N)}}
	}
	// null[li][j] holds the permutation best scores of neuron j of layer li.
	null := make([][][]float64, len(acts.Layers))
	var chunk [][]uint64
	for li := range acts.Layers {
		l := &acts.Layers[li]
		if opt.Permutations > 0 {
			null[li] = make([][]float64, l.Width)
		}
		c := max(1, min(l.Width, chunkBytes/(8*acts.N)))
		for j0 := 0; j0 < l.Width; j0 += c {
			j1 := min(j0+c, l.Width)
			for len(chunk) < j1-j0 {
				chunk = append(chunk, make([]uint64, acts.N))
			}
			if err := transpose(l, j0, j1, acts.N, chunk, workers); err != nil {
				return nil, err
			}
			parallel(j1-j0, ws, func(w *scanWorker, b int) {
				j := j0 + b
				w.sn.keys = radixSortHigh(chunk[b], w.tmp)
				if &w.sn.keys[0] == &w.tmp[0] { // keep tmp distinct from the sorted keys
					chunk[b], w.tmp = w.tmp, chunk[b]
				}
				w.sn.buildEnds()
				recs, best, ok := w.sw.full(&w.sn, lbl)
				res.Layers[li].Neurons[j] = buildNeuronResult(tab, &w.sn, l.Layer, j, recs, best, ok)
				if ok && len(perms) > 0 {
					scores := make([]float64, len(perms))
					for pi, perm := range perms {
						scores[pi] = w.sw.bestScore(&w.sn, perm)
					}
					null[li][j] = scores
				}
			})
		}
	}
	if opt.Permutations > 0 {
		assignSignificance(res, null, opt.Null)
	}
	return res, nil
}

// parallel calls f(w, i) for i = 0 … n−1, spread over the workers (one goroutine each).
func parallel(n int, ws []*scanWorker, f func(w *scanWorker, i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, w := range ws[:min(len(ws), n)] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(w, i)
			}
		}()
	}
	wg.Wait()
}

// transpose writes, for neurons [j0, j1) of layer l, the sort keys floatKey(v)<<32 | i of
// every sample i into chunk[j−j0][i], reading rows sequentially with up to `workers`
// goroutines over sample ranges. It reports the first NaN or ±Inf (lowest neuron, then lowest
// sample) as an error.
func transpose(l *hidden.LayerActivations, j0, j1, n int, chunk [][]uint64, workers int) error {
	width := l.Width
	parts := max(1, min(workers, n/1024))
	type bad struct{ j, i int }
	bads := make([]bad, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bads[p] = bad{-1, -1}
			i0, i1 := p*n/parts, (p+1)*n/parts
			for i := i0; i < i1; i++ {
				row := l.Post[i*width+j0 : i*width+j1]
				for b, v := range row {
					k := floatKey(v)
					// NaN and ±Inf have every exponent bit set.
					if math.Float32bits(v)&0x7f800000 == 0x7f800000 && (bads[p].j < 0 || b < bads[p].j) {
						bads[p] = bad{b, i}
					}
					chunk[b][i] = uint64(k)<<32 | uint64(i)
				}
			}
		}()
	}
	wg.Wait()
	first := bad{-1, -1}
	for _, bd := range bads { // parts cover increasing sample ranges
		if bd.j >= 0 && (first.j < 0 || bd.j < first.j) {
			first = bd
		}
	}
	if first.j < 0 {
		return nil
	}
	j := j0 + first.j
	for i := range n { // the first bad sample of that neuron
		if v := l.Post[i*width+j]; math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("denotation: layer %d neuron %d sample %d: post-activation value is %v", l.Layer, j, i, v)
		}
	}
	return nil
}

// labels8 converts labels (already checked to lie in [0, 64)) to bytes.
func labels8(labels []int) []uint8 {
	out := make([]uint8, len(labels))
	for i, y := range labels {
		out[i] = uint8(y)
	}
	return out
}

// permutedLabels returns n shuffles of labels; shuffle i uses rand.New(rand.NewPCG(seed, i)).
func permutedLabels(labels []uint8, n int, seed uint64) [][]uint8 {
	out := make([][]uint8, n)
	for i := range out {
		p := slices.Clone(labels)
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		rng.Shuffle(len(p), func(a, b int) { p[a], p[b] = p[b], p[a] })
		out[i] = p
	}
	return out
}

// scanWorker holds one goroutine's buffers.
type scanWorker struct {
	sw  *sweeper
	tmp []uint64
	sn  sortedNeuron
}

// buildNeuronResult turns sweep records into a NeuronResult.
func buildNeuronResult(t *classTable, s *sortedNeuron, layer, j int, recs []record, best record, ok bool) NeuronResult {
	nr := NeuronResult{Layer: layer, Neuron: j, Constant: !ok, Denotations: []Denotation{}}
	if !ok {
		return nr
	}
	// Records come in order of increasing threshold, i.e. decreasing set size: reverse them.
	for i := len(recs) - 1; i >= 0; i-- {
		r := &recs[i]
		nr.Denotations = append(nr.Denotations, Denotation{
			Layer: layer, Neuron: j, Reading: makeReading(t, s, r),
			ThresholdLow:  float64(s.groupValue(r.gLo)),
			ThresholdHigh: float64(s.groupValue(r.gHi + 1)),
		})
	}
	p := makeReading(t, s, &best)
	nr.Best = &p
	return nr
}

func makeReading(t *classTable, s *sortedNeuron, r *record) Reading {
	labels := property.LabelSet(r.mask)
	fa := make([]float64, t.k)
	for c, a := range r.above {
		fa[c] = t.fa(c, a)
	}
	lo, hi := float64(s.groupValue(r.g)), float64(s.groupValue(r.g+1))
	return Reading{
		Labels:                labels,
		LabelProportion:       labels.Proportion(t.k),
		Direction:             High,
		Threshold:             lo + (hi-lo)/2,
		BalancedAccuracy:      t.sampleBalanced(r.above, r.mask),
		ClassBalancedAccuracy: r.cba,
		MinClassFraction:      r.score,
		FractionAbove:         fa,
	}
}

// neuronTable checks the input of a single-neuron scan — as many values as labels, at least one,
// labels in [0,k) with every class present, τ in (0.5, 1], finite values — and returns its class
// table.
func neuronTable(values []float32, labels []int, k int, tau float64) (*classTable, error) {
	if len(values) != len(labels) {
		return nil, fmt.Errorf("denotation: %d values for %d labels", len(values), len(labels))
	}
	if len(values) == 0 {
		return nil, errors.New("denotation: no samples")
	}
	tab, err := newClassTable(labels, k, tau)
	if err != nil {
		return nil, err
	}
	for i, v := range values {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("denotation: sample %d: value is %v", i, v)
		}
	}
	return tab, nil
}

// ScanNeuron scans one neuron given its values on the held-out split, their labels in [0,k)
// and τ. Layer and Neuron of the result are 0. It is the single-neuron form of Scan.
func ScanNeuron(values []float32, labels []int, k int, tau float64) (NeuronResult, error) {
	if len(values) >= math.MaxInt32 {
		return NeuronResult{}, fmt.Errorf("denotation: %d samples: too many", len(values))
	}
	tab, err := neuronTable(values, labels, k, tau)
	if err != nil {
		return NeuronResult{}, err
	}
	n := len(values)
	keys := make([]uint64, n)
	for i, v := range values {
		keys[i] = uint64(floatKey(v))<<32 | uint64(i)
	}
	sn := sortedNeuron{keys: radixSortHigh(keys, make([]uint64, n))}
	sn.buildEnds()
	recs, best, ok := newSweeper(tab).full(&sn, labels8(labels))
	return buildNeuronResult(tab, &sn, 0, 0, recs, best, ok), nil
}
