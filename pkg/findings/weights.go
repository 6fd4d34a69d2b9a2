package findings

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/denotation-go/denotation/pkg/observer"
	"github.com/denotation-go/denotation/pkg/property"
	"github.com/denotation-go/denotation/plotting"
)

// WeightsResult is F2: linear observers over all hidden layers, one per property, and the heat map
// of their weights laid out like the network.
type WeightsResult struct {
	// Observers are the linear observers' measurements (held-out accuracy, AUC, weights in
	// standardised units [layer-1][neuron]), in the order of the specs.
	Observers []*observer.Result `json:"observers"`
	// Summary describes where each observer puts its weight.
	Summary []WeightSummary `json:"summary"`
	// Figure draws every observer's weights as layers × neurons, one panel per property.
	Figure *plotting.Figure `json:"-"`
}

// ObserverWeights fits an L2 logistic-regression observer on the activations of all hidden layers
// for each property spec (see property.Vocabulary.Parse, e.g. "even", "0,6,8,9", "digit=3") and
// draws their weights. Observers train on the subject's training-split activations and are scored
// on its test-split activations.
func ObserverWeights(sub *Subject, specs ...string) (*WeightsResult, error) {
	return observerWeights(sub, plotting.WeightMapOptions{}, specs)
}

// ObserverWeightsSorted is ObserverWeights with each layer's neurons sorted by weight in the figure,
// which shows at a glance whether a few neurons or many carry the property.
func ObserverWeightsSorted(sub *Subject, specs ...string) (*WeightsResult, error) {
	return observerWeights(sub, plotting.WeightMapOptions{Grid: plotting.NetworkGridOptions{Sort: true}}, specs)
}

// observerWeights is ObserverWeights with figure options: the observers come from the results
// cache when the same setup, data and specs were fitted before (the figure is drawn anew).
func observerWeights(sub *Subject, wopt plotting.WeightMapOptions, specs []string) (*WeightsResult, error) {
	if len(specs) == 0 {
		return nil, fmt.Errorf("observer weights: no property given")
	}
	if sub == nil || sub.Data == nil {
		return nil, fmt.Errorf("observer weights: no subject")
	}
	props := make([]property.LabelProperty, len(specs))
	for i, s := range specs {
		p, err := sub.Vocab.Parse(s)
		if err != nil {
			return nil, err
		}
		props[i] = p
	}
	draw := func(r *WeightsResult) error { return r.draw(props, wopt) }
	return cachedResult(sub.CacheDir, "f2", []any{sub.Setup, specs, dataFingerprint(sub.Data), sub.stateKey()}, func() (*WeightsResult, error) {
		r, err := fitWeights(sub, props)
		if err != nil {
			return nil, err
		}
		return r, draw(r)
	}, draw)
}

// fitWeights fits the linear observers of F2 and summarises their weights.
func fitWeights(sub *Subject, props []property.LabelProperty) (*WeightsResult, error) {
	f, err := observer.NewFeatures(sub.Train, sub.Test, observer.AllLayers())
	if err != nil {
		return nil, err
	}
	targets, err := f.LabelTargets(props)
	if err != nil {
		return nil, err
	}
	res, err := observer.FitMany(f, targets, observer.Options{Kind: observer.Linear, Penalty: observer.L2})
	if err != nil {
		return nil, err
	}
	out := &WeightsResult{Observers: res}
	for _, r := range res {
		out.Summary = append(out.Summary, summarizeWeights(r))
	}
	return out, nil
}

// draw draws the heat map of the observers' weights, one panel per property.
func (w *WeightsResult) draw(props []property.LabelProperty, wopt plotting.WeightMapOptions) error {
	maps := make([]plotting.LayerWeights, len(w.Observers))
	for i, r := range w.Observers {
		title := props[i].Name()
		if props[i].Alias != "" {
			title += " " + props[i].Labels()
		}
		maps[i] = plotting.LayerWeights{Title: title, Accuracy: r.BalancedAccuracy, Layers: r.Weights}
	}
	var err error
	if len(maps) == 1 {
		w.Figure, err = plotting.WeightMap(maps[0], wopt)
		return err
	}
	cols := 2
	if len(maps) > 4 {
		cols = 3
	}
	w.Figure, err = plotting.WeightMaps(maps, cols, wopt)
	return err
}

// WeightSummary describes where a linear observer puts its weight.
type WeightSummary struct {
	Property string `json:"property"`
	// Largest is the largest |weight|, on neuron LargestNeuron of layer LargestLayer.
	Largest       float64 `json:"largest"`
	LargestLayer  int     `json:"largest_layer"`
	LargestNeuron int     `json:"largest_neuron"`
	// LayerShare[i] is the fraction of Σ|w| on layer Layers[i].
	LayerShare []float64 `json:"layer_share"`
	// Top10Share is the fraction of Σ|w| on the 10 largest weights: near 1 for a sparse code, near
	// Uniform10 = 10/#neurons for a distributed one.
	Top10Share float64 `json:"top10_share"`
	Uniform10  float64 `json:"uniform10"`
}

func summarizeWeights(r *observer.Result) WeightSummary {
	s := WeightSummary{Property: r.Property, LayerShare: make([]float64, len(r.Weights))}
	var all []float64
	total := 0.0
	for li, ws := range r.Weights {
		for n, w := range ws {
			a := math.Abs(w)
			all = append(all, a)
			total += a
			s.LayerShare[li] += a
			if a > s.Largest {
				s.Largest, s.LargestLayer, s.LargestNeuron = a, r.Layers[li], n
			}
		}
	}
	if total == 0 {
		return s
	}
	for i := range s.LayerShare {
		s.LayerShare[i] /= total
	}
	slices.SortFunc(all, func(a, b float64) int { return cmp.Compare(b, a) })
	for _, a := range all[:min(10, len(all))] {
		s.Top10Share += a / total
	}
	s.Uniform10 = float64(min(10, len(all))) / float64(len(all))
	return s
}
