package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/model"
)

func init() {
	register(command{name: "train", summary: "train (or fetch from the run cache) an MLP object model and report its test accuracy", run: runTrain})
}

// trainReport is the JSON output of `denote train`.
type trainReport struct {
	Dataset          string             `json:"dataset"`
	TrainSamples     int                `json:"train_samples"`
	TestSamples      int                `json:"test_samples"`
	SubsetSeed       uint64             `json:"subset_seed,omitempty"`
	Architecture     string             `json:"architecture"`
	Config           model.Config       `json:"config"`
	TestAccuracy     float64            `json:"test_accuracy"`
	PerClass         []float64          `json:"per_class_test_accuracy"`
	TestLoss         float64            `json:"test_loss"`
	TrainSeconds     float64            `json:"train_seconds"`
	SamplesPerSecond float64            `json:"samples_per_second"`
	Epochs           []model.EpochStats `json:"epochs"`
	ModelDir         string             `json:"model_dir"`
	Cached           bool               `json:"cached"`
	Backend          string             `json:"backend"`
	WallSeconds      float64            `json:"wall_seconds"`
}

func runTrain(args []string, stdout io.Writer) error {
	fs := newFlagSet("train")
	var name, dataDir string
	addDataFlags(fs, &name, &dataDir)
	def := model.DefaultConfig()
	hidden := fs.String("hidden", "128,128,128", "hidden-layer widths, comma-separated")
	epochs := fs.Int("epochs", def.Epochs, "training epochs")
	batch := fs.Int("batch", def.BatchSize, "mini-batch size")
	seed := fs.Uint64("seed", def.Seed, "random seed (initial weights, sample order)")
	lr := fs.Float64("lr", def.LearningRate, "Adam's peak learning rate")
	schedule := fs.String("lr-schedule", def.Schedule, "learning-rate schedule: cosine (decay to 0 over the epochs) or constant")
	activation := fs.String("activation", def.Activation, "hidden activation: relu, tanh or sigmoid")
	initName := fs.String("init", def.Init, "initialisation: he (He uniform, zero biases), torch (PyTorch's nn.Linear: U(±1/√fan_in) weights and biases) or glorot")
	decay := fs.Float64("weight-decay", 0, "decoupled weight decay (AdamW) of the weight matrices")
	trainLimit := fs.Int("train-limit", 0, "train on a stratified subset of N training samples (0 = all)")
	subsetSeed := fs.Uint64("subset-seed", 1, "seed of the --train-limit subset")
	out := fs.String("out", "", "also save the model to this folder")
	cacheDir := fs.String("cache", "", "run-cache folder (default $"+model.EnvCacheDir+" or ~/.cache/denotation)")
	noCache := fs.Bool("no-cache", false, "train even if the run cache holds the model, and do not cache it (needs --out to keep it)")
	backend := fs.String("backend", "", "gomlx backend, NAME or NAME:CONFIG, compiled into this build (default $"+model.EnvBackend+", else "+model.DefaultBackend+", pure Go)")
	asJSON := fs.Bool("json", false, "print JSON (and no progress bar)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	widths, err := model.ParseWidths(*hidden)
	if err != nil {
		return usageErrorf("--hidden: %v", err)
	}
	if *trainLimit < 0 {
		return usageErrorf("--train-limit %d: want ≥ 0", *trainLimit)
	}
	// An unavailable backend fails now, not after loading the data.
	if _, _, err := model.ResolveBackend(*backend); err != nil {
		if *backend != "" {
			return usageErrorf("--backend: %s", strings.TrimPrefix(err.Error(), "model: "))
		}
		return err
	}
	cfg := model.DefaultConfig().WithHidden(widths...).WithEpochs(*epochs).WithBatchSize(*batch).WithSeed(*seed).
		WithLearningRate(*lr).WithSchedule(*schedule).WithActivation(*activation).WithWeightDecay(*decay).WithInit(*initName)
	if err := cfg.Validate(); err != nil {
		return usageErrorf("%v", err)
	}
	start := time.Now()
	ds, err := loadDataset(name, dataDir)
	if err != nil {
		return err
	}
	r := trainReport{Dataset: ds.Name}
	if *trainLimit > 0 && *trainLimit < ds.Train.Len() {
		ds = ds.Subset(*trainLimit, 0, *subsetSeed)
		r.SubsetSeed = *subsetSeed
	}
	// SIGINT/SIGTERM stop training after the last completed epoch, which is saved.
	in := onInterrupt()
	defer in.stop()
	opts := &model.TrainOptions{CacheDir: *cacheDir, Context: in.ctx, Backend: *backend}
	if *asJSON {
		opts.Progress = model.Silent
	}
	m, err := trainOrFetch(ds, cfg, opts, in, *out, *noCache, &r)
	if err != nil {
		return err
	}
	r.ModelDir = m.Dir()
	if *out != "" && !*noCache {
		if err := m.Save(*out); err != nil {
			return err
		}
		r.ModelDir = *out
	}
	// A model from the run cache was not trained in this process: evaluate it on the chosen backend too.
	if r.Backend, err = m.UseBackend(*backend); err != nil {
		return err
	}
	ev, err := m.Evaluate(ds.Test)
	if err != nil {
		return err
	}
	r.fill(m, ds, ev)
	r.WallSeconds = time.Since(start).Seconds()
	warnNoConvergence(m, &r, cfg)
	if *asJSON {
		return writeJSON(stdout, r)
	}
	r.writeText(stdout, cfg)
	return nil
}

// trainOrFetch trains ds's model of configuration cfg, or with noCache false fetches it from the
// run cache (opts.CacheDir) when it is there, recording that in r.Cached; with noCache it
// checkpoints to out. A run stopped by a signal (in) reports what its checkpoint holds.
func trainOrFetch(ds *datasets.Dataset, cfg model.Config, opts *model.TrainOptions, in *interrupt, out string, noCache bool, r *trainReport) (*model.Model, error) {
	var m *model.Model
	var err error
	ckpt := out
	if noCache {
		opts.CheckpointDir = out
		m, err = model.Train(ds, cfg, opts)
	} else {
		if ckpt, err = model.CachePath(opts.CacheDir, ds, cfg); err != nil {
			return nil, err
		}
		m, r.Cached, err = model.TrainCached(ds, cfg, opts)
	}
	if err != nil {
		if in.signal() != nil {
			return nil, in.wrap(interruptedTraining(in.signal(), ckpt, ds, cfg))
		}
		return nil, trainError(err, noCache)
	}
	return m, nil
}

// fill records in r the data set's sizes, m's architecture, configuration and training history,
// and ev, m's evaluation on the test split.
func (r *trainReport) fill(m *model.Model, ds *datasets.Dataset, ev *model.Evaluation) {
	r.TrainSamples, r.TestSamples = ds.Train.Len(), ds.Test.Len()
	r.Architecture, r.Config = m.Architecture(), m.Config
	r.TestAccuracy, r.PerClass, r.TestLoss = ev.Accuracy, ev.PerClass, ev.Loss
	r.Epochs = m.Info.History
	for _, e := range m.Info.History {
		r.TrainSeconds += e.Seconds
	}
	if r.TrainSeconds > 0 {
		r.SamplesPerSecond = float64(len(m.Info.History)*ds.Train.Len()) / r.TrainSeconds
	}
}

// warnNoConvergence warns on diag when m's last epoch's loss is no better than a uniform guess or
// its test accuracy r.TestAccuracy no better than chance: a learning rate too large for Adam can
// wreck a model without making the loss NaN.
func warnNoConvergence(m *model.Model, r *trainReport, cfg model.Config) {
	if h := m.Info.History; len(h) > 0 && r.TestSamples > 0 {
		k := float64(m.NumClasses)
		if loss := h[len(h)-1].Loss; loss >= math.Log(k) || r.TestAccuracy <= 1.5/k {
			fmt.Fprintf(diag, "denote train: warning: training did not converge (last epoch's mean loss %.3g, where a uniform guess scores ln %d = %.2f; test accuracy %.1f%%): try a smaller learning rate than --lr %g, or more epochs\n",
				loss, m.NumClasses, math.Log(k), 100*r.TestAccuracy, cfg.LearningRate)
		}
	}
}

// writeText writes r, a model of configuration cfg, as the text output of `denote train`.
func (r *trainReport) writeText(stdout io.Writer, cfg model.Config) {
	how := "trained"
	if r.Cached {
		how = "from the run cache"
	}
	fmt.Fprintf(stdout, "%s on %s (%d training samples), %d epochs, %s\n", r.Architecture, r.Dataset, r.TrainSamples, cfg.Epochs, how)
	fmt.Fprintf(stdout, "test accuracy %.2f%% (%d samples), training %.1fs at %.0f samples/s\n", 100*r.TestAccuracy, r.TestSamples, r.TrainSeconds, r.SamplesPerSecond)
	if r.ModelDir != "" {
		fmt.Fprintf(stdout, "model: %s\n", r.ModelDir)
	}
}

// interruptedTraining describes what an interrupted training run left in its checkpoint folder dir.
func interruptedTraining(sig os.Signal, dir string, ds *datasets.Dataset, cfg model.Config) error {
	if dir == "" {
		return fmt.Errorf("interrupted by %s: nothing was saved (--no-cache without --out keeps no checkpoint)", signalName(sig))
	}
	c, err := model.Load(dir)
	if err == nil && c.Info.EpochsDone > 0 && reflect.DeepEqual(c.Config, cfg) && c.Info.TrainSamples == ds.Train.Len() {
		return fmt.Errorf("interrupted by %s after %d of %d epochs: the checkpoint is in %s; run the same command again to resume from it",
			signalName(sig), c.Info.EpochsDone, cfg.Epochs, dir)
	}
	return fmt.Errorf("interrupted by %s before the first epoch completed: nothing was saved", signalName(sig))
}

// trainError adds what to do to errors the user can fix: a run cache or output folder that
// cannot be written.
func trainError(err error, noCache bool) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	if noCache {
		return fmt.Errorf("%w (choose a writable folder with --out)", err)
	}
	return fmt.Errorf("%w (or choose one with --cache DIR, or use --no-cache --out DIR)", err)
}
