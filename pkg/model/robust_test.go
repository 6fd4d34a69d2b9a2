package model

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDivergenceIsAnError checks that a run whose loss becomes NaN stops with an error that says
// what to do, saves nothing from the diverged epoch and leaves the model at its last whole epoch.
func TestDivergenceIsAnError(t *testing.T) {
	ds := synthetic(200, 20, 3, 4, 4, 11)
	cfg := small().WithLearningRate(1e30)
	m, err := NewUntrained(cfg, 16, 3)
	if err != nil {
		t.Fatal(err)
	}
	start, _ := NewUntrained(cfg, 16, 3)
	ckpt := t.TempDir()
	err = m.Fit(ds.Train, 2, &TrainOptions{Progress: Silent, CheckpointDir: ckpt})
	if err == nil || !strings.Contains(err.Error(), "training diverged in epoch 1") || !strings.Contains(err.Error(), "smaller learning rate") {
		t.Fatalf("Fit with learning rate 1e30: %v", err)
	}
	if _, err := Load(ckpt); err == nil {
		t.Error("a checkpoint was saved from the diverged epoch")
	}
	if m.Info.EpochsDone != 0 {
		t.Errorf("%d epochs done after divergence in epoch 1", m.Info.EpochsDone)
	}
	for l := 1; l <= m.Depth()+1; l++ {
		w, b, _, _, _ := m.Weights(l)
		w0, b0, _, _, _ := start.Weights(l)
		if !slices.Equal(w, w0) || !slices.Equal(b, b0) {
			t.Fatalf("layer %d's weights changed in the diverged epoch", l)
		}
	}
}

// TestUnwritableCache checks that a run cache that cannot be written is reported before any
// training, with the folder and what to do, and that a checkpoint folder likewise is.
func TestUnwritableCache(t *testing.T) {
	ds := synthetic(100, 20, 3, 4, 4, 12)
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := 0
	count := func(ProgressUpdate) { steps++ }
	_, _, err := TrainCached(ds, small(), &TrainOptions{Progress: count, CacheDir: file})
	if err == nil || !strings.Contains(err.Error(), "run cache "+file+" is not writable") || !strings.Contains(err.Error(), EnvCacheDir) {
		t.Errorf("cache folder that is a file: %v", err)
	}
	_, err = Train(ds, small(), &TrainOptions{Progress: count, CheckpointDir: filepath.Join(file, "ckpt")})
	if err == nil || !strings.Contains(err.Error(), "checkpoint folder is not writable") {
		t.Errorf("checkpoint folder under a file: %v", err)
	}
	if steps != 0 {
		t.Errorf("%d training steps ran before the error", steps)
	}
}

// TestPartialCacheEntry checks that an entry left by an interrupted run is never returned as a
// finished model: an entry at epoch 1 of 2, and an entry whose last epoch is saved but whose test
// evaluation is not (a run killed between the two saves), are both completed, not reused as is.
func TestPartialCacheEntry(t *testing.T) {
	cache := t.TempDir()
	ds := synthetic(200, 60, 3, 4, 4, 13)
	cfg := small()
	straight, err := Train(ds, cfg, &TrainOptions{Progress: Silent})
	if err != nil {
		t.Fatal(err)
	}
	entry, err := CachePath(cache, ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	half, err := NewUntrained(cfg, 16, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := half.Fit(ds.Train, 1, &TrainOptions{Progress: Silent}); err != nil {
		t.Fatal(err)
	}
	half.Info.Dataset, half.Info.ClassNames = ds.Name, ds.ClassNames
	if err := half.Save(entry); err != nil {
		t.Fatal(err)
	}
	steps := 0
	m, cached, err := TrainCached(ds, cfg, &TrainOptions{Progress: func(ProgressUpdate) { steps++ }, CacheDir: cache})
	if err != nil || cached {
		t.Fatalf("entry at epoch 1 of 2: cached=%v err=%v", cached, err)
	}
	if want := (200 + 31) / 32; steps != want {
		t.Errorf("resumed run took %d steps, want the %d of epoch 2", steps, want)
	}
	sameState(t, straight, m)
	if m.Info.TestAccuracy != straight.Info.TestAccuracy || m.Info.TestSamples != 60 {
		t.Errorf("test accuracy %v on %d samples, want %v on 60", m.Info.TestAccuracy, m.Info.TestSamples, straight.Info.TestAccuracy)
	}

	// All epochs saved, test evaluation not: the entry is evaluated, not trained again.
	noEval, err := Load(entry)
	if err != nil {
		t.Fatal(err)
	}
	noEval.Info.TestAccuracy, noEval.Info.TestSamples = 0, 0
	if err := noEval.Save(entry); err != nil {
		t.Fatal(err)
	}
	steps = 0
	m, cached, err = TrainCached(ds, cfg, &TrainOptions{Progress: func(ProgressUpdate) { steps++ }, CacheDir: cache})
	if err != nil || cached || steps != 0 {
		t.Fatalf("entry without evaluation: cached=%v steps=%d err=%v", cached, steps, err)
	}
	if m.Info.TestAccuracy != straight.Info.TestAccuracy || m.Info.TestSamples != 60 {
		t.Errorf("test accuracy %v on %d samples, want %v on 60", m.Info.TestAccuracy, m.Info.TestSamples, straight.Info.TestAccuracy)
	}
	if c, err := Load(entry); err != nil || c.Info.TestSamples != 60 {
		t.Errorf("entry after completion: %v", err)
	}
	// Stray temporary files (a writer killed mid-write) are not model files.
	if err := os.WriteFile(filepath.Join(entry, "."+ModelFile+".123.tmp"), []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, cached, err := TrainCached(ds, cfg, &TrainOptions{Progress: Silent, CacheDir: cache}); err != nil || !cached {
		t.Errorf("entry with a stray temporary file: cached=%v err=%v", cached, err)
	}
}

// TestOverflowIsAnError checks that a model whose values overflow (finite but huge weights) gives
// errors, not numbers: Evaluate refuses NaN/Inf logits and Validate names the neuron that
// overflowed. (Inference once used DenseFast, whose zero gradient carrier 0·ΣW became NaN and
// spread to every neuron of the layer, so Validate named neuron 0.)
func TestOverflowIsAnError(t *testing.T) {
	ds := synthetic(50, 40, 3, 4, 4, 14)
	m, err := NewUntrained(small(), 16, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Evaluate(ds.Test); err != nil {
		t.Fatalf("sane model: %v", err)
	}
	m2, _ := NewUntrained(small(), 16, 3)
	for i := 0; i < 16; i++ { // every input's weight to neuron 5 of layer 1 (width 16)
		m2.params[0][i*16+5] = 3e38
	}
	if _, err := m2.Evaluate(ds.Test); err == nil || !strings.Contains(err.Error(), "logit") || !strings.Contains(err.Error(), "of sample 0 is") {
		t.Errorf("Evaluate of an overflowing model: %v", err)
	}
	a, err := m2.Activations(ds.Test)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "layer 1 neuron 5 sample 0") {
		t.Errorf("Validate of overflowing activations: %v", err)
	}
}
