package hidden

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sbinet/npyio/npz"
)

// random returns activations of n samples of k classes with two layers of the given widths,
// pre-activation values recorded on both.
func random(n, k int, widths ...int) *Activations {
	r := rand.New(rand.NewPCG(1, 2))
	a := &Activations{N: n, NumClasses: k}
	for range n {
		a.Labels = append(a.Labels, r.IntN(k))
	}
	for l, w := range widths {
		la := LayerActivations{Layer: l + 1, Depth: len(widths), Width: w}
		for range n * w {
			p := float32(r.NormFloat64())
			la.Pre = append(la.Pre, p)
			la.Post = append(la.Post, max(0, p))
		}
		a.Layers = append(a.Layers, la)
	}
	return a
}

func TestSaveNPZ(t *testing.T) {
	a := random(37, 4, 16, 12)
	path := filepath.Join(t.TempDir(), "sub", "acts.npz")
	if err := a.SaveNPZ(path); err != nil {
		t.Fatal(err)
	}
	r, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	keys := r.Keys()
	slices.Sort(keys)
	want := []string{"labels.npy", "layer_1.npy", "layer_2.npy", "preact_1.npy", "preact_2.npy"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	if h := r.Header("layer_2.npy"); h.Descr.Type != "<f4" || !slices.Equal(h.Descr.Shape, []int{37, 12}) {
		t.Errorf("layer_2 header %v", h)
	}
	if h := r.Header("labels.npy"); h.Descr.Type != "<i8" || !slices.Equal(h.Descr.Shape, []int{37}) {
		t.Errorf("labels header %v", h)
	}
	var post []float32
	if err := r.Read("layer_2.npy", &post); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(post, a.Layers[1].Post) {
		t.Error("layer_2 read back differs")
	}
	var pre []float32
	if err := r.Read("preact_1.npy", &pre); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pre, a.Layers[0].Pre) {
		t.Error("preact_1 read back differs")
	}
	var labels []int64
	if err := r.Read("labels.npy", &labels); err != nil {
		t.Fatal(err)
	}
	for i, y := range labels {
		if int(y) != a.Labels[i] {
			t.Fatalf("label %d: %d, want %d", i, y, a.Labels[i])
		}
	}

	// NumPy itself reads it, when available.
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err == nil {
		script := `import sys, numpy as np
z = np.load(sys.argv[1])
print(sorted(z.files), z["layer_1"].shape, z["layer_1"].dtype, z["preact_2"].shape, z["labels"].dtype, z["labels"][:3].tolist(), float(z["layer_2"][5, 7]))`
		out, err := exec.Command(py, "-c", script, path).CombinedOutput()
		if err != nil && strings.Contains(string(out), "No module named 'numpy'") {
			t.Log("numpy not installed: skipping the NumPy check")
		} else if err != nil {
			t.Fatalf("numpy: %v: %s", err, out)
		} else {
			t.Logf("numpy: %s", out)
			if !strings.Contains(string(out), "['labels', 'layer_1', 'layer_2', 'preact_1', 'preact_2'] (37, 16) float32 (37, 12) int64") {
				t.Errorf("numpy read %s", out)
			}
		}
	}
	a.N, a.Labels = 0, nil
	for i := range a.Layers {
		a.Layers[i].Post, a.Layers[i].Pre = nil, nil
	}
	if err := a.SaveNPZ(filepath.Join(t.TempDir(), "empty.npz")); err == nil {
		t.Error("empty activations written")
	}

	// Activations that do not validate are refused, and nothing carries the final name.
	b := random(5, 2, 3)
	b.Layers[0].Post[4] = float32(math.NaN())
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.npz")
	if err := b.SaveNPZ(bad); err == nil || !strings.Contains(err.Error(), "layer 1 neuron 1 sample 1") {
		t.Errorf("SaveNPZ of a NaN: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left after a refused write: %v", left)
	}
}
