package findings

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

type cacheProbe struct {
	Value  int    `json:"value"`
	Drawn  bool   `json:"-"`
	Source string `json:"source"`
}

func TestResultsCache(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvNoCache, "")
	var warn bytes.Buffer
	CacheWarnings = &warn
	defer func() { CacheWarnings = os.Stderr }()
	computed := 0
	get := func(parts ...any) *cacheProbe {
		t.Helper()
		r, err := cachedResult(dir, "probe", parts, func() (*cacheProbe, error) {
			computed++
			return &cacheProbe{Value: 42, Drawn: true, Source: "computed"}, nil
		}, func(p *cacheProbe) error { p.Drawn = true; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := get("setup", 1); computed != 1 || r.Value != 42 || !r.Drawn {
		t.Fatalf("first call: %+v, computed %d", r, computed)
	}
	if r := get("setup", 1); computed != 1 || r.Value != 42 || !r.Drawn {
		t.Fatalf("second call recomputed or lost the redraw: %+v, computed %d", r, computed)
	}
	// Another option, or another code version, is another entry.
	get("setup", 2)
	if computed != 2 {
		t.Fatalf("a changed option hit the cache")
	}
	resultsCodeVersion = "test-version"
	get("setup", 1)
	resultsCodeVersion = ResultsCodeVersion
	if computed != 3 {
		t.Fatalf("a changed code version hit the cache")
	}
	// A truncated or altered entry is reported in one line and recomputed, never used.
	files, _ := filepath.Glob(filepath.Join(dir, "results", "probe-*.json"))
	if len(files) != 3 {
		t.Fatalf("entries %v", files)
	}
	key, _ := resultKey("probe", "setup", 1)
	path, _ := resultPath(dir, "probe", key)
	good, _ := os.ReadFile(path)
	for name, bad := range map[string][]byte{
		"truncated": good[:len(good)-3],
		"altered":   bytes.Replace(good, []byte("42"), []byte("43"), 1),
		"empty":     {},
	} {
		warn.Reset()
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		before := computed
		if r := get("setup", 1); r.Value != 42 || computed != before+1 {
			t.Errorf("%s entry: got %+v, computed %d times more", name, r, computed-before)
		}
		if lines := strings.Count(warn.String(), "\n"); lines != 1 || !strings.Contains(warn.String(), "recomputing") {
			t.Errorf("%s entry: warning %q", name, warn.String())
		}
		if again, _ := os.ReadFile(path); !bytes.Equal(again, good) {
			t.Errorf("%s entry was not rewritten", name)
		}
	}
	// $DENOTATION_NO_CACHE bypasses the cache.
	t.Setenv(EnvNoCache, "1")
	before := computed
	get("setup", 1)
	if computed != before+1 {
		t.Error("DENOTATION_NO_CACHE=1 read the cache")
	}
}

// TestResultsCacheConcurrentFill: several fillers of one entry at once leave one valid entry and
// no temporary file.
func TestResultsCacheConcurrentFill(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvNoCache, "")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := cachedResult(dir, "probe", []any{"same"}, func() (*cacheProbe, error) {
				return &cacheProbe{Value: 7, Source: strings.Repeat("x", 1<<16)}, nil
			}, func(*cacheProbe) error { return nil })
			if err != nil || r.Value != 7 {
				t.Errorf("%+v, %v", r, err)
			}
		}()
	}
	wg.Wait()
	left, _ := os.ReadDir(filepath.Join(dir, "results"))
	if len(left) != 1 {
		t.Fatalf("%d files in the results cache, want one entry", len(left))
	}
	if _, ok, err := readEntry(filepath.Join(dir, "results", left[0].Name())); !ok || err != nil {
		t.Fatalf("entry after concurrent fills: ok %v, %v", ok, err)
	}
}
