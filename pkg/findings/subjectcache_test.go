package findings

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestSubjectStateCache: a second Prepare reads the subject's evaluation and activations from the
// results cache, bit for bit what recording them gives; a truncated entry is reported in one line
// and recomputed; the untrained control has its own entry.
func TestSubjectStateCache(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("DENOTATION_DATA_DIR", "")
	t.Setenv("DENOTATION_CACHE", cache)
	t.Setenv(EnvNoCache, "")
	var warn bytes.Buffer
	CacheWarnings = &warn
	defer func() { CacheWarnings = os.Stderr }()

	fresh := func() *Subject {
		t.Helper()
		sub, err := Prepare(quickSetup(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	first := fresh()
	if _, err := first.Untrained(); err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(cache, "results", "subject-*.json"))
	untrained, _ := filepath.Glob(filepath.Join(cache, "results", "subject-untrained-*.json"))
	if len(entries) != 2 || len(untrained) != 1 {
		t.Fatalf("subject entries %v", entries)
	}
	t.Setenv(EnvNoCache, "1")
	recorded := fresh()
	t.Setenv(EnvNoCache, "")
	same := func(a, b *Subject) bool {
		return reflect.DeepEqual(a.Eval, b.Eval) && reflect.DeepEqual(a.Train, b.Train) && reflect.DeepEqual(a.Test, b.Test)
	}
	if again := fresh(); !same(again, recorded) || !same(first, recorded) {
		t.Fatal("the cached subject state differs from the recorded one")
	}
	trained := entries[0]
	if trained == untrained[0] {
		trained = entries[1]
	}
	b, _ := os.ReadFile(trained)
	if err := os.WriteFile(trained, b[:len(b)-100], 0o644); err != nil {
		t.Fatal(err)
	}
	if again := fresh(); !same(again, recorded) {
		t.Fatal("after a truncated entry the subject state differs")
	}
	if lines := strings.Count(warn.String(), "\n"); lines != 1 || !strings.Contains(warn.String(), "damaged") {
		t.Fatalf("warnings %q", warn.String())
	}
}

func TestDecodeStateRejectsBadPayloads(t *testing.T) {
	if _, err := decodeState([]byte("{}\n")); err == nil {
		t.Error("a state without evaluation decoded")
	}
	if _, err := decodeState([]byte(`{"eval":{"n":1},"Train":{"n":2,"layers":[[1,1,3]]},"Test":{}}` + "\n" + "abcd")); err == nil {
		t.Error("a truncated state decoded")
	}
}

// TestFindingsReadBackFromCache: F2, F3 and the τ sensitivity read back from the results cache are
// what computing them gives (the same JSON, the same showcase neuron, a redrawn figure).
func TestFindingsReadBackFromCache(t *testing.T) {
	bundledDataFreshCache(t)
	t.Setenv(EnvNoCache, "")
	sub, err := Prepare(quickSetup(), nil)
	if err != nil {
		t.Fatal(err)
	}
	opt := F3Options()
	opt.Tau = 0.8
	both := func(f func() (any, error)) (a, b []byte) {
		t.Helper()
		x, err := f()
		if err != nil {
			t.Fatal(err)
		}
		y, err := f()
		if err != nil {
			t.Fatal(err)
		}
		a, _ = json.Marshal(x)
		b, _ = json.Marshal(y)
		return a, b
	}
	var computed, cached *DenotationResult
	first := true
	a, b := both(func() (any, error) {
		r, err := Denotations(sub, opt)
		if first {
			computed, first = r, false
		} else {
			cached = r
		}
		return r, err
	})
	if !bytes.Equal(a, b) || cached.Scan != nil || cached.Figure == nil {
		t.Fatalf("F3 from the cache: same JSON %v, scan %v, figure %v", bytes.Equal(a, b), cached.Scan != nil, cached.Figure != nil)
	}
	if l, n := computed.Showcase(); true {
		if cl, cn := cached.Showcase(); cl != l || cn != n {
			t.Errorf("showcase %d/%d computed, %d/%d from the cache", l, n, cl, cn)
		}
	}
	if a, b := both(func() (any, error) { return TauSensitivity(sub, []float64{0.8, 0.9}) }); !bytes.Equal(a, b) {
		t.Error("τ sensitivity differs when read from the cache")
	}
	if a, b := both(func() (any, error) { return ObserverWeights(sub, "even") }); !bytes.Equal(a, b) {
		t.Error("F2 differs when read from the cache")
	}
	aopt := DefaultAblationOptions()
	aopt.Scan.Tau = 0.8
	if a, b := both(func() (any, error) { return Ablations(sub, 2, aopt) }); !bytes.Equal(a, b) {
		t.Error("the ablations differ when read from the cache")
	}
	w, err := ObserverWeightsSorted(sub, "even")
	if err != nil || w.Figure == nil {
		t.Fatalf("sorted F2 from the cache: %v", err)
	}
	entries, _ := filepath.Glob(filepath.Join(os.Getenv("DENOTATION_CACHE"), "results", "f*.json"))
	if len(entries) != 3 {
		t.Errorf("results entries %v, want f2, f3 and f3-tau", entries)
	}
	if abl, _ := filepath.Glob(filepath.Join(os.Getenv("DENOTATION_CACHE"), "results", "ablation-*.json")); len(abl) != 1 {
		t.Errorf("ablation entries %v", abl)
	}
}
