package findings

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/internal/native"
	"github.com/denotation-go/denotation/pkg/actfile"
	"github.com/denotation-go/denotation/pkg/actfile/actmodel"
	"github.com/denotation-go/denotation/pkg/hidden"
	"github.com/denotation-go/denotation/pkg/model"
)

// The state of a subject — its model's evaluation on the test split and the activations of every
// hidden neuron on the observers' samples — is what every finding starts from, and recording it
// (two forward passes over 10,000 samples and an evaluation) is most of what a notebook cell would
// otherwise spend before its finding comes out of the results cache. It is kept in the results
// cache too (kind "subject", or "subject-untrained" for the control), keyed like every result:
// the setup, the data's fingerprint and the code versions; the entry's SHA-256 guards the raw
// float32 values like any other entry's bytes.

// stateFormat names the encoding of a subject's entry (part of its key: entries in another encoding
// are not read).
const stateFormat = "json+npz"

// subjectState is what subjectOf computes from a model.
type subjectState struct {
	Eval        *model.Evaluation
	Train, Test *hidden.Activations
}

// stateHeader is the JSON line that starts an encoded subjectState; the activations of both
// splits follow as one .npz archive with a split array (actmodel.JoinSplits, actfile.WriteNPZ
// uncompressed): the project's own activation format, read back bit for bit.
type stateHeader struct {
	Eval       *model.Evaluation `json:"eval"`
	NumClasses int               `json:"num_classes"`
}

// encodeState writes st as one JSON line followed by the .npz archive of its activations.
func encodeState(st *subjectState) ([]byte, error) {
	head, err := json.Marshal(stateHeader{Eval: st.Eval, NumClasses: st.Train.NumClasses})
	if err != nil {
		return nil, err
	}
	f, err := actmodel.JoinSplits(st.Train, st.Test, nil)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(head)
	b.WriteByte('\n')
	if err := actfile.WriteNPZ(&b, f, false); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// decodeState reads what encodeState wrote.
func decodeState(b []byte) (*subjectState, error) {
	line, rest, ok := bytes.Cut(b, []byte{'\n'})
	if !ok {
		return nil, fmt.Errorf("subject state: no header")
	}
	var h stateHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("subject state: %w", err)
	}
	if h.Eval == nil || h.NumClasses < 2 {
		return nil, fmt.Errorf("subject state: no evaluation or class count")
	}
	f, err := actfile.ReadNPZ(bytes.NewReader(rest), int64(len(rest)), "subject state")
	if err != nil {
		return nil, err
	}
	st := &subjectState{Eval: h.Eval}
	for _, x := range []struct {
		part string
		dst  **hidden.Activations
	}{{actfile.Train, &st.Train}, {actfile.Test, &st.Test}} {
		set, err := f.Part(x.part)
		if err != nil {
			return nil, err
		}
		*x.dst = actmodel.Activations(set, h.NumClasses)
	}
	return st, nil
}

// recordState evaluates m on the test split and records its activations on the observers' samples.
func recordState(m *model.Model, train, test *datasets.Split) (*subjectState, error) {
	st := &subjectState{}
	var err error
	if st.Eval, err = m.Evaluate(test); err != nil {
		return nil, err
	}
	if st.Train, err = m.Capture(train, false); err != nil {
		return nil, err
	}
	if st.Test, err = m.Capture(test, false); err != nil {
		return nil, err
	}
	return st, nil
}

// cachedState is recordState through the results cache (see cachedEntry).
func cachedState(cacheDir string, s Setup, ds *datasets.Dataset, untrained bool, compute func() (*subjectState, error)) (*subjectState, error) {
	kind := "subject"
	if untrained {
		kind = "subject-untrained"
	}
	return cachedEntry(cacheDir, kind, []any{s, dataFingerprint(ds), stateFormat}, compute, encodeState, decodeState)
}

// stateMemo remembers a subject's stateKey for the activations it was computed from.
type stateMemo struct {
	train, test *hidden.Activations
	key         string
}

// stateKey is the SHA-256 of the subject's recorded state: labels and post-activation values of
// both splits. It is part of the results-cache key of every finding computed from a subject, so
// that a subject whose activations were replaced (a control, a test) is never answered from the
// entry of another. Hashing ~60 MB takes some 50 ms; the key is remembered while Train and Test
// stay the same objects (activations are not modified in place).
func (sub *Subject) stateKey() string {
	if m := sub.memo; m.key != "" && m.train == sub.Train && m.test == sub.Test {
		return m.key
	}
	h := sha256.New()
	var b [8]byte
	put := func(v int) {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	for _, a := range []*hidden.Activations{sub.Train, sub.Test} {
		if a == nil {
			put(-1)
			continue
		}
		put(a.N)
		put(a.NumClasses)
		for _, y := range a.Labels {
			put(y)
		}
		for _, l := range a.Layers {
			put(l.Layer)
			put(l.Width)
			// The float32 values' bytes in this machine's order: the cache is local to a machine.
			h.Write(native.Float32Bytes(l.Post))
		}
	}
	sub.memo = stateMemo{train: sub.Train, test: sub.Test, key: hex.EncodeToString(h.Sum(nil))}
	return sub.memo.key
}
