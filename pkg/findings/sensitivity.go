package findings

import (
	"fmt"

	"github.com/denotation-go/denotation/pkg/denotation"
)

// TauCount is the outcome of the denotation scan at one value of τ.
type TauCount struct {
	Tau float64 `json:"tau"`
	// Denoting counts neurons denoting at least one label set (trained model, untrained control).
	Denoting          int `json:"denoting"`
	UntrainedDenoting int `json:"untrained_denoting"`
	// MeanLabelProportion is the mean |S|/K of the denoting neurons' smallest denoted sets.
	MeanLabelProportion denotation.Num `json:"mean_label_proportion"`
	// PerLayer counts denoting neurons per layer (trained model).
	PerLayer []int `json:"per_layer"`
}

// TauSensitivity counts the validated denotations (selected on the subject's training-split
// activations, judged on its test split) of the subject and its untrained control at each τ: how
// much of F3 depends on the choice τ = 0.95.
//
// The counts come from the results cache when the same setup, data and τ values were scanned before.
func TauSensitivity(sub *Subject, taus []float64) ([]TauCount, error) {
	if sub == nil || sub.Data == nil {
		return nil, fmt.Errorf("τ sensitivity: no subject")
	}
	e, err := cachedResult(sub.CacheDir, "f3-tau", []any{sub.Setup, taus, dataFingerprint(sub.Data), sub.stateKey()}, func() (*tauEntry, error) {
		counts, err := tauSensitivity(sub, taus)
		if err != nil {
			return nil, err
		}
		return &tauEntry{Counts: counts}, nil
	}, func(*tauEntry) error { return nil })
	if err != nil {
		return nil, err
	}
	return e.Counts, nil
}

// tauEntry is TauSensitivity's entry of the results cache.
type tauEntry struct {
	Counts []TauCount `json:"counts"`
}

func tauSensitivity(sub *Subject, taus []float64) ([]TauCount, error) {
	ctl, err := sub.Untrained()
	if err != nil {
		return nil, err
	}
	var out []TauCount
	for _, tau := range taus {
		r, sel, err := validatedScan(sub.Train, sub.Test, tau)
		if err != nil {
			return nil, fmt.Errorf("τ = %v: %w", tau, err)
		}
		u, _, err := validatedScan(ctl.Train, ctl.Test, tau)
		if err != nil {
			return nil, fmt.Errorf("τ = %v (untrained): %w", tau, err)
		}
		c, err := tauCounts(r, sel, tau)
		if err != nil {
			return nil, fmt.Errorf("τ = %v: %w", tau, err)
		}
		out = append(out, TauCount{Tau: tau, Denoting: c.Denoting, PerLayer: c.PerLayer, UntrainedDenoting: u.NumDenoting(),
			MeanLabelProportion: c.MeanProportion})
	}
	return out, nil
}

// Showcase is the neuron to tell the story of: the denoting neuron with the highest min class
// fraction, or when none denotes, the neuron whose best reading comes closest (ties: lowest layer,
// then index).
func (r *DenotationResult) Showcase() (layer, neuron int) {
	return r.ShowcaseNeuron[0], r.ShowcaseNeuron[1]
}

// showcaseNeuron picks Showcase's neuron in scan.
func showcaseNeuron(scan *denotation.Result) (layer, neuron int) {
	best := -1.0
	for _, n := range scan.Neurons() {
		score := -1.0
		if d, ok := n.SmallestDenotation(); ok {
			score = 1 + d.MinClassFraction
		} else if n.Best != nil {
			score = n.Best.MinClassFraction
		}
		if score > best {
			best, layer, neuron = score, n.Layer, n.Neuron
		}
	}
	return layer, neuron
}
