package actfile

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// MaxClasses bounds the labels a file may hold: a label ≥ MaxClasses is refused (the analyses
// themselves handle far fewer classes, and say so).
const MaxClasses = 1 << 16

// Layer is one hidden layer of a network: its activations for the N samples of a Set.
type Layer struct {
	// Number is the layer's 1-based number ℓ (array layer_ℓ).
	Number int
	// Shape is the shape of one sample's activations as stored: [width] for a dense layer,
	// e.g. [channels, height, width] for a convolutional feature map. Every element is a neuron.
	Shape []int
	// Width is the number of neurons, the product of Shape.
	Width int
	// Post holds the values of array layer_ℓ, [N, Width] row-major (C order: a feature map is
	// flattened as NumPy's reshape(N, -1) does).
	Post []float32
	// Pre holds the values of array preact_ℓ in the same layout, or nil when the file has none.
	Pre []float32
}

// Set is N samples: their labels and every layer's activations, rows in the file's order.
type Set struct {
	N      int
	Labels []int
	Layers []Layer
}

// Widths lists the layers' widths.
func (s *Set) Widths() []int {
	w := make([]int, len(s.Layers))
	for i, l := range s.Layers {
		w[i] = l.Width
	}
	return w
}

// Depth is the number L of hidden layers.
func (s *Set) Depth() int { return len(s.Layers) }

// HasPre reports whether every layer carries pre-activation values.
func (s *Set) HasPre() bool {
	for _, l := range s.Layers {
		if l.Pre == nil {
			return false
		}
	}
	return len(s.Layers) > 0
}

// Rows returns the samples at the given row positions, in that order (the layers' values are
// copied).
func (s *Set) Rows(pos []int) *Set {
	out := &Set{N: len(pos), Labels: make([]int, len(pos)), Layers: make([]Layer, len(s.Layers))}
	for k, i := range pos {
		out.Labels[k] = s.Labels[i]
	}
	for li, l := range s.Layers {
		nl := Layer{Number: l.Number, Shape: slices.Clone(l.Shape), Width: l.Width}
		take := func(src []float32) []float32 {
			if src == nil {
				return nil
			}
			dst := make([]float32, len(pos)*l.Width)
			for k, i := range pos {
				copy(dst[k*l.Width:(k+1)*l.Width], src[i*l.Width:(i+1)*l.Width])
			}
			return dst
		}
		nl.Post, nl.Pre = take(l.Post), take(l.Pre)
		out.Layers[li] = nl
	}
	return out
}

// rowRange is Rows of the samples lo … hi−1, as views of s's arrays.
func (s *Set) rowRange(lo, hi int) *Set {
	out := &Set{N: hi - lo, Labels: s.Labels[lo:hi:hi], Layers: make([]Layer, len(s.Layers))}
	for li, l := range s.Layers {
		nl := Layer{Number: l.Number, Shape: slices.Clone(l.Shape), Width: l.Width}
		view := func(v []float32) []float32 {
			if v == nil {
				return nil
			}
			return v[lo*l.Width : hi*l.Width : hi*l.Width]
		}
		nl.Post, nl.Pre = view(l.Post), view(l.Pre)
		out.Layers[li] = nl
	}
	return out
}

// Split names.
const (
	Train = "train"
	Test  = "test"
)

// File is the content of an activations file: the samples with their labels and activations,
// the number of classes, and optionally class names and each sample's split.
type File struct {
	// Name is the file's path (Open) or the name given to ReadNPZ; it prefixes every error.
	Name string
	Set
	// NumClasses is K: the length of class_names when the file has one, else the largest label + 1.
	NumClasses int
	// ClassNames holds array class_names, or nil.
	ClassNames []string
	// Split holds each sample's split (Train or Test) from array split, or nil when the file has
	// none (then its samples are one split).
	Split []string
}

