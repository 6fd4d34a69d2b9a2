package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/actfile/actmodel"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/pkg/observer"
	"github.com/denotation-go/denotation/pkg/property"
)

func init() {
	register(command{name: "observe", summary: "fit observer models that read properties from a trained model's neurons (or an activations file's) on the train split and score them on the test split", run: runObserve})
}

// observeRow is one observer's measurement in `denote observe`'s output.
type observeRow struct {
	Property         string                  `json:"property"`
	Labels           string                  `json:"labels,omitempty"`
	LabelProportion  float64                 `json:"label_proportion,omitempty"`
	SampleProportion float64                 `json:"sample_proportion"`
	Layer            string                  `json:"layer"`
	Observer         observer.Kind           `json:"observer"`
	TrainAccuracy    float64                 `json:"train_accuracy"`
	TestAccuracy     float64                 `json:"test_accuracy"`
	BalancedAccuracy float64                 `json:"balanced_accuracy"`
	AUC              float64                 `json:"auc"`
	Iterations       int                     `json:"iterations"`
	Converged        bool                    `json:"converged"`
	Neuron           *observer.Neuron        `json:"neuron,omitempty"`
	Threshold        float64                 `json:"threshold,omitempty"`
	Direction        int                     `json:"direction,omitempty"`
	Control          *observer.ControlResult `json:"control,omitempty"`
	Selectivity      *float64                `json:"selectivity,omitempty"`
	Layers           []int                   `json:"layers,omitempty"`
	Weights          [][]float64             `json:"weights,omitempty"`
	NeuronScores     [][]float64             `json:"neuron_scores,omitempty"`
}

// observeReport is the JSON output of `denote observe`.
type observeReport struct {
	Model        string       `json:"model"`
	Dataset      string       `json:"dataset"`
	Architecture string       `json:"architecture"`
	TrainSamples int          `json:"train_samples"`
	TestSamples  int          `json:"test_samples"`
	SubsetSeed   uint64       `json:"subset_seed,omitempty"`
	Observer     string       `json:"observer"`
	Penalty      string       `json:"penalty,omitempty"`
	C            float64      `json:"c,omitempty"`
	Balanced     bool         `json:"balanced"`
	Activations  string       `json:"activations"`
	Control      string       `json:"control"`
	Seed         uint64       `json:"seed"`
	Properties   int          `json:"properties"`
	FitSeconds   float64      `json:"fit_seconds"`
	WallSeconds  float64      `json:"wall_seconds"`
	Results      []observeRow `json:"results"`
}

// parseLayers reads --layer: a layer number, a comma-separated list (read jointly), "all" (all
// layers jointly) or "each" (one observer per layer).
func parseLayers(spec string, depth int) (groups [][]int, names []string, err error) {
	switch spec {
	case "all":
		all := make([]int, depth)
		for i := range all {
			all[i] = i + 1
		}
		return [][]int{all}, []string{"all"}, nil
	case "each":
		for l := 1; l <= depth; l++ {
			groups = append(groups, []int{l})
			names = append(names, strconv.Itoa(l))
		}
		return groups, names, nil
	}
	var g []int
	for _, part := range strings.Split(spec, ",") {
		l, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || l < 1 || l > depth {
			return nil, nil, fmt.Errorf("--layer %q: want a layer number in 1…%d, a list of them, all or each", spec, depth)
		}
		g = append(g, l)
	}
	return [][]int{g}, []string{spec}, nil
}

// parseProperties reads --property: specs separated by ';', each a label-subset spec, a pixel
// attribute (binarised at the median of the full training split) or a list keyword (all, splits,
// aliases). Duplicates (by name) are dropped.
func parseProperties(spec string, full *datasets.Dataset) ([]property.Property, error) {
	v := property.VocabularyOf(full)
	var out []property.Property
	seen := map[string]bool{}
	add := func(p property.Property) {
		if !seen[p.Name()] {
			seen[p.Name()] = true
			out = append(out, p)
		}
	}
	for _, part := range strings.Split(spec, ";") {
		if property.IsListKeyword(part) {
			lps, err := v.ParseList(part)
			if err != nil {
				return nil, err
			}
			for _, p := range lps {
				add(p)
			}
			continue
		}
		p, err := property.Parse(part, full)
		if err != nil {
			return nil, err
		}
		add(p)
	}
	return out, nil
}

