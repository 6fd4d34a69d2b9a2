package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestWriteReplacesOrLeavesAlone(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	if err := WriteBytes(p, []byte("first")); err != nil {
		t.Fatal(err)
	}
	// A failing writer leaves the old content and no temporary file.
	boom := errors.New("boom")
	if err := Write(p, func(w io.Writer) error { _, _ = w.Write([]byte("half")); return boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "first" {
		t.Fatalf("content %q after a failed write", b)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Fatalf("%d files left, want 1", len(left))
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if err := WriteBytes(filepath.Join(dir, "missing", "f"), nil); err == nil {
		t.Error("a write into a missing folder succeeded")
	}
}

func TestConcurrentWritersLeaveOneCompleteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.bin")
	var wg sync.WaitGroup
	contents := make([][]byte, 8)
	for i := range contents {
		contents[i] = bytes.Repeat([]byte(fmt.Sprint(i)), 1<<18)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := WriteBytes(p, contents[i]); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _ := os.ReadFile(p)
	found := false
	for _, c := range contents {
		found = found || bytes.Equal(got, c)
	}
	if !found {
		t.Fatalf("the file (%d bytes) is none of the writers' contents", len(got))
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Fatalf("%d files left, want 1", len(left))
	}
}

// TestChecked round-trips a checked file and checks that a missing, truncated, damaged or
// other-format file is told apart.
func TestChecked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "entry")
	if _, ok, err := ReadChecked(path, "fmt v1"); ok || err != nil {
		t.Fatalf("missing file: ok=%v err=%v", ok, err)
	}
	payload := []byte("line one\nline two\n")
	if err := WriteChecked(path, "fmt v1", payload); err != nil {
		t.Fatal(err)
	}
	got, ok, err := ReadChecked(path, "fmt v1")
	if !ok || err != nil || string(got) != string(payload) {
		t.Fatalf("read back %q ok=%v err=%v", got, ok, err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		content []byte
		format  string
		want    string
	}{
		"truncated":    {raw[:len(raw)-3], "fmt v1", "truncated"},
		"damaged":      {append(raw[:len(raw)-1:len(raw)-1], 'X'), "fmt v1", "SHA-256 mismatch"},
		"other format": {raw, "fmt v2", "header"},
		"no header":    {payload, "fmt v1", "header"},
	} {
		if err := os.WriteFile(path, c.content, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := ReadChecked(path, c.format); ok || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: ok=%v err=%v, want an error saying %q", name, ok, err, c.want)
		}
	}
}
