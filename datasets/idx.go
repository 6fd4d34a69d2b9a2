package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// IDX type codes (the third byte of an IDX file's magic number).
const (
	idxUnsignedByte = 0x08
)

// maxIDXElements bounds the element count an IDX header may announce (guards allocations on corrupt input).
const maxIDXElements = 1 << 31

// idxInitialBuffer is the first allocation for an IDX file's data when its input cannot be shown to
// hold all of it; it grows as data arrives.
const idxInitialBuffer = 1 << 16

// maxDeflateRatio is the largest expansion of deflate (RFC 1951): 258 bytes from 2 bits, about
// 1032:1. A gzip stream of n bytes never decompresses to more than maxDeflateRatio*n bytes.
const maxDeflateRatio = 1032

// IDX is the content of an IDX file of unsigned bytes: the dimensions and the raw data, row-major.
type IDX struct {
	Dims []int
	Data []byte
}

// ReadIDXFile reads an IDX file of unsigned bytes, transparently gunzipping it when it starts
// with the gzip magic. Errors name the file and what is wrong with it. A gzipped file is
// decompressed once: its decompressed bytes are kept under the cache folder and read from there
// the next time (see decoded.go).
func ReadIDXFile(path string) (*IDX, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	copyPath := ""
	if isGzip(raw) {
		copyPath = decodedPath(raw)
		if idx, ok := readDecoded(copyPath); ok {
			return idx, nil
		}
	}
	idx, err := ParseIDX(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	writeDecoded(copyPath, idx)
	return idx, nil
}

// isGzip tells whether raw starts with the gzip magic number.
func isGzip(raw []byte) bool { return len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b }

// ParseIDX parses the bytes of an IDX file (gzipped or not) holding unsigned bytes.
// It validates the magic number, the type code, the dimensions and the data length.
func ParseIDX(raw []byte) (*IDX, error) {
	if isGzip(raw) {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("corrupt gzip stream: %v", err)
		}
		// Read the header first so that a huge announced size is rejected before decompressing all.
		return readIDX(bufio.NewReader(zr), true, maxDeflateRatio*len(raw))
	}
	return readIDX(bytes.NewReader(raw), false, len(raw))
}

// readIDX reads an IDX stream from r; present bounds how many bytes of data r can hold (the length of
// uncompressed input; for gzip input, its compressed length times deflate's largest expansion).
func readIDX(r io.Reader, gz bool, present int) (*IDX, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, fmt.Errorf("truncated: no 4-byte IDX magic number (%v)", describeReadErr(err, gz))
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("not an IDX file: magic number %02x%02x%02x%02x does not start with 0000", magic[0], magic[1], magic[2], magic[3])
	}
	if magic[2] != idxUnsignedByte {
		return nil, fmt.Errorf("IDX type code 0x%02x, want 0x08 (unsigned byte)", magic[2])
	}
	nd := int(magic[3])
	if nd < 1 || nd > 4 {
		return nil, fmt.Errorf("IDX file has %d dimensions, want 1 to 4", nd)
	}
	dims := make([]int, nd)
	total := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, fmt.Errorf("truncated header: dimension %d of %d missing (%v)", i+1, nd, describeReadErr(err, gz))
		}
		if d == 0 {
			return nil, fmt.Errorf("dimension %d is 0", i+1)
		}
		dims[i] = int(d)
		if total > maxIDXElements/int(d) {
			return nil, fmt.Errorf("dimensions %v announce more than %d elements", dims[:i+1], maxIDXElements)
		}
		total *= int(d)
	}
	// The header alone must not decide how much memory is taken: a 12-byte file may announce 2 GiB.
	// Uncompressed input is checked against its length. Gzipped input is allocated at once when its
	// compressed length can hold the announced size (a real file always can), and read in growing
	// chunks otherwise, so that memory follows the data actually present.
	if br, ok := r.(*bytes.Reader); ok && total > br.Len() {
		return nil, fmt.Errorf("truncated: header announces %v = %d bytes of data, file holds %d", dims, total, br.Len())
	}
	data := make([]byte, 0, min(total, max(idxInitialBuffer, present)))
	for len(data) < total {
		if len(data) == cap(data) {
			data = slices.Grow(data, min(total-len(data), len(data)))
		}
		n, err := io.ReadFull(r, data[len(data):min(cap(data), total)])
		data = data[:len(data)+n]
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("truncated: header announces %v = %d bytes of data, file holds %d", dims, total, len(data))
			}
			return nil, fmt.Errorf("reading data: %v", describeReadErr(err, gz))
		}
	}
	data = data[:total:total]
	// Trailing bytes mean the header and the data disagree.
	// For gzip input this read also reaches the stream's end, where its CRC is checked.
	var extra [1]byte
	m, err := io.ReadFull(r, extra[:])
	if m > 0 {
		return nil, fmt.Errorf("file holds more data than its header announces (%v = %d bytes)", dims, total)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading data: %v", describeReadErr(err, gz))
	}
	return &IDX{Dims: dims, Data: data}, nil
}

func describeReadErr(err error, gz bool) string {
	if gz && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "corrupt gzip stream: " + err.Error()
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of file"
	}
	return err.Error()
}
