package actfile

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/denotation-go/denotation/internal/native"
)

// WriteNPZ writes f as a .npz archive that numpy.load and ReadNPZ read back exactly: labels as
// int64, layer_ℓ (and preact_ℓ) as float32 of shape (N, Shape…), class_names and split as
// Unicode strings when f has them. With compress the entries are deflated, as by
// numpy.savez_compressed.
func WriteNPZ(w io.Writer, f *File, compress bool) error {
	if err := f.check(); err != nil {
		return err
	}
	method := zip.Store
	if compress {
		method = zip.Deflate
	}
	zw := zip.NewWriter(w)
	put := func(name, descr string, shape []int, data func(w *bufio.Writer)) error {
		e, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: method})
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(e, 1<<16)
		writeHeader(bw, descr, shape)
		data(bw)
		return bw.Flush()
	}
	err := put("labels", "<i8", []int{f.N}, func(w *bufio.Writer) {
		for _, y := range f.Labels {
			_ = binary.Write(w, binary.LittleEndian, int64(y))
		}
	})
	if err != nil {
		return err
	}
	floats := func(v []float32) func(w *bufio.Writer) {
		return func(w *bufio.Writer) {
			if native.LittleEndian { // "<f4" is how v lies in memory
				_, _ = w.Write(native.Float32Bytes(v))
				return
			}
			var b [4]byte
			for _, x := range v {
				binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
				_, _ = w.Write(b[:])
			}
		}
	}
	for _, l := range f.Layers {
		shape := append([]int{f.N}, l.Shape...)
		if err := put("layer_"+strconv.Itoa(l.Number), "<f4", shape, floats(l.Post)); err != nil {
			return err
		}
		if l.Pre != nil {
			if err := put("preact_"+strconv.Itoa(l.Number), "<f4", shape, floats(l.Pre)); err != nil {
				return err
			}
		}
	}
	for _, s := range []struct {
		name string
		vals []string
	}{{"class_names", f.ClassNames}, {"split", f.Split}} {
		if s.vals == nil {
			continue
		}
		width := 1
		for _, v := range s.vals {
			width = max(width, utf8.RuneCountInString(v))
		}
		err := put(s.name, "<U"+strconv.Itoa(width), []int{len(s.vals)}, func(w *bufio.Writer) {
			for _, v := range s.vals {
				n := 0
				for _, r := range v {
					_ = binary.Write(w, binary.LittleEndian, uint32(r))
					n++
				}
				for ; n < width; n++ {
					_ = binary.Write(w, binary.LittleEndian, uint32(0))
				}
			}
		})
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// check verifies what WriteNPZ needs to write a file ReadNPZ reads back as it is.
func (f *File) check() error {
	if f.N < 1 || len(f.Labels) != f.N {
		return fmt.Errorf("activations file: %d labels for %d samples", len(f.Labels), f.N)
	}
	if len(f.Layers) == 0 {
		return errors.New("activations file: no layers")
	}
	for i, y := range f.Labels {
		if y < 0 || y >= MaxClasses || (f.ClassNames != nil && y >= len(f.ClassNames)) {
			return fmt.Errorf("activations file: label %d of sample %d is out of range", y, i)
		}
	}
	for k, l := range f.Layers {
		w := 1
		for _, d := range l.Shape {
			w *= d
		}
		if l.Number != k+1 || l.Width < 1 || w != l.Width || len(l.Post) != f.N*l.Width || (l.Pre != nil && len(l.Pre) != len(l.Post)) {
			return fmt.Errorf("activations file: layer at position %d (number %d, shape %v, width %d) does not fit %d samples", k, l.Number, l.Shape, l.Width, f.N)
		}
	}
	if f.Split != nil && len(f.Split) != f.N {
		return fmt.Errorf("activations file: split has %d entries for %d samples", len(f.Split), f.N)
	}
	for _, s := range f.Split {
		if s != Train && s != Test {
			return fmt.Errorf("activations file: split %q: want train or test", s)
		}
	}
	for _, s := range f.ClassNames {
		if strings.ContainsRune(s, 0) {
			return errors.New("activations file: a class name holds a NUL character")
		}
	}
	return nil
}

// writeHeader writes a .npy format 1.0 header (2.0 when the dict needs more than 65,535 bytes),
// padded so that the data starts at a multiple of 64 bytes.
func writeHeader(w io.Writer, descr string, shape []int) {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shapeString(shape))
	prefix, version := 10, byte(1)
	if len(dict)+1+64 > math.MaxUint16 {
		prefix, version = 12, 2
	}
	total := (prefix + len(dict) + 1 + 63) / 64 * 64
	dict += strings.Repeat(" ", total-prefix-len(dict)-1) + "\n"
	hdr := []byte{0x93, 'N', 'U', 'M', 'P', 'Y', version, 0}
	if version == 1 {
		hdr = binary.LittleEndian.AppendUint16(hdr, uint16(len(dict)))
	} else {
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(dict)))
	}
	_, _ = w.Write(append(hdr, dict...))
}
