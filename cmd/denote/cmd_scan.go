package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/denotation-go/denotation/internal/atomicfile"
	"github.com/denotation-go/denotation/pkg/actfile/actmodel"
	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
)

func init() {
	register(command{name: "scan", summary: "find the label sets single hidden neurons of a trained model (or of an activations file) denote (exact scan, optional permutation test)", run: runScan})
}

// scanReport is the JSON output of `denote scan`.
type scanReport struct {
	Model        string `json:"model"`
	Dataset      string `json:"dataset"`
	Architecture string `json:"architecture"`
	Split        string `json:"split"`
	Samples      int    `json:"samples"`
	// SubsetSeed drew the stratified --limit subset (absent for the whole split).
	SubsetSeed      uint64  `json:"subset_seed,omitempty"`
	Tau             float64 `json:"tau"`
	Permutations    int     `json:"permutations"`
	PermutationSeed uint64  `json:"permutation_seed"`
	Null            string  `json:"null,omitempty"`
	// SelectionSamples, with --select, is the number of training samples the sets and thresholds
	// were chosen on, and Selected the number of neurons denoting there; the listed denotations are
	// those that hold on the scanned split (validated).
	SelectionSamples int `json:"selection_samples,omitempty"`
	Selected         int `json:"selected,omitempty"`
	// Layer is the layer whose denotations are listed ("all", or a layer number); q-values are
	// always computed over every tested pair of the whole model.
	Layer string `json:"layer"`
	// Neurons, Constant and Denoting count the listed layers' neurons; Denotations the listed
	// (neuron, S) pairs; Significant those with q ≤ 0.05; Tested the size of the BH family.
	Neurons          int            `json:"neurons"`
	Constant         int            `json:"constant"`
	Denoting         int            `json:"denoting"`
	NumDenotations   int            `json:"num_denotations"`
	Significant      int            `json:"significant"`
	Tested           int            `json:"tested"`
	DenotingPerLayer map[string]int `json:"denoting_per_layer"`
	// MeanLabelProportion is the mean |S|/K of the denoting neurons' smallest denoted sets.
	MeanLabelProportion denotation.Num `json:"mean_label_proportion"`
	ScanSeconds         float64        `json:"scan_seconds"`
	WallSeconds         float64        `json:"wall_seconds"`
	// Denotations lists every denotation (or with --smallest each neuron's smallest set), by
	// layer, neuron, smallest set first.
	Denotations []denotation.Denotation `json:"denotations"`
}

// denValidTau checks τ ∈ (0.5, 1].
func denValidTau(tau float64) error {
	if !(tau > 0.5 && tau <= 1) {
		return usageErrorf("--tau %v: want a value in (0.5, 1]", tau)
	}
	return nil
}

func runScan(args []string, stdout io.Writer) error {
	fs := newFlagSet("scan")
	dir := fs.String("model", "", "folder of a saved model (denote train prints it); or give activations files (--activations)")
	tau := fs.Float64("tau", denotation.DefaultTau, "τ: every class in S needs this fraction of its samples above the threshold, every other class this fraction at or below")
	splitName := fs.String("split", "test", "split scanned: test (held out, the definition's) or train")
	limit := fs.Int("limit", 0, "scan a stratified subset of N samples of the split (0 = all)")
	subsetSeed := fs.Uint64("subset-seed", 1, "seed of the --limit subset")
	perms := fs.Int("permutations", 0, "label permutations of the significance test (0 = none: no p- or q-values)")
	seed := fs.Uint64("seed", 1, "seed of the permutations")
	null := fs.String("null", "neuron", "null distribution of the p-values: neuron (exact) or layer (pooled over the layer's neurons)")
	layerSpec := fs.String("layer", "all", "list the denotations of this layer only (1…L), or all")
	smallest := fs.Bool("smallest", false, "list only each neuron's smallest denoted set (its property)")
	csvPath := fs.String("csv", "", "also write the listed denotations to this CSV file")
	dataDir := fs.String("data-dir", "", "folder holding the data set's four IDX files (default: $DENOTATION_DATA_DIR, else the built-in source)")
	selectN := fs.Int("select", 0, "validated scan (the findings' definition): choose each neuron's sets and thresholds on a stratified subset of N training samples (seed subset-seed+1, as the findings draw them; -1 = all) and list the denotations that hold on the scanned test split (0 = plain scan of --split)")
	asJSON := fs.Bool("json", false, "print JSON")
	act := addActFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := act.check(*dir, "data-dir"); err != nil {
		return err
	}
	nullKind, err := checkScanFlags(*tau, *splitName, *limit, *perms, *selectN, *null)
	if err != nil {
		return err
	}
	start := time.Now()
	r := scanReport{Model: *dir, Split: *splitName, Tau: *tau,
		Permutations: *perms, PermutationSeed: *seed, Layer: *layerSpec, DenotingPerLayer: map[string]int{}}
	layer := 0
	checkLayer := func(depth int) error {
		if *layerSpec != "all" {
			l, err := strconv.Atoi(strings.TrimSpace(*layerSpec))
			if err != nil || l < 1 || l > depth {
				return usageErrorf("--layer %q: the model has hidden layers 1…%d (or all)", *layerSpec, depth)
			}
			layer = l
		}
		return nil
	}
	var acts *model.Activations
	if act.given() {
		acts, err = scanFileInput(act, &r, fs, *limit, *subsetSeed, checkLayer)
	} else {
		acts, err = scanModelInput(*dir, *dataDir, &r, *limit, *subsetSeed, checkLayer)
	}
	if err != nil {
		return err
	}
	r.Samples = acts.N
	var sel *model.Activations
	if *selectN != 0 {
		if sel, err = selectionInput(act, *dir, *dataDir, fs, *selectN, *subsetSeed, checkLayer); err != nil {
			return err
		}
	}
	opt := denotation.Options{Tau: *tau, Permutations: *perms, Seed: *seed, Null: nullKind}
	t0 := time.Now() // the scan's time, without loading its inputs
	var res *denotation.Result
	if sel != nil {
		var selRes *denotation.Result
		if res, selRes, err = denotation.ScanValidated(sel, acts, opt); err != nil {
			return err
		}
		r.SelectionSamples, r.Selected = sel.N, selRes.NumDenoting()
	} else if res, err = denotation.Scan(acts, opt); err != nil {
		return err
	}
	r.ScanSeconds = time.Since(t0).Seconds()
	if *perms > 0 {
		r.Null = string(nullKind)
	}
	r.collect(res, layer, *smallest)
	if *csvPath != "" {
		if err := denWriteFile(*csvPath, func(w io.Writer) error { return denotation.WriteDenotationsCSV(w, r.Denotations) }); err != nil {
			return err
		}
	}
	r.WallSeconds = time.Since(start).Seconds()
	if *asJSON {
		return writeJSON(stdout, r)
	}
	r.writeText(stdout)
	return nil
}

