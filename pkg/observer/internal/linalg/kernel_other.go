//go:build !amd64 || purego

package linalg

func kernelAsm(k int, a, b, c []float32, ldc int, add bool) { kernelGo(k, a, b, c, ldc, add) }
func dotAsm(x, y []float32) float32                         { return dotGo(x, y) }
func axpyAsm(alpha float32, x, y []float32)                 { axpyGo(alpha, x, y) }

func asmAvailable() bool { return false }

func logisticAsm(z, bias []float32, y []uint8, cpos, cneg []float32, loss, gb []float64) int {
	return 0
}
