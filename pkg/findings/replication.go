package findings

import (
	"fmt"
	"slices"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/plotting"
)

// ReplicatedRow is one (layer, S) pair of a replication report, with S spelled out.
type ReplicatedRow struct {
	Layer int `json:"layer"`
	NamedSet
	// NumRuns is the number of seeds with a neuron of Layer denoting S; Seeds lists them.
	NumRuns int      `json:"num_runs"`
	Seeds   []uint64 `json:"seeds"`
	// Neurons is the number of (seed, neuron) pairs denoting S.
	Neurons int `json:"neurons"`
}

// ReplicationResult is the replication check: the same architecture trained with several seeds,
// each scanned, and the denotations matched by (layer, S) (neurons of different seeds are not
// aligned), against untrained controls of the same seeds.
type ReplicationResult struct {
	Setup   Setup              `json:"setup"`
	Seeds   []uint64           `json:"seeds"`
	Options denotation.Options `json:"options"`
	// TestAccuracy[i] and Denoting[i] are the test accuracy and number of denoting neurons of seed
	// Seeds[i]; UntrainedDenoting the same for its untrained control.
	TestAccuracy      []float64 `json:"test_accuracy"`
	Denoting          []int     `json:"denoting"`
	UntrainedDenoting []int     `json:"untrained_denoting"`
	// Report matches every denoted set; Significant (with permutations) only those with
	// q ≤ SignificanceLevel; Untrained the controls' sets.
	Report      *denotation.ReplicationReport `json:"report"`
	Significant *denotation.ReplicationReport `json:"significant,omitempty"`
	Untrained   *denotation.ReplicationReport `json:"untrained"`
	// Surviving lists the (layer, S) pairs denoted in at least two seeds (most seeds first);
	// InAll counts those denoted in every seed; Total counts all pairs found.
	Surviving []ReplicatedRow `json:"surviving"`
	InAll     int             `json:"in_all"`
	Total     int             `json:"total"`
	// UntrainedSurviving is the number of (layer, S) pairs of the controls denoted in ≥ 2 seeds.
	UntrainedSurviving int `json:"untrained_surviving"`
	// Figure counts, per layer, the (layer, S) pairs found in every seed, in at least two and in
	// one only, with the controls' pairs found in at least two seeds.
	Figure *plotting.Figure `json:"-"`
}

// Replication trains the setup's architecture once per seed (from the run cache when it can),
// scans each model and its untrained control on the test split, and matches the denotations
// across seeds by (layer, S) (denotation.Replicate). At least two seeds are needed.
func Replication(s Setup, seeds []uint64, opt denotation.Options, opts *PrepareOptions) (*ReplicationResult, error) {
	if len(seeds) < 2 {
		return nil, fmt.Errorf("replication: %d seeds: need at least 2", len(seeds))
	}
	for i, x := range seeds {
		if slices.Contains(seeds[:i], x) {
			return nil, fmt.Errorf("replication: seed %d is listed twice", x)
		}
	}
	opts = opts.orDefault()
	data, err := loadSetupData(s)
	if err != nil {
		return nil, err
	}
	return cachedResult(opts.CacheDir, "replication", []any{s, seeds, opt, dataFingerprint(data)},
		func() (*ReplicationResult, error) { return replicationOn(s, seeds, opt, data, opts) }, (*ReplicationResult).draw)
}

