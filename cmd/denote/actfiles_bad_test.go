package main

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/denotation-go/denotation/pkg/actfile"
)

// npzEntries reads every entry of a .npz file into memory.
func npzEntries(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// writeEntries writes entries as a .npz file (sorted names, stored) and returns its path.
func writeEntries(t *testing.T, dir, name string, entries map[string][]byte) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(entries[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestActivationsMalformedCLI gives scan, observe and depth every kind of malformed activations
// file: each exits 1 with one line naming the file and the problem, and writes nothing to stdout.
// Fortran-ordered and big-endian arrays are read (exit 0).
func TestActivationsMalformedCLI(t *testing.T) {
	dir := t.TempDir()
	fix := filepath.Join("..", "..", "pkg", "actfile", "testdata")
	// A valid base file: 30 samples of 3 classes, layers of widths 4 and 2.
	base := &actfile.File{Set: actfile.Set{N: 30, Labels: make([]int, 30)}, Split: make([]string, 30)}
	for i := range base.Labels {
		base.Labels[i] = i % 3
		base.Split[i] = []string{"train", "test"}[i%2]
	}
	for l, w := range []int{4, 2} {
		layer := actfile.Layer{Number: l + 1, Shape: []int{w}, Width: w, Post: make([]float32, 30*w)}
		for i := range layer.Post {
			layer.Post[i] = float32((i*7)%11) / 3
		}
		base.Layers = append(base.Layers, layer)
	}
	var b bytes.Buffer
	if err := actfile.WriteNPZ(&b, base, false); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.npz")
	if err := os.WriteFile(good, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	one := *base
	one.Split = nil
	var b1 bytes.Buffer
	if err := actfile.WriteNPZ(&b1, &one, true); err != nil {
		t.Fatal(err)
	}
	goodTrain := filepath.Join(dir, "good-train.npz")
	if err := os.WriteFile(goodTrain, b1.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	edit := func(name string, f func(e map[string][]byte)) string {
		e := npzEntries(t, good)
		f(e)
		return writeEntries(t, dir, name, e)
	}
	small := npzEntries(t, filepath.Join(fix, "numpy-savez.npz")) // 7 samples
	raw := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		path string
		want string
	}{
		{filepath.Join(dir, "missing.npz"), "no such file"},
		{dir, "is a folder"},
		{raw("empty.npz", nil), "empty file"},
		{raw("text.npz", []byte("labels,layer_1\n0,1.5\n")), "not a readable .npz (zip) archive"},
		{raw("truncated.npz", b.Bytes()[:b.Len()*2/3]), "not a readable .npz (zip) archive"},
		{filepath.Join(fix, "bad-single.npy"), "a single .npy array"},
		{filepath.Join(fix, "bad-nan.npz"), "layer_2: value NaN at [5, 1]"},
		{filepath.Join(fix, "bad-inf.npz"), "layer_1: value +Inf at [2, 4]"},
		{filepath.Join(fix, "bad-object.npz"), "Python objects"},
		{filepath.Join(fix, "bad-complex.npz"), "(complex): want float32 or float64"},
		{filepath.Join(fix, "bad-int-layer.npz"), "(int64): want float32 or float64"},
		{filepath.Join(fix, "bad-float-labels.npz"), "labels: dtype <f8 (float64): want integers"},
		{filepath.Join(fix, "bad-positional.npz"), "name them"},
		{edit("nolabels.npz", func(e map[string][]byte) { delete(e, "labels.npy") }), "no labels array"},
		{edit("misnamed.npz", func(e map[string][]byte) { e["Layer_2.npy"] = e["layer_2.npy"]; delete(e, "layer_2.npy") }), `unknown array "Layer_2"`},
		{edit("gap.npz", func(e map[string][]byte) { e["layer_3.npy"] = e["layer_2.npy"]; delete(e, "layer_2.npy") }), "no array layer_2"},
		{edit("mismatched.npz", func(e map[string][]byte) { e["layer_2.npy"] = small["layer_2.npy"] }), "layer_2: shape (7, 3) has 7 rows, labels has 30 samples"},
		{edit("negative.npz", func(e map[string][]byte) {
			l := e["labels.npy"]
			binary.LittleEndian.PutUint64(l[len(l)-8:], ^uint64(0))
		}), "label -1 of sample 29 is negative"},
		{edit("beyond.npz", func(e map[string][]byte) { e["class_names.npy"] = small["layer_1.npy"] }), "class_names has shape (7, 5)"},
		{edit("badsplit.npz", func(e map[string][]byte) { e["split.npy"] = small["labels.npy"] }), "split: shape (7,): want (30,)"},
		{edit("cut.npz", func(e map[string][]byte) { e["layer_1.npy"] = e["layer_1.npy"][:200] }), "layer_1: truncated"},
	}
	// A damaged checksum: flip a byte inside layer_1's data of the stored archive.
	crc := bytes.Clone(b.Bytes())
	i := bytes.Index(crc, []byte("layer_1.npy")) + len("layer_1.npy") + 128 + 8
	crc[i] ^= 0x20
	cases = append(cases, struct{ path, want string }{raw("crc.npz", crc), "damaged archive entry"})
	for _, c := range cases {
		for _, args := range [][]string{
			{"scan", "--activations", c.path},
			{"observe", "--activations", c.path, "--property", "0"},
			{"observe", "--train-activations", goodTrain, "--test-activations", c.path, "--property", "0"},
			{"depth", "--activations", good + "," + c.path, "--bootstrap", "0"},
		} {
			expectError(t, args, 1, c.want)
		}
	}
	// Fortran order, big-endian, feature maps (NumPy's own file): read, exit 0.
	layouts := filepath.Join(fix, "numpy-layouts.npz")
	for _, args := range [][]string{
		{"scan", "--activations", layouts, "--split", "test", "--tau", "0.6"},
		{"observe", "--activations", layouts, "--property", "0", "--observer", "neuron"},
		{"depth", "--activations", layouts + "," + filepath.Join(fix, "numpy-savez.npz"), "--tau", "0.6", "--bootstrap", "0"},
	} {
		if code, _, errs := runCLI(t, args...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
}