// checkScanFlags checks scan's numeric and choice flags (in the order their usage errors are
// reported) and returns the null distribution --null names.
func checkScanFlags(tau float64, splitName string, limit, perms, selectN int, null string) (denotation.NullKind, error) {
	if err := denValidTau(tau); err != nil {
		return "", err
	}
	if splitName != "train" && splitName != "test" {
		return "", usageErrorf("--split %q: want train or test", splitName)
	}
	if limit < 0 {
		return "", usageErrorf("--limit %d: want ≥ 0", limit)
	}
	if perms < 0 {
		return "", usageErrorf("--permutations %d: want ≥ 0", perms)
	}
	if selectN != 0 && splitName != "test" {
		return "", usageErrorf("--select chooses on the training split and judges on the test split: leave --split at test")
	}
	if selectN < -1 {
		return "", usageErrorf("--select %d: want a number of training samples, -1 for all, or 0 for a plain scan", selectN)
	}
	nullKind := denotation.NullKind(null)
	if nullKind != denotation.NullNeuron && nullKind != denotation.NullLayer {
		return "", usageErrorf("--null %q: want neuron or layer", null)
	}
	return nullKind, nil
}

// collect fills in r's counts and denotations from res: those of layer only (0 = every layer),
// with smallest only each neuron's smallest denoted set.
func (r *scanReport) collect(res *denotation.Result, layer int, smallest bool) {
	r.Tested = res.Tested
	r.Denotations = []denotation.Denotation{}
	sumProp := 0.0
	for li := range res.Layers {
		lr := &res.Layers[li]
		if layer != 0 && lr.Layer != layer {
			continue
		}
		r.DenotingPerLayer[strconv.Itoa(lr.Layer)] = lr.NumDenoting()
		for ni := range lr.Neurons {
			nr := &lr.Neurons[ni]
			r.Neurons++
			if nr.Constant {
				r.Constant++
			}
			p, ok := nr.SmallestDenotation()
			if !ok {
				continue
			}
			r.Denoting++
			sumProp += p.LabelProportion
			ds := nr.Denotations
			if smallest {
				ds = ds[:1]
			}
			for _, d := range ds {
				if d.SignificantAt(0.05) {
					r.Significant++
				}
			}
			r.Denotations = append(r.Denotations, ds...)
		}
	}
	r.NumDenotations = len(r.Denotations)
	r.MeanLabelProportion = denotation.NaN
	if r.Denoting > 0 {
		r.MeanLabelProportion = denotation.Num(sumProp / float64(r.Denoting))
	}
}

