//go:build amd64 && !purego

package linalg

import "golang.org/x/sys/cpu"

// The assembly kernels: the tile and logistic kernels of each width in kernel_avx512_amd64.s and
// kernel_avx2_amd64.s, dot and axpy of both widths in kernel_vec_amd64.s, all built from the
// macros of kernel_amd64.h.

//go:noescape
func kernel12x32AVX512(k int, a, b, c *float32, ldc int, add int)

// dotAVX512 and dotAVX2 return Σ x[i]*y[i] over the first n elements, n a multiple of 16 and 8.
//
//go:noescape
func dotAVX512(n int, x, y *float32) float32

// axpyAVX512 and axpyAVX2 add alpha*x[i] to y[i] for the first n elements, n a multiple of 16 and 8.
//
//go:noescape
func axpyAVX512(n int, alpha float32, x, y *float32)

// logisticAVX512 and logisticAVX2 compute, for each j < n (a multiple of the vector's 16 or 8
// floats): zz = z[j]+bias[j]; m = zz if y[j] != 0 else −zz; c = cpos[j] if y[j] != 0 else cneg[j];
// r = c·σ(−m), negated where y[j] != 0 (r = c·(σ(zz) − y)); z[j] = r; loss[j] += c·log(1+exp(−m));
// gb[j] += r.
//
//go:noescape
func logisticAVX512(n int, z, bias *float32, y *uint8, cpos, cneg *float32, loss, gb *float64)

//go:noescape
func kernel6x16sAVX2(k int, a, b, c *float32, lda, ldb, ldc int, add int)

// dotAVX2: see dotAVX512.
//
//go:noescape
func dotAVX2(n int, x, y *float32) float32

// axpyAVX2: see axpyAVX512.
//
//go:noescape
func axpyAVX2(n int, alpha float32, x, y *float32)

// logisticAVX2: see logisticAVX512.
//
//go:noescape
func logisticAVX2(n int, z, bias *float32, y *uint8, cpos, cneg *float32, loss, gb *float64)

// What the CPU and OS support (x/sys/cpu checks the OS saves the vector registers).
var (
	hasAVX512 = cpu.X86.HasAVX512F
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

func supported(p Path) bool {
	switch p {
	case PathGo:
		return true
	case PathAVX2:
		return hasAVX2
	case PathAVX512:
		return hasAVX512
	}
	return false
}

// kernelAsm is the micro-kernel on path p (AVX2 or AVX-512): see kernelGo.
func kernelAsm(p Path, k int, a, b, c []float32, ldc int, add bool) {
	_ = c[11*ldc+31] // the tile must fit
	flag := 0
	if add {
		flag = 1
	}
	if p == PathAVX512 {
		kernel12x32AVX512(k, &a[0], &b[0], &c[0], ldc, flag)
		return
	}
	// Sixteen 256-bit registers hold a 6×16 tile (12 accumulators, two B vectors and two
	// broadcasts), so the 12×32 tile is four 6×16 kernels over the same packed panels: the A panel
	// holds 12 values per step (rows 0–5 at offset 0, rows 6–11 at offset 6) and the B panel 32
	// (columns 0–15 at offset 0, 16–31 at offset 16). Both row halves run on one B half while it
	// is in L1.
	kernel6x16sAVX2(k, &a[0], &b[0], &c[0], mr, nr, ldc, flag)
	kernel6x16sAVX2(k, &a[6], &b[0], &c[6*ldc], mr, nr, ldc, flag)
	kernel6x16sAVX2(k, &a[0], &b[16], &c[16], mr, nr, ldc, flag)
	kernel6x16sAVX2(k, &a[6], &b[16], &c[6*ldc+16], mr, nr, ldc, flag)
}

// dotAsm is Dot on path p; the assembly takes whole vectors, Go the remainder.
func dotAsm(p Path, x, y []float32) float32 {
	var s float32
	n := len(x) &^ 15
	switch {
	case n == 0:
	case p == PathAVX512:
		s = dotAVX512(n, &x[0], &y[0])
	default:
		n = len(x) &^ 7
		s = dotAVX2(n, &x[0], &y[0])
	}
	for i := n; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

// axpyAsm is Axpy on path p; the assembly takes whole vectors, Go the remainder.
func axpyAsm(p Path, alpha float32, x, y []float32) {
	n := len(x) &^ 15
	switch {
	case p == PathAVX512:
		if n > 0 {
			axpyAVX512(n, alpha, &x[0], &y[0])
		}
	default:
		if n = len(x) &^ 7; n > 0 {
			axpyAVX2(n, alpha, &x[0], &y[0])
		}
	}
	for i := n; i < len(x); i++ {
		y[i] += alpha * x[i]
	}
}

// logisticAsm runs the Logistic kernel of path p on the longest prefix of whole vectors and
// returns its length; the caller does the rest in Go.
func logisticAsm(p Path, z, bias []float32, y []uint8, cpos, cneg []float32, loss, gb []float64) int {
	if p == PathAVX512 {
		n := len(z) &^ 15
		if n > 0 {
			logisticAVX512(n, &z[0], &bias[0], &y[0], &cpos[0], &cneg[0], &loss[0], &gb[0])
		}
		return n
	}
	n := len(z) &^ 7
	if n > 0 {
		logisticAVX2(n, &z[0], &bias[0], &y[0], &cpos[0], &cneg[0], &loss[0], &gb[0])
	}
	return n
}

// blockMulAtBAsm is BlockMulAtB on a SIMD path (AVX-512 CPUs run the AVX2 kernel: the sums are the
// same, FMA after FMA in k order, so both paths give the same bits). bd is a multiple of 16, ≥ 6.
func blockMulAtBAsm(bd int, a, b, c []float32) {
	_, _, _ = a[bd*bd-1], b[bd*bd-1], c[bd*bd-1]
	for j := 0; j < bd; j += 16 {
		i := 0
		for ; i+6 <= bd; i += 6 {
			kernel6x16sAVX2(bd, &a[i], &b[j], &c[i*bd+j], bd, bd, bd, 1)
		}
		if i == bd {
			continue
		}
		// The last rows: a whole 6-row tile ending at row bd-1 into tmp, of which only the rows not
		// yet added go to C.
		var tmp [6 * 16]float32
		i0 := bd - 6
		kernel6x16sAVX2(bd, &a[i0], &b[j], &tmp[0], bd, bd, 16, 0)
		for r := i; r < bd; r++ {
			row := c[r*bd+j : r*bd+j+16]
			t := tmp[(r-i0)*16 : (r-i0)*16+16]
			for x := range row {
				row[x] += t[x]
			}
		}
	}
}
