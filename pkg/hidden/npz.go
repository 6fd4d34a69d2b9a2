package hidden

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/denotation-go/denotation/internal/atomicfile"
)

// WriteNPZ writes the activations as a NumPy .npz archive (uncompressed, like numpy.savez) with
// the arrays
//
//	labels      int64   [N]
//	layer_ℓ     float32 [N, width_ℓ]   post-activation values, ℓ = 1…L
//	preact_ℓ    float32 [N, width_ℓ]   pre-activation values (only when recorded)
//
// Rows are the samples in the order of the Activations (the data set's order).
// Load it with numpy.load(path)["layer_1"].
func (a *Activations) WriteNPZ(w io.Writer) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if a.N == 0 {
		return errors.New("activations: no samples to write")
	}
	zw := zip.NewWriter(w)
	put := func(name, descr string, shape []int, data func(w *bufio.Writer)) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		writeNPYHeader(bw, descr, shape)
		data(bw)
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("activations: writing %s: %w", name, err)
		}
		return nil
	}
	err := put("labels", "<i8", []int{a.N}, func(w *bufio.Writer) {
		var b [8]byte
		for _, y := range a.Labels {
			binary.LittleEndian.PutUint64(b[:], uint64(int64(y)))
			_, _ = w.Write(b[:])
		}
	})
	if err != nil {
		return err
	}
	floats := func(vals []float32) func(w *bufio.Writer) {
		return func(w *bufio.Writer) {
			var b [4]byte
			for _, v := range vals {
				binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
				_, _ = w.Write(b[:])
			}
		}
	}
	for _, l := range a.Layers {
		if err := put(fmt.Sprintf("layer_%d", l.Layer), "<f4", []int{a.N, l.Width}, floats(l.Post)); err != nil {
			return err
		}
		if l.Pre != nil {
			if err := put(fmt.Sprintf("preact_%d", l.Layer), "<f4", []int{a.N, l.Width}, floats(l.Pre)); err != nil {
				return err
			}
		}
	}
	return zw.Close()
}

// SaveNPZ writes the activations to path with WriteNPZ, atomically (a temporary file in the same
// folder renamed into place), so a partial file never carries the final name.
func (a *Activations) SaveNPZ(path string) error {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("activations: %w", err)
		}
	}
	err := atomicfile.Write(path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := a.WriteNPZ(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return fmt.Errorf("activations: writing %s: %w", path, err)
	}
	return nil
}

// writeNPYHeader writes a NumPy .npy format 1.0 header: magic, version, header length and the
// header dict, space-padded so that the data starts at a multiple of 64 bytes.
func writeNPYHeader(w io.Writer, descr string, shape []int) {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	dims := strings.Join(parts, ", ")
	if len(shape) == 1 {
		dims += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, dims)
	const prefix = 10 // magic (6) + version (2) + header length (2)
	total := prefix + len(dict) + 1
	total = (total + 63) / 64 * 64
	dict += strings.Repeat(" ", total-prefix-len(dict)-1) + "\n"
	hdr := []byte("\x93NUMPY\x01\x00")
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(len(dict)))
	_, _ = w.Write(append(hdr, dict...))
}