// Part returns the samples of one split (Train or Test) of a file with a split array. When the
// split's samples are contiguous (as JoinSplits writes them), the part shares the file's arrays
// instead of copying them: modify neither.
func (f *File) Part(name string) (*Set, error) {
	if name != Train && name != Test {
		return nil, fmt.Errorf("%s: unknown split %q (want train or test)", f.Name, name)
	}
	if f.Split == nil {
		return nil, fmt.Errorf("%s has no split array: its %d samples are one split", f.Name, f.N)
	}
	var pos []int
	for i, s := range f.Split {
		if s == name {
			pos = append(pos, i)
		}
	}
	if len(pos) == 0 {
		return nil, fmt.Errorf("%s: array split marks no sample as %s", f.Name, name)
	}
	if lo, hi := pos[0], pos[len(pos)-1]+1; hi-lo == len(pos) {
		return f.rowRange(lo, hi), nil
	}
	return f.Rows(pos), nil
}

// Open reads an activations file (see ReadNPZ).
func Open(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("activations file: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("activations file: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("activations file %s is a folder: want a .npz file", path)
	}
	return ReadNPZ(fh, st.Size(), path)
}

// ReadNPZ reads a NumPy .npz archive (numpy.savez or numpy.savez_compressed) of size bytes from
// r; name (the file's path) prefixes every error. It holds the arrays
//
//	labels        integers [N]                  class of each sample, ≥ 0 (required)
//	layer_ℓ       float32 or float64 [N, …]     activations of hidden layer ℓ = 1…L (required, no gap)
//	preact_ℓ      like layer_ℓ                  pre-activation values (optional)
//	class_names   strings [K]                   (optional; labels must be < K)
//	split         strings "train"/"test", bool or 0/1 [N]  (optional; True or 1 = test)
//
// Layers may differ in width; a layer with more than one dimension per sample (a feature map) is
// flattened in C order. Fortran-ordered and big-endian arrays are read correctly. Any other
// array name, a missing array, mismatched N, a non-finite value, a negative label, a non-numeric
// dtype, a truncated or damaged archive is an error naming the array; ReadNPZ never panics.
func ReadNPZ(r io.ReaderAt, size int64, name string) (*File, error) {
	f, err := readNPZ(r, size, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// arrayHelp lists the arrays a file may hold.
const arrayHelp = "labels, layer_1 … layer_L, and optionally preact_ℓ, class_names, split"

func readNPZ(r io.ReaderAt, size int64, name string) (*File, error) {
	if size == 0 {
		return nil, errors.New("empty file: want a .npz archive (numpy.savez)")
	}
	var magic [6]byte
	if n, _ := r.ReadAt(magic[:], 0); n == 6 && string(magic[:]) == "\x93NUMPY" {
		return nil, errors.New("a single .npy array, not a .npz archive: save with np.savez(path, labels=…, layer_1=…)")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable .npz (zip) archive: %v", err)
	}
	arrays := map[string]*array{}
	var names []string
	for _, zf := range zr.File {
		an, ok := strings.CutSuffix(zf.Name, ".npy")
		if !ok || strings.ContainsAny(an, "/\\") || an == "" {
			return nil, fmt.Errorf("archive entry %q is not a .npy array (a .npz holds only name.npy entries)", zf.Name)
		}
		if err := checkName(an); err != nil {
			return nil, err
		}
		if _, dup := arrays[an]; dup {
			return nil, fmt.Errorf("array %s appears twice", an)
		}
		a, err := readEntry(zf, an)
		if err != nil {
			return nil, fmt.Errorf("array %s: %w", an, err)
		}
		arrays[an] = a
		names = append(names, an)
	}
	return assemble(arrays, names, name)
}

// checkName refuses an array name the format does not know, saying what was meant where it can
// (quoted: a name from a damaged file may hold any byte).
func checkName(an string) error {
	switch an {
	case "labels", "class_names", "split":
		return nil
	}
	for _, prefix := range []string{"layer_", "preact_"} {
		if num, ok := strings.CutPrefix(an, prefix); ok {
			if l, err := strconv.Atoi(num); err == nil && l >= 1 && strconv.Itoa(l) == num {
				return nil
			}
			return fmt.Errorf("array %q: layers are numbered 1, 2, … (%s1 is the first hidden layer)", an, prefix)
		}
	}
	if strings.HasPrefix(an, "arr_") {
		return fmt.Errorf("array %q: np.savez got positional arrays; name them: np.savez(path, labels=…, layer_1=…)", an)
	}
	return fmt.Errorf("unknown array %q (the arrays are %s)", an, arrayHelp)
}

// readEntry reads one archive entry as a .npy array; reading it to its end makes the zip reader
// check the entry's CRC-32 and size.
func readEntry(zf *zip.File, name string) (*array, error) {
	if zf.Method != zip.Store && zf.Method != zip.Deflate {
		return nil, fmt.Errorf("compression method %d: want stored or deflated (numpy.savez, numpy.savez_compressed)", zf.Method)
	}
	if zf.UncompressedSize64 > 1<<42 {
		return nil, fmt.Errorf("entry declares %d bytes", zf.UncompressedSize64)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, fmt.Errorf("damaged archive entry: %v", err)
	}
	defer rc.Close()
	a, err := readNPY(name, rc, int64(zf.UncompressedSize64))
	if err != nil {
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || strings.Contains(err.Error(), "flate") {
			return nil, fmt.Errorf("damaged archive entry: %v", err)
		}
		return nil, err
	}
	// Reading to the end lets the zip reader verify the CRC-32 and size it recorded.
	if n, err := io.Copy(io.Discard, rc); err != nil || n != 0 {
		if err == nil {
			err = errors.New("data after the array")
		}
		return nil, fmt.Errorf("damaged archive entry: %v", err)
	}
	return a, nil
}

// assemble checks the arrays against each other and builds the File.
func assemble(arrays map[string]*array, names []string, name string) (*File, error) {
	f := &File{Name: name}
	lab, ok := arrays["labels"]
	if !ok {
		return nil, fmt.Errorf("no labels array (the arrays are %s; found %s)", arrayHelp, strings.Join(names, ", "))
	}
	if len(lab.shape) != 1 {
		return nil, fmt.Errorf("labels has shape %s: want one dimension (N,) (use labels.ravel())", shapeString(lab.shape))
	}
	f.N = lab.shape[0]
	if f.N == 0 {
		return nil, errors.New("labels is empty: no samples")
	}
	raw, err := lab.ints()
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	f.Labels = make([]int, f.N)
	maxLabel := int64(-1)
	for i, y := range raw {
		if y < 0 {
			return nil, fmt.Errorf("labels: label %d of sample %d is negative", y, i)
		}
		if y >= MaxClasses {
			return nil, fmt.Errorf("labels: label %d of sample %d: at most %d classes are supported", y, i, MaxClasses)
		}
		f.Labels[i] = int(y)
		maxLabel = max(maxLabel, y)
	}
	f.NumClasses = int(maxLabel) + 1
	if cn, ok := arrays["class_names"]; ok {
		if f.ClassNames, err = readClassNames(cn, raw, maxLabel); err != nil {
			return nil, err
		}
		f.NumClasses = len(f.ClassNames)
	}
	if sp, ok := arrays["split"]; ok {
		if f.Split, err = readSplit(sp, f.N); err != nil {
			return nil, fmt.Errorf("split: %w", err)
		}
	}
	// Layers: layer_1 … layer_L with no gap; preact_ℓ only beside its layer_ℓ.
	L := 0
	for an := range arrays {
		if num, ok := strings.CutPrefix(an, "layer_"); ok {
			l, _ := strconv.Atoi(num)
			L = max(L, l)
		}
	}
	if L == 0 {
		return nil, fmt.Errorf("no layer_ℓ arrays (the arrays are %s; found %s)", arrayHelp, strings.Join(names, ", "))
	}
	for an := range arrays {
		if num, ok := strings.CutPrefix(an, "preact_"); ok {
			if _, ok := arrays["layer_"+num]; !ok {
				return nil, fmt.Errorf("array %s has no layer_%s beside it", an, num)
			}
		}
	}
	for l := 1; l <= L; l++ {
		ln := "layer_" + strconv.Itoa(l)
		a, ok := arrays[ln]
		if !ok {
			return nil, fmt.Errorf("no array %s, but there is a layer_%d: layers are numbered 1…L with no gap", ln, L)
		}
		layer, err := readLayer(a, f.N)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ln, err)
		}
		layer.Number = l
		if p, ok := arrays["preact_"+strconv.Itoa(l)]; ok {
			if !slices.Equal(p.shape, a.shape) {
				return nil, fmt.Errorf("preact_%d has shape %s, layer_%d %s: want the same", l, shapeString(p.shape), l, shapeString(a.shape))
			}
			pl, err := readLayer(p, f.N)
			if err != nil {
				return nil, fmt.Errorf("preact_%d: %w", l, err)
			}
			layer.Pre = pl.Post
		}
		f.Layers = append(f.Layers, layer)
	}
	return f, nil
}