// observeNetwork reads the network of the activations files act names, which must hold a training
// and a test split, and returns it with its samples as a data set of labels only (named after
// --dataset, or "external"), refusing pixel properties (the files hold no images) and --pre when
// a file has no preact_ℓ arrays.
func observeNetwork(act *actFlags, propSpec string, pre bool) (*actmodel.Network, *datasets.Dataset, error) {
	for _, part := range strings.Split(propSpec, ";") {
		spec := strings.TrimSpace(part)
		if _, err := property.ParseAttribute(spec); err == nil || strings.HasPrefix(strings.ToLower(spec), "pixel:") {
			return nil, nil, usageErrorf("--property %q: a pixel property needs the images; activations files hold only labels and neurons", spec)
		}
	}
	n, err := act.network()
	if err != nil {
		return nil, nil, err
	}
	if n.Train == nil || n.Test == nil {
		return nil, nil, usageErrorf("observers train on the training split and are scored on the test split: %s lacks one (give a file with a split array, or --train-activations and --test-activations)", n.Name)
	}
	if pre && (!n.Train.HasPre() || !n.Test.HasPre()) {
		return nil, nil, fmt.Errorf("--pre: %s has no preact_ℓ arrays for every layer", n.Name)
	}
	v, err := n.Vocabulary(act.dataset)
	if err != nil {
		return nil, nil, usageErrorf("--dataset: %v", err)
	}
	if len(v.AliasNames()) == 0 {
		for _, part := range strings.Split(propSpec, ";") {
			if k := strings.ToLower(strings.TrimSpace(part)); k == "aliases" || k == "named" {
				return nil, nil, usageErrorf("--property %s: %s names no data set with aliases (even, footwear…): pass --dataset mnist or fashion, or a property such as 0,2,4 or splits", part, n.Name)
			}
		}
	}
	full := n.Dataset(v.Dataset)
	full.ClassNames = v.ClassNames
	return n, full, nil
}

// observeArgs are the flags of `denote observe`, with the observer kind, penalty and control they
// name once checked.
type observeArgs struct {
	dir, propSpec, kindName, layerSpec, penaltyName, controlName, dataDir string
	pre, balanced, weights, asJSON                                        bool
	c, l1Ratio, tol                                                       float64
	maxIter, hidden, epochs, repeats, trainLimit, testLimit               int
	seed, subsetSeed                                                      uint64
	act                                                                   *actFlags

	kind    observer.Kind
	penalty observer.Penalty
	control observer.ControlKind
}

// parseObserveArgs parses and checks the flags of `denote observe`.
func parseObserveArgs(args []string) (*observeArgs, error) {
	a := &observeArgs{}
	fs := newFlagSet("observe")
	fs.StringVar(&a.dir, "model", "", "folder of a saved model (denote train prints it); or give activations files (--activations)")
	fs.StringVar(&a.propSpec, "property", "aliases", "property: all (every label subset), splits (each split once), aliases, a spec (even, 0,6,8,9, {0,2}, digit=3, sneaker, ink, slant…) or specs separated by ';'")
	fs.StringVar(&a.kindName, "observer", "linear", "observer: linear, mlp or neuron")
	fs.StringVar(&a.layerSpec, "layer", "all", "layers read: N, a list N,M (jointly), all (jointly) or each (one observer per layer)")
	fs.BoolVar(&a.pre, "pre", false, "read pre-activation values instead of post-activation values")
	fs.StringVar(&a.penaltyName, "penalty", "l2", "linear observer penalty: l2, l1, elasticnet or none")
	fs.Float64Var(&a.c, "c", 1, "inverse regularisation strength (scikit-learn's C)")
	fs.Float64Var(&a.l1Ratio, "l1-ratio", 0.5, "elastic-net mixing ρ")
	fs.BoolVar(&a.balanced, "balanced", false, "class-balanced weighting")
	fs.IntVar(&a.maxIter, "max-iter", 0, "linear solver iteration cap (0 = default: 100 for l2, 1000 with an L1 term)")
	fs.Float64Var(&a.tol, "tol", 1e-4, "linear solver tolerance on the largest gradient component")
	fs.IntVar(&a.hidden, "hidden", 64, "MLP observer hidden units")
	fs.IntVar(&a.epochs, "epochs", 30, "MLP observer epochs")
	fs.StringVar(&a.controlName, "control", "none", "control: none, untrained, shuffled or task")
	fs.Uint64Var(&a.seed, "seed", 1, "seed of controls and MLP observers")
	fs.IntVar(&a.repeats, "control-repeats", 1, "average the shuffled/task control over this many draws")
	fs.IntVar(&a.trainLimit, "train-limit", 10000, "observers train on a stratified subset of N training samples (0 = all)")
	fs.IntVar(&a.testLimit, "test-limit", 0, "score on a stratified subset of N test samples (0 = all)")
	fs.Uint64Var(&a.subsetSeed, "subset-seed", 1, "seed of the --train-limit/--test-limit subsets")
	fs.BoolVar(&a.weights, "weights", false, "include linear weight maps and single-neuron score maps ([layer][neuron]) in the JSON")
	fs.StringVar(&a.dataDir, "data-dir", "", "folder holding the data set's four IDX files (default: the built-in source)")
	fs.BoolVar(&a.asJSON, "json", false, "print JSON")
	a.act = addActFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if err := a.act.check(a.dir, "data-dir"); err != nil {
		return nil, err
	}
	return a, a.check()
}

