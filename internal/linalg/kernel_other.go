//go:build !amd64 || purego

package linalg

// Without amd64 assembly only PathGo exists; the *Asm entry points are never reached (SetKernel
// refuses the other paths) but keep the dispatch in sgemm.go and logistic.go portable.

func supported(p Path) bool { return p == PathGo }

func kernelAsm(_ Path, k int, a, b, c []float32, ldc int, add bool) { kernelGo(k, a, b, c, ldc, add) }
func dotAsm(_ Path, x, y []float32) float32                         { return dotGo(x, y) }
func axpyAsm(_ Path, alpha float32, x, y []float32)                 { axpyGo(alpha, x, y) }

func logisticAsm(_ Path, z, bias []float32, y []uint8, cpos, cneg []float32, loss, gb []float64) int {
	return 0
}

func blockMulAtBAsm(bd int, a, b, c []float32) { blockMulAtBGo(bd, a, b, c) }
