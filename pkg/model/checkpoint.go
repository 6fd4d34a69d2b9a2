package model

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/denotation-go/denotation/internal/atomicfile"
)

// ModelFile is the name of the file that holds a saved model inside its folder. It is the only file
// Load reads; ModelJSONFile next to it is a human-readable copy of its header.
const (
	ModelFile     = "model.bin"
	ModelJSONFile = "model.json"
)

// fileMagic starts every model file; the digit is the format version.
const fileMagic = "denotation-model 1\n"

// fileHeader is the JSON header of a model file.
type fileHeader struct {
	CodeVersion string       `json:"code_version"`
	Config      Config       `json:"config"`
	NumFeatures int          `json:"num_features"`
	NumClasses  int          `json:"num_classes"`
	Info        Info         `json:"info"`
	Optimizer   bool         `json:"optimizer_state"`
	Tensors     []tensorInfo `json:"tensors"`
}

type tensorInfo struct {
	Name string `json:"name"`
	Dims []int  `json:"dims"`
}

// Dir is the folder the model was last saved to or loaded from ("" if neither).
func (m *Model) Dir() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dir
}

// Save writes the model (configuration, provenance, weights and Adam's state, so training can
// resume) to dir/model.bin, creating dir if needed, plus a readable dir/model.json. Each file is
// written to a temporary file in dir and renamed into place, so a reader sees either the old or
// the new complete file, never a partial one; model.bin ends with a SHA-256 checksum that Load verifies.
func (m *Model) Save(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.saveLocked(dir)
}

func (m *Model) saveLocked(dir string) error {
	if err := m.checkShapes(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("model: saving: %w", err)
	}
	h := m.headerLocked()
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("model: saving %s: %w", dir, err)
	}
	err = atomicfile.Write(filepath.Join(dir, ModelFile), func(w io.Writer) error { return m.encodeLocked(w, hdr) })
	if err != nil {
		return fmt.Errorf("model: saving %s: %w", dir, err)
	}
	pretty, _ := json.MarshalIndent(h, "", "  ")
	if err := atomicfile.Write(filepath.Join(dir, ModelJSONFile), func(w io.Writer) error {
		_, err := w.Write(append(pretty, '\n'))
		return err
	}); err != nil {
		return fmt.Errorf("model: saving %s: %w", dir, err)
	}
	m.dir = dir
	return nil
}

// encodeLocked writes the model file: magic, header length, JSON header, the tensors as
// little-endian float32, and the SHA-256 of everything before it.
func (m *Model) encodeLocked(w io.Writer, hdr []byte) error {
	sum := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, sum), 1<<16)
	_, _ = bw.WriteString(fileMagic)
	_ = binary.Write(bw, binary.LittleEndian, uint64(len(hdr)))
	_, _ = bw.Write(hdr)
	var b [4]byte
	for _, set := range m.tensorSetsLocked() {
		for _, t := range set {
			for _, v := range t {
				binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
				_, _ = bw.Write(b[:])
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(sum.Sum(nil))
	return err
}

func (m *Model) headerLocked() fileHeader {
	h := fileHeader{CodeVersion: CodeVersion, Config: m.Config, NumFeatures: m.NumFeatures,
		NumClasses: m.NumClasses, Info: m.Info, Optimizer: m.adamM != nil}
	prefixes := []string{""}
	if h.Optimizer {
		prefixes = append(prefixes, "adam_m/", "adam_v/")
	}
	for _, pre := range prefixes {
		for i := range m.params {
			name := fmt.Sprintf("W%d", i/2+1)
			if i%2 == 1 {
				name = fmt.Sprintf("b%d", i/2+1)
			}
			h.Tensors = append(h.Tensors, tensorInfo{Name: pre + name, Dims: m.paramDims(i)})
		}
	}
	return h
}

func (m *Model) tensorSetsLocked() [][][]float32 {
	if m.adamM == nil {
		return [][][]float32{m.params}
	}
	return [][][]float32{m.params, m.adamM, m.adamV}
}

// Load reads a model saved by Save from dir (a folder holding model.bin, or the model.bin file
// itself). It verifies the file's checksum and shapes: a truncated or corrupted file is an error,
// never a model.
func Load(dir string) (*Model, error) {
	path := dir
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		path = filepath.Join(dir, ModelFile)
	} else if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("model: no model at %s (folder does not exist)", dir)
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("model: no model in %s (%s is missing)", dir, ModelFile)
	}
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	m, err := decodeModel(raw, path)
	if err != nil {
		return nil, err
	}
	m.dir = dir
	return m, nil
}

