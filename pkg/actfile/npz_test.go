package actfile

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/internal/native"
)

// The formulas of testdata/mkfixtures.py.
func fixL1(i, j int) float32 { return float32(float64(5*i+j)/4 - 3) }
func fixL2(i, j int) float32 { return float32(float64(i+1) / float64(j+3)) }

func checkFixtureLayers(t *testing.T, f *File) {
	t.Helper()
	if f.N != 7 || len(f.Labels) != 7 {
		t.Fatalf("N = %d, %d labels; want 7", f.N, len(f.Labels))
	}
	for i, y := range f.Labels {
		if y != i%3 {
			t.Fatalf("label %d = %d, want %d", i, y, i%3)
		}
	}
	if f.NumClasses != 3 {
		t.Errorf("K = %d, want 3", f.NumClasses)
	}
	if len(f.Layers) < 2 || f.Layers[0].Width != 5 || f.Layers[1].Width != 3 || f.Layers[0].Number != 1 || f.Layers[1].Number != 2 {
		t.Fatalf("layers %+v", f.Widths())
	}
	for i := range 7 {
		for j := range 5 {
			if got, want := f.Layers[0].Post[i*5+j], fixL1(i, j); got != want {
				t.Fatalf("layer_1[%d,%d] = %v, want %v", i, j, got, want)
			}
		}
		for j := range 3 {
			if got, want := f.Layers[1].Post[i*3+j], fixL2(i, j); got != want {
				t.Fatalf("layer_2[%d,%d] = %v, want %v", i, j, got, want)
			}
		}
	}
}

func TestNumPyFixtures(t *testing.T) {
	f, err := Open("testdata/numpy-savez.npz")
	if err != nil {
		t.Fatal(err)
	}
	checkFixtureLayers(t, f)
	if len(f.Layers) != 2 || f.ClassNames != nil || f.Split != nil || f.HasPre() {
		t.Errorf("numpy-savez: %d layers, names %v, split %v, pre %v", len(f.Layers), f.ClassNames, f.Split, f.HasPre())
	}

	f, err = Open("testdata/numpy-savez-compressed.npz")
	if err != nil {
		t.Fatal(err)
	}
	checkFixtureLayers(t, f)
	if !slices.Equal(f.ClassNames, []string{"zero", "one", "two"}) {
		t.Errorf("class names %q", f.ClassNames)
	}
	wantSplit := []string{"train", "train", "train", "train", "test", "test", "test"}
	if !slices.Equal(f.Split, wantSplit) {
		t.Errorf("split %v", f.Split)
	}
	te, err := f.Part(Test)
	if err != nil {
		t.Fatal(err)
	}
	if te.N != 3 || !slices.Equal(te.Labels, []int{1, 2, 0}) || te.Layers[0].Post[0] != fixL1(4, 0) || te.Layers[1].Post[3*2+2] != fixL2(6, 2) {
		t.Errorf("test part: %d samples, labels %v", te.N, te.Labels)
	}

	// Fortran order, big-endian, a feature map, pre-activations, a bool split.
	f, err = Open("testdata/numpy-layouts.npz")
	if err != nil {
		t.Fatal(err)
	}
	checkFixtureLayers(t, f)
	if len(f.Layers) != 3 || f.Layers[0].Pre == nil || f.Layers[1].Pre != nil {
		t.Fatalf("layouts: %d layers", len(f.Layers))
	}
	for k, v := range f.Layers[0].Pre {
		if want := fixL1(k/5, k%5) - 1; v != want {
			t.Fatalf("preact_1 flat %d = %v, want %v", k, v, want)
		}
	}
	l3 := f.Layers[2]
	if !slices.Equal(l3.Shape, []int{2, 2, 2}) || l3.Width != 8 {
		t.Fatalf("layer_3 shape %v width %d", l3.Shape, l3.Width)
	}
	for k, v := range l3.Post { // np.arange(N*8).reshape(N,2,2,2)/8 flattened in C order
		if v != float32(k)/8 {
			t.Fatalf("layer_3 flat %d = %v, want %v", k, v, float32(k)/8)
		}
	}
	if !slices.Equal(f.Split, wantSplit) {
		t.Errorf("bool split %v", f.Split)
	}
}

