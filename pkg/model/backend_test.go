package model

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// clearBackendEnv unsets $GOMLX_BACKEND and $DENOTATION_BACKEND_CONFIG for the test (restored after).
func clearBackendEnv(t *testing.T) {
	for _, v := range []string{EnvBackend, EnvBackendConfig} {
		t.Setenv(v, "")
		_ = os.Unsetenv(v)
	}
}

func TestResolveBackend(t *testing.T) {
	clearBackendEnv(t)
	avail := strings.Join(AvailableBackends(), ", ")
	if !strings.HasPrefix(avail, "go") {
		t.Fatalf("available backends %q lack go", avail)
	}
	for _, tc := range []struct {
		choice, env, envConfig string
		name, config           string
		err                    string
	}{
		{"", "", "", "go", DefaultBackendConfig, ""},
		{"go", "", "", "go", DefaultBackendConfig, ""},
		{"go:dotgeneral_normal", "", "", "go", "dotgeneral_normal", ""},
		{"", "go", "", "go", DefaultBackendConfig, ""},
		{"", "go:ops_sequential", "", "go", "ops_sequential", ""},
		{"", "", "ops_parallel", "go", "ops_parallel", ""},
		{"go", "xla", "", "go", DefaultBackendConfig, ""}, // an explicit choice wins over $GOMLX_BACKEND
		{"xla", "", "", "", "", `model: backend "xla" is not available in this build (available: ` + avail + `); the default pure-Go backend needs no setting`},
		{"xla:cuda", "go", "", "", "", `model: backend "xla" is not available in this build`},
		{"", "xla", "", "", "", `model: backend "xla" (from $GOMLX_BACKEND) is not available in this build (available: ` + avail + `); the default pure-Go backend needs no setting: unset GOMLX_BACKEND`},
		{":fast", "", "", "", "", `model: backend ":fast" has no name`},
	} {
		clearBackendEnv(t)
		if tc.env != "" {
			t.Setenv(EnvBackend, tc.env)
		}
		if tc.envConfig != "" {
			t.Setenv(EnvBackendConfig, tc.envConfig)
		}
		name, config, err := ResolveBackend(tc.choice)
		if tc.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("ResolveBackend(%q) with $GOMLX_BACKEND=%q: %v, want one line starting %q", tc.choice, tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || name != tc.name || config != tc.config {
			t.Errorf("ResolveBackend(%q) with $GOMLX_BACKEND=%q $DENOTATION_BACKEND_CONFIG=%q = %q, %q, %v; want %q, %q",
				tc.choice, tc.env, tc.envConfig, name, config, err, tc.name, tc.config)
		}
	}
}

var registerGoAgain sync.Once

// TestTrainOnChosenBackend trains on the default backend, on "go" chosen explicitly, and on
// simplego registered under another name (the path a user's XLA backend would take), and checks
// that an unavailable backend is a clear error.
func TestTrainOnChosenBackend(t *testing.T) {
	clearBackendEnv(t)
	ds := synthetic(200, 50, 3, 4, 4, 5)
	cfg := small().WithEpochs(1)
	if _, err := Train(ds, cfg, &TrainOptions{Progress: Silent, Backend: "xla"}); err == nil ||
		!strings.Contains(err.Error(), `backend "xla" is not available in this build (available: go`) {
		t.Errorf("training on xla: %v", err)
	}
	t.Setenv(EnvBackend, "xla")
	if _, err := Train(ds, cfg, &TrainOptions{Progress: Silent}); err == nil || !strings.Contains(err.Error(), "$GOMLX_BACKEND") {
		t.Errorf("training with $GOMLX_BACKEND=xla: %v", err)
	}
	if _, err := Train(ds, cfg, &TrainOptions{Progress: Silent, Backend: "go", BackendConfig: "no_such_option"}); err == nil ||
		!strings.Contains(err.Error(), "no_such_option") {
		t.Errorf("a bad simplego configuration: %v", err)
	}
	clearBackendEnv(t)

	registerGoAgain.Do(func() { backends.Register("go-again", simplego.New) })
	ref, err := Train(ds, cfg, &TrainOptions{Progress: Silent})
	if err != nil {
		t.Fatal(err)
	}
	if ref.Info.Steps != 7 || ref.rt.config != "go:"+DefaultBackendConfig {
		t.Fatalf("default training: %d steps on %q", ref.Info.Steps, ref.rt.config)
	}
	for _, choice := range []string{"go", "go-again:" + DefaultBackendConfig} {
		m, err := Train(ds, cfg, &TrainOptions{Progress: Silent, Backend: choice})
		if err != nil {
			t.Fatalf("backend %q: %v", choice, err)
		}
		if got := m.rt.config; !strings.HasPrefix(got, strings.SplitN(choice, ":", 2)[0]+":") {
			t.Errorf("backend %q: the model ran on %q", choice, got)
		}
		sameState(t, ref, m)
	}
	if _, err := Train(ds, cfg, &TrainOptions{Progress: Silent, Backend: "go-again", BackendConfig: "ops_sequential"}); err == nil ||
		!strings.Contains(err.Error(), `is for the "go" backend, but the backend is "go-again"`) {
		t.Errorf("a simplego configuration for another backend: %v", err)
	}

	// A model not trained in this process evaluates on the backend UseBackend chooses.
	u, err := NewUntrained(cfg, 16, 3)
	if err != nil {
		t.Fatal(err)
	}
	want, err := u.Evaluate(ds.Test)
	if err != nil {
		t.Fatal(err)
	}
	if u.rt.config != "go:"+DefaultBackendConfig {
		t.Errorf("default evaluation on %q", u.rt.config)
	}
	if _, err := u.UseBackend("xla"); err == nil || !strings.Contains(err.Error(), "not available") {
		t.Errorf("UseBackend(xla): %v", err)
	}
	key, err := u.UseBackend("go-again:" + DefaultBackendConfig)
	if err != nil || key != "go-again:"+DefaultBackendConfig || u.rt.config != key {
		t.Fatalf("UseBackend(go-again) = %q, %v; runtime on %q", key, err, u.rt.config)
	}
	got, err := u.Evaluate(ds.Test)
	if err != nil {
		t.Fatal(err)
	}
	if got.Accuracy != want.Accuracy || got.Loss != want.Loss {
		t.Errorf("evaluation on go-again: accuracy %v loss %v; on go: %v %v", got.Accuracy, got.Loss, want.Accuracy, want.Loss)
	}
	if u.rt.config != key {
		t.Errorf("Evaluate left the chosen backend for %q", u.rt.config)
	}
}
