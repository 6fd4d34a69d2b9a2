package native

import (
	"encoding/binary"
	"math"
	"testing"
)

func TestFloat32Bytes(t *testing.T) {
	v := []float32{1, -2.5, float32(math.Inf(1)), 3e-38}
	b := Float32Bytes(v)
	if len(b) != 16 {
		t.Fatalf("%d bytes for 4 values", len(b))
	}
	order := binary.ByteOrder(binary.BigEndian)
	if LittleEndian {
		order = binary.LittleEndian
	}
	for i, x := range v {
		if got := order.Uint32(b[4*i:]); got != math.Float32bits(x) {
			t.Errorf("value %d: bytes say %#x, want %#x", i, got, math.Float32bits(x))
		}
	}
	b[0], b[1], b[2], b[3] = 0, 0, 0, 0
	if v[0] != 0 {
		t.Errorf("the bytes are not a view of the values: v[0] = %v after zeroing its bytes", v[0])
	}
	if Float32Bytes(nil) != nil {
		t.Error("bytes of no values")
	}
}
