package denotation

import (
	"fmt"
	"slices"

	"github.com/denotation-go/denotation/pkg/property"
)

// ReplicationOptions configures Replicate. The zero value, the default, matches every denoted set.
type ReplicationOptions struct {
	// SmallestOnly matches only each neuron's smallest denoted set (its SmallestDenotation)
	// instead of every denoted set.
	SmallestOnly bool `json:"properties_only"`
	// MaxQ, when > 0, matches only denotations with a q-value ≤ MaxQ.
	MaxQ float64 `json:"max_q"`
}

// ReplicatedSet is one (layer, S) pair denoted by some neuron of that layer in at least one run.
type ReplicatedSet struct {
	Layer           int               `json:"layer"`
	Labels          property.LabelSet `json:"labels"`
	LabelProportion float64           `json:"label_proportion"`
	// Runs are the indices (into Replicate's input) of the runs with a neuron of Layer denoting
	// Labels; Names and Seeds identify them.
	Runs  []int    `json:"runs"`
	Names []string `json:"names"`
	Seeds []uint64 `json:"seeds"`
	// NumRuns is len(Runs); Fraction is NumRuns over the number of runs.
	NumRuns  int     `json:"num_runs"`
	Fraction float64 `json:"fraction"`
	// Neurons is the number of (run, neuron) pairs denoting it (a run may have several).
	Neurons int `json:"neurons"`
	// Survives is true when the set is denoted in at least two runs: it survives retraining.
	Survives bool `json:"survives"`
}

// RunReplication says how many of one run's denotations are found again in another run.
type RunReplication struct {
	Run  int    `json:"run"`
	Name string `json:"name"`
	Seed uint64 `json:"seed"`
	// Denotations is the number of the run's (neuron, S) denotations considered.
	Denotations int `json:"denotations"`
	// Replicated is how many of them have their (layer, S) denoted in at least one other run.
	Replicated int `json:"replicated"`
}

// ReplicationReport matches denotations across seeds of one architecture by (layer, S).
type ReplicationReport struct {
	NumRuns int `json:"num_runs"`
	// Sets lists every (layer, S) found, by layer, then most runs first, then smallest set,
	// then labels.
	Sets []ReplicatedSet `json:"sets"`
	// InRuns[m−1] is the number of (layer, S) pairs denoted in exactly m runs (m = 1 … NumRuns).
	InRuns []int            `json:"in_runs"`
	PerRun []RunReplication `json:"per_run"`
}

// Surviving lists the sets denoted in at least minRuns runs.
func (r *ReplicationReport) Surviving(minRuns int) []ReplicatedSet {
	var out []ReplicatedSet
	for _, s := range r.Sets {
		if s.NumRuns >= minRuns {
			out = append(out, s)
		}
	}
	return out
}

// Replicate matches the denotations of several seeds of the same architecture (same depth,
// widths and classes) by (layer, S): a set survives retraining when some neuron of the same
// layer denotes it in another seed. Neuron indices are not matched (hidden units of different
// seeds are not aligned).
func Replicate(runs []Run, opt ReplicationOptions) (*ReplicationReport, error) {
	if !(opt.MaxQ >= 0 && opt.MaxQ <= 1) {
		return nil, fmt.Errorf("denotation: q level %v is outside [0, 1]", opt.MaxQ)
	}
	if _, _, err := checkRuns(runs, opt.MaxQ); err != nil {
		return nil, err
	}
	first := runs[0].Result
	for i, r := range runs[1:] {
		res := r.Result
		same := res.Depth == first.Depth
		for li := 0; same && li < len(res.Layers); li++ {
			same = res.Layers[li].Width == first.Layers[li].Width
		}
		if !same {
			return nil, fmt.Errorf("denotation: run %d (%s) has another architecture than run 0 (%s)", i+1, r.Name, runs[0].Name)
		}
	}
	type key struct {
		layer int
		set   property.LabelSet
	}
	sets := map[key]*ReplicatedSet{}
	perRunKeys := make([][]key, len(runs)) // one entry per considered denotation
	k := first.NumClasses
	for ri, r := range runs {
		res := r.Result
		for li, nr := range res.Neurons() {
			var ds []Denotation
			if !opt.SmallestOnly {
				ds = nr.DenotationsAt(opt.MaxQ)
			} else if d, ok := nr.SmallestDenotationAt(opt.MaxQ); ok {
				ds = []Denotation{d}
			}
			for _, d := range ds {
				kk := key{res.Layers[li].Layer, d.Labels}
				perRunKeys[ri] = append(perRunKeys[ri], kk)
				s := sets[kk]
				if s == nil {
					s = &ReplicatedSet{Layer: kk.layer, Labels: d.Labels, LabelProportion: d.Labels.Proportion(k)}
					sets[kk] = s
				}
				s.Neurons++
				if len(s.Runs) == 0 || s.Runs[len(s.Runs)-1] != ri {
					s.Runs = append(s.Runs, ri)
					s.Names = append(s.Names, r.Name)
					s.Seeds = append(s.Seeds, r.Seed)
				}
			}
		}
	}
	rep := &ReplicationReport{NumRuns: len(runs), InRuns: make([]int, len(runs))}
	for _, s := range sets {
		s.NumRuns = len(s.Runs)
		s.Fraction = float64(s.NumRuns) / float64(len(runs))
		s.Survives = s.NumRuns >= 2
		rep.Sets = append(rep.Sets, *s)
		rep.InRuns[s.NumRuns-1]++
	}
	slices.SortFunc(rep.Sets, func(a, b ReplicatedSet) int {
		if a.Layer != b.Layer {
			return a.Layer - b.Layer
		}
		if a.NumRuns != b.NumRuns {
			return b.NumRuns - a.NumRuns
		}
		if a.Labels.Len() != b.Labels.Len() {
			return a.Labels.Len() - b.Labels.Len()
		}
		return slices.Compare(a.Labels.Classes(), b.Labels.Classes())
	})
	for ri, r := range runs {
		pr := RunReplication{Run: ri, Name: r.Name, Seed: r.Seed, Denotations: len(perRunKeys[ri])}
		for _, kk := range perRunKeys[ri] {
			if sets[kk].NumRuns >= 2 {
				pr.Replicated++
			}
		}
		rep.PerRun = append(rep.PerRun, pr)
	}
	return rep, nil
}
