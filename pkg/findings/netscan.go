package findings

import (
	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
)

// Validated denotation (docs/definitions.md): a neuron's label sets and thresholds are chosen on
// the training-split activations of a selection subset and judged on the held-out test split.
// These helpers are shared by F3, F4 and the factor study.

// observedNet is one network's activations on the selection and the held-out samples.
type observedNet struct {
	Sel, Test *model.Activations
}

// observe records m's activations on the selection split and the held-out split.
func observe(m *model.Model, sel, test *datasets.Split) (*observedNet, error) {
	a, err := m.Capture(sel, false)
	if err != nil {
		return nil, err
	}
	b, err := m.Capture(test, false)
	if err != nil {
		return nil, err
	}
	for _, x := range []*model.Activations{a, b} {
		if err := x.Validate(); err != nil {
			return nil, err
		}
	}
	return &observedNet{Sel: a, Test: b}, nil
}

// validatedScan scans sel at τ (exact, no permutations) and keeps the denotations that hold on
// held at the same thresholds (denotation.Validate). It returns the validated result and the
// selection scan.
func validatedScan(sel, held *model.Activations, tau float64) (val, selection *denotation.Result, err error) {
	opt := denotation.DefaultOptions()
	opt.Tau = tau
	return denotation.ScanValidated(sel, held, opt)
}

// FiringRates returns, per hidden layer, the mean over its neurons of the fraction of samples on
// which the neuron's post-activation is > 0.
func FiringRates(a *model.Activations) []float64 {
	out := make([]float64, len(a.Layers))
	for li := range a.Layers {
		l := &a.Layers[li]
		active := 0
		for _, v := range l.Post {
			if v > 0 {
				active++
			}
		}
		out[li] = float64(active) / float64(len(l.Post))
	}
	return out
}

// selectionSplit is the subset of the training split whose activations select denotations (and
// train observers): n samples (0 = all), stratified, drawn with seed+1 as for a Subject.
func selectionSplit(train *datasets.Split, n int, seed uint64) *datasets.Split {
	return train.Subset(n, seed+1)
}
