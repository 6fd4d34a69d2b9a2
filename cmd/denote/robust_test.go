package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/internal/idxtest"
)

// mnistDir returns the folder of the MNIST IDX files, so that tests can pass --data-dir and skip
// locating the module with the go command on every call.
var mnistDir = onceValue("locating MNIST", func(*testing.T) (string, error) { return datasets.MNISTDir() })

// miniMNIST writes a stratified subset of MNIST (3,000 training, 1,000 test images, 28×28, the
// real pixels and labels) as IDX files into a folder, once, so that the tests' many processes
// load and evaluate on it in milliseconds instead of reading all 70,000 images each time.
var miniMNIST = onceValue("writing the small MNIST", func(t *testing.T) (string, error) {
	dir := filepath.Join(sharedDir(t), "mini-mnist")
	full, err := datasets.LoadDir("mnist", mnistDir(t))
	if err != nil {
		return "", err
	}
	sub := full.Subset(3000, 1000, 1)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for prefix, s := range map[string]*datasets.Split{"train": sub.Train, "t10k": sub.Test} {
		if err := idxtest.WriteSplit(dir, prefix, s.Rows, s.Cols, s.Images, s.Labels); err != nil {
			return "", err
		}
	}
	return dir, nil
})

// tinySet writes a valid four-file data set of 2×3 images (20 train, 10 test, idxtest.Tiny) into a
// new folder, then applies damage (file name → new content; nil content removes the file).
func tinySet(t *testing.T, damage map[string][]byte) string {
	t.Helper()
	dir := idxtest.TinyDir(t, 20, 10)
	for name, content := range damage {
		p := filepath.Join(dir, name)
		if content == nil {
			_ = os.Remove(p)
		} else if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// expectError runs denote and checks the exit status, an empty stdout and one line on stderr
// holding every wanted fragment.
func expectError(t *testing.T, args []string, code int, want ...string) {
	t.Helper()
	got, out, errs := runCLI(t, args...)
	ok := got == code && out == "" && strings.Count(strings.TrimRight(errs, "\n"), "\n") == 0 && strings.HasSuffix(errs, "\n")
	for _, w := range want {
		ok = ok && strings.Contains(errs, w)
	}
	if !ok {
		t.Errorf("denote %s:\n exit %d (want %d), stdout %q\n stderr %q\n want one line containing %q",
			strings.Join(args, " "), got, code, out, errs, want)
	}
}

// trainTiny trains a small MNIST model into a new folder and returns the folder.
func trainTiny(t *testing.T) string {
	t.Helper()
	return trainCLI(t, "--data-dir", miniMNIST(t), "--hidden", "8", "--epochs", "1", "--batch", "64", "--train-limit", "300")
}

// TestBadDataEveryCommand gives every command that reads a data set a damaged data folder: each
// must exit 1 with one line naming the file (or folder) and the problem, and write nothing to stdout.
func TestBadDataEveryCommand(t *testing.T) {
	bundledDataFreshCache(t) // reproduce sets DENOTATION_DATA_DIR; restored at the end
	good := trainTiny(t)
	npz := filepath.Join(t.TempDir(), "a.npz")
	lbl20 := make([]byte, 20)
	lbl20[3] = 10
	folders := []struct {
		name string
		dir  string
		want []string
	}{
		{"missing folder", filepath.Join(t.TempDir(), "nowhere"), []string{"nowhere", "does not exist"}},
		{"empty folder", t.TempDir(), []string{"missing train-images-idx3-ubyte"}},
		{"missing test labels", tinySet(t, map[string][]byte{"t10k-labels-idx1-ubyte.gz": nil}), []string{"missing t10k-labels-idx1-ubyte"}},
		{"wrong magic", tinySet(t, map[string][]byte{"train-images-idx3-ubyte": []byte("PK\x03\x04 a zip file, not IDX")}), []string{"train-images-idx3-ubyte", "not an IDX file"}},
		{"wrong type", tinySet(t, map[string][]byte{"train-images-idx3-ubyte": append([]byte{0, 0, 0x0d, 3}, make([]byte, 12)...)}), []string{"train-images-idx3-ubyte", "type code 0x0d"}},
		{"empty file", tinySet(t, map[string][]byte{"t10k-images-idx3-ubyte": {}}), []string{"t10k-images-idx3-ubyte", "truncated"}},
		{"truncated", tinySet(t, map[string][]byte{"t10k-images-idx3-ubyte": idxtest.File([]uint32{10, 2, 3}, make([]byte, 59))}), []string{"t10k-images-idx3-ubyte", "truncated", "file holds 59"}},
		{"count mismatch", tinySet(t, map[string][]byte{"train-labels-idx1-ubyte.gz": nil, "train-labels-idx1-ubyte": idxtest.File([]uint32{19}, make([]byte, 19))}), []string{"train-labels-idx1-ubyte", "19 labels but train-images-idx3-ubyte holds 20 images"}},
		{"label out of range", tinySet(t, map[string][]byte{"train-labels-idx1-ubyte.gz": nil, "train-labels-idx1-ubyte": idxtest.File([]uint32{20}, lbl20)}), []string{"train-labels-idx1-ubyte", "label 10 of sample 3 is out of range"}},
	}
	for _, f := range folders {
		t.Run(f.name, func(t *testing.T) {
			for _, args := range [][]string{
				{"data", "--data-dir", f.dir},
				{"train", "--data-dir", f.dir, "--hidden", "4", "--epochs", "1"},
				{"activations", "--model", good, "--data-dir", f.dir, "--out", npz},
				{"observe", "--model", good, "--data-dir", f.dir},
				{"reproduce", "--data-dir", f.dir, "--quick", "--out", t.TempDir()},
			} {
				expectError(t, args, 1, f.want...)
			}
		})
	}
	if _, err := os.Stat(npz); err == nil {
		t.Error("activations wrote a file from bad data")
	}
	// A valid data set of another shape than the model's.
	other := tinySet(t, nil)
	expectError(t, []string{"observe", "--model", good, "--data-dir", other}, 1, "takes 784 features", "has 6")
	expectError(t, []string{"activations", "--model", good, "--data-dir", other, "--out", npz}, 1, "takes 784 features", "has 6")
}

// damageModel copies the model folder src to a new folder and rewrites its model.bin with edit
// applied to the weights of layer 1 (keeping the checksum right, as a saved model would have).
func damageModel(t *testing.T, src string, edit func(w1 []byte)) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(src, "model.bin"))
	if err != nil {
		t.Fatal(err)
	}
	raw = raw[:len(raw)-sha256.Size]
	magic := bytes.IndexByte(raw, '\n') + 1
	hlen := int(binary.LittleEndian.Uint64(raw[magic:]))
	edit(raw[magic+8+hlen:])
	sum := sha256.Sum256(raw)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "model.bin"), append(raw, sum[:]...), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBadModelAndParameters checks bad model folders, non-finite activations and bad flag values
