package denotation

import (
	"fmt"
	"slices"
)

// Snapshot is the scan of one model at one point of its training.
type Snapshot struct {
	Epoch  int     `json:"epoch"`
	Result *Result `json:"-"`
}

// EmergencePoint summarises the denotations of one snapshot.
type EmergencePoint struct {
	Epoch    int `json:"epoch"`
	Neurons  int `json:"neurons"`
	Constant int `json:"constant"`
	// Denoting is the number of neurons denoting at least one set (counting, with maxQ > 0,
	// only denotations with q ≤ maxQ); Denotations counts every (neuron, S) pair so counted.
	Denoting    int `json:"denoting"`
	Denotations int `json:"denotations"`
	// DenotingPerLayer[ℓ−1] is Denoting restricted to layer ℓ.
	DenotingPerLayer []int `json:"denoting_per_layer"`
	// Denoted summarises the label proportions of the denoting neurons' smallest denoted sets;
	// Best those of every non-constant neuron's best reading.
	Denoted Summary `json:"denoted"`
	Best    Summary `json:"best"`
	// MeanBestScore is the mean over non-constant neurons of the best MinClassFraction: a
	// continuous measure of how close the neurons are to denoting (they denote at τ iff ≥ τ).
	MeanBestScore Num `json:"mean_best_score"`
}

// Emergence summarises, for each snapshot of one model's training (in order of epoch), how many
// neurons denote and how general the sets they denote are. With maxQ > 0 only denotations with
// q ≤ maxQ count. The snapshots must share architecture, classes and τ; epochs must differ.
func Emergence(snaps []Snapshot, maxQ float64) ([]EmergencePoint, error) {
	if !(maxQ >= 0 && maxQ <= 1) {
		return nil, fmt.Errorf("denotation: q level %v is outside [0, 1]", maxQ)
	}
	runs := make([]Run, len(snaps))
	for i, s := range snaps {
		runs[i] = Run{Name: fmt.Sprintf("epoch %d", s.Epoch), Result: s.Result}
	}
	k, _, err := checkRuns(runs, maxQ)
	if err != nil {
		return nil, err
	}
	order := make([]int, len(snaps))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return snaps[a].Epoch - snaps[b].Epoch })
	first := snaps[order[0]].Result
	var out []EmergencePoint
	for oi, i := range order {
		s := snaps[i]
		if oi > 0 && snaps[order[oi-1]].Epoch == s.Epoch {
			return nil, fmt.Errorf("denotation: two snapshots of epoch %d", s.Epoch)
		}
		res := s.Result
		same := res.Depth == first.Depth
		for li := 0; same && li < len(res.Layers); li++ {
			same = res.Layers[li].Width == first.Layers[li].Width
		}
		if !same {
			return nil, fmt.Errorf("denotation: snapshot of epoch %d has another architecture than epoch %d", s.Epoch, snaps[order[0]].Epoch)
		}
		p := EmergencePoint{Epoch: s.Epoch, DenotingPerLayer: make([]int, len(res.Layers)), MeanBestScore: NaN}
		den, best := make([]int, k-1), make([]int, k-1)
		sumBest, nBest := 0.0, 0
		for li, nr := range res.Neurons() {
			p.Neurons++
			if nr.Constant || nr.Best == nil {
				p.Constant++
				continue
			}
			best[nr.Best.Labels.Len()-1]++
			sumBest += nr.Best.MinClassFraction
			nBest++
			p.Denotations += len(nr.DenotationsAt(maxQ))
			if d, ok := nr.SmallestDenotationAt(maxQ); ok {
				p.Denoting++
				p.DenotingPerLayer[li]++
				den[d.Labels.Len()-1]++
			}
		}
		if nBest > 0 {
			p.MeanBestScore = Num(sumBest / float64(nBest))
		}
		p.Denoted = SummarizeProportions(den, k)
		p.Best = SummarizeProportions(best, k)
		out = append(out, p)
	}
	return out, nil
}
