package hidden

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/denotation-go/denotation/internal/atomicfile"
	"github.com/denotation-go/denotation/pkg/actfile"
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
	f := &actfile.File{NumClasses: a.NumClasses, Set: actfile.Set{N: a.N, Labels: a.Labels}}
	for _, l := range a.Layers {
		f.Layers = append(f.Layers, actfile.Layer{Number: l.Layer, Shape: []int{l.Width}, Width: l.Width, Post: l.Post, Pre: l.Pre})
	}
	if err := actfile.WriteNPZ(w, f, false); err != nil {
		return fmt.Errorf("activations: %w", err)
	}
	return nil
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
