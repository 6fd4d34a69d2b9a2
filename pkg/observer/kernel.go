package observer

import "github.com/denotation-go/denotation/internal/linalg"

// KernelPath names the kernels the linear and MLP observers run on: "avx512" or "avx2" (amd64
// assembly) or "go" (portable). The best one the CPU supports is chosen at start-up; the
// environment variable DENOTATION_KERNEL=go|avx2|avx512 forces one.
func KernelPath() string { return linalg.Kernel().String() }

// SetKernelPath forces the kernel path by name ("go", "avx2" or "avx512"; benchmarks compare them)
// and returns the previous one. It fails, changing nothing, for an unknown name or a path this CPU
// lacks. Do not call it while observers are being fitted.
func SetKernelPath(name string) (previous string, err error) {
	p, err := linalg.ParsePath(name)
	if err != nil {
		return KernelPath(), err
	}
	prev, err := linalg.SetKernel(p)
	return prev.String(), err
}
