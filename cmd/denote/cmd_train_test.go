package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/pkg/actfile"
)

func TestTrainAndActivations(t *testing.T) {
	bundledDataFreshCache(t)
	args := []string{"train", "--dataset", "mnist", "--hidden", "24,16", "--epochs", "3", "--batch", "64",
		"--seed", "2", "--train-limit", "600", "--backend", "go", "--json"}
	code, out, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r trainReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Cached || r.TrainSamples != 600 || r.TestSamples != 10000 || r.Architecture != "784-24-16-10 relu" ||
		r.TestAccuracy < 0.3 || r.TrainSeconds <= 0 || r.SamplesPerSecond <= 0 || r.ModelDir == "" ||
		len(r.PerClass) != 10 || r.Config.Seed != 2 || r.Config.BatchSize != 64 || !strings.HasPrefix(r.Backend, "go:") {
		t.Errorf("first run: %+v", r)
	}
	code, out, errs = runCLI(t, args...)
	var r2 trainReport
	if code != 0 || json.Unmarshal([]byte(out), &r2) != nil {
		t.Fatalf("second run: exit %d: %s", code, errs)
	}
	if !r2.Cached || r2.TestAccuracy != r.TestAccuracy || r2.ModelDir != r.ModelDir || r2.Backend != r.Backend {
		t.Errorf("second run is not the cached first one: %+v", r2)
	}

	npzPath := filepath.Join(t.TempDir(), "acts.npz")
	code, _, errs = runCLI(t, "activations", "--model", r.ModelDir, "--split", "test", "--limit", "50", "--out", npzPath)
	if code != 0 {
		t.Fatalf("activations: exit %d: %s", code, errs)
	}
	// The file's arrays, read back with the project's reader (pkg/hidden's tests check the format
	// with a third-party reader and NumPy): labels, layer_1, layer_2, preact_1 and preact_2.
	f, err := actfile.Open(npzPath)
	if err != nil {
		t.Fatal(err)
	}
	if f.N != 50 || !slices.Equal(f.Widths(), []int{24, 16}) || !f.HasPre() || f.ClassNames != nil || f.Split != nil {
		t.Errorf("activations file: %d samples, widths %v, preactivations %v, class names %v, split %v",
			f.N, f.Widths(), f.HasPre(), f.ClassNames, f.Split != nil)
	}
	// The first test samples of MNIST, in data set order.
	if !slices.Equal(f.Labels[:5], []int{7, 2, 1, 0, 4}) {
		t.Errorf("labels %v", f.Labels[:5])
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"activations", "--model", filepath.Join(t.TempDir(), "none"), "--out", npzPath}, 1, "no model at"},
		{[]string{"activations", "--model", t.TempDir(), "--out", npzPath}, 1, "model.bin is missing"},
		{[]string{"activations", "--model", r.ModelDir, "--split", "val", "--out", npzPath}, 2, `--split "val"`},
		{[]string{"activations", "--model", r.ModelDir}, 2, "--out is required"},
		{[]string{"activations", "--out", npzPath}, 2, "--model is required"},
		{[]string{"train", "--dataset", "kmnist"}, 1, "unknown dataset"},
		{[]string{"train", "--hidden", "12,0"}, 2, "hidden width 0"},
		{[]string{"train", "--hidden", "12", "--activation", "gelu"}, 2, `unknown activation "gelu"`},
		{[]string{"train", "--epochs", "x"}, 2, "invalid value"},
		{[]string{"train", "--backend", "xla"}, 2, `denote train: --backend: backend "xla" is not available in this build (available: go); the default pure-Go backend needs no setting`},
		{[]string{"train", "--backend", "xla:cuda", "--dataset", "kmnist"}, 2, `--backend: backend "xla" is not available`},
	} {
		code, out, errs := runCLI(t, c.args...)
		if code != c.code || out != "" || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q (want one line containing %q)", c.args, code, c.code, out, errs, c.want)
		}
	}
}

// TestTrainBackendFromEnvironment: $GOMLX_BACKEND naming a backend this build lacks is one clear
// line, before any data is loaded; an explicit --backend go wins over it.
func TestTrainBackendFromEnvironment(t *testing.T) {
	t.Setenv("GOMLX_BACKEND", "xla")
	t.Setenv("DENOTATION_DATA_DIR", t.TempDir()) // no data there: the backend check must come first
	code, out, errs := runCLI(t, "train")
	want := `denote train: model: backend "xla" (from $GOMLX_BACKEND) is not available in this build (available: go); the default pure-Go backend needs no setting: unset GOMLX_BACKEND`
	if code != 1 || out != "" || strings.TrimSpace(errs) != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errs, want)
	}
	code, _, errs = runCLI(t, "train", "--backend", "go")
	if code == 0 || strings.Contains(errs, "backend") {
		t.Errorf("--backend go with $GOMLX_BACKEND=xla: exit %d, %q; want the data error, not a backend error", code, errs)
	}
}
