//go:build amd64 && !purego

package linalg

import "golang.org/x/sys/cpu"

//go:noescape
func kernel12x32AVX512(k int, a, b, c *float32, ldc int, add int)

//go:noescape
func dotAVX512(n int, x, y *float32) float32

//go:noescape
func axpyAVX512(n int, alpha float32, x, y *float32)

// hasAVX512 reports whether the CPU and OS support the AVX-512 kernels.
var hasAVX512 = cpu.X86.HasAVX512F

func init() { useAsm = hasAVX512 }

func kernelAsm(k int, a, b, c []float32, ldc int, add bool) {
	_ = c[11*ldc+31] // the tile must fit
	flag := 0
	if add {
		flag = 1
	}
	kernel12x32AVX512(k, &a[0], &b[0], &c[0], ldc, flag)
}

func dotAsm(x, y []float32) float32 {
	n := len(x) &^ 15
	var s float32
	if n > 0 {
		s = dotAVX512(n, &x[0], &y[0])
	}
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

func axpyAsm(alpha float32, x, y []float32) {
	n := len(x) &^ 15
	if n > 0 {
		axpyAVX512(n, alpha, &x[0], &y[0])
	}
	for i := n; i < len(x); i++ {
		y[i] += alpha * x[i]
	}
}

func asmAvailable() bool { return hasAVX512 }

//go:noescape
func logisticAVX512(n int, z, bias *float32, y *uint8, cpos, cneg *float32, loss, gb *float64)

func logisticAsm(z, bias []float32, y []uint8, cpos, cneg []float32, loss, gb []float64) int {
	n := len(z) &^ 15
	if n > 0 {
		logisticAVX512(n, &z[0], &bias[0], &y[0], &cpos[0], &cneg[0], &loss[0], &gb[0])
	}
	return n
}
