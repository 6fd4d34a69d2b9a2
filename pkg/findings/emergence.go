package findings

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/plotting"
)

// EmergenceEpoch is the state of the model after one epoch (0: at initialisation).
type EmergenceEpoch struct {
	Epoch        int     `json:"epoch"`
	TestAccuracy float64 `json:"test_accuracy"`
	TestLoss     float64 `json:"test_loss"`
	// Cached tells whether the snapshot came from the run cache (not marshalled).
	Cached bool `json:"-"`
}

// EmergenceResult is the emergence of denotation over one training run: the model scanned at
// initialisation and after every epoch.
type EmergenceResult struct {
	Setup   Setup              `json:"setup"`
	Options denotation.Options `json:"options"`
	Epochs  []EmergenceEpoch   `json:"epochs"`
	// Points summarise each snapshot's scan (denotation.Emergence); Significant counts only
	// denotations with q ≤ SignificanceLevel (with permutations).
	Points      []denotation.EmergencePoint `json:"points"`
	Significant []denotation.EmergencePoint `json:"significant,omitempty"`
	// Snapshots are the scans, epoch 0 first.
	Snapshots []denotation.Snapshot `json:"-"`
	// Figure draws the denoting neurons of each layer against epoch; Curves the test accuracy,
	// the fraction of neurons denoting and their mean best min-class fraction against epoch.
	Figure *plotting.Figure `json:"-"`
	Curves *plotting.Figure `json:"-"`
}

// EmergenceOverTraining follows ONE training run of the setup's model: it scans the model at
// initialisation and after every epoch, continuing the same run (model.Model.Fit), so the
// learning-rate schedule is the one of the full run and the last snapshot is the model Prepare
// trains. It reads the snapshots the run cache keeps beside a model (model.LoadEpoch), else keeps
// its own in the run cache (under snapshots/), so a second call only rescans. Denotations are
// validated (selected on the training split, judged on the test split).
//
// The result comes from the results cache when the same setup, options and data were followed
// before (its scans, Snapshots, are then absent; the figures are redrawn).
func EmergenceOverTraining(s Setup, opt denotation.Options, opts *PrepareOptions) (*EmergenceResult, error) {
	opts = opts.orDefault()
	data, err := loadSetupData(s)
	if err != nil {
		return nil, err
	}
	arch := s.Model.Architecture(data.Train.Features(), data.NumClasses())
	return cachedResult(opts.CacheDir, "emergence", []any{s, opt, dataFingerprint(data)},
		func() (*EmergenceResult, error) { return emergenceOn(s, opt, data, opts) },
		func(r *EmergenceResult) error { return r.draw(arch) })
}

// emergenceOn computes EmergenceOverTraining on the setup's data.
func emergenceOn(s Setup, opt denotation.Options, data *datasets.Dataset, opts *PrepareOptions) (*EmergenceResult, error) {
	cfg := s.Model
	entry, err := model.CachePath(opts.CacheDir, data, cfg)
	if err != nil {
		return nil, err
	}
	snapRoot := filepath.Join(filepath.Dir(filepath.Dir(entry)), "snapshots", filepath.Base(entry))
	m, err := model.NewUntrained(cfg, data.Train.Features(), data.NumClasses())
	if err != nil {
		return nil, err
	}
	res := &EmergenceResult{Setup: s, Options: opt}
	sel := selectionSplit(data.Train, s.ObserveTrain, s.SubsetSeed)
	topt := &model.TrainOptions{Progress: opts.Progress, Context: opts.Context}
	for e := 0; e <= cfg.Epochs; e++ {
		ep := EmergenceEpoch{Epoch: e}
		if e > 0 {
			if m, ep.Cached, err = advanceToEpoch(m, cfg, e, entry, snapRoot, data.Train, topt); err != nil {
				return nil, err
			}
		}
		ev, err := m.Evaluate(data.Test)
		if err != nil {
			return nil, err
		}
		ep.TestAccuracy, ep.TestLoss = ev.Accuracy, ev.Loss
		r, err := scanModel(m, sel, data.Test, opt)
		if err != nil {
			return nil, err
		}
		res.Epochs = append(res.Epochs, ep)
		res.Snapshots = append(res.Snapshots, denotation.Snapshot{Epoch: e, Result: r})
	}
	if res.Points, err = denotation.Emergence(res.Snapshots, 0); err != nil {
		return nil, err
	}
	if opt.Permutations > 0 {
		if res.Significant, err = denotation.Emergence(res.Snapshots, SignificanceLevel); err != nil {
			return nil, err
		}
	}
	if err := res.draw(m.Architecture()); err != nil {
		return nil, err
	}
	return res, nil
}

// advanceToEpoch returns the model m (configuration cfg, trained to e−1 epochs) trained to epoch e,
// and whether it came from a snapshot: the run cache's own (model.LoadEpoch of entry, kept by
// model.TrainOptions.EpochSnapshots), else this finding's under snapRoot, else m fitted one more
// epoch on train and saved there.
func advanceToEpoch(m *model.Model, cfg model.Config, e int, entry, snapRoot string, train *datasets.Split, topt *model.TrainOptions) (*model.Model, bool, error) {
	same := func(c *model.Model) bool {
		return reflect.DeepEqual(c.Config, cfg) && c.NumFeatures == m.NumFeatures && c.NumClasses == m.NumClasses
	}
	dir := filepath.Join(snapRoot, fmt.Sprintf("epoch-%d", e))
	if c, err := model.LoadEpoch(entry, e); err == nil && same(c) {
		return c, true, nil
	}
	if c, err := model.Load(dir); err == nil && c.Info.EpochsDone == e && same(c) {
		return c, true, nil
	}
	if err := m.Fit(train, e, topt); err != nil {
		return nil, false, fmt.Errorf("emergence: epoch %d: %w", e, err)
	}
	if err := os.MkdirAll(snapRoot, 0o755); err != nil {
		return nil, false, err
	}
	return m, false, m.Save(dir)
}

// draw draws the emergence figures of the model (architecture arch) from the points and epochs.
func (res *EmergenceResult) draw(arch string) error {
	log := plotting.EmergenceLog{Title: fmt.Sprintf("Denoting neurons per layer over training (%s, τ = %g)", arch, res.Options.Tau),
		Counts: make([][]float64, res.Setup.Model.Depth())}
	x := make([]float64, len(res.Points))
	acc, frac, best := make([]float64, len(x)), make([]float64, len(x)), make([]float64, len(x))
	for i, p := range res.Points {
		x[i] = float64(p.Epoch)
		for l, c := range p.DenotingPerLayer {
			log.Counts[l] = append(log.Counts[l], float64(c))
		}
		acc[i] = res.Epochs[i].TestAccuracy
		frac[i] = float64(p.Denoting) / float64(p.Neurons)
		best[i] = float64(p.MeanBestScore)
		if !p.MeanBestScore.Defined() {
			best[i] = 0
		}
	}
	log.Epochs = x
	var err error
	if res.Figure, err = plotting.Emergence(log); err != nil {
		return err
	}
	res.Curves, err = plotting.Lines(plotting.LineChart{Title: "Accuracy and denotation over training", XLabel: "epoch", YMin: 0, YMax: 1,
		Curves: []plotting.Curve{{Name: "test accuracy", X: x, Y: acc}, {Name: "fraction of neurons denoting", X: x, Y: frac},
			{Name: "mean best min-class fraction", X: x, Y: best, Dashed: true}}})
	return err
}
