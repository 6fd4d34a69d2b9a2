//go:build ignore

// mkcorpus writes the seed corpus of FuzzReadNPZ (run from pkg/actfile: go run testdata/mkcorpus.go):
// small valid archives written by WriteNPZ, stored and deflated, some with their CRC-32 fields
// zeroed (archive/zip checks no checksum then), so that mutations of the .npy bytes reach the
// parser instead of stopping at the checksum.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"

	"github.com/denotation-go/denotation/pkg/actfile"
)

func zeroCRC(b []byte) []byte {
	b = bytes.Clone(b)
	for _, sig := range []struct {
		magic string
		off   int
	}{{"PK\x03\x04", 14}, {"PK\x01\x02", 16}} {
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte(sig.magic))
			if j < 0 {
				break
			}
			binary.LittleEndian.PutUint32(b[i+j+sig.off:], 0)
			i += j + 4
		}
	}
	return b
}

func main() {
	files := []*actfile.File{
		{Set: actfile.Set{N: 3, Labels: []int{0, 1, 1}, Layers: []actfile.Layer{
			{Number: 1, Shape: []int{2}, Width: 2, Post: []float32{1, 2, 3, 4, 5, 6}}}}},
		{Set: actfile.Set{N: 2, Labels: []int{1, 0}, Layers: []actfile.Layer{
			{Number: 1, Shape: []int{1}, Width: 1, Post: []float32{0.5, -1}, Pre: []float32{2, 3}},
			{Number: 2, Shape: []int{1, 2}, Width: 2, Post: []float32{1, 2, 3, 4}}}},
			ClassNames: []string{"a", "b"}, Split: []string{"train", "test"}},
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReadNPZ")
	n := 0
	for _, f := range files {
		for _, compress := range []bool{false, true} {
			var b bytes.Buffer
			if err := actfile.WriteNPZ(&b, f, compress); err != nil {
				log.Fatal(err)
			}
			for _, data := range [][]byte{b.Bytes(), zeroCRC(b.Bytes())} {
				n++
				body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", n)), []byte(body), 0o644); err != nil {
					log.Fatal(err)
				}
			}
		}
	}
}