// Bounds on the sizes a model file's header may announce, so that a corrupt header is an error
// and never an enormous allocation or an integer overflow.
const (
	maxFeatures = 1 << 24
	maxClasses  = 1 << 16
)

// decodeModel parses the bytes of a model file (path is only used in errors).
func decodeModel(raw []byte, path string) (*Model, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("model: %s is not a valid model file: %s", path, fmt.Sprintf(format, args...))
	}
	if !bytes.HasPrefix(raw, []byte(fileMagic)) {
		return nil, bad("wrong magic (not written by model.Save)")
	}
	if len(raw) < len(fileMagic)+8+sha256.Size {
		return nil, bad("truncated (%d bytes)", len(raw))
	}
	body, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, bad("checksum mismatch (truncated or corrupted)")
	}
	rest := body[len(fileMagic):]
	hlen := binary.LittleEndian.Uint64(rest)
	rest = rest[8:]
	if hlen > uint64(len(rest)) {
		return nil, bad("header length %d exceeds the file", hlen)
	}
	var h fileHeader
	if err := json.Unmarshal(rest[:hlen], &h); err != nil {
		return nil, bad("header: %v", err)
	}
	rest = rest[hlen:]
	if err := h.Config.Validate(); err != nil {
		return nil, bad("%v", err)
	}
	m := &Model{Config: h.Config, NumFeatures: h.NumFeatures, NumClasses: h.NumClasses, Info: h.Info}
	if m.NumFeatures < 1 || m.NumFeatures > maxFeatures || m.NumClasses < 2 || m.NumClasses > maxClasses {
		return nil, bad("%d features, %d classes (want 1…%d features, 2…%d classes)", m.NumFeatures, m.NumClasses, maxFeatures, maxClasses)
	}
	nP := 2 * (m.Depth() + 1)
	want := nP
	if h.Optimizer {
		want = 3 * nP
	}
	if len(h.Tensors) != want {
		return nil, bad("%d tensors, want %d", len(h.Tensors), want)
	}
	sets := make([][][]float32, want/nP)
	for i, ti := range h.Tensors {
		wantDims := m.paramDims(i % nP)
		if !slices.Equal(ti.Dims, wantDims) {
			return nil, bad("tensor %s has dims %v, want %v", ti.Name, ti.Dims, wantDims)
		}
		size := 1
		for _, d := range wantDims {
			size *= d // ≤ 2^24 × 2^16: no overflow
		}
		if len(rest)/4 < size {
			return nil, bad("data of tensor %s is truncated", ti.Name)
		}
		t := make([]float32, size)
		for j := range t {
			t[j] = math.Float32frombits(binary.LittleEndian.Uint32(rest[4*j:]))
		}
		rest = rest[4*size:]
		if i < nP { // the weights themselves (not Adam's state) must be finite
			for j, v := range t {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return nil, bad("tensor %s value %d is %v (diverged training?)", ti.Name, j, v)
				}
			}
		}
		sets[i/nP] = append(sets[i/nP], t)
	}
	if len(rest) != 0 {
		return nil, bad("%d trailing bytes", len(rest))
	}
	m.params = sets[0]
	if h.Optimizer {
		m.adamM, m.adamV = sets[1], sets[2]
	}
	if err := m.checkShapes(); err != nil {
		return nil, bad("%v", err)
	}
	return m, nil
}
