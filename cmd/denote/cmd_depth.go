package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/denotation-go/denotation/internal/textfmt"
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

// depthReport is the JSON output of `denote depth`: the F4 result plus the run's timings and the
// models that came from the run cache.
type depthReport struct {
	*findings.DepthResult
	WallSeconds  float64  `json:"wall_seconds"`
	TrainSeconds float64  `json:"train_seconds"`
	ScanSeconds  float64  `json:"scan_seconds"`
	Cached       []string `json:"cached"`
}

// depthFlags holds the flags of `denote depth`.
type depthFlags struct {
	dataset, depthSpec, seedSpec, activation, initName, schedule  string
	cacheDir, csvPath, trendsPath, figDir                         string
	width, epochs, batch, trainLimit, testLimit, perms, selection int
	bootstrap, bins                                               int
	subsetSeed, permSeed, bootSeed                                uint64
	tau, maxQ, lr                                                 float64
	asJSON                                                        bool
	files, untrainedFiles                                         fileList
}

// register defines f's flags on fs, with the defaults of def.
func (f *depthFlags) register(fs *flag.FlagSet, def findings.DepthSetup) {
	fs.StringVar(&f.dataset, "dataset", "mnist", "data set: mnist or fashion (files from $DENOTATION_DATA_DIR, else the built-in source)")
	fs.StringVar(&f.depthSpec, "depths", textfmt.Ints(def.Depths, ","), "network depths D: a range A-B, a list or one depth")
	fs.IntVar(&f.width, "width", def.Width, "width of every hidden layer")
	fs.StringVar(&f.seedSpec, "seeds", strconv.Itoa(len(def.Seeds)), "seeds per depth: a count N (seeds 1…N) or a comma-separated list")
	fs.IntVar(&f.epochs, "epochs", def.Epochs, "training epochs")
	fs.IntVar(&f.batch, "batch", def.Recipe.BatchSize, "mini-batch size")
	fs.StringVar(&f.activation, "activation", def.Recipe.Activation, "hidden activation: relu, tanh or sigmoid")
	fs.IntVar(&f.trainLimit, "train-limit", def.TrainLimit, "train on a stratified subset of N training samples (0 = all)")
	fs.IntVar(&f.testLimit, "test-limit", def.TestSamples, "scan a stratified subset of N test samples (0 = all)")
	fs.Uint64Var(&f.subsetSeed, "subset-seed", def.SubsetSeed, "seed of the --train-limit/--test-limit subsets")
	fs.Float64Var(&f.tau, "tau", def.Tau, "τ of the denotation definition, in (0.5, 1]")
	fs.IntVar(&f.perms, "permutations", 0, "with --activations and files of one split: label permutations of every scan (0 = none)")
	fs.Uint64Var(&f.permSeed, "permutation-seed", 0, "with --activations: seed of the permutations")
	fs.Float64Var(&f.maxQ, "max-q", 0, "with --activations: count only denotations with q ≤ this (needs --permutations; 0 = count all)")
	fs.IntVar(&f.selection, "selection", def.Selection, "training samples whose activations select the denotations that the test split then validates (0 = all)")
	fs.StringVar(&f.initName, "init", def.Recipe.Init, "initialisation: torch, he or glorot")
	fs.Float64Var(&f.lr, "lr", def.Recipe.LearningRate, "Adam's learning rate")
	fs.StringVar(&f.schedule, "lr-schedule", def.Recipe.Schedule, "learning-rate schedule: constant or cosine")
	fs.IntVar(&f.bootstrap, "bootstrap", def.Bootstrap, "bootstrap replicates over networks (0 = no intervals)")
	fs.Uint64Var(&f.bootSeed, "bootstrap-seed", def.BootstrapSeed, "seed of the bootstrap")
	fs.IntVar(&f.bins, "bins", def.RelativeBins, "relative-depth bins")
	fs.StringVar(&f.cacheDir, "cache", "", "run-cache folder (default $"+model.EnvCacheDir+" or ~/.cache/denotation)")
	fs.StringVar(&f.csvPath, "csv", "", "also write the table of layer and relative-depth cells to this CSV file")
	fs.StringVar(&f.trendsPath, "trends-csv", "", "also write the trends with relative depth to this CSV file")
	fs.StringVar(&f.figDir, "figures", "", "also save the figures as PNG files in this folder (the names of DepthResult.Figures)")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON (and no progress bar)")
	fs.Var(&f.files, "activations", "instead of training networks: analyse networks recorded elsewhere, one .npz of activations per network (labels, layer_1 … layer_D; the test split when it has a split array), as a comma-separated list or the flag repeated")
	fs.Var(&f.untrainedFiles, "untrained-activations", "with --activations: activations files of untrained controls (same form)")
}