func TestNumPyMalformed(t *testing.T) {
	for file, want := range map[string]string{
		"bad-object.npz":       "Python objects",
		"bad-complex.npz":      "complex",
		"bad-int-layer.npz":    "layer_1: dtype <i8 (int64): want float32 or float64",
		"bad-float-labels.npz": "labels: dtype <f8 (float64): want integers",
		"bad-nan.npz":          "layer_2: value NaN at [5, 1]",
		"bad-inf.npz":          "layer_1: value +Inf at [2, 4]",
		"bad-positional.npz":   "name them",
		"bad-single.npy":       "a single .npy array",
	} {
		_, err := Open(filepath.Join("testdata", file))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), filepath.Join("testdata", file)+": ") ||
			strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v; want one line with %q", file, err, want)
		}
	}
}

// entry is a raw archive entry for the malformed-input tests.
type entry struct {
	name string
	data []byte
}

func npy(descr string, fortran bool, shape []int, data []byte) []byte {
	var b bytes.Buffer
	writeHeader(&b, descr, shape)
	out := b.Bytes()
	if fortran {
		out = bytes.Replace(out, []byte("False"), []byte("True "), 1)
	}
	return append(out, data...)
}

func le[T any](vals ...T) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, vals)
	return b.Bytes()
}

func zipOf(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	goodLabels = entry{"labels.npy", npy("<i8", false, []int{3}, le[int64](0, 1, 1))}
	goodLayer1 = entry{"layer_1.npy", npy("<f4", false, []int{3, 2}, le[float32](1, 2, 3, 4, 5, 6))}
)

func read(b []byte) (*File, error) { return ReadNPZ(bytes.NewReader(b), int64(len(b)), "x.npz") }