// readClassNames decodes the class_names array cn: distinct, non-empty names, one for every label
// of raw (maxLabel its largest).
func readClassNames(cn *array, raw []int64, maxLabel int64) ([]string, error) {
	if len(cn.shape) != 1 {
		return nil, fmt.Errorf("class_names has shape %s: want one dimension (K,)", shapeString(cn.shape))
	}
	names, err := cn.strings()
	if err != nil {
		return nil, fmt.Errorf("class_names: %w", err)
	}
	seen := map[string]bool{}
	for c, s := range names {
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("class_names: class %d has an empty name", c)
		}
		if seen[s] {
			return nil, fmt.Errorf("class_names: %q is listed twice", s)
		}
		seen[s] = true
	}
	if int(maxLabel) >= len(names) {
		i := slices.Index(raw, maxLabel)
		return nil, fmt.Errorf("labels: label %d of sample %d is outside [0,%d): class_names names %d classes", maxLabel, i, len(names), len(names))
	}
	return names, nil
}

// readLayer decodes one activation array of n samples.
func readLayer(a *array, n int) (Layer, error) {
	if len(a.shape) < 2 {
		return Layer{}, fmt.Errorf("shape %s: want (N, width) with one row per sample", shapeString(a.shape))
	}
	if a.shape[0] != n {
		return Layer{}, fmt.Errorf("shape %s has %d rows, labels has %d samples: want one row per sample", shapeString(a.shape), a.shape[0], n)
	}
	l := Layer{Shape: slices.Clone(a.shape[1:]), Width: 1}
	for _, d := range l.Shape {
		l.Width *= d
	}
	if l.Width == 0 {
		return Layer{}, fmt.Errorf("shape %s: no neurons", shapeString(a.shape))
	}
	var err error
	if l.Post, err = a.floats(); err != nil {
		return Layer{}, err
	}
	return l, nil
}

