package denotation

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// hypothesis is one tested (neuron, S) pair: its observed score and where to write p and q.
type hypothesis struct {
	p       float64
	targets []*Reading // readings that share this (neuron, S) pair
}

// assignSignificance computes p-values against the permutation null and q-values over the
// family of every tested (neuron, S) pair, and stores them in res.
//
// Family: for every non-constant neuron, each set it denotes, or, when it denotes nothing, its
// best reading. Testing every neuron (not only those that pass τ) keeps the family from being
// chosen by looking at the scores.
//
// Statistic: a pair's score is its MinClassFraction (maximised over thresholds). Its null is the
// permutation distribution of the neuron's best score (the maximum over all 2^K − 2 sets and all
// thresholds), so the p-value pays for the search over sets and thresholds within the neuron:
// p = (1 + #{π : T_π ≥ score}) / (1 + N). With NullLayer the T_π of every non-constant neuron of
// the layer are pooled: p = (1 + #{(π, n') : T_π(n') ≥ score}) / (1 + N·W').
func assignSignificance(res *Result, null [][][]float64, kind NullKind) {
	var hyps []hypothesis
	for li := range res.Layers {
		lr := &res.Layers[li]
		var pooled []float64
		if kind == NullLayer {
			for j := range lr.Neurons {
				pooled = append(pooled, null[li][j]...)
			}
			slices.Sort(pooled)
		}
		for j := range lr.Neurons {
			nr := &lr.Neurons[j]
			if nr.Constant {
				continue
			}
			dist := pooled
			if kind != NullLayer {
				dist = slices.Clone(null[li][j])
				slices.Sort(dist)
			}
			pval := func(score float64) float64 {
				ge := len(dist) - sort.SearchFloat64s(dist, score)
				return float64(1+ge) / float64(1+len(dist))
			}
			if len(nr.Denotations) == 0 {
				hyps = append(hyps, hypothesis{p: pval(nr.Best.MinClassFraction), targets: []*Reading{nr.Best}})
				continue
			}
			for di := range nr.Denotations {
				d := &nr.Denotations[di]
				h := hypothesis{p: pval(d.MinClassFraction), targets: []*Reading{&d.Reading}}
				if d.Labels == nr.Best.Labels {
					h.targets = append(h.targets, nr.Best)
				}
				hyps = append(hyps, h)
			}
		}
	}
	ps := make([]float64, len(hyps))
	for i := range hyps {
		ps[i] = hyps[i].p
	}
	qs, _ := BenjaminiHochberg(ps) // p-values from counts are always in (0, 1]
	for i := range hyps {
		for _, t := range hyps[i].targets {
			p, q := hyps[i].p, qs[i]
			t.PValue, t.QValue = &p, &q
		}
	}
	res.Tested = len(hyps)
}

// BenjaminiHochberg returns the Benjamini–Hochberg q-values (adjusted p-values) of p, in the
// same order: q_(i) = min_{j ≥ i} min(1, m·p_(j)/j) over the p-values sorted increasingly.
// Rejecting every hypothesis with q ≤ α controls the false discovery rate at α (independent or
// positively dependent tests). Every p must lie in [0, 1].
func BenjaminiHochberg(p []float64) ([]float64, error) {
	m := len(p)
	for i, v := range p {
		if math.IsNaN(v) || v < 0 || v > 1 {
			return nil, fmt.Errorf("denotation: p-value %d is %v, outside [0, 1]", i, v)
		}
	}
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return p[order[a]] < p[order[b]] })
	q := make([]float64, m)
	run := 1.0
	for r := m - 1; r >= 0; r-- {
		v := p[order[r]] * float64(m) / float64(r+1)
		if v < run {
			run = v
		}
		q[order[r]] = run
	}
	return q, nil
}