func TestMalformed(t *testing.T) {
	good := zipOf(t, goodLabels, goodLayer1)
	if f, err := read(good); err != nil || f.N != 3 || f.Layers[0].Post[5] != 6 || f.NumClasses != 2 {
		t.Fatalf("the valid base file: %v", err)
	}
	stored := zipOf(t, goodLabels, goodLayer1)
	crc := slices.Clone(stored)
	// Flip one byte of layer_1's data (its last value, just before the second local file header
	// ends): the archive's CRC-32 catches it.
	idx := bytes.Index(crc, le[float32](6))
	crc[idx] ^= 0x40
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"not zip", []byte("hello, this is not an archive at all"), "not a readable .npz (zip) archive"},
		{"truncated archive", good[:len(good)/2], "not a readable .npz (zip) archive"},
		{"bad checksum", crc, "damaged archive entry"},
		{"no labels", zipOf(t, goodLayer1), "no labels array"},
		{"no layers", zipOf(t, goodLabels), "no layer_ℓ arrays"},
		{"misnamed layer1", zipOf(t, goodLabels, goodLayer1, entry{"layer1.npy", goodLayer1.data}), `unknown array "layer1"`},
		{"layer_0", zipOf(t, goodLabels, entry{"layer_0.npy", goodLayer1.data}), `array "layer_0": layers are numbered 1, 2`},
		{"layer_01", zipOf(t, goodLabels, entry{"layer_01.npy", goodLayer1.data}), `array "layer_01": layers are numbered`},
		{"gap", zipOf(t, goodLabels, goodLayer1, entry{"layer_3.npy", goodLayer1.data}), "no array layer_2, but there is a layer_3"},
		{"positional", zipOf(t, entry{"arr_0.npy", goodLabels.data}), "name them"},
		{"not npy entry", zipOf(t, goodLabels, goodLayer1, entry{"notes.txt", []byte("hi")}), `archive entry "notes.txt" is not a .npy array`},
		{"folder entry", zipOf(t, goodLabels, entry{"sub/layer_1.npy", goodLayer1.data}), "is not a .npy array"},
		{"twice", zipOf(t, goodLabels, goodLayer1, goodLayer1), "array layer_1 appears twice"},
		{"mismatched N", zipOf(t, goodLabels, entry{"layer_1.npy", npy("<f4", false, []int{2, 3}, le[float32](1, 2, 3, 4, 5, 6))}),
			"layer_1: shape (2, 3) has 2 rows, labels has 3 samples"},
		{"1-D layer", zipOf(t, goodLabels, entry{"layer_1.npy", npy("<f4", false, []int{3}, le[float32](1, 2, 3))}), "layer_1: shape (3,): want (N, width)"},
		{"zero width", zipOf(t, goodLabels, entry{"layer_1.npy", npy("<f4", false, []int{3, 0}, nil)}), "no neurons"},
		{"2-D labels", zipOf(t, entry{"labels.npy", npy("<i8", false, []int{3, 1}, le[int64](0, 1, 1))}, goodLayer1), "labels has shape (3, 1)"},
		{"empty labels", zipOf(t, entry{"labels.npy", npy("<i8", false, []int{0}, nil)}, goodLayer1), "labels is empty"},
		{"negative label", zipOf(t, entry{"labels.npy", npy("<i8", false, []int{3}, le[int64](0, -1, 1))}, goodLayer1), "label -1 of sample 1 is negative"},
		{"huge label", zipOf(t, entry{"labels.npy", npy("<u8", false, []int{3}, le[uint64](0, 1<<63, 1))}, goodLayer1), "too large"},
		{"label beyond MaxClasses", zipOf(t, entry{"labels.npy", npy("<i4", false, []int{3}, le[int32](0, 70000, 1))}, goodLayer1), "at most 65536 classes"},
		{"label beyond class_names", zipOf(t, goodLabels, goodLayer1, entry{"class_names.npy", npy("<U1", false, []int{1}, le[uint32]('a'))}),
			"label 1 of sample 1 is outside [0,1)"},
		{"class_names numbers", zipOf(t, goodLabels, goodLayer1, entry{"class_names.npy", npy("<i8", false, []int{2}, le[int64](0, 1))}),
			"class_names: dtype <i8 (int64): want strings"},
		{"class_names twice", zipOf(t, goodLabels, goodLayer1, entry{"class_names.npy", npy("|S1", false, []int{2}, []byte("aa"))}),
			`"a" is listed twice`},
		{"string layer", zipOf(t, goodLabels, entry{"layer_1.npy", npy("<U1", false, []int{3, 1}, le[uint32]('a', 'b', 'c'))}),
			"layer_1: dtype <U1 (strings): want float32 or float64"},
		{"float16 layer", zipOf(t, goodLabels, entry{"layer_1.npy", npy("<f2", false, []int{3, 1}, le[uint16](1, 2, 3))}),
			"layer_1: dtype <f2 (float16): want float32 or float64"},
		{"structured", zipOf(t, goodLabels, entry{"layer_1.npy", rawNPY("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }")}),
			"structured dtype"},
		{"float64 overflow", zipOf(t, goodLabels, entry{"layer_1.npy", npy("<f8", false, []int{3, 1}, le[float64](1, 1e300, 3))}),
			"value 1e+300 at [1, 0] does not fit in float32"},
		{"short data", zipOf(t, goodLabels, entry{"layer_1.npy", npy("<f4", false, []int{3, 2}, le[float32](1, 2, 3))}),
			"layer_1: truncated: shape (3, 2) of <f4 needs 24 bytes of data"},
		{"long data", zipOf(t, goodLabels, entry{"layer_1.npy", npy("<f4", false, []int{3, 1}, le[float32](1, 2, 3, 4))}),
			"more than the 12 it needs"},
		{"no magic", zipOf(t, goodLabels, entry{"layer_1.npy", []byte("PK not numpy at all")}), "no NumPy magic"},
		{"version 9", zipOf(t, goodLabels, entry{"layer_1.npy", []byte("\x93NUMPY\x09\x00\x10\x00{}")}), "format version 9.0"},
		{"header cut", zipOf(t, goodLabels, entry{"layer_1.npy", []byte("\x93NUMPY\x01\x00\xff\x00{'descr'")}), "truncated"},
		{"extra key", zipOf(t, goodLabels, entry{"layer_1.npy", rawNPY("{'descr': '<f4', 'x': False}")}),
			`unexpected key "x"`},
		{"no shape", zipOf(t, goodLabels, entry{"layer_1.npy", rawNPY("{'descr': '<f4', 'fortran_order': False}")}),
			"no 'shape'"},
		{"negative dim", zipOf(t, goodLabels, entry{"layer_1.npy", rawNPY("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}")}),
			"non-negative integers"},
		{"giant shape", zipOf(t, goodLabels, entry{"layer_1.npy", npy("<f4", false, []int{1 << 30, 1 << 30}, nil)}), "more than"},
		{"preact alone", zipOf(t, goodLabels, goodLayer1, entry{"preact_2.npy", goodLayer1.data}), "preact_2 has no layer_2 beside it"},
		{"preact shape", zipOf(t, goodLabels, goodLayer1, entry{"preact_1.npy", npy("<f4", false, []int{3, 1}, le[float32](1, 2, 3))}),
			"preact_1 has shape (3, 1), layer_1 (3, 2)"},
		{"split value", zipOf(t, goodLabels, goodLayer1, entry{"split.npy", npy("<U5", false, []int{3}, utf32("train", "valid", "test"))}),
			`split: sample 1 is "valid"`},
		{"split int", zipOf(t, goodLabels, goodLayer1, entry{"split.npy", npy("<i8", false, []int{3}, le[int64](0, 1, 2))}),
			"split: sample 2 is 2: want 0 (train) or 1 (test)"},
		{"split length", zipOf(t, goodLabels, goodLayer1, entry{"split.npy", npy("|b1", false, []int{2}, []byte{0, 1})}),
			"split: shape (2,): want (3,)"},
		{"split float", zipOf(t, goodLabels, goodLayer1, entry{"split.npy", npy("<f4", false, []int{3}, le[float32](0, 1, 0))}),
			"split: dtype <f4 (float32): want strings"},
		{"datetime", zipOf(t, goodLabels, entry{"layer_1.npy", npy("<M8[ns]", false, []int{3, 1}, le[int64](1, 2, 3))}), "not a plain NumPy type"},
	}
	for _, c := range cases {
		f, err := read(c.data)
		if err == nil {
			t.Errorf("%s: read %d samples, want an error with %q", c.name, f.N, c.want)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "x.npz: ") || !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q; want one line starting x.npz: with %q", c.name, msg, c.want)
		}
	}
}

