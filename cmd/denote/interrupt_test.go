package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/denotation-go/denotation/pkg/model"
)

// onceValue returns a test helper that computes its value with build the first time it is called
// (with that caller's test) and returns it from then on; it fails the test, saying what failed to
// be built, when build returned an error.
func onceValue[T any](what string, build func(t *testing.T) (T, error)) func(t *testing.T) T {
	var (
		once sync.Once
		v    T
		err  error
	)
	return func(t *testing.T) T {
		t.Helper()
		once.Do(func() { v, err = build(t) })
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

// sharedPath is the folder for what the package's tests build once (the denote binary, a small
// MNIST), made by sharedDir; TestMain removes it.
var sharedPath string

var sharedDir = onceValue("making the shared test folder", func(*testing.T) (string, error) {
	dir, err := os.MkdirTemp("", "denote-test-")
	sharedPath = dir
	return dir, err
})

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedPath != "" {
		_ = os.RemoveAll(sharedPath)
	}
	os.Exit(code)
}

// denoteBinary builds the denote command once for the tests that need a separate process.
var denoteBinary = onceValue("building denote", func(t *testing.T) (string, error) {
	bin := filepath.Join(sharedDir(t), "denote")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", errors.New(string(out) + err.Error())
	}
	return bin, nil
})

// denoteCmd returns a denote process using the run cache cache.
func denoteCmd(bin, cache string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DENOTATION_CACHE="+cache, "DENOTATION_DATA_DIR=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	return cmd, &out, &errb
}

// trainOK runs `denote train … --json` to completion and returns its report.
func trainOK(t *testing.T, bin, cache string, args []string) trainReport {
	t.Helper()
	cmd, out, errb := denoteCmd(bin, cache, args...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("denote %s: %v: %s", strings.Join(args, " "), err, errb)
	}
	var r trainReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("report: %v: %q", err, out)
	}
	return r
}

// sameWeights fails unless the models in folders a and b have identical weights and biases.
func sameWeights(t *testing.T, a, b string) {
	t.Helper()
	ma, err := model.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := model.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if ma.Architecture() != mb.Architecture() {
		t.Fatalf("%s vs %s", ma.Architecture(), mb.Architecture())
	}
	for l := 1; l <= ma.Depth()+1; l++ {
		wa, ba, _, _, _ := ma.Weights(l)
		wb, bb, _, _, _ := mb.Weights(l)
		if !slices.Equal(wa, wb) || !slices.Equal(ba, bb) {
			t.Fatalf("layer %d: weights of %s and %s differ", l, a, b)
		}
	}
}

// cacheEntries lists the model folders of a run cache.
func cacheEntries(t *testing.T, cache string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(cache, "models", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestInterruptedTrainResumes kills `denote train` (SIGKILL, then SIGINT) once its first epoch's
// checkpoint is in the run cache, checks that the cache holds nothing that loads as a finished
// model, and that the same command then resumes from the checkpoint and ends with exactly the
// weights of an uninterrupted run.
func TestInterruptedTrainResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds denote and trains several models (-short)")
	}
	bin := denoteBinary(t)
	const epochs = 6
	args := []string{"train", "--data-dir", miniMNIST(t), "--hidden", "32,32", "--epochs", "6", "--batch", "64",
		"--train-limit", "1500", "--seed", "5", "--json"}
	ref := trainOK(t, bin, t.TempDir(), args)
	if ref.Cached || len(ref.Epochs) != epochs {
		t.Fatalf("reference run: %+v", ref)
	}

	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cache := t.TempDir()
			cmd, out, errb := denoteCmd(bin, cache, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for the first checkpoint, then interrupt.
			var entry string
			var partial *model.Model
			for deadline := time.Now().Add(40 * time.Second); partial == nil; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
					t.Fatalf("no checkpoint appeared: %s", errb)
				}
				for _, d := range cacheEntries(t, cache) {
					if m, err := model.Load(d); err == nil && m.Info.EpochsDone >= 1 {
						entry, partial = d, m
					}
				}
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("interrupted run: %v (did it finish before the signal?)", err)
			}
			ws := ee.Sys().(syscall.WaitStatus)
			switch sig {
			case syscall.SIGKILL:
				if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
					t.Fatalf("wait status %v", ws)
				}
			case syscall.SIGINT:
				msg := errb.String()
				if ws.ExitStatus() != 130 || out.Len() != 0 || strings.Count(msg, "\n") != 1 ||
					!strings.Contains(msg, "denote train: interrupted by SIGINT after ") ||
					!strings.Contains(msg, "the checkpoint is in "+entry) || !strings.Contains(msg, "run the same command again") {
					t.Fatalf("exit %d, stdout %q, stderr %q: want status 130 and one line naming the checkpoint %s", ws.ExitStatus(), out, msg, entry)
				}
			}

			// Nothing in the cache may pass for a finished model: every entry that loads is an
			// unfinished checkpoint.
			for _, d := range cacheEntries(t, cache) {
				m, err := model.Load(d)
				if err != nil {
					continue
				}
				if m.Info.EpochsDone >= epochs || m.Info.TestSamples != 0 {
					t.Fatalf("entry %s after the interruption: %d of %d epochs, %d test samples", d, m.Info.EpochsDone, epochs, m.Info.TestSamples)
				}
				if m.Info.EpochsDone < partial.Info.EpochsDone {
					t.Fatalf("entry went back from epoch %d to %d", partial.Info.EpochsDone, m.Info.EpochsDone)
				}
			}

			// The same command resumes and ends with the uninterrupted run's model.
			again := trainOK(t, bin, cache, args)
			if again.Cached || again.ModelDir != entry || again.TestAccuracy != ref.TestAccuracy || again.TestLoss != ref.TestLoss || len(again.Epochs) != epochs {
				t.Fatalf("resumed run: cached %v, dir %s (want %s), accuracy %v (want %v), %d epochs",
					again.Cached, again.ModelDir, entry, again.TestAccuracy, ref.TestAccuracy, len(again.Epochs))
			}
			// It resumed rather than started over: the first epoch's record is the checkpoint's.
			if again.Epochs[0] != partial.Info.History[0] {
				t.Errorf("first epoch %+v, checkpoint's %+v: the run started over", again.Epochs[0], partial.Info.History[0])
			}
			sameWeights(t, again.ModelDir, ref.ModelDir)
		})
	}
}