// replicationOn runs the replication check on loaded data.
func replicationOn(s Setup, seeds []uint64, opt denotation.Options, data *datasets.Dataset, opts *PrepareOptions) (*ReplicationResult, error) {
	res := &ReplicationResult{Setup: s, Seeds: slices.Clone(seeds), Options: opt}
	sel := selectionSplit(data.Train, s.ObserveTrain, s.SubsetSeed)
	var err error
	var runs, ctl []denotation.Run
	for _, seed := range seeds {
		cfg := s.Model.WithSeed(seed)
		m, _, err := model.TrainCached(data, cfg, &model.TrainOptions{Progress: opts.Progress, CacheDir: opts.CacheDir, Context: opts.Context})
		if err != nil {
			return nil, fmt.Errorf("replication: seed %d: %w", seed, err)
		}
		ev, err := m.Evaluate(data.Test)
		if err != nil {
			return nil, err
		}
		r, err := scanModel(m, sel, data.Test, opt)
		if err != nil {
			return nil, err
		}
		u, err := model.NewUntrained(cfg, data.Train.Features(), data.NumClasses())
		if err != nil {
			return nil, err
		}
		ur, err := scanModel(u, sel, data.Test, opt)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("seed %d", seed)
		runs = append(runs, denotation.Run{Name: name, Seed: seed, Result: r})
		ctl = append(ctl, denotation.Run{Name: name + " untrained", Seed: seed, Untrained: true, Result: ur})
		res.TestAccuracy = append(res.TestAccuracy, ev.Accuracy)
		res.Denoting = append(res.Denoting, r.NumDenoting())
		res.UntrainedDenoting = append(res.UntrainedDenoting, ur.NumDenoting())
	}
	if res.Report, err = denotation.Replicate(runs, denotation.ReplicationOptions{}); err != nil {
		return nil, err
	}
	if opt.Permutations > 0 {
		if res.Significant, err = denotation.Replicate(runs, denotation.ReplicationOptions{MaxQ: SignificanceLevel}); err != nil {
			return nil, err
		}
	}
	if res.Untrained, err = denotation.Replicate(ctl, denotation.ReplicationOptions{}); err != nil {
		return nil, err
	}
	names := data.ClassNames
	res.Surviving = []ReplicatedRow{}
	for _, set := range res.Report.Sets {
		res.Total++
		if set.NumRuns == len(seeds) {
			res.InAll++
		}
		if set.NumRuns >= 2 {
			res.Surviving = append(res.Surviving, ReplicatedRow{Layer: set.Layer, NamedSet: namedSet(set.Labels, set.LabelProportion, names),
				NumRuns: set.NumRuns,
				Seeds:   slices.Clone(set.Seeds), Neurons: set.Neurons})
		}
	}
	for _, set := range res.Untrained.Sets {
		if set.NumRuns >= 2 {
			res.UntrainedSurviving++
		}
	}
	if err := res.draw(); err != nil {
		return nil, err
	}
	return res, nil
}

// draw draws the replication figure from the reports.
func (res *ReplicationResult) draw() error {
	depth := res.Setup.Model.Depth()
	seeds := res.Seeds
	all, two, one, ctlTwo := make([]float64, depth), make([]float64, depth), make([]float64, depth), make([]float64, depth)
	for _, set := range res.Report.Sets {
		switch {
		case set.NumRuns == len(seeds):
			all[set.Layer-1]++
		case set.NumRuns >= 2:
			two[set.Layer-1]++
		default:
			one[set.Layer-1]++
		}
	}
	for _, set := range res.Untrained.Sets {
		if set.NumRuns >= 2 {
			ctlTwo[set.Layer-1]++
		}
	}
	var err error
	res.Figure, err = plotting.DenotationCounts(fmt.Sprintf("Denoted (layer, S) pairs found again across %d seeds (τ = %g)", len(seeds), res.Options.Tau),
		plotting.CountSeries{Name: "in every seed", Counts: all},
		plotting.CountSeries{Name: "in ≥ 2 seeds, not all", Counts: two},
		plotting.CountSeries{Name: "in one seed only", Counts: one},
		plotting.CountSeries{Name: "untrained, in ≥ 2 seeds", Counts: ctlTwo, Control: true})
	if err != nil {
		return err
	}
	if p := res.Figure.Panel("counts"); p != nil && p.Plot != nil {
		p.Plot.Y.Label.Text = "(layer, S) pairs"
	}
	return nil
}

// scanModel records m's post-activations on the selection and the held-out split and returns the
// validated denotations at opt.Tau: chosen on sel (with opt's permutation test, if any), judged on
// held (denotation.Validate).
func scanModel(m *model.Model, sel, held *datasets.Split, opt denotation.Options) (*denotation.Result, error) {
	obs, err := observe(m, sel, held)
	if err != nil {
		return nil, err
	}
	r, _, err := denotation.ScanValidated(obs.Sel, obs.Test, opt)
	return r, err
}
