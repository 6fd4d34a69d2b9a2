// Package native views float32 values as the bytes this machine stores them as, for code that
// hashes, reads or writes large float32 arrays in bulk instead of value by value.
package native

import (
	"encoding/binary"
	"unsafe"
)

// LittleEndian tells whether this machine stores numbers little-endian (amd64, arm64 and most
// others): then Float32Bytes(v) are the little-endian encodings of v, as .npy "<f4" arrays and the
// project's fingerprints define them.
var LittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// Float32Bytes returns the memory of v as 4·len(v) bytes, in this machine's byte order, without a
// copy: writing to it writes to v.
func Float32Bytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}