// TestConcurrentTrainSameEntry runs two `denote train` processes on the same configuration and
// run cache at once: both succeed with the same model, and the cache entry is that model.
func TestConcurrentTrainSameEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("builds denote and trains two models at once (-short)")
	}
	bin := denoteBinary(t)
	cache := t.TempDir()
	args := []string{"train", "--data-dir", miniMNIST(t), "--hidden", "24,16", "--epochs", "3", "--batch", "64",
		"--train-limit", "1500", "--seed", "6", "--json"}
	type result struct {
		r   trainReport
		err error
		msg string
	}
	res := make([]result, 2)
	outs := []string{t.TempDir(), t.TempDir()}
	var wg sync.WaitGroup
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd, out, errb := denoteCmd(bin, cache, append(args, "--out", outs[i])...)
			res[i].err = cmd.Run()
			res[i].msg = errb.String()
			if res[i].err == nil {
				res[i].err = json.Unmarshal(out.Bytes(), &res[i].r)
			}
		}()
	}
	wg.Wait()
	for i, r := range res {
		if r.err != nil {
			t.Fatalf("process %d: %v: %s", i, r.err, r.msg)
		}
	}
	a, b := res[0].r, res[1].r
	if a.TestAccuracy != b.TestAccuracy || a.TestLoss != b.TestLoss {
		t.Fatalf("the two processes disagree: accuracy %v / %v, loss %v / %v", a.TestAccuracy, b.TestAccuracy, a.TestLoss, b.TestLoss)
	}
	// Each process saved its model to its own --out folder too: the weights are identical.
	sameWeights(t, outs[0], outs[1])
	entries := cacheEntries(t, cache)
	if len(entries) != 1 {
		t.Fatalf("cache entries %v, want one", entries)
	}
	m, err := model.Load(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	if m.Info.EpochsDone != 3 || m.Info.TestAccuracy != a.TestAccuracy {
		t.Fatalf("entry: %d epochs, accuracy %v (processes: %v)", m.Info.EpochsDone, m.Info.TestAccuracy, a.TestAccuracy)
	}
	sameWeights(t, entries[0], outs[0])
	if left, _ := filepath.Glob(filepath.Join(entries[0], ".*tmp")); len(left) != 0 {
		t.Errorf("temporary files left in the entry: %v", left)
	}
	if c := trainOK(t, bin, cache, args); !c.Cached {
		t.Error("the entry written by two processes is not reused")
	}
}

// TestInterruptedReproduce sends SIGINT to `denote reproduce` while it trains its object model:
// it must exit with status 130, its last line must say where the completed epoch is kept, and it
// must write no results. (That the next run resumes from the checkpoint and reproduces the same
// bytes is pkg/findings' TestReproduceInterruptAndDeterminism.)
func TestInterruptedReproduce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds denote and trains a model (-short)")
	}
	bin := denoteBinary(t)
	cache, out := t.TempDir(), t.TempDir()
	cmd, stdout, errb := denoteCmd(bin, cache, "reproduce", "--quick", "--only", "F2", "--data-dir", miniMNIST(t), "--out", out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(40 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("no checkpoint appeared: %s", errb)
		}
		entries := cacheEntries(t, cache)
		if len(entries) != 1 {
			continue
		}
		m, err := model.Load(entries[0])
		if err != nil {
			continue
		}
		if m.Info.EpochsDone == 1 {
			break
		}
		// Only on a machine so loaded that a whole epoch passed between two looks.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Skipf("the object model finished training (%d epochs) before the test could interrupt it", m.Info.EpochsDone)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("interrupted reproduce: %v (want exit status 130); stderr %s", err, errb)
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	last := lines[len(lines)-1]
	if stdout.Len() != 0 || !strings.HasPrefix(last, "denote reproduce: interrupted by SIGINT") ||
		!strings.Contains(last, "checkpoint of epoch 1 is in "+cache) {
		t.Errorf("stdout %q, last stderr line %q", stdout, last)
	}
	if left, _ := os.ReadDir(out); len(left) != 0 {
		t.Errorf("the interrupted run wrote %d files to its output folder", len(left))
	}
}
