package observer

import (
	"cmp"
	"slices"

	"github.com/denotation-go/denotation/internal/linalg"
)

// neuronSplit is the best threshold of one neuron for one target.
type neuronSplit struct {
	score     float64
	threshold float64 // standardised units
	direction int
}

// sortedColumns returns, for each feature, the training samples ordered by value and the values
// in that order.
func sortedColumns(f *Features, workers int) (order [][]int32, vals [][]float32) {
	n, d := f.NTrain, f.D
	order, vals = make([][]int32, d), make([][]float32, d)
	linalg.ParallelFor(d, workers, func(lo, hi, _ int) {
		for j := lo; j < hi; j++ {
			idx := make([]int32, n)
			for i := range idx {
				idx[i] = int32(i)
			}
			slices.SortStableFunc(idx, func(a, b int32) int { return cmp.Compare(f.Train[int(a)*d+j], f.Train[int(b)*d+j]) })
			v := make([]float32, n)
			for k, i := range idx {
				v[k] = f.Train[int(i)*d+j]
			}
			order[j], vals[j] = idx, v
		}
	})
	return order, vals
}

// bestSplit sweeps every threshold between consecutive distinct values of one neuron, in both
// directions, and returns the one with the highest training score (accuracy, or balanced accuracy);
// ties keep the lowest threshold and direction +1. The constant predictions (threshold below every
// value) are candidates too.
func bestSplit(order []int32, vals []float32, y []bool, pos int, balanced bool) neuronSplit {
	n := len(order)
	neg := n - pos
	score := func(tp, tn int) float64 {
		if balanced {
			return (float64(tp)/float64(pos) + float64(tn)/float64(neg)) / 2
		}
		return float64(tp+tn) / float64(n)
	}
	// Threshold below all values: everything is "above".
	best := neuronSplit{score: score(pos, 0), threshold: float64(vals[0]) - 1, direction: 1}
	if s := score(0, neg); s > best.score {
		best = neuronSplit{score: s, threshold: float64(vals[0]) - 1, direction: -1}
	}
	posBelow, negBelow := 0, 0
	for k := 0; k < n-1; k++ {
		if y[order[k]] {
			posBelow++
		} else {
			negBelow++
		}
		if vals[k] == vals[k+1] {
			continue
		}
		t := (float64(vals[k]) + float64(vals[k+1])) / 2
		if s := score(pos-posBelow, negBelow); s > best.score {
			best = neuronSplit{score: s, threshold: t, direction: 1}
		}
		if s := score(posBelow, neg-negBelow); s > best.score {
			best = neuronSplit{score: s, threshold: t, direction: -1}
		}
	}
	return best
}

// fitNeurons fits the single-neuron observer: for each target, every neuron's best threshold and
// direction on the training split; the neuron with the highest training score is the observer.
func fitNeurons(f *Features, ts []Target, o Options) ([]*Result, error) {
	order, vals := sortedColumns(f, o.Workers)
	out := make([]*Result, len(ts))
	errs := make([]error, len(ts))
	linalg.ParallelFor(len(ts), o.Workers, func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			t := ts[i]
			pos := 0
			for _, v := range t.Train {
				if v {
					pos++
				}
			}
			perNeuron := make([]float64, f.D)
			best, bestJ := neuronSplit{score: -1}, 0
			for j := 0; j < f.D; j++ {
				s := bestSplit(order[j], vals[j], t.Train, pos, o.Balanced)
				perNeuron[j] = s.score
				if s.score > best.score {
					best, bestJ = s, j
				}
			}
			r := newResult(f, t, o)
			nn := f.Columns[bestJ]
			r.Neuron, r.Direction = &nn, best.direction
			r.Threshold = f.Raw(bestJ, best.threshold)
			r.NeuronScores = f.WeightMap(perNeuron)
			r.Converged = true
			sc := func(x []float32, n int) []float64 {
				out := make([]float64, n)
				for k := range out {
					out[k] = float64(best.direction) * (float64(x[k*f.D+bestJ]) - best.threshold)
				}
				return out
			}
			errs[i] = r.score(sc(f.Train, f.NTrain), sc(f.Test, f.NTest), t)
			out[i] = r
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
