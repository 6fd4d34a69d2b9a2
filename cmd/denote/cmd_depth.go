package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/findings"
	"github.com/denotation-go/denotation/pkg/model"
)

func init() {
	register(command{name: "depth", summary: "F4: label proportion of denoted sets against depth, over MLPs of several depths and seeds (or networks given by activations files), with untrained controls", run: runDepth})
}

// parseDepthsFlag reads --depths: a range A-B, a comma-separated list, or one depth.
func parseDepthsFlag(spec string) ([]int, error) {
	bad := func() error {
		return usageErrorf("--depths %q: want a range A-B with 1 ≤ A ≤ B ≤ %d, a comma-separated list or one depth", spec, findings.MaxDepth)
	}
	spec = strings.TrimSpace(spec)
	var out []int
	if a, b, ok := strings.Cut(spec, "-"); ok {
		lo, err1 := strconv.Atoi(strings.TrimSpace(a))
		hi, err2 := strconv.Atoi(strings.TrimSpace(b))
		if err1 != nil || err2 != nil || lo < 1 || hi < lo || hi > findings.MaxDepth {
			return nil, bad()
		}
		for d := lo; d <= hi; d++ {
			out = append(out, d)
		}
		return out, nil
	}
	for _, part := range strings.Split(spec, ",") {
		d, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || d < 1 || d > findings.MaxDepth {
			return nil, bad()
		}
		for _, x := range out {
			if x == d {
				return nil, usageErrorf("--depths %q: depth %d is listed twice", spec, d)
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// parseSeedsFlag reads --seeds: a count N (seeds 1…N) or a comma-separated list of seeds.
func parseSeedsFlag(spec string) ([]uint64, error) {
	spec = strings.TrimSpace(spec)
	if !strings.Contains(spec, ",") {
		n, err := strconv.Atoi(spec)
		if err != nil || n < 1 || n > 1000 {
			return nil, usageErrorf("--seeds %q: want a count N ≥ 1 (seeds 1…N) or a comma-separated list of seeds", spec)
		}
		out := make([]uint64, n)
		for i := range out {
			out[i] = uint64(i + 1)
		}
		return out, nil
	}
	var out []uint64
	for _, part := range strings.Split(spec, ",") {
		s, err := strconv.ParseUint(strings.TrimSpace(part), 10, 64)
		if err != nil {
			return nil, usageErrorf("--seeds %q: %q is not a seed (a non-negative integer)", spec, part)
		}
		for _, x := range out {
			if x == s {
				return nil, usageErrorf("--seeds %q: seed %d is listed twice", spec, s)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// savePNGs saves each figure as dir/NAME.png (nothing when dir is "").
func savePNGs(dir string, figs []findings.NamedFigure) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, nf := range figs {
		if err := nf.Figure.Save(filepath.Join(dir, nf.Name+".png")); err != nil {
			return err
		}
	}
	return nil
}

func depthIntsString(v []int) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

// depthReport is the JSON output of `denote depth`: the F4 result plus the run's timings and the
// models that came from the run cache.
type depthReport struct {
	*findings.DepthResult
	WallSeconds  float64  `json:"wall_seconds"`
	TrainSeconds float64  `json:"train_seconds"`
	ScanSeconds  float64  `json:"scan_seconds"`
	Cached       []string `json:"cached"`
}

func runDepth(args []string, stdout io.Writer) error {
	fs := newFlagSet("depth")
	def := findings.DefaultDepthSetup("mnist")
	dataset := fs.String("dataset", "mnist", "data set: mnist or fashion (files from $DENOTATION_DATA_DIR, else the built-in source)")
	depthSpec := fs.String("depths", depthIntsString(def.Depths), "network depths D: a range A-B, a list or one depth")
	width := fs.Int("width", def.Width, "width of every hidden layer")
	seedSpec := fs.String("seeds", strconv.Itoa(len(def.Seeds)), "seeds per depth: a count N (seeds 1…N) or a comma-separated list")
	epochs := fs.Int("epochs", def.Epochs, "training epochs")
	batch := fs.Int("batch", def.Recipe.BatchSize, "mini-batch size")
	activation := fs.String("activation", def.Recipe.Activation, "hidden activation: relu, tanh or sigmoid")
	trainLimit := fs.Int("train-limit", def.TrainLimit, "train on a stratified subset of N training samples (0 = all)")
	testLimit := fs.Int("test-limit", def.TestSamples, "scan a stratified subset of N test samples (0 = all)")
	subsetSeed := fs.Uint64("subset-seed", def.SubsetSeed, "seed of the --train-limit/--test-limit subsets")
	tau := fs.Float64("tau", def.Tau, "τ of the denotation definition, in (0.5, 1]")
	perms := fs.Int("permutations", 0, "with --activations and files of one split: label permutations of every scan (0 = none)")
	permSeed := fs.Uint64("permutation-seed", 0, "with --activations: seed of the permutations")
	maxQ := fs.Float64("max-q", 0, "with --activations: count only denotations with q ≤ this (needs --permutations; 0 = count all)")
	selection := fs.Int("selection", def.Selection, "training samples whose activations select the denotations that the test split then validates (0 = all)")
	initName := fs.String("init", def.Recipe.Init, "initialisation: torch, he or glorot")
	lr := fs.Float64("lr", def.Recipe.LearningRate, "Adam's learning rate")
	schedule := fs.String("lr-schedule", def.Recipe.Schedule, "learning-rate schedule: constant or cosine")
	bootstrap := fs.Int("bootstrap", def.Bootstrap, "bootstrap replicates over networks (0 = no intervals)")
	bootSeed := fs.Uint64("bootstrap-seed", def.BootstrapSeed, "seed of the bootstrap")
	bins := fs.Int("bins", def.RelativeBins, "relative-depth bins")
	cacheDir := fs.String("cache", "", "run-cache folder (default $"+model.EnvCacheDir+" or ~/.cache/denotation)")
	csvPath := fs.String("csv", "", "also write the table of layer and relative-depth cells to this CSV file")
	trendsPath := fs.String("trends-csv", "", "also write the trends with relative depth to this CSV file")
	figDir := fs.String("figures", "", "also save the figures as PNG files in this folder (the names of DepthResult.Figures)")
	asJSON := fs.Bool("json", false, "print JSON (and no progress bar)")
	var files, untrainedFiles fileList
	fs.Var(&files, "activations", "instead of training networks: analyse networks recorded elsewhere, one .npz of activations per network (labels, layer_1 … layer_D; the test split when it has a split array), as a comma-separated list or the flag repeated")
	fs.Var(&untrainedFiles, "untrained-activations", "with --activations: activations files of untrained controls (same form)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(files) > 0 || len(untrainedFiles) > 0 {
		if len(files) == 0 {
			return usageErrorf("--untrained-activations goes with --activations (the trained networks)")
		}
		for _, name := range []string{"depths", "width", "seeds", "epochs", "batch", "activation", "train-limit", "cache"} {
			if explicit(fs, name) {
				return usageErrorf("--%s describes the networks depth trains; with --activations the networks are the files", name)
			}
		}
		if err := denValidTau(*tau); err != nil {
			return err
		}
		fs2 := depthFilesSetup{Dataset: "external", Trained: files, Untrained: untrainedFiles,
			Scan:         scanSetup{Tau: *tau, Permutations: *perms, PermutationSeed: *permSeed},
			DepthOptions: denotation.DepthOptions{RelativeBins: *bins, Bootstrap: *bootstrap, Seed: *bootSeed, Level: def.Level, MaxQ: *maxQ}}
		if explicit(fs, "dataset") {
			fs2.Dataset = *dataset
		}
		if explicit(fs, "test-limit") {
			if *testLimit < 0 {
				return usageErrorf("--test-limit %d: want ≥ 0", *testLimit)
			}
			fs2.TestLimit, fs2.Subset = *testLimit, *subsetSeed
		}
		switch {
		case *perms < 0:
			return usageErrorf("--permutations %d: want ≥ 0", *perms)
		case *bins < 1:
			return usageErrorf("--bins %d: want ≥ 1", *bins)
		case *bootstrap < 0:
			return usageErrorf("--bootstrap %d: want ≥ 0", *bootstrap)
		case !(*maxQ >= 0 && *maxQ <= 1):
			return usageErrorf("--max-q %v: want a value in [0, 1]", *maxQ)
		case *maxQ > 0 && *perms == 0:
			return usageErrorf("--max-q %v needs permutations (--permutations N)", *maxQ)
		}
		return runDepthFiles(fs2, *csvPath, *trendsPath, *figDir, *asJSON, stdout)
	}
	for _, name := range []string{"permutations", "permutation-seed", "max-q"} {
		if explicit(fs, name) {
			return usageErrorf("--%s goes with --activations: the networks depth trains are scanned with validated denotations (selected on training samples, judged on the test split), which a permutation test adds nothing to", name)
		}
	}
	depths, err := parseDepthsFlag(*depthSpec)
	if err != nil {
		return err
	}
	seeds, err := parseSeedsFlag(*seedSpec)
	if err != nil {
		return err
	}
	if err := denValidTau(*tau); err != nil {
		return err
	}
	s := def
	s.Dataset, s.Depths, s.Width, s.Seeds, s.Epochs = *dataset, depths, *width, seeds, *epochs
	s.Recipe = s.Recipe.WithBatchSize(*batch).WithActivation(*activation).WithInit(*initName).WithLearningRate(*lr).WithSchedule(*schedule)
	s.TrainLimit, s.TestSamples, s.SubsetSeed, s.Selection = *trainLimit, *testLimit, *subsetSeed, *selection
	s.Tau = *tau
	s.Bootstrap, s.BootstrapSeed, s.RelativeBins = *bootstrap, *bootSeed, *bins
	if err := s.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	opts := &findings.PrepareOptions{CacheDir: *cacheDir}
	if *asJSON {
		opts.Progress = model.Silent
	}
	res, err := findings.LabelProportionVsDepth(s, opts)
	if err != nil {
		return err
	}
	if *csvPath != "" {
		if err := denWriteFile(*csvPath, res.Report.WriteCSV); err != nil {
			return err
		}
	}
	if *trendsPath != "" {
		if err := denWriteFile(*trendsPath, res.Report.WriteTrendsCSV); err != nil {
			return err
		}
	}
	if err := savePNGs(*figDir, res.Figures()); err != nil {
		return err
	}
	if *asJSON {
		out := depthReport{DepthResult: res, WallSeconds: res.Seconds, TrainSeconds: res.TrainSeconds, ScanSeconds: res.ScanSeconds, Cached: []string{}}
		for _, m := range res.Models {
			if m.Cached {
				out.Cached = append(out.Cached, m.Name)
			}
		}
		return writeJSON(stdout, out)
	}
	fmt.Fprintf(stdout, "%d networks (%d trained, %d untrained controls) on %s, %d training / %d test samples, %.0fs (training %.0fs, scans %.1fs)\n",
		len(res.Models), res.Headline.TrainedRuns, res.Headline.UntrainedRuns, s.Dataset, res.TrainSamples, res.TestSamples,
		res.Seconds, res.TrainSeconds, res.ScanSeconds)
	for _, m := range res.Models {
		if m.Untrained {
			continue
		}
		fmt.Fprintf(stdout, "  %-8s %-26s test accuracy %.4f  denoting %3d of %3d", m.Name, m.Architecture, m.TestAccuracy, m.Denoting, m.Neurons)
		if m.Cached {
			fmt.Fprint(stdout, "  (cached)")
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintln(stdout, res.NetworkTable())
	fmt.Fprintln(stdout, "Secondary view (cells pooled over networks):")
	printDepthCells(stdout, res.Report)
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, res.Interpretation())
	for _, n := range res.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
	return nil
}