// across train, activations, observe and reproduce.
func TestBadModelAndParameters(t *testing.T) {
	t.Setenv("DENOTATION_DATA_DIR", "")
	cache := t.TempDir()
	t.Setenv("DENOTATION_CACHE", cache)
	data := miniMNIST(t)
	good := trainTiny(t)
	npz := filepath.Join(t.TempDir(), "a.npz")

	raw, err := os.ReadFile(filepath.Join(good, "model.bin"))
	if err != nil {
		t.Fatal(err)
	}
	truncated := t.TempDir()
	if err := os.WriteFile(filepath.Join(truncated, "model.bin"), raw[:len(raw)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	// Neuron 3 of layer 1 gets weights of 3e38 (finite) from every pixel: its value overflows to +Inf.
	overflow := damageModel(t, good, func(w1 []byte) {
		for i := range 784 {
			binary.LittleEndian.PutUint32(w1[4*(i*8+3):], math.Float32bits(3e38))
		}
	})
	// A NaN weight is refused when the model is loaded.
	nan := damageModel(t, good, func(w1 []byte) { binary.LittleEndian.PutUint32(w1[4*17:], 0x7fc00000) })
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tiny := []string{"--data-dir", data, "--hidden", "8", "--epochs", "1", "--train-limit", "300"}
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"observe", "--model", filepath.Join(t.TempDir(), "missing")}, 1, []string{"no model at", "missing", "denote train"}},
		{[]string{"observe", "--model", t.TempDir()}, 1, []string{"model.bin is missing", "denote train"}},
		{[]string{"activations", "--model", t.TempDir(), "--out", npz}, 1, []string{"model.bin is missing", "denote train"}},
		{[]string{"observe", "--model", truncated}, 1, []string{truncated, "not a valid model file", "checksum"}},
		{[]string{"activations", "--model", truncated, "--out", npz}, 1, []string{truncated, "not a valid model file"}},
		{[]string{"activations", "--model", nan, "--out", npz}, 1, []string{"tensor W1 value 17 is NaN"}},
		{[]string{"observe", "--model", nan}, 1, []string{"tensor W1 value 17 is NaN"}},
		{[]string{"activations", "--model", overflow, "--data-dir", data, "--limit", "20", "--out", npz}, 1, []string{"layer 1 neuron 3 sample 0: post-activation value is +Inf"}},
		{[]string{"observe", "--model", overflow, "--data-dir", data, "--train-limit", "200", "--test-limit", "100", "--property", "even"}, 1, []string{"layer 1 neuron 3 sample 0: post-activation value is +Inf"}},
		{[]string{"activations", "--model", good, "--limit", "-1", "--out", npz}, 2, []string{"--limit -1"}},
		{[]string{"activations", "--model", good, "--out", "a.csv"}, 2, []string{"ending in .npz"}},
		{[]string{"observe", "--model", good, "--layer", "0"}, 2, []string{`--layer "0"`, "1…1"}},
		{[]string{"observe", "--model", good, "--layer", "1,x"}, 2, []string{`--layer "1,x"`}},
		{[]string{"observe", "--model", good, "--train-limit", "-1"}, 2, []string{"--train-limit"}},
		{[]string{"observe", "--model", good, "--control-repeats", "0"}, 2, []string{"--control-repeats 0"}},
		{[]string{"observe", "--model", good, "--data-dir", data, "--property", ""}, 2, []string{"--property", "empty spec"}},
		{[]string{"observe", "--model", good, "--data-dir", data, "--property", "even;{0,0}"}, 2, []string{"--property", "listed twice"}},
		// observer.Options takes 0 as "use the default": the CLI refuses it rather than run with another value.
		{[]string{"observe", "--model", good, "--c", "0"}, 2, []string{"--c 0"}},
		{[]string{"observe", "--model", good, "--c", "NaN"}, 2, []string{"--c NaN"}},
		{[]string{"observe", "--model", good, "--penalty", "elasticnet", "--l1-ratio", "0"}, 2, []string{"--l1-ratio 0", "--penalty l2"}},
		{[]string{"observe", "--model", good, "--tol", "0"}, 2, []string{"--tol 0"}},
		{[]string{"observe", "--model", good, "--observer", "mlp", "--hidden", "0"}, 2, []string{"--hidden 0"}},
		{[]string{"train", "--epochs", "-1"}, 2, []string{"-1 epochs"}},
		{[]string{"train", "--batch", "0"}, 2, []string{"batch size 0"}},
		{[]string{"train", "--lr", "NaN"}, 2, []string{"learning rate NaN"}},
		{[]string{"train", "--lr", "-0.1"}, 2, []string{"learning rate -0.1"}},
		{[]string{"train", "--lr", "+Inf"}, 2, []string{"learning rate +Inf"}},
		{[]string{"train", "--hidden", ""}, 2, []string{"empty list of hidden widths"}},
		{[]string{"train", "--hidden", "8,x"}, 2, []string{`"x" is not an integer`}},
		{[]string{"train", "--hidden", "0"}, 2, []string{"hidden width 0"}},
		{[]string{"train", "--weight-decay", "-1"}, 2, []string{"weight decay -1"}},
		{[]string{"train", "--lr-schedule", "step"}, 2, []string{`unknown learning-rate schedule "step"`}},
		{[]string{"train", "--train-limit", "-3"}, 2, []string{"--train-limit -3"}},
		{append([]string{"train", "--lr", "1e30"}, tiny...), 1, []string{"training diverged in epoch 1", "smaller learning rate"}},
		{append([]string{"train", "--cache", notDir}, tiny...), 1, []string{"run cache " + notDir + " is not writable", "--cache"}},
		{append([]string{"train", "--no-cache", "--out", filepath.Join(notDir, "m")}, tiny...), 1, []string{"checkpoint folder is not writable", "--out"}},
		{[]string{"reproduce", "--only", "F1,F9", "--out", t.TempDir()}, 2, []string{`unknown finding "F9"`}},
		{[]string{"reproduce", "--dataset", "cifar", "--out", t.TempDir()}, 1, []string{`unknown dataset "cifar"`}},
	} {
		expectError(t, c.args, c.code, c.want...)
	}
	if _, err := os.Stat(npz); err == nil {
		t.Error("activations wrote a file from a bad model")
	}
}

// TestNoConvergenceWarning checks that a run that trains without error but learns nothing (a
// learning rate too large for Adam, short of making the loss NaN) says so on stderr, and that a
// sane run does not.
func TestNoConvergenceWarning(t *testing.T) {
	t.Setenv("DENOTATION_CACHE", t.TempDir())
	base := []string{"train", "--data-dir", miniMNIST(t), "--hidden", "16", "--epochs", "2", "--train-limit", "1000", "--json"}
	code, out, errs := runCLI(t, append(base, "--lr", "1e9")...)
	if code != 0 || out == "" || !strings.Contains(errs, "warning: training did not converge") || !strings.Contains(errs, "smaller learning rate than --lr 1e+09") {
		t.Errorf("learning rate 1e9: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCLI(t, base...); code != 0 || errs != "" {
		t.Errorf("default learning rate: exit %d, stderr %q", code, errs)
	}
}
