// Package idxtest writes data sets in the IDX format of MNIST and Fashion-MNIST for tests: single
// IDX files, a tiny synthetic data set, or the splits of a loaded one. It imports only the
// standard library, so that the tests of package datasets can use it too.
package idxtest

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// File builds an uncompressed IDX file of unsigned bytes with the given dimensions.
func File(dims []uint32, data []byte) []byte {
	b := []byte{0, 0, 8, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

// Gzip compresses raw as the data sets' ".gz" files are.
func Gzip(raw []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write(raw) // a bytes.Buffer does not fail
	_ = w.Close()
	return b.Bytes()
}

// Tiny returns the four files (name → content) of a valid data set of nTrain training and nTest
// test images of 2×3 pixels: pixel i of a split is byte(7i), label i is i mod 10; the label files
// are gzipped.
func Tiny(nTrain, nTest int) map[string][]byte {
	files := map[string][]byte{}
	for prefix, n := range map[string]int{"train": nTrain, "t10k": nTest} {
		img := make([]byte, n*6)
		for i := range img {
			img[i] = byte(i * 7)
		}
		lbl := make([]byte, n)
		for i := range lbl {
			lbl[i] = byte(i % 10)
		}
		files[prefix+"-images-idx3-ubyte"] = File([]uint32{uint32(n), 2, 3}, img)
		files[prefix+"-labels-idx1-ubyte.gz"] = Gzip(File([]uint32{uint32(n)}, lbl))
	}
	return files
}

// TinyDir writes the Tiny data set of nTrain and nTest images into a new temporary folder of the
// test and returns the folder.
func TinyDir(t testing.TB, nTrain, nTest int) string {
	t.Helper()
	dir := t.TempDir()
	if err := WriteFiles(dir, Tiny(nTrain, nTest)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// WriteSplit writes one split of a loaded data set (images of rows×cols pixels in [0, 1], as
// datasets.Split holds them, and their labels) into dir as the uncompressed IDX files
// prefix-images-idx3-ubyte and prefix-labels-idx1-ubyte (prefix "train" or "t10k"), the pixels
// back as bytes round(255·v).
func WriteSplit(dir, prefix string, rows, cols int, images []float32, labels []int) error {
	img := make([]byte, len(images))
	for i, v := range images {
		img[i] = byte(math.Round(float64(v) * 255))
	}
	lbl := make([]byte, len(labels))
	for i, y := range labels {
		lbl[i] = byte(y)
	}
	n := uint32(len(labels))
	return WriteFiles(dir, map[string][]byte{
		prefix + "-images-idx3-ubyte": File([]uint32{n, uint32(rows), uint32(cols)}, img),
		prefix + "-labels-idx1-ubyte": File([]uint32{n}, lbl),
	})
}

// WriteFiles writes files (name → content) into dir, which must exist.
func WriteFiles(dir string, files map[string][]byte) error {
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