// writeText writes r as scan's text output: a summary line, the validation and permutation lines
// when they apply, and the table of denotations.
func (r *scanReport) writeText(stdout io.Writer) {
	fmt.Fprintf(stdout, "%s on %s, %s split (%d samples), τ = %g: %d of %d neurons denote (%d constant), %d denotations, mean label proportion %s\n",
		r.Architecture, r.Dataset, r.Split, r.Samples, r.Tau, r.Denoting, r.Neurons, r.Constant, r.NumDenotations, denNum(r.MeanLabelProportion))
	if r.SelectionSamples > 0 {
		fmt.Fprintf(stdout, "validated: sets and thresholds chosen on %d training samples, where %d neurons denote; listed are those that hold on the %s split\n",
			r.SelectionSamples, r.Selected, r.Split)
	}
	if r.Permutations > 0 {
		fmt.Fprintf(stdout, "%d permutations (%s null): %d denotations with q ≤ 0.05 of %d tested pairs\n", r.Permutations, r.Null, r.Significant, r.Tested)
	}
	if len(r.Denotations) > 0 {
		fmt.Fprintf(stdout, "%5s %6s  %-22s %6s %10s %8s %8s %8s %8s\n", "layer", "neuron", "S (high side)", "|S|/K", "threshold", "min frac", "bal acc", "p", "q")
	}
	for _, d := range r.Denotations {
		fmt.Fprintf(stdout, "%5d %6d  %-22s %6.2f %10.4f %8.4f %8.4f %8s %8s\n", d.Layer, d.Neuron, d.Labels.String(), d.LabelProportion,
			d.Threshold, d.MinClassFraction, d.BalancedAccuracy, denPtr(d.PValue), denPtr(d.QValue))
	}
}

// selectionInput returns the selection samples of --select (n training samples, all with n = -1;
// drawn with subsetSeed+1) of the same network as the scanned samples.
func selectionInput(act *actFlags, dir, dataDir string, fs *flag.FlagSet, n int, subsetSeed uint64,
	checkDepth func(int) error) (*model.Activations, error) {
	sr := scanReport{Split: "train"}
	limit := max(n, 0)
	var sel *model.Activations
	var err error
	if act.given() {
		sel, err = scanFileInput(act, &sr, fs, limit, subsetSeed+1, checkDepth)
	} else {
		sel, err = scanModelInput(dir, dataDir, &sr, limit, subsetSeed+1, checkDepth)
	}
	if err != nil {
		return nil, fmt.Errorf("--select: %w", err)
	}
	if sr.Split != "train" {
		return nil, usageErrorf("--select: %s has no training samples to select on (give a file with a split array, or --train-activations)", sr.Model)
	}
	return sel, nil
}

// scanModelInput captures the activations of the saved model in dir on the split r.Split (a
// stratified subset of limit samples when limit > 0) and fills in r's description of the model;
// checkDepth sees the model's depth first.
func scanModelInput(dir, dataDir string, r *scanReport, limit int, subsetSeed uint64, checkDepth func(int) error) (*model.Activations, error) {
	m, ds, err := loadModelData(dir, dataDir)
	if err != nil {
		return nil, err
	}
	if err := checkDepth(m.Depth()); err != nil {
		return nil, err
	}
	split, err := ds.Split(r.Split)
	if err != nil {
		return nil, err
	}
	r.Dataset, r.Architecture = ds.Name, m.Architecture()
	if limit > 0 && limit < split.Len() {
		split = split.Subset(limit, subsetSeed)
		r.SubsetSeed = subsetSeed
	}
	return m.Capture(split, false)
}

// scanFileInput reads the activations files act names and returns the samples of split r.Split
// (of the whole file when it has no split array; a stratified subset of limit samples when
// limit > 0, drawn as from a model's split), filling in r's description of the network.
func scanFileInput(act *actFlags, r *scanReport, fs *flag.FlagSet, limit int, subsetSeed uint64, checkDepth func(int) error) (*model.Activations, error) {
	n, err := act.network()
	if err != nil {
		return nil, err
	}
	if err := checkDepth(n.Any().Depth()); err != nil {
		return nil, err
	}
	r.Model, r.Dataset, r.Architecture = n.Name, act.datasetName(), n.Architecture()
	set := n.Whole
	switch {
	case set != nil && explicit(fs, "split"):
		return nil, usageErrorf("--split %s: %s has no split array, its samples are scanned as one split (leave --split out)", r.Split, n.Name)
	case set != nil:
		r.Split = "file"
	case r.Split == "train":
		set = n.Train
	default:
		set = n.Test
	}
	if set == nil {
		return nil, fmt.Errorf("no %s split: %s holds no %s samples", r.Split, n.Name, r.Split)
	}
	if limit > 0 && limit < set.N {
		set = actmodel.Rows(set, actmodel.Split(r.Split, set).Subset(limit, subsetSeed))
		r.SubsetSeed = subsetSeed
	}
	return actmodel.Activations(set, n.NumClasses), nil
}

func denPtr(p *float64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatFloat(*p, 'g', 4, 64)
}

func denNum(x denotation.Num) string {
	if !x.Defined() {
		return "undefined"
	}
	return strconv.FormatFloat(float64(x), 'f', 3, 64)
}

// denWriteFile writes a file atomically (atomicfile.Write), naming the file in its error.
func denWriteFile(path string, write func(w io.Writer) error) error {
	if err := atomicfile.Write(path, write); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
