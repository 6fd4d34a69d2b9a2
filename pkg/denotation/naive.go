package denotation

import (
	"fmt"
	"slices"

	"github.com/denotation-go/denotation/pkg/property"
)

// ScanNeuronNaive is the reference implementation of ScanNeuron: one decision stump per label
// set. For each of the 2^K − 2 proper sets S it sweeps every threshold of the (once sorted)
// values and keeps S's best threshold, so it costs O(2^K · N·K) per neuron instead of O(N·K).
// It returns the same denotations as ScanNeuron (same sets, intervals, thresholds and scores)
// and a best reading with the same MinClassFraction (ties between sets may be broken
// differently). It exists to check the fast scan and to benchmark against it.
//
// Why it is long: as a reference it is written straight through, one step after another, so that
// it can be checked by reading against the definition; splitting it would make it look like the
// fast scan it is there to check.
func ScanNeuronNaive(values []float32, labels []int, k int, tau float64) (NeuronResult, error) {
	if k > 20 {
		return NeuronResult{}, fmt.Errorf("denotation: naive scan of %d classes would try 2^%d sets", k, k)
	}
	t, err := neuronTable(values, labels, k, tau)
	if err != nil {
		return NeuronResult{}, err
	}
	n := len(values)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	norm := func(v float32) float32 {
		if v == 0 {
			return 0
		}
		return v
	}
	slices.SortStableFunc(order, func(a, b int) int {
		va, vb := norm(values[a]), norm(values[b])
		switch {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return 0
	})
	// Group boundaries and distinct values.
	var ends []int
	var vals []float32
	for p := 0; p < n; {
		q := p + 1
		for q < n && norm(values[order[q]]) == norm(values[order[p]]) {
			q++
		}
		ends = append(ends, q)
		vals = append(vals, norm(values[order[p]]))
		p = q
	}
	sn := &sortedNeuron{keys: make([]uint64, n)}
	for p, i := range order {
		sn.keys[p] = uint64(floatKey(values[i]))<<32 | uint64(i)
	}
	sn.buildEnds()
	nr := NeuronResult{Constant: len(ends) < 2, Denotations: []Denotation{}}
	if nr.Constant {
		return nr, nil
	}
	above := make([]int, k)
	best := record{score: -1}
	var recs []record
	for mask := uint64(1); mask < t.full; mask++ {
		copy(above, t.counts)
		r := record{mask: mask, score: -1, gLo: -1}
		sBest := record{mask: mask, score: -1}
		start := 0
		for g := 0; g < len(ends)-1; g++ {
			for _, i := range order[start:ends[g]] {
				above[labels[i]]--
			}
			start = ends[g]
			score := t.minClassFraction(above, mask)
			cba := t.classBalanced(above, mask)
			if score > sBest.score || (score == sBest.score && cba > sBest.cba) {
				sBest.g, sBest.score, sBest.cba = g, score, cba
				sBest.above = append(sBest.above[:0], above...)
			}
			if score >= tau {
				if r.gLo < 0 {
					r.gLo = g
				}
				r.gHi = g
			}
		}
		if r.gLo >= 0 {
			r.g, r.score, r.cba, r.above = sBest.g, sBest.score, sBest.cba, sBest.above
			recs = append(recs, r)
		}
		if sBest.score > best.score || (sBest.score == best.score && sBest.cba > best.cba) {
			best = sBest
		}
	}
	// Nested sets: smallest first.
	slices.SortFunc(recs, func(a, b record) int { return property.LabelSet(a.mask).Len() - property.LabelSet(b.mask).Len() })
	for i := range recs {
		r := &recs[i]
		nr.Denotations = append(nr.Denotations, Denotation{
			Reading:       makeReading(t, sn, r),
			ThresholdLow:  float64(vals[r.gLo]),
			ThresholdHigh: float64(vals[r.gHi+1]),
		})
	}
	p := makeReading(t, sn, &best)
	nr.Best = &p
	return nr, nil
}
