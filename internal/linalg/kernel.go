package linalg

import (
	"fmt"
	"os"
	"strings"
)

// Path is one set of kernels: the micro-kernel of the matrix multiply, Dot, Axpy and Logistic.
type Path uint8

// The kernel paths. PathGo runs everywhere; the others need amd64 and the CPU features they name.
const (
	PathGo     Path = iota // portable Go
	PathAVX2               // amd64 assembly, AVX2 + FMA (256-bit)
	PathAVX512             // amd64 assembly, AVX-512F (512-bit)
)

// AllPaths lists every path, supported by this CPU or not.
var AllPaths = []Path{PathGo, PathAVX2, PathAVX512}

func (p Path) String() string {
	switch p {
	case PathGo:
		return "go"
	case PathAVX2:
		return "avx2"
	case PathAVX512:
		return "avx512"
	}
	return fmt.Sprintf("Path(%d)", uint8(p))
}

// ParsePath reads a path name: go, avx2 or avx512.
func ParsePath(s string) (Path, error) {
	for _, p := range AllPaths {
		if strings.EqualFold(s, p.String()) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown kernel path %q (want go, avx2 or avx512)", s)
}

// Supported reports whether this build and CPU can run path p.
func Supported(p Path) bool { return supported(p) }

// Best returns the fastest path this build and CPU support.
func Best() Path {
	for i := len(AllPaths) - 1; i >= 0; i-- {
		if supported(AllPaths[i]) {
			return AllPaths[i]
		}
	}
	return PathGo
}

// path is the kernel set in use: Best(), or the one named by $DENOTATION_KERNEL (see init).
var path Path

// EnvVar names the environment variable that forces a kernel path (go, avx2 or avx512).
const EnvVar = "DENOTATION_KERNEL"

func init() {
	path = Best()
	s := os.Getenv(EnvVar)
	if s == "" {
		return
	}
	p, err := ParsePath(s)
	if err == nil && !supported(p) {
		err = fmt.Errorf("kernel path %s is not supported by this CPU or build", p)
	}
	if err != nil {
		// A package init cannot return an error; say so on one line and run the best path.
		fmt.Fprintf(os.Stderr, "denotation: %s=%s: %v; using %s\n", EnvVar, s, err, path)
		return
	}
	path = p
}

// Kernel returns the kernel path in use.
func Kernel() Path { return path }

// SetKernel selects the kernel path (tests and benchmarks compare them) and returns the previous
// one. It fails, changing nothing, where the CPU or build lacks p. Not safe to call while kernels
// run on other goroutines.
func SetKernel(p Path) (previous Path, err error) {
	if !supported(p) {
		return path, fmt.Errorf("kernel path %s is not supported by this CPU or build", p)
	}
	previous, path = path, p
	return previous, nil
}