// check parses the observer kind, penalty and control and refuses values out of range.
func (a *observeArgs) check() error {
	var err error
	if a.kind, err = observer.ParseKind(a.kindName); err != nil {
		return usageErrorf("--observer: %v", err)
	}
	if a.penalty, err = observer.ParsePenalty(a.penaltyName); err != nil {
		return usageErrorf("--penalty: %v", err)
	}
	if a.control, err = observer.ParseControl(a.controlName); err != nil {
		return usageErrorf("--control: %v", err)
	}
	if a.trainLimit < 0 || a.testLimit < 0 {
		return usageErrorf("--train-limit and --test-limit must be ≥ 0")
	}
	if a.repeats < 1 {
		return usageErrorf("--control-repeats %d: want ≥ 1", a.repeats)
	}
	// observer.Options reads 0 as "default": refuse values that would be replaced silently.
	switch {
	case !(a.c > 0) || math.IsInf(a.c, 0):
		return usageErrorf("--c %v: want a finite value > 0", a.c)
	case !(a.l1Ratio > 0 && a.l1Ratio <= 1):
		return usageErrorf("--l1-ratio %v: want a value in (0,1] (ρ = 0 is --penalty l2)", a.l1Ratio)
	case !(a.tol > 0) || math.IsInf(a.tol, 0):
		return usageErrorf("--tol %v: want a finite value > 0", a.tol)
	case a.maxIter < 0:
		return usageErrorf("--max-iter %d: want ≥ 0 (0 = default)", a.maxIter)
	case a.hidden < 1 || a.epochs < 1:
		return usageErrorf("--hidden %d, --epochs %d: want ≥ 1", a.hidden, a.epochs)
	}
	return nil
}

// observeSource is what `denote observe` reads: a saved model, or the network of activations
// files, with the data set and the name, depth and architecture to report.
type observeSource struct {
	m          *model.Model
	net        *actmodel.Network
	full       *datasets.Dataset
	depth      int
	name, arch string
}

func loadObserveSource(a *observeArgs) (*observeSource, error) {
	src := &observeSource{}
	var err error
	if a.act.given() {
		if a.control == observer.Untrained {
			return nil, usageErrorf("--control untrained needs the network's weights (--model); with activations files use shuffled or task")
		}
		if src.net, src.full, err = observeNetwork(a.act, a.propSpec, a.pre); err != nil {
			return nil, err
		}
		src.depth, src.name, src.arch = src.net.Any().Depth(), src.net.Name, src.net.Architecture()
		return src, nil
	}
	if src.m, src.full, err = loadModelData(a.dir, a.dataDir); err != nil {
		return nil, err
	}
	src.depth, src.name, src.arch = src.m.Depth(), a.dir, src.m.Architecture()
	return src, nil
}