func runDepth(args []string, stdout io.Writer) error {
	fs := newFlagSet("depth")
	def := findings.DefaultDepthSetup("mnist")
	var f depthFlags
	f.register(fs, def)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(f.files) > 0 || len(f.untrainedFiles) > 0 {
		s, err := f.filesSetup(fs, def)
		if err != nil {
			return err
		}
		return runDepthFiles(s, f.csvPath, f.trendsPath, f.figDir, f.asJSON, stdout)
	}
	s, err := f.setup(fs, def)
	if err != nil {
		return err
	}
	opts := &findings.PrepareOptions{CacheDir: f.cacheDir}
	if f.asJSON {
		opts.Progress = model.Silent
	}
	res, err := findings.LabelProportionVsDepth(s, opts)
	if err != nil {
		return err
	}
	if err := writeDepthCSVs(res.Report, f.csvPath, f.trendsPath); err != nil {
		return err
	}
	if err := savePNGs(f.figDir, res.Figures()); err != nil {
		return err
	}
	if f.asJSON {
		out := depthReport{DepthResult: res, WallSeconds: res.Seconds, TrainSeconds: res.TrainSeconds, ScanSeconds: res.ScanSeconds, Cached: []string{}}
		for _, m := range res.Models {
			if m.Cached {
				out.Cached = append(out.Cached, m.Name)
			}
		}
		return writeJSON(stdout, out)
	}
	writeDepthText(stdout, s, res)
	return nil
}

// filesSetup checks the flags of `denote depth --activations` (fs parsed) and returns what it
// analyses.
func (f *depthFlags) filesSetup(fs *flag.FlagSet, def findings.DepthSetup) (depthFilesSetup, error) {
	if len(f.files) == 0 {
		return depthFilesSetup{}, usageErrorf("--untrained-activations goes with --activations (the trained networks)")
	}
	for _, name := range []string{"depths", "width", "seeds", "epochs", "batch", "activation", "train-limit", "cache"} {
		if explicit(fs, name) {
			return depthFilesSetup{}, usageErrorf("--%s describes the networks depth trains; with --activations the networks are the files", name)
		}
	}
	if err := denValidTau(f.tau); err != nil {
		return depthFilesSetup{}, err
	}
	s := depthFilesSetup{Dataset: "external", Trained: f.files, Untrained: f.untrainedFiles,
		Scan:         scanSetup{Tau: f.tau, Permutations: f.perms, PermutationSeed: f.permSeed},
		DepthOptions: denotation.DepthOptions{RelativeBins: f.bins, Bootstrap: f.bootstrap, Seed: f.bootSeed, Level: def.Level, MaxQ: f.maxQ}}
	if explicit(fs, "dataset") {
		s.Dataset = f.dataset
	}
	if explicit(fs, "test-limit") {
		if f.testLimit < 0 {
			return depthFilesSetup{}, usageErrorf("--test-limit %d: want ≥ 0", f.testLimit)
		}
		s.TestLimit, s.Subset = f.testLimit, f.subsetSeed
	}
	switch {
	case f.perms < 0:
		return depthFilesSetup{}, usageErrorf("--permutations %d: want ≥ 0", f.perms)
	case f.bins < 1:
		return depthFilesSetup{}, usageErrorf("--bins %d: want ≥ 1", f.bins)
	case f.bootstrap < 0:
		return depthFilesSetup{}, usageErrorf("--bootstrap %d: want ≥ 0", f.bootstrap)
	case !(f.maxQ >= 0 && f.maxQ <= 1):
		return depthFilesSetup{}, usageErrorf("--max-q %v: want a value in [0, 1]", f.maxQ)
	case f.maxQ > 0 && f.perms == 0:
		return depthFilesSetup{}, usageErrorf("--max-q %v needs permutations (--permutations N)", f.maxQ)
	}
	return s, nil
}

// setup checks the flags of `denote depth` when it trains its networks (fs parsed) and returns
// def with them applied.
func (f *depthFlags) setup(fs *flag.FlagSet, def findings.DepthSetup) (findings.DepthSetup, error) {
	for _, name := range []string{"permutations", "permutation-seed", "max-q"} {
		if explicit(fs, name) {
			return def, usageErrorf("--%s goes with --activations: the networks depth trains are scanned with validated denotations (selected on training samples, judged on the test split), which a permutation test adds nothing to", name)
		}
	}
	depths, err := parseDepthsFlag(f.depthSpec)
	if err != nil {
		return def, err
	}
	seeds, err := parseSeedsFlag(f.seedSpec)
	if err != nil {
		return def, err
	}
	if err := denValidTau(f.tau); err != nil {
		return def, err
	}
	s := def
	s.Dataset, s.Depths, s.Width, s.Seeds, s.Epochs = f.dataset, depths, f.width, seeds, f.epochs
	s.Recipe = s.Recipe.WithBatchSize(f.batch).WithActivation(f.activation).WithInit(f.initName).WithLearningRate(f.lr).WithSchedule(f.schedule)
	s.TrainLimit, s.TestSamples, s.SubsetSeed, s.Selection = f.trainLimit, f.testLimit, f.subsetSeed, f.selection
	s.Tau = f.tau
	s.Bootstrap, s.BootstrapSeed, s.RelativeBins = f.bootstrap, f.bootSeed, f.bins
	if err := s.Validate(); err != nil {
		return def, usageErrorf("%v", err)
	}
	return s, nil
}

// writeDepthText writes res, the result of setup s, as the text output of `denote depth`.
func writeDepthText(stdout io.Writer, s findings.DepthSetup, res *findings.DepthResult) {
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
}
