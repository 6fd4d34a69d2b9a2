package datasets

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// forgetMNIST clears the in-process memo and points the cache folder at a fresh temporary folder,
// restoring the memo when the test ends.
func forgetMNIST(t *testing.T) {
	t.Helper()
	mnistMemo.Lock()
	saved := mnistMemo.dir
	mnistMemo.dir = ""
	mnistMemo.Unlock()
	t.Setenv(EnvCacheDir, t.TempDir())
	t.Cleanup(func() {
		mnistMemo.Lock()
		mnistMemo.dir = saved
		mnistMemo.Unlock()
	})
}

// fakeGo replaces runGo with a counter that answers `go mod download -json` with modDir, and
// restores it when the test ends.
func fakeGo(t *testing.T, modDir string) *int {
	t.Helper()
	calls := new(int)
	saved := runGo
	runGo = func(args ...string) ([]byte, []byte, error) {
		*calls++
		if strings.Join(args, " ") != "mod download -json "+MNISTModule+"@"+MNISTModuleVersion {
			return nil, nil, fmt.Errorf("unexpected go %v", args)
		}
		out, _ := json.Marshal(map[string]string{"Dir": modDir, "Sum": MNISTModuleSum})
		return out, nil, nil
	}
	t.Cleanup(func() { runGo = saved })
	return calls
}

// copyMNIST copies the real module's data files (located with the real go command) into a
// temporary module folder, so that the test may damage them.
func copyMNIST(t *testing.T) string {
	t.Helper()
	forgetMNIST(t)
	src, err := MNISTDir()
	if err != nil {
		t.Skipf("MNIST module not available here: %v", err)
	}
	mod := t.TempDir()
	if err := os.MkdirAll(filepath.Join(mod, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name := range mnistSHA256 {
		raw, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, "data", name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return mod
}

// TestMNISTDirRemembered checks that the go command runs once: a second Load in the process, and
// a later process (the in-process memo cleared) reuse the remembered folder, and a folder that is
// gone or fails its check sends MNISTDir back to the go command.
func TestMNISTDirRemembered(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	mod := copyMNIST(t)
	forgetMNIST(t)
	cache := os.Getenv(EnvCacheDir)
	calls := fakeGo(t, mod)
	data := filepath.Join(mod, "data")
	load := func(wantCalls int, what string) {
		t.Helper()
		ds, err := Load("mnist")
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ds.Train.Len() != 60000 {
			t.Fatalf("%s: %d training samples", what, ds.Train.Len())
		}
		if *calls != wantCalls {
			t.Fatalf("%s: go ran %d times in all, want %d", what, *calls, wantCalls)
		}
	}
	newProcess := func() {
		mnistMemo.Lock()
		mnistMemo.dir = ""
		mnistMemo.Unlock()
	}
	load(1, "first Load")
	if d := readMemo(filepath.Join(cache, mnistMemoFile)); d != data {
		t.Fatalf("memo file names %q, want %q", d, data)
	}
	load(1, "second Load, same process")
	newProcess()
	load(1, "Load in a new process")

	// A file of the right size but damaged content: the new process re-checks the SHA-256.
	p := filepath.Join(data, "t10k-labels-idx1-ubyte.gz")
	raw, _ := os.ReadFile(p)
	good := append([]byte(nil), raw...)
	raw[100] ^= 0xff
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	newProcess()
	if _, err := Load("mnist"); err == nil || !strings.Contains(err.Error(), "SHA-256") || *calls != 2 {
		t.Fatalf("damaged file: err %v, go ran %d times (want 2)", err, *calls)
	}
	if err := os.WriteFile(p, good, 0o644); err != nil {
		t.Fatal(err)
	}
	load(2, "after repair (the memo file still names the folder)")

	// The remembered folder is gone: back to the go command, in the same process too.
	moved := mod + ".moved"
	if err := os.Rename(mod, moved); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(moved) })
	if _, err := Load("mnist"); err == nil || *calls != 3 {
		t.Fatalf("folder gone: err %v, go ran %d times (want 3)", err, *calls)
	}
	if err := os.Rename(moved, mod); err != nil {
		t.Fatal(err)
	}
	load(3, "folder back")
	load(3, "again")

	// A memo of another module version, or garbage, is ignored.
	for _, memo := range []string{`{"Module":"` + MNISTModule + `","Version":"v9","Dir":"` + data + `"}`, "not json"} {
		if err := os.WriteFile(filepath.Join(cache, mnistMemoFile), []byte(memo), 0o644); err != nil {
			t.Fatal(err)
		}
		newProcess()
		before := *calls
		load(before+1, "memo "+memo)
	}
}
