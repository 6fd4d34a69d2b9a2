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

func runObserve(args []string, stdout io.Writer) error {
	fs := newFlagSet("observe")
	dir := fs.String("model", "", "folder of a saved model (denote train prints it); or give activations files (--activations)")
	propSpec := fs.String("property", "aliases", "property: all (every label subset), splits (each split once), aliases, a spec (even, 0,6,8,9, {0,2}, digit=3, sneaker, ink, slant…) or specs separated by ';'")
	def := observer.DefaultOptions()
	kindName := fs.String("observer", string(def.Kind), "observer: linear, mlp or neuron")
	layerSpec := fs.String("layer", "all", "layers read: N, a list N,M (jointly), all (jointly) or each (one observer per layer)")
	pre := fs.Bool("pre", false, "read pre-activation values instead of post-activation values")
	penaltyName := fs.String("penalty", string(def.Penalty), "linear observer penalty: l2, l1, elasticnet or none")
	c := fs.Float64("c", def.C, "inverse regularisation strength (scikit-learn's C)")
	l1Ratio := fs.Float64("l1-ratio", def.L1Ratio, "elastic-net mixing ρ")
	balanced := fs.Bool("balanced", false, "class-balanced weighting")
	maxIter := fs.Int("max-iter", 0, "linear solver iteration cap (0 = default: 100 for l2, 1000 with an L1 term)")
	tol := fs.Float64("tol", def.Tol, "linear solver tolerance on the largest gradient component")
	hidden := fs.Int("hidden", def.Hidden, "MLP observer hidden units")
	epochs := fs.Int("epochs", def.Epochs, "MLP observer epochs")
	controlName := fs.String("control", string(def.Control.Kind), "control: none, untrained, shuffled or task")
	seed := fs.Uint64("seed", 1, "seed of controls and MLP observers")
	repeats := fs.Int("control-repeats", 1, "average the shuffled/task control over this many draws")
	trainLimit := fs.Int("train-limit", 10000, "observers train on a stratified subset of N training samples (0 = all)")
	testLimit := fs.Int("test-limit", 0, "score on a stratified subset of N test samples (0 = all)")
	subsetSeed := fs.Uint64("subset-seed", 1, "seed of the --train-limit/--test-limit subsets")
	weights := fs.Bool("weights", false, "include linear weight maps and single-neuron score maps ([layer][neuron]) in the JSON")
	dataDir := fs.String("data-dir", "", "folder holding the data set's four IDX files (default: the built-in source)")
	asJSON := fs.Bool("json", false, "print JSON")
	act := addActFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := act.check(*dir, "data-dir"); err != nil {
		return err
	}
	kind, err := observer.ParseKind(*kindName)
	if err != nil {
		return usageErrorf("--observer: %v", err)
	}
	penalty, err := observer.ParsePenalty(*penaltyName)
	if err != nil {
		return usageErrorf("--penalty: %v", err)
	}
	control, err := observer.ParseControl(*controlName)
	if err != nil {
		return usageErrorf("--control: %v", err)
	}
	if *trainLimit < 0 || *testLimit < 0 {
		return usageErrorf("--train-limit and --test-limit must be ≥ 0")
	}
	if *repeats < 1 {
		return usageErrorf("--control-repeats %d: want ≥ 1", *repeats)
	}
	// observer.Options reads 0 as "default": refuse values that would be replaced silently.
	switch {
	case !(*c > 0) || math.IsInf(*c, 0):
		return usageErrorf("--c %v: want a finite value > 0", *c)
	case !(*l1Ratio > 0 && *l1Ratio <= 1):
		return usageErrorf("--l1-ratio %v: want a value in (0,1] (ρ = 0 is --penalty l2)", *l1Ratio)
	case !(*tol > 0) || math.IsInf(*tol, 0):
		return usageErrorf("--tol %v: want a finite value > 0", *tol)
	case *maxIter < 0:
		return usageErrorf("--max-iter %d: want ≥ 0 (0 = default)", *maxIter)
	case *hidden < 1 || *epochs < 1:
		return usageErrorf("--hidden %d, --epochs %d: want ≥ 1", *hidden, *epochs)
	}
	start := time.Now()
	var m *model.Model
	var net *actmodel.Network
	var full *datasets.Dataset
	var depth int
	var name, arch string
	if act.given() {
		if control == observer.Untrained {
			return usageErrorf("--control untrained needs the network's weights (--model); with activations files use shuffled or task")
		}
		if net, full, err = observeNetwork(act, *propSpec, *pre); err != nil {
			return err
		}
		depth, name, arch = net.Any().Depth(), net.Name, net.Architecture()
	} else {
		if m, full, err = loadModelData(*dir, *dataDir); err != nil {
			return err
		}
		depth, name, arch = m.Depth(), *dir, m.Architecture()
	}
	groups, groupNames, err := parseLayers(*layerSpec, depth)
	if err != nil {
		return usageErrorf("%v", err)
	}
	props, err := parseProperties(*propSpec, full)
	if err != nil {
		return usageErrorf("--property: %v", err)
	}
	ds := full.Subset(*trainLimit, *testLimit, *subsetSeed)
	r := observeReport{Model: name, Dataset: full.Name, Architecture: arch, TrainSamples: ds.Train.Len(),
		TestSamples: ds.Test.Len(), Observer: string(kind), Balanced: *balanced, Control: string(control), Seed: *seed,
		Properties: len(props), Activations: "post"}
	if *trainLimit > 0 || *testLimit > 0 {
		r.SubsetSeed = *subsetSeed
	}
	if *pre {
		r.Activations = "pre"
	}
	if kind == observer.Linear {
		r.Penalty, r.C = string(penalty), *c
	}
	capture := func(mm *model.Model) (tr, te *model.Activations, err error) {
		if tr, err = mm.Capture(ds.Train, *pre); err != nil {
			return nil, nil, err
		}
		te, err = mm.Capture(ds.Test, *pre)
		return tr, te, err
	}
	var atr, ate *model.Activations
	if net != nil {
		atr = actmodel.Activations(actmodel.Rows(net.Train, ds.Train), net.NumClasses)
		ate = actmodel.Activations(actmodel.Rows(net.Test, ds.Test), net.NumClasses)
	} else if atr, ate, err = capture(m); err != nil {
		return err
	}
	var utr, ute *model.Activations
	if control == observer.Untrained {
		um, err := model.NewUntrained(m.Config, m.NumFeatures, m.NumClasses)
		if err != nil {
			return err
		}
		if utr, ute, err = capture(um); err != nil {
			return err
		}
	}
	targets := make([]observer.Target, len(props))
	for i, p := range props {
		if targets[i], err = observer.PropertyTarget(p, ds.Train, ds.Test); err != nil {
			return err
		}
	}
	opts := observer.Options{Kind: kind, Penalty: penalty, C: *c, L1Ratio: *l1Ratio, Balanced: *balanced,
		MaxIter: *maxIter, Tol: *tol, Hidden: *hidden, Epochs: *epochs, Seed: *seed}
	fitStart := time.Now()
	for gi, layers := range groups {
		sel := observer.Selection{Layers: layers, Pre: *pre}
		f, err := observer.NewFeatures(atr, ate, sel)
		if err != nil {
			return err
		}
		o := opts
		o.Control = observer.Control{Kind: control, Seed: *seed, Repeats: *repeats}
		if control == observer.Untrained {
			if o.Control.Untrained, err = observer.NewFeatures(utr, ute, sel); err != nil {
				return err
			}
		}
		res, err := observer.FitMany(f, targets, o)
		if err != nil {
			return err
		}
		for _, x := range res {
			row := observeRow{Property: x.Property, Labels: x.Labels, LabelProportion: x.LabelProportion,
				SampleProportion: x.SampleProportion, Layer: groupNames[gi], Observer: x.Observer,
				TrainAccuracy: x.TrainAccuracy, TestAccuracy: x.TestAccuracy, BalancedAccuracy: x.BalancedAccuracy,
				AUC: x.AUC, Iterations: x.Iterations, Converged: x.Converged, Neuron: x.Neuron, Threshold: x.Threshold,
				Direction: x.Direction, Control: x.Control}
			if x.Control != nil {
				s := x.Control.Selectivity
				row.Selectivity = &s
			}
			if *weights {
				row.Layers, row.Weights, row.NeuronScores = x.Layers, x.Weights, x.NeuronScores
			}
			r.Results = append(r.Results, row)
		}
	}
	r.FitSeconds = time.Since(fitStart).Seconds()
	r.WallSeconds = time.Since(start).Seconds()
	if *asJSON {
		return writeJSON(stdout, r)
	}
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
	return nil
}
