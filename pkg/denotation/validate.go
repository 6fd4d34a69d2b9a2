package denotation

import (
	"errors"
	"fmt"
	"math"

	"github.com/denotation-go/denotation/pkg/hidden"
	"github.com/denotation-go/denotation/pkg/property"
	"gonum.org/v1/gonum/stat/distuv"
)

// ValidateOptions configures Validate.
type ValidateOptions struct {
	// Tau is τ ∈ (0.5, 1] on the held-out split (0: the selection scan's τ).
	Tau float64 `json:"tau"`
	// Level is the confidence level of the one-sided Clopper–Pearson lower bound reported per
	// denotation (0: 0.95). The bound is reported, not used to decide.
	Level float64 `json:"level"`
}

// DefaultValidateOptions returns the selection scan's τ (Tau 0) and level 0.95.
func DefaultValidateOptions() ValidateOptions {
	return ValidateOptions{Level: 0.95}
}

// Validation describes how a validated Result was made.
type Validation struct {
	// SelectionSamples is the number of samples the label sets and thresholds were chosen on.
	SelectionSamples int `json:"selection_samples"`
	// SelectionTau is τ of the selection scan.
	SelectionTau float64 `json:"selection_tau"`
	// SelectedDenoting and SelectedDenotations count the neurons (and (neuron, S) pairs) that
	// denote on the selection split: the candidates that were judged on the held-out split.
	SelectedDenoting    int `json:"selected_denoting"`
	SelectedDenotations int `json:"selected_denotations"`
	// Level is the confidence level of the LowerBound of each validated denotation.
	Level float64 `json:"level"`
}

// Validate judges the denotations chosen on one sample set on another. sel is a Scan of the
// selection split (for example the training split's activations); every (neuron, S, t) it found is
// evaluated on heldOut (the test split's activations of the same network) at the same threshold t,
// and kept when every class in S has at least a fraction τ of its held-out samples above t and
// every other class at least τ at or below t.
//
// The result has the shape of a Scan result on heldOut, so that everything that counts denoting
// neurons works on it unchanged: a neuron's Denotations are its validated denotations (smallest
// set first) with their scores recomputed on heldOut and LowerBound set (p and q values, when the
// selection scan ran permutations, are the selection scan's); its
// Best is its selection best reading re-scored on heldOut (nil for a neuron constant on the
// selection split). Result.Validation records the selection. A neuron that denotes on the
// selection split can only lose denotations here: selection data ≠ evaluation data.
func Validate(sel *Result, heldOut *hidden.Activations, opt ValidateOptions) (*Result, error) {
	if sel == nil || heldOut == nil {
		return nil, errors.New("denotation: validate: nil scan or activations")
	}
	if opt.Tau == 0 {
		opt.Tau = sel.Tau
	}
	if err := checkTau(opt.Tau); err != nil {
		return nil, err
	}
	if opt.Level == 0 {
		opt.Level = DefaultValidateOptions().Level
	}
	if !(opt.Level > 0 && opt.Level < 1) {
		return nil, fmt.Errorf("denotation: validate: level %v is outside (0, 1)", opt.Level)
	}
	if heldOut.NumClasses != sel.NumClasses {
		return nil, fmt.Errorf("denotation: validate: held-out split has %d classes, the selection scan %d", heldOut.NumClasses, sel.NumClasses)
	}
	if len(heldOut.Layers) != len(sel.Layers) {
		return nil, fmt.Errorf("denotation: validate: held-out split has %d layers, the selection scan %d", len(heldOut.Layers), len(sel.Layers))
	}
	if heldOut.N <= 0 || len(heldOut.Labels) != heldOut.N {
		return nil, fmt.Errorf("denotation: validate: %d labels for %d held-out samples", len(heldOut.Labels), heldOut.N)
	}
	k := sel.NumClasses
	counts := make([]int, k)
	for _, y := range heldOut.Labels {
		if y < 0 || y >= k {
			return nil, fmt.Errorf("denotation: validate: held-out label %d outside [0, %d)", y, k)
		}
		counts[y]++
	}
	for c, n := range counts {
		if n == 0 {
			return nil, fmt.Errorf("denotation: validate: class %d has no held-out sample", c)
		}
	}
	out := &Result{Tau: opt.Tau, NumClasses: k, NumSamples: heldOut.N, ClassCounts: counts, Depth: sel.Depth,
		Layers:     make([]LayerResult, len(sel.Layers)),
		Validation: &Validation{SelectionSamples: sel.NumSamples, SelectionTau: sel.Tau, Level: opt.Level}}
	lb := newLowerBounds(counts, opt.Level)
	above := make([]int, k)
	for li := range sel.Layers {
		sl := &sel.Layers[li]
		hl := &heldOut.Layers[li]
		if hl.Width != sl.Width || len(hl.Post) != heldOut.N*hl.Width {
			return nil, fmt.Errorf("denotation: validate: layer %d has width %d on the held-out split, %d in the selection scan", li+1, hl.Width, sl.Width)
		}
		ol := LayerResult{Layer: sl.Layer, Depth: sl.Depth, Width: sl.Width, Neurons: make([]NeuronResult, sl.Width)}
		for j := range sl.Neurons {
			sn := &sl.Neurons[j]
			if len(sn.Denotations) > 0 {
				out.Validation.SelectedDenoting++
				out.Validation.SelectedDenotations += len(sn.Denotations)
			}
			ol.Neurons[j] = validateNeuron(sn, hl.Neuron(j), heldOut.Labels, counts, above, lb, opt.Tau)
		}
		out.Layers[li] = ol
	}
	return out, nil
}