// readSplit decodes array split: strings train/test, bools or integers 0/1 (True, 1 = test).
func readSplit(a *array, n int) ([]string, error) {
	if len(a.shape) != 1 || a.shape[0] != n {
		return nil, fmt.Errorf("shape %s: want (%d,), one entry per sample", shapeString(a.shape), n)
	}
	out := make([]string, n)
	switch a.dt.kind {
	case 'U', 'S':
		s, err := a.strings()
		if err != nil {
			return nil, err
		}
		for i, x := range s {
			switch strings.ToLower(strings.TrimSpace(x)) {
			case Train:
				out[i] = Train
			case Test:
				out[i] = Test
			default:
				return nil, fmt.Errorf("sample %d is %q: want \"train\" or \"test\"", i, x)
			}
		}
	case 'b':
		b, err := a.bools()
		if err != nil {
			return nil, err
		}
		for i, x := range b {
			out[i] = Train
			if x {
				out[i] = Test
			}
		}
	case 'i', 'u':
		v, err := a.ints()
		if err != nil {
			return nil, err
		}
		for i, x := range v {
			switch x {
			case 0:
				out[i] = Train
			case 1:
				out[i] = Test
			default:
				return nil, fmt.Errorf("sample %d is %d: want 0 (train) or 1 (test)", i, x)
			}
		}
	default:
		return nil, fmt.Errorf("dtype %s %s: want strings \"train\"/\"test\", bools or 0/1 (1 = test)", a.dt.descr, kindWords(a.dt))
	}
	return out, nil
}
