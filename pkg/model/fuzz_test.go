package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// encoded returns the bytes Save writes for m.
func encoded(t testing.TB, m *Model) []byte {
	t.Helper()
	hdr, err := json.Marshal(m.headerLocked())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := m.encodeLocked(&b, hdr); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withSum appends body's SHA-256, as a model file ends.
func withSum(body []byte) []byte {
	s := sha256.Sum256(body)
	return append(slices.Clone(body), s[:]...)
}

// fileWithHeader builds a model file around an arbitrary JSON header and tensor data, with a
// correct checksum (so that decoding goes past it).
func fileWithHeader(hdr string, data []byte) []byte {
	var b bytes.Buffer
	b.WriteString(fileMagic)
	_ = binary.Write(&b, binary.LittleEndian, uint64(len(hdr)))
	b.WriteString(hdr)
	b.Write(data)
	return withSum(b.Bytes())
}

// TestDecodeCorruptHeaders checks headers whose checksums are right but whose content is wrong:
// sizes that would overflow or allocate without bound, wrong shapes, non-finite weights.
func TestDecodeCorruptHeaders(t *testing.T) {
	m, err := NewUntrained(DefaultConfig().WithHidden(3, 2), 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	good := encoded(t, m)
	if _, err := decodeModel(good, "good"); err != nil {
		t.Fatalf("valid file: %v", err)
	}
	hlen := binary.LittleEndian.Uint64(good[len(fileMagic):])
	hdr := string(good[len(fileMagic)+8 : len(fileMagic)+8+int(hlen)])
	data := good[len(fileMagic)+8+int(hlen) : len(good)-sha256.Size]
	nan := slices.Clone(data)
	binary.LittleEndian.PutUint32(nan[4*5:], 0x7fc00000)
	for name, c := range map[string]struct {
		file []byte
		want string
	}{
		// 2^62 features × 3 overflowed int: make() panicked with a negative length.
		"huge features": {fileWithHeader(strings.Replace(hdr, `"num_features":4`, `"num_features":4611686018427387904`, 1), data), "features"},
		"zero classes":  {fileWithHeader(strings.Replace(hdr, `"num_classes":2`, `"num_classes":0`, 1), data), "classes"},
		"wide layer":    {fileWithHeader(strings.Replace(hdr, `"hidden":[3,2]`, `"hidden":[3,65536]`, 1), data), "dims"},
		"short data":    {fileWithHeader(hdr, data[:len(data)-4]), "truncated"},
		"long data":     {fileWithHeader(hdr, append(slices.Clone(data), 0, 0, 0, 0)), "trailing"},
		"NaN weight":    {fileWithHeader(hdr, nan), "NaN"},
		"bad JSON":      {fileWithHeader(hdr[:len(hdr)-1], append([]byte{'x'}, data...)), "header"},
		"bad config":    {fileWithHeader(strings.Replace(hdr, `"activation":"relu"`, `"activation":"gelu"`, 1), data), "gelu"},
		"header length": {withSum(append([]byte(fileMagic), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), "header length"},
	} {
		_, err := decodeModel(c.file, "m.bin")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "m.bin is not a valid model file") {
			t.Errorf("%s: error %v, want one naming m.bin and containing %q", name, err, c.want)
		}
	}
}

// FuzzLoad feeds the model-file decoder arbitrary bytes. With fix set, the input is taken as the
// file's body and given a correct checksum, so that the fuzzer explores the header and tensor
// parsing behind the checksum. Decoding must never panic; what it accepts must survive a
// save-and-load round trip unchanged.
func FuzzLoad(f *testing.F) {
	m, err := NewUntrained(DefaultConfig().WithHidden(3, 2), 4, 2)
	if err != nil {
		f.Fatal(err)
	}
	plain := encoded(f, m)
	m.adamM, m.adamV = slices.Clone(m.params), slices.Clone(m.params)
	adam := encoded(f, m)
	for _, file := range [][]byte{plain, adam} {
		f.Add(file, false)
		f.Add(file[:len(file)-sha256.Size], true)
	}
	f.Add([]byte(fileMagic), true)
	f.Add([]byte("PK\x03\x04"), false)
	f.Fuzz(func(t *testing.T, raw []byte, fix bool) {
		if fix {
			raw = withSum(raw)
		}
		got, err := decodeModel(raw, "fuzz")
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "model: fuzz is not a valid model file: ") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line naming the file", msg)
			}
			return
		}
		if err := got.checkShapes(); err != nil {
			t.Fatalf("accepted a model with bad shapes: %v", err)
		}
		again, err := decodeModel(encoded(t, got), "again")
		if err != nil {
			t.Fatalf("accepted model does not reload: %v", err)
		}
		if got.Architecture() != again.Architecture() || got.NumParams() != again.NumParams() {
			t.Fatalf("round trip changed %s to %s", got.Architecture(), again.Architecture())
		}
		for i := range got.params {
			if !slices.Equal(got.params[i], again.params[i]) {
				t.Fatalf("round trip changed tensor %d", i)
			}
		}
	})
}