// validateNeuron judges the selection result sn of one neuron on its held-out values.
func validateNeuron(sn *NeuronResult, vals []float32, labels, counts, above []int, lb *lowerBounds, tau float64) NeuronResult {
	on := NeuronResult{Layer: sn.Layer, Neuron: sn.Neuron, Constant: sn.Constant}
	if sn.Constant || sn.Best == nil {
		return on
	}
	for _, d := range sn.Denotations {
		p := heldOutReading(vals, labels, d.Labels, d.Threshold, counts, above, lb)
		if p.MinClassFraction >= tau {
			v := d
			p.PValue, p.QValue = d.PValue, d.QValue // the selection scan's test, if it ran one
			v.Reading = p
			on.Denotations = append(on.Denotations, v)
		}
	}
	best := heldOutReading(vals, labels, sn.Best.Labels, sn.Best.Threshold, counts, above, lb)
	on.Best = &best
	return on
}

// ValidateNeuron judges one neuron's selection scan sel (ScanNeuron on the selection samples) on
// its held-out values and labels in [0, k), as Validate does for every neuron of a scan.
func ValidateNeuron(sel NeuronResult, vals []float32, labels []int, k int, tau, level float64) (NeuronResult, error) {
	if err := checkTau(tau); err != nil {
		return NeuronResult{}, err
	}
	if len(vals) != len(labels) || len(vals) == 0 {
		return NeuronResult{}, fmt.Errorf("denotation: %d held-out values for %d labels", len(vals), len(labels))
	}
	counts := make([]int, k)
	for _, y := range labels {
		if y < 0 || y >= k {
			return NeuronResult{}, fmt.Errorf("denotation: held-out label %d outside [0, %d)", y, k)
		}
		counts[y]++
	}
	for c, n := range counts {
		if n == 0 {
			return NeuronResult{}, fmt.Errorf("denotation: class %d has no held-out sample", c)
		}
	}
	return validateNeuron(&sel, vals, labels, counts, make([]int, k), newLowerBounds(counts, level), tau), nil
}

// ScanValidated is a validated scan: Scan of the selection samples sel with opt, then Validate of
// what it found on the held-out samples held at opt.Tau. It returns the validated result and the
// selection scan (whose counts say how many denotations validation removed).
func ScanValidated(sel, held *hidden.Activations, opt Options) (val, selection *Result, err error) {
	if selection, err = Scan(sel, opt); err != nil {
		return nil, nil, fmt.Errorf("selection scan: %w", err)
	}
	vo := DefaultValidateOptions()
	vo.Tau = opt.Tau
	if val, err = Validate(selection, held, vo); err != nil {
		return nil, nil, err
	}
	return val, selection, nil
}

// heldOutReading scores "label ∈ S iff value > t" on held-out values.
func heldOutReading(vals []float32, labels []int, set property.LabelSet, t float64, counts, above []int, lb *lowerBounds) Reading {
	clear(above)
	for i, v := range vals {
		if float64(v) > t {
			above[labels[i]]++
		}
	}
	k := len(counts)
	p := Reading{Labels: set, LabelProportion: set.Proportion(k), Direction: High,
		Threshold: t, FractionAbove: make([]float64, k), MinClassFraction: math.Inf(1)}
	lower := math.Inf(1)
	var tp, pos, tn, neg int
	var sumIn, sumOut float64
	for c := 0; c < k; c++ {
		p.FractionAbove[c] = float64(above[c]) / float64(counts[c])
		right := counts[c] - above[c]
		if set.Contains(c) {
			right = above[c]
			tp += above[c]
			pos += counts[c]
			sumIn += p.FractionAbove[c]
		} else {
			tn += right
			neg += counts[c]
			sumOut += 1 - p.FractionAbove[c]
		}
		f := float64(right) / float64(counts[c])
		p.MinClassFraction = min(p.MinClassFraction, f)
		lower = min(lower, lb.at(c, right))
	}
	p.BalancedAccuracy = 0.5 * (float64(tp)/float64(pos) + float64(tn)/float64(neg))
	p.ClassBalancedAccuracy = 0.5 * (sumIn/float64(set.Len()) + sumOut/float64(k-set.Len()))
	p.LowerBound = &lower
	return p
}

// lowerBounds memoises one-sided Clopper–Pearson lower bounds of a class's fraction on the correct
// side: the bound for x successes in n trials at level 1−α is the α quantile of Beta(x, n−x+1)
// (0 when x = 0).
type lowerBounds struct {
	alpha  float64
	counts []int
	memo   []map[int]float64
}

func newLowerBounds(counts []int, level float64) *lowerBounds {
	lb := &lowerBounds{alpha: 1 - level, counts: counts, memo: make([]map[int]float64, len(counts))}
	for i := range lb.memo {
		lb.memo[i] = map[int]float64{}
	}
	return lb
}

func (lb *lowerBounds) at(c, x int) float64 {
	if v, ok := lb.memo[c][x]; ok {
		return v
	}
	v := ClopperPearsonLower(x, lb.counts[c], 1-lb.alpha)
	lb.memo[c][x] = v
	return v
}

// ClopperPearsonLower is the one-sided Clopper–Pearson lower confidence bound, at level, of a
// proportion observed as x successes in n trials (0 when x = 0).
func ClopperPearsonLower(x, n int, level float64) float64 {
	if x <= 0 || n <= 0 {
		return 0
	}
	return distuv.Beta{Alpha: float64(x), Beta: float64(n - x + 1)}.Quantile(1 - level)
}
