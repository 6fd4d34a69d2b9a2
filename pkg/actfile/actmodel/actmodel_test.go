package actmodel

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/pkg/actfile"
	"github.com/denotation-go/denotation/pkg/hidden"
)

// write saves a File with the given labels and layer widths (values i+j) and returns its path.
func write(t *testing.T, name string, labels []int, widths []int, names, split []string) string {
	t.Helper()
	f := &actfile.File{Set: actfile.Set{N: len(labels), Labels: labels}, ClassNames: names, Split: split}
	for l, w := range widths {
		layer := actfile.Layer{Number: l + 1, Shape: []int{w}, Width: w, Post: make([]float32, len(labels)*w)}
		for i := range layer.Post {
			layer.Post[i] = float32(i)
		}
		f.Layers = append(f.Layers, layer)
	}
	var b bytes.Buffer
	if err := actfile.WriteNPZ(&b, f, false); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	tr := write(t, "tr.npz", []int{0, 1, 2, 0}, []int{3, 2}, nil, nil)
	te := write(t, "te.npz", []int{1, 0, 1}, []int{3, 2}, nil, nil)
	n, err := Load("", tr, te)
	if err != nil {
		t.Fatal(err)
	}
	if n.NumClasses != 3 || n.Train.N != 4 || n.Test.N != 3 || n.Whole != nil || !slices.Equal(n.Names(), []string{"0", "1", "2"}) ||
		n.Architecture() != "hidden 3-2 (from "+tr+" + "+te+")" {
		t.Errorf("network %+v, %s", n, n.Architecture())
	}
	a := Activations(n.Test, n.NumClasses)
	if err := a.Validate(); err != nil || a.N != 3 || a.Layers[1].Depth != 2 || a.Layers[1].Width != 2 || a.NumClasses != 3 {
		t.Errorf("activations %+v: %v", a, err)
	}
	ds := n.Dataset("x")
	sub := ds.Subset(2, 0, 1)
	rows := Rows(n.Train, sub.Train)
	if sub.Train.Len() != 2 || rows.N != 2 || !slices.Equal(rows.Labels, sub.Train.Labels) {
		t.Errorf("subset %v → rows %v", sub.Train.Labels, rows.Labels)
	}
	if v, err := n.Vocabulary(""); err != nil || v.K() != 3 {
		t.Errorf("vocabulary %v %v", v, err)
	}
	if _, err := n.Vocabulary("mnist"); err == nil || !strings.Contains(err.Error(), "mnist has 10 classes") {
		t.Errorf("mnist vocabulary for 3 classes: %v", err)
	}

	one := write(t, "one.npz", []int{0, 1, 1, 0}, []int{2}, []string{"a", "b"}, []string{"train", "test", "train", "test"})
	n, err = Load(one, "", "")
	if err != nil || n.Train.N != 2 || n.Test.N != 2 || !slices.Equal(n.Names(), []string{"a", "b"}) {
		t.Fatalf("split file: %+v %v", n, err)
	}
	n, err = Load(tr, "", "")
	if err != nil || n.Whole == nil || n.Train != nil || n.Whole.N != 4 {
		t.Fatalf("file without split: %+v %v", n, err)
	}

	other := write(t, "other.npz", []int{1, 0}, []int{3, 4}, nil, nil)
	named := write(t, "named.npz", []int{1, 0}, []int{3, 2}, []string{"p", "q"}, nil)
	named2 := write(t, "named2.npz", []int{1, 0}, []int{3, 2}, []string{"p", "r"}, nil)
	for _, c := range []struct {
		all, train, test string
		want             string
	}{
		{one, tr, "", "not both"},
		{"", "", "", "no activations file"},
		{"", one, te, "has a split array"},
		{"", tr, other, "layer_2 has 2 neurons against 4"},
		{"", named, named2, "name the classes differently"},
		{"", tr, named, "has label 2, beyond the 2 class_names"},
		{"", filepath.Join(t.TempDir(), "none.npz"), "", "no such file"},
	} {
		if _, err := Load(c.all, c.train, c.test); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Load(%q, %q, %q): %v; want %q", c.all, c.train, c.test, err, c.want)
		}
	}
}

// TestExampleFile checks the example file notebook 07 analyses (written by scripts/mkexample):
// a network of two layers, 2,000 training and 2,000 test samples of all ten digits.
func TestExampleFile(t *testing.T) {
	n, err := Load(filepath.Join("..", "..", "..", "notebooks", "data", "mnist-mlp-activations.npz"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if n.NumClasses != 10 || n.Train.N != 2000 || n.Test.N != 2000 || !slices.Equal(n.Test.Widths(), []int{32, 16}) ||
		!slices.Equal(n.Names(), []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
		t.Errorf("example file: %s, K = %d, %d/%d samples", n.Architecture(), n.NumClasses, n.Train.N, n.Test.N)
	}
	for _, s := range []*actfile.Set{n.Train, n.Test} {
		seen := map[int]bool{}
		for _, y := range s.Labels {
			seen[y] = true
		}
		if len(seen) != 10 {
			t.Errorf("%d classes among the samples", len(seen))
		}
	}
}

func TestJoinSplits(t *testing.T) {
	mk := func(n, w int, v float32) *hidden.Activations {
		a := &hidden.Activations{N: n, NumClasses: 2, Labels: make([]int, n)}
		post := make([]float32, n*w)
		for i := range post {
			post[i] = v
		}
		for i := range a.Labels {
			a.Labels[i] = i % 2
		}
		a.Layers = []hidden.LayerActivations{{Layer: 1, Depth: 1, Width: w, Post: post}}
		return a
	}
	f, err := JoinSplits(mk(4, 3, 1), mk(2, 3, 2), []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if f.N != 6 || len(f.Split) != 6 || f.Split[3] != actfile.Train || f.Split[4] != actfile.Test || f.Layers[0].Post[4*3] != 2 || len(f.Layers[0].Post) != 18 {
		t.Fatalf("joined file %+v", f)
	}
	tr, err := f.Part(actfile.Train)
	if err != nil || tr.N != 4 {
		t.Fatalf("training part %+v, %v", tr, err)
	}
	if _, err := JoinSplits(mk(4, 3, 1), mk(2, 5, 2), nil); err == nil {
		t.Fatal("layers of different widths joined")
	}
}