// rawNPY is a format 1.0 .npy array with the given header dict and no data.
func rawNPY(dict string) []byte {
	dict += "\n"
	return append(append([]byte("\x93NUMPY\x01\x00"), le(uint16(len(dict)))...), dict...)
}

func utf32(ss ...string) []byte {
	w := 0
	for _, s := range ss {
		w = max(w, len([]rune(s)))
	}
	var out []uint32
	for _, s := range ss {
		r := []rune(s)
		for k := range w {
			if k < len(r) {
				out = append(out, uint32(r[k]))
			} else {
				out = append(out, 0)
			}
		}
	}
	return le(out...)
}

// randomFile builds a valid File with random sizes and values.
func randomFile(rng *rand.Rand) *File {
	n := 1 + rng.IntN(40)
	k := 2 + rng.IntN(5)
	f := &File{Name: "r.npz", Set: Set{N: n, Labels: make([]int, n)}}
	for i := range f.Labels {
		f.Labels[i] = rng.IntN(k)
	}
	f.NumClasses = slices.Max(f.Labels) + 1
	if rng.IntN(2) == 0 {
		f.NumClasses = k
		for c := range k {
			f.ClassNames = append(f.ClassNames, strings.Repeat("é", c)+"class"+string(rune('A'+c)))
		}
	}
	if rng.IntN(2) == 0 {
		f.Split = make([]string, n)
		for i := range f.Split {
			f.Split[i] = []string{Train, Test}[rng.IntN(2)]
		}
	}
	for l := range 1 + rng.IntN(4) {
		shape := []int{1 + rng.IntN(6)}
		if rng.IntN(3) == 0 {
			shape = append(shape, 1+rng.IntN(3))
		}
		w := shape[0] * max(1, product(shape[1:]))
		layer := Layer{Number: l + 1, Shape: shape, Width: w, Post: make([]float32, n*w)}
		for i := range layer.Post {
			layer.Post[i] = float32(rng.NormFloat64())
		}
		if rng.IntN(2) == 0 {
			layer.Pre = make([]float32, n*w)
			for i := range layer.Pre {
				layer.Pre[i] = float32(rng.NormFloat64() * 1e30)
			}
		}
		f.Layers = append(f.Layers, layer)
	}
	return f
}

func product(v []int) int {
	p := 1
	for _, x := range v {
		p *= x
	}
	return p
}

func TestWriteReadRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		f := randomFile(rng)
		var b bytes.Buffer
		if err := WriteNPZ(&b, f, trial%2 == 1); err != nil {
			t.Fatal(err)
		}
		g, err := ReadNPZ(bytes.NewReader(b.Bytes()), int64(b.Len()), "r.npz")
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if !reflect.DeepEqual(f, g) {
			t.Fatalf("trial %d: read back %+v, wrote %+v", trial, g, f)
		}
	}
}

