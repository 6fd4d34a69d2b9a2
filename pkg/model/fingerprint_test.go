package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"testing"

	"github.com/denotation-go/denotation/internal/native"
)

// TestFingerprintDefinition rebuilds a split's fingerprint from its definition (sample count, rows,
// cols, each index, each label, each pixel as little-endian float32 bits, all integers as 64-bit
// little-endian) and checks that both ways of hashing the pixels give it: a change here would change
// every run-cache key.
func TestFingerprintDefinition(t *testing.T) {
	s := synthetic(50, 10, 3, 4, 4, 7).Train
	h := sha256.New()
	for _, v := range append(append([]int{s.Len(), s.Rows, s.Cols}, s.Index...), s.Labels...) {
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(v)))
	}
	for _, p := range s.Images {
		h.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(p)))
	}
	want := hex.EncodeToString(h.Sum(nil))
	if got := hashSplitWith(s, false); got != want {
		t.Errorf("portable hashing: %s, want %s", got, want)
	}
	if !native.LittleEndian {
		t.Skip("big-endian machine: the pixels cannot be hashed in place")
	}
	if got := hashSplitWith(s, true); got != want {
		t.Errorf("in-place hashing: %s, want %s", got, want)
	}
	if got := fingerprint(s); got != want {
		t.Errorf("fingerprint: %s, want %s", got, want)
	}
}
