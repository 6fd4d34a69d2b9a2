package model

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sbinet/npyio/npz"
)

func TestSaveNPZ(t *testing.T) {
	ds := synthetic(100, 37, 3, 4, 4, 10)
	m, err := NewUntrained(small(), 16, 3)
	if err != nil {
		t.Fatal(err)
	}
	a, err := m.Activations(ds.Test)
	if err != nil {
		t.Fatal(err)
	}
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
		if int(y) != ds.Test.Labels[i] {
			t.Fatalf("label %d: %d, want %d", i, y, ds.Test.Labels[i])
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
}