// activations returns the source's activations on ds's training and test splits and, with the
// untrained control, those of the model's untrained twin (else nil).
func (src *observeSource) activations(ds *datasets.Dataset, pre bool, control observer.ControlKind) (atr, ate, utr, ute *model.Activations, err error) {
	capture := func(mm *model.Model) (tr, te *model.Activations, err error) {
		if tr, err = mm.Capture(ds.Train, pre); err != nil {
			return nil, nil, err
		}
		te, err = mm.Capture(ds.Test, pre)
		return tr, te, err
	}
	if src.net != nil {
		atr = actmodel.Activations(actmodel.Rows(src.net.Train, ds.Train), src.net.NumClasses)
		ate = actmodel.Activations(actmodel.Rows(src.net.Test, ds.Test), src.net.NumClasses)
	} else if atr, ate, err = capture(src.m); err != nil {
		return nil, nil, nil, nil, err
	}
	if control == observer.Untrained {
		um, err := model.NewUntrained(src.m.Config, src.m.NumFeatures, src.m.NumClasses)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		if utr, ute, err = capture(um); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	return atr, ate, utr, ute, nil
}

func runObserve(args []string, stdout io.Writer) error {
	a, err := parseObserveArgs(args)
	if err != nil {
		return err
	}
	start := time.Now()
	src, err := loadObserveSource(a)
	if err != nil {
		return err
	}
	groups, groupNames, err := parseLayers(a.layerSpec, src.depth)
	if err != nil {
		return usageErrorf("%v", err)
	}
	props, err := parseProperties(a.propSpec, src.full)
	if err != nil {
		return usageErrorf("--property: %v", err)
	}
	ds := src.full.Subset(a.trainLimit, a.testLimit, a.subsetSeed)
	r := observeReport{Model: src.name, Dataset: src.full.Name, Architecture: src.arch, TrainSamples: ds.Train.Len(),
		TestSamples: ds.Test.Len(), Observer: string(a.kind), Balanced: a.balanced, Control: string(a.control), Seed: a.seed,
		Properties: len(props), Activations: "post"}
	if a.trainLimit > 0 || a.testLimit > 0 {
		r.SubsetSeed = a.subsetSeed
	}
	if a.pre {
		r.Activations = "pre"
	}
	if a.kind == observer.Linear {
		r.Penalty, r.C = string(a.penalty), a.c
	}
	atr, ate, utr, ute, err := src.activations(ds, a.pre, a.control)
	if err != nil {
		return err
	}
	targets := make([]observer.Target, len(props))
	for i, p := range props {
		if targets[i], err = observer.PropertyTarget(p, ds.Train, ds.Test); err != nil {
			return err
		}
	}
	fitStart := time.Now()
	for gi, layers := range groups {
		rows, err := a.fitGroup(layers, groupNames[gi], targets, atr, ate, utr, ute)
		if err != nil {
			return err
		}
		r.Results = append(r.Results, rows...)
	}
	r.FitSeconds = time.Since(fitStart).Seconds()
	r.WallSeconds = time.Since(start).Seconds()
	if a.asJSON {
		return writeJSON(stdout, r)
	}
	printObserveReport(stdout, &r)
	return nil
}

// fitGroup fits an observer of every target on the layers of one group (named name) and returns
// their rows.
func (a *observeArgs) fitGroup(layers []int, name string, targets []observer.Target, atr, ate, utr, ute *model.Activations) ([]observeRow, error) {
	sel := observer.Selection{Layers: layers, Pre: a.pre}
	f, err := observer.NewFeatures(atr, ate, sel)
	if err != nil {
		return nil, err
	}
	o := observer.Options{Kind: a.kind, Penalty: a.penalty, C: a.c, L1Ratio: a.l1Ratio, Balanced: a.balanced,
		MaxIter: a.maxIter, Tol: a.tol, Hidden: a.hidden, Epochs: a.epochs, Seed: a.seed}
	o.Control = observer.Control{Kind: a.control, Seed: a.seed, Repeats: a.repeats}
	if a.control == observer.Untrained {
		if o.Control.Untrained, err = observer.NewFeatures(utr, ute, sel); err != nil {
			return nil, err
		}
	}
	res, err := observer.FitMany(f, targets, o)
	if err != nil {
		return nil, err
	}
	var rows []observeRow
	for _, x := range res {
		row := observeRow{Property: x.Property, Labels: x.Labels, LabelProportion: x.LabelProportion,
			SampleProportion: x.SampleProportion, Layer: name, Observer: x.Observer,
			TrainAccuracy: x.TrainAccuracy, TestAccuracy: x.TestAccuracy, BalancedAccuracy: x.BalancedAccuracy,
			AUC: x.AUC, Iterations: x.Iterations, Converged: x.Converged, Neuron: x.Neuron, Threshold: x.Threshold,
			Direction: x.Direction, Control: x.Control}
		if x.Control != nil {
			s := x.Control.Selectivity
			row.Selectivity = &s
		}
		if a.weights {
			row.Layers, row.Weights, row.NeuronScores = x.Layers, x.Weights, x.NeuronScores
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// printObserveReport writes the text output of `denote observe`: one line per observer.
func printObserveReport(stdout io.Writer, r *observeReport) {
	fmt.Fprintf(stdout, "%s on %s: %s observers, %d training / %d test samples, %s activations, control %s\n",
		r.Architecture, r.Dataset, r.Observer, r.TrainSamples, r.TestSamples, r.Activations, r.Control)
	for _, row := range r.Results {
		name := row.Property
		if row.Labels != "" && row.Labels != name {
			name += " " + row.Labels
		}
		line := fmt.Sprintf("%-24s layer %-4s train %.4f  test %.4f  balanced %.4f  AUC %.4f", name, row.Layer,
			row.TrainAccuracy, row.TestAccuracy, row.BalancedAccuracy, row.AUC)
		if row.Neuron != nil {
			line += fmt.Sprintf("  neuron %v %+d %.3f", *row.Neuron, row.Direction, row.Threshold)
		}
		if row.Control != nil {
			line += fmt.Sprintf("  control %s %.4f  selectivity %+.4f", row.Control.Property, row.Control.TestAccuracy, row.Control.Selectivity)
		}
		fmt.Fprintln(stdout, line)
	}
	fmt.Fprintf(stdout, "%d observers fitted in %.1fs\n", len(r.Results), r.FitSeconds)
}
