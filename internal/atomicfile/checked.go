package atomicfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A checked file is one line "FORMAT LENGTH SHA256\n" followed by a payload of LENGTH bytes whose
// SHA-256 (hex) is SHA256. FORMAT names the payload's format and version (it may contain spaces,
// not newlines). The caches use it: a truncated or damaged file is detected, never used.

// WriteChecked writes payload to path as a checked file of the given format, atomically, creating
// path's folder if needed.
func WriteChecked(path, format string, payload []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	sum := sha256.Sum256(payload)
	head := fmt.Sprintf("%s %d %s\n", format, len(payload), hex.EncodeToString(sum[:]))
	b := make([]byte, 0, len(head)+len(payload))
	return WriteBytes(path, append(append(b, head...), payload...))
}

// ReadChecked reads the payload of the checked file of the given format at path. ok is false, with
// a nil error, when there is no file; a file that is not a checked file of that format, is
// truncated or does not match its SHA-256 is an error.
func ReadChecked(path, format string) (payload []byte, ok bool, err error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	head, body, found := bytes.Cut(b, []byte{'\n'})
	fields := strings.Fields(string(head))
	if !found || len(fields) < 3 || strings.Join(fields[:len(fields)-2], " ") != format {
		return nil, false, fmt.Errorf("no %q header", format)
	}
	n, err := strconv.Atoi(fields[len(fields)-2])
	if err != nil || n != len(body) {
		return nil, false, fmt.Errorf("truncated: %d bytes of %s", len(body), fields[len(fields)-2])
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != fields[len(fields)-1] {
		return nil, false, fmt.Errorf("SHA-256 mismatch")
	}
	return body, true, nil
}
