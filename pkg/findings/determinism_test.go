package findings

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/internal/idxtest"
	"github.com/denotation-go/denotation/pkg/model"
)

// TestReproduceInterruptAndDeterminism interrupts Reproduce (quick mode) during the object model's
// second epoch and checks that it stops with the first epoch's checkpoint in the run cache and
// writes no results. It then runs every finding twice: resuming that checkpoint, and from a fresh
// run cache (every model trained from scratch). The two runs must write byte-identical
// results.json, report.md and figures. (That a model loaded from the run cache gives the same
// results as the trained one is checked in pkg/model and cmd/denote.)
func TestReproduceInterruptAndDeterminism(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the quick reproduction twice (-short)")
	}
	t.Setenv("DENOTATION_DATA_DIR", "")
	t.Setenv(EnvQuick, "")
	// A 2,000/1,000-sample MNIST keeps the two complete runs fast; determinism does not depend on size.
	t.Setenv("DENOTATION_DATA_DIR", miniMNIST(t, 2000, 1000))
	cache := t.TempDir()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := t.TempDir()
	_, err := Reproduce(ReproduceOptions{Only: []string{"F2"}, Out: stopped, Quick: true, CacheDir: cache, Context: ctx,
		Progress: func(u model.ProgressUpdate) {
			if u.Epoch == 2 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "checkpoint of epoch 1 is in "+cache) {
		t.Fatalf("interrupted Reproduce: %v", err)
	}
	if left, _ := os.ReadDir(stopped); len(left) != 0 {
		t.Errorf("interrupted Reproduce wrote %d files", len(left))
	}
	entries, _ := filepath.Glob(filepath.Join(cache, "models", "*"))
	if len(entries) != 1 {
		t.Fatalf("cache entries %v", entries)
	}
	partial, err := model.Load(entries[0])
	if err != nil || partial.Info.EpochsDone != 1 {
		t.Fatalf("checkpoint after the interruption: %v", err)
	}

	run := func(cache string) (string, int) {
		t.Helper()
		out := t.TempDir()
		steps := 0
		res, err := Reproduce(ReproduceOptions{Out: out, Quick: true, CacheDir: cache, Context: context.Background(),
			Progress: func(model.ProgressUpdate) { steps++ }})
		if err != nil {
			t.Fatal(err)
		}
		checkSections(t, res)
		return out, steps
	}
	a, _ := run(cache)
	// The first complete run resumed the object model from its checkpoint: epoch 1's record is the
	// checkpoint's, epoch 2 was added.
	done, err := model.Load(entries[0])
	if err != nil || done.Info.EpochsDone != 2 || done.Info.History[0] != partial.Info.History[0] {
		t.Fatalf("object model after the complete run (%v): did not resume from the checkpoint", err)
	}
	b, steps := run(t.TempDir())
	if steps == 0 {
		t.Error("the run on a fresh cache trained nothing")
	}
	files, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, f := range files {
		names = append(names, f.Name())
		ra, _ := os.ReadFile(filepath.Join(a, f.Name()))
		rb, err := os.ReadFile(filepath.Join(b, f.Name()))
		if err != nil || !bytes.Equal(ra, rb) {
			t.Errorf("%s differs between the resumed run and the fresh-cache run (%v)", f.Name(), err)
		}
	}
	if other, _ := os.ReadDir(b); len(other) != len(files) {
		t.Errorf("the runs wrote %d and %d files", len(files), len(other))
	}
	joined := strings.Join(names, " ")
	for _, want := range []string{"results.json", "report.md", "f1-named-properties.png", "f2-observer-weights.svg"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %s among %s", want, joined)
		}
	}
	// The report states the seeds.
	report, _ := os.ReadFile(filepath.Join(a, "report.md"))
	if !bytes.Contains(report, []byte("object model seed 1 (initialisation and batch order); stratified subsets seed 1")) {
		t.Error("report.md does not state the seeds")
	}
}

// miniMNIST writes stratified subsets of MNIST's splits (real pixels and labels) as the four IDX
// files into a new folder.
func miniMNIST(t *testing.T, nTrain, nTest int) string {
	t.Helper()
	full, err := datasets.Load("mnist")
	if err != nil {
		t.Fatal(err)
	}
	sub := full.Subset(nTrain, nTest, 1)
	dir := t.TempDir()
	for prefix, s := range map[string]*datasets.Split{"train": sub.Train, "t10k": sub.Test} {
		if err := idxtest.WriteSplit(dir, prefix, s.Rows, s.Cols, s.Images, s.Labels); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkSections checks the Result invariants on every section of a complete run: each finding has
// a section, its figures are drawn and named, and its Markdown ends with a newline and carries no
// heading of its own.
func checkSections(t *testing.T, res *Results) {
	t.Helper()
	for _, f := range findingTable {
		sec := f.section(res)
		if sec == nil {
			t.Errorf("%s: no section after a complete run", f.ID)
			continue
		}
		for _, nf := range sec.Figures() {
			if nf.Figure == nil || nf.Name == "" {
				t.Errorf("%s: figure %q not drawn", f.ID, nf.Name)
			}
		}
		md := sec.Markdown()
		if !strings.HasSuffix(md, "\n") || strings.HasPrefix(md, "# ") || strings.Contains(md, "\n## ") || strings.HasPrefix(md, "## ") {
			t.Errorf("%s: Markdown breaks the invariants: %.80q", f.ID, md)
		}
	}
}
