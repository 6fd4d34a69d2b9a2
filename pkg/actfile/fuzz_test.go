package actfile

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzReadNPZ feeds arbitrary bytes to ReadNPZ: it must return a one-line error naming the file,
// or a File that satisfies every documented invariant and that WriteNPZ writes back to the same
// File. Seeds: the NumPy fixtures and testdata/fuzz/FuzzReadNPZ (see testdata/mkcorpus.go).
func FuzzReadNPZ(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.npz")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := ReadNPZ(bytes.NewReader(b), int64(len(b)), "f.npz")
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "f.npz: ") {
				t.Fatalf("error is not one line naming the file: %q", msg)
			}
			if file != nil {
				t.Fatal("a File with an error")
			}
			return
		}
		checkInvariants(t, file)
		var w bytes.Buffer
		for _, compress := range []bool{false, true} {
			w.Reset()
			if err := WriteNPZ(&w, file, compress); err != nil {
				t.Fatalf("writing back what was read: %v", err)
			}
			again, err := ReadNPZ(bytes.NewReader(w.Bytes()), int64(w.Len()), "f.npz")
			if err != nil {
				t.Fatalf("reading back what was written: %v", err)
			}
			if !reflect.DeepEqual(again, file) {
				t.Fatalf("round trip changed the file:\n%+v\n%+v", file, again)
			}
		}
	})
}

// checkInvariants verifies what ReadNPZ promises of a File it returns.
func checkInvariants(t *testing.T, f *File) {
	t.Helper()
	if f.N < 1 || len(f.Labels) != f.N || len(f.Layers) == 0 {
		t.Fatalf("N %d, %d labels, %d layers", f.N, len(f.Labels), len(f.Layers))
	}
	if f.NumClasses < 1 || f.NumClasses > MaxClasses || (f.ClassNames != nil && len(f.ClassNames) != f.NumClasses) {
		t.Fatalf("K %d with %d class names", f.NumClasses, len(f.ClassNames))
	}
	for _, y := range f.Labels {
		if y < 0 || y >= f.NumClasses {
			t.Fatalf("label %d outside [0,%d)", y, f.NumClasses)
		}
	}
	if f.Split != nil && len(f.Split) != f.N {
		t.Fatalf("%d split entries for %d samples", len(f.Split), f.N)
	}
	for _, s := range f.Split {
		if s != Train && s != Test {
			t.Fatalf("split %q", s)
		}
	}
	for k, l := range f.Layers {
		if l.Number != k+1 || l.Width < 1 || product(l.Shape) != l.Width || len(l.Post) != f.N*l.Width || (l.Pre != nil && len(l.Pre) != len(l.Post)) {
			t.Fatalf("layer %d: number %d shape %v width %d, %d values", k, l.Number, l.Shape, l.Width, len(l.Post))
		}
		for _, vs := range [][]float32{l.Post, l.Pre} {
			for _, v := range vs {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("layer %d holds %v", l.Number, v)
				}
			}
		}
	}
}
