package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bundledDataFreshCache points the test at the bundled datasets and at an empty results cache.
func bundledDataFreshCache(t *testing.T) {
	t.Setenv("DENOTATION_DATA_DIR", "")
	t.Setenv("DENOTATION_CACHE", t.TempDir())
}

// trainCLI runs `denote train` with args into a new folder and returns the folder.
func trainCLI(t *testing.T, args ...string) string {
	t.Helper()
	out := t.TempDir()
	code, _, errs := runCLI(t, append(append([]string{"train"}, args...), "--out", out, "--json")...)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	return out
}

// runCLI runs denote in-process and returns its exit status, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestDataJSON(t *testing.T) {
	t.Setenv("DENOTATION_DATA_DIR", "")
	code, out, errs := runCLI(t, "data", "--dataset", "mnist", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r dataReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.TrainSize != 60000 || r.TestSize != 10000 || r.TrainHistogram[1] != 6742 {
		t.Errorf("report %+v", r)
	}
}

func TestDataBadFolder(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		// Wrong magic in every file: the first one read must be named in the error.
		if err := os.WriteFile(filepath.Join(dir, n), []byte{1, 2, 3, 4, 5, 6, 7, 8}, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := runCLI(t, "data", "--data-dir", dir)
	if code == 0 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) != 1 || !strings.Contains(errs, "train-images-idx3-ubyte") || !strings.Contains(errs, "not an IDX file") {
		t.Errorf("want one error line naming the file, got %q", errs)
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, errs := runCLI(t, "data", "--bogus"); code != 2 || !strings.Contains(errs, "bogus") {
		t.Errorf("bad flag: exit %d, %q", code, errs)
	}
	if code, _, errs := runCLI(t, "nosuch"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errs)
	}
	if code, _, errs := runCLI(t, "data", "--dataset", "cifar"); code != 1 || !strings.Contains(errs, "unknown dataset") {
		t.Errorf("unknown dataset: exit %d, %q", code, errs)
	}
	if code, out, _ := runCLI(t, "help"); code != 0 || !strings.Contains(out, "data") {
		t.Errorf("help: exit %d, %q", code, out)
	}
}