func TestPartAndRows(t *testing.T) {
	f, err := read(zipOf(t, goodLabels, goodLayer1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Part(Test); err == nil || !strings.Contains(err.Error(), "has no split array") {
		t.Errorf("Part without split: %v", err)
	}
	f.Split = []string{Train, Train, Train}
	if _, err := f.Part(Test); err == nil || !strings.Contains(err.Error(), "marks no sample as test") {
		t.Errorf("Part with no test sample: %v", err)
	}
	if _, err := f.Part("valid"); err == nil {
		t.Error("Part(valid) succeeded")
	}
	r := f.Rows([]int{2, 0})
	if !slices.Equal(r.Labels, []int{1, 0}) || !slices.Equal(r.Layers[0].Post, []float32{5, 6, 1, 2}) {
		t.Errorf("Rows: %v %v", r.Labels, r.Layers[0].Post)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.npz")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("folder: %v", err)
	}
	// Every prefix of a valid file is refused with an error, never a panic.
	b, err := os.ReadFile("testdata/numpy-savez-compressed.npz")
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		if _, err := read(b[:n]); err == nil {
			t.Fatalf("prefix of %d of %d bytes read without error", n, len(b))
		}
	}
}

// TestFloat32FastPath checks that the bulk decoding of native-order float32 arrays gives what the
// element-wise decoding gives for the same values stored in the other byte order, errors included.
func TestFloat32FastPath(t *testing.T) {
	vals := []float32{0, -1.5, 3.25e-7, float32(math.Copysign(0, -1)), math.MaxFloat32, math.SmallestNonzeroFloat32}
	mine, other := "<f4", ">f4"
	if !native.LittleEndian {
		mine, other = other, mine
	}
	decode := func(descr string, vals []float32) ([]float32, error) {
		order := binary.ByteOrder(binary.LittleEndian)
		if descr[0] == '>' {
			order = binary.BigEndian
		}
		data := make([]byte, 4*len(vals))
		for i, v := range vals {
			order.PutUint32(data[4*i:], math.Float32bits(v))
		}
		raw := npy(descr, false, []int{2, len(vals) / 2}, data)
		a, err := readNPY("x", bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			t.Fatal(err)
		}
		if (a.f32 != nil) != (descr == mine) {
			t.Fatalf("%s: read straight into float32 values: %v", descr, a.f32 != nil)
		}
		return a.floats()
	}
	got, err1 := decode(mine, vals)
	want, err2 := decode(other, vals)
	if err1 != nil || err2 != nil {
		t.Fatalf("errors: %v, %v", err1, err2)
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("value %d: fast path %v, element-wise %v", i, got[i], want[i])
		}
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(-1))} {
		vals := []float32{1, 2, 3, bad}
		_, err1 := decode(mine, vals)
		_, err2 := decode(other, vals)
		if err1 == nil || err2 == nil || err1.Error() != err2.Error() {
			t.Errorf("%v: fast path says %v, element-wise %v", bad, err1, err2)
		}
	}
}

// TestPartViewsAndCopies checks that Part gives what Rows gives, whether the split's samples are
// contiguous (a view of the file's arrays) or not (a copy).
func TestPartViewsAndCopies(t *testing.T) {
	for _, split := range [][]string{
		{Train, Train, Train, Test, Test},
		{Train, Test, Train, Test, Train},
	} {
		f := &File{Name: "x", Set: Set{N: 5, Labels: []int{0, 1, 2, 3, 4}, Layers: []Layer{
			{Number: 1, Shape: []int{2}, Width: 2, Post: []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Pre: []float32{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
		}}, Split: split}
		for _, name := range []string{Train, Test} {
			var pos []int
			for i, s := range split {
				if s == name {
					pos = append(pos, i)
				}
			}
			got, err := f.Part(name)
			if err != nil {
				t.Fatal(err)
			}
			want := f.Rows(pos)
			if got.N != want.N || !slices.Equal(got.Labels, want.Labels) || !slices.Equal(got.Layers[0].Post, want.Layers[0].Post) ||
				!slices.Equal(got.Layers[0].Pre, want.Layers[0].Pre) || !slices.Equal(got.Layers[0].Shape, want.Layers[0].Shape) {
				t.Errorf("split %v, part %s: %+v, want %+v", split, name, got, want)
			}
			if len(got.Layers[0].Post) != cap(got.Layers[0].Post) {
				t.Errorf("split %v, part %s: a view that can grow into the next samples", split, name)
			}
		}
	}
}
