package linalg

import (
	"fmt"
	"runtime"
	"sync"
)

// Micro-tile and cache-block sizes. mc is a multiple of mr and nc of nr.
const (
	mr = 12
	nr = 32
	kc = 256
	mc = 16 * mr
	nc = 64 * nr
)

func kernel(k int, a, b, c []float32, ldc int, add bool) {
	if p := path; p != PathGo {
		kernelAsm(p, k, a, b, c, ldc, add)
		return
	}
	kernelGo(k, a, b, c, ldc, add)
}

// kernelGo is the portable micro-kernel: C[mr×nr] (stride ldc) = Apanel(k×mr)·Bpanel(k×nr), added to
// C when add is set.
func kernelGo(k int, a, b, c []float32, ldc int, add bool) {
	var acc [mr * nr]float32
	for p := 0; p < k; p++ {
		ap := a[p*mr : p*mr+mr]
		bp := b[p*nr : p*nr+nr]
		for r := 0; r < mr; r++ {
			av := ap[r]
			row := acc[r*nr : r*nr+nr]
			for j, bv := range bp {
				row[j] += av * bv
			}
		}
	}
	for r := 0; r < mr; r++ {
		row := c[r*ldc : r*ldc+nr]
		if !add {
			copy(row, acc[r*nr:r*nr+nr])
			continue
		}
		for j := range row {
			row[j] += acc[r*nr+j]
		}
	}
}

// Workers returns w if w > 0, else GOMAXPROCS.
func Workers(w int) int {
	if w > 0 {
		return w
	}
	return runtime.GOMAXPROCS(0)
}

// ParallelFor splits [0,n) into at most workers contiguous chunks and runs fn(lo, hi, chunk) on
// each in its own goroutine, returning when all are done. With one worker it runs inline.
func ParallelFor(n, workers int, fn func(lo, hi, chunk int)) {
	workers = Workers(workers)
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		if n > 0 {
			fn(0, n, 0)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi, w)
		}()
	}
	wg.Wait()
}

// PackedA is op(A) packed once into the micro-kernel's layout, for repeated products A·B with
// different B (the observers multiply the same feature matrix by new weights every iteration).
type PackedA struct {
	m, k   int
	blocks [][][]float32 // [k block][m block] packed panels
}

// PackA packs op(A) (m×k; with trans, A is stored k×m with row stride lda, else m×k).
func PackA(trans bool, m, k int, a []float32, lda int) *PackedA {
	checkMat("A", trans, m, k, a, lda)
	p := &PackedA{m: m, k: k}
	for pc := 0; pc < k; pc += kc {
		kb := min(kc, k-pc)
		var row [][]float32
		for ic := 0; ic < m; ic += mc {
			mb := min(mc, m-ic)
			buf := make([]float32, ((mb+mr-1)/mr)*mr*kb)
			packA(trans, a, lda, ic, pc, mb, kb, 1, buf)
			row = append(row, buf)
		}
		p.blocks = append(p.blocks, row)
	}
	return p
}

// aSource gives the packed blocks of A: pre-packed, or packed on demand into a buffer.
type aSource struct {
	pre   *PackedA
	trans bool
	a     []float32
	lda   int
	alpha float32
}

func (s *aSource) block(ic, pc, mb, kb int, buf []float32) []float32 {
	if s.pre != nil {
		return s.pre.blocks[pc/kc][ic/mc]
	}
	packA(s.trans, s.a, s.lda, ic, pc, mb, kb, s.alpha, buf)
	return buf
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where op(A) is m×k and op(B)
// is k×n. With transA, A is stored k×m (row stride lda ≥ m), else m×k (lda ≥ k); likewise for B.
// The work is split over up to workers goroutines (≤ 0: GOMAXPROCS).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int,
	beta float32, c []float32, ldc int, workers int) {
	if m == 0 || n == 0 {
		return
	}
	checkMat("A", transA, m, k, a, lda)
	gemm(&aSource{trans: transA, a: a, lda: lda, alpha: alpha}, transB, m, n, k, alpha == 0, b, ldb, beta, c, ldc, workers)
}

// SgemmPacked computes C = A·op(B) + beta·C with a pre-packed A (m×k); op(B) is k×n.
func SgemmPacked(a *PackedA, transB bool, n int, b []float32, ldb int, beta float32, c []float32, ldc int, workers int) {
	if a.m == 0 || n == 0 {
		return
	}
	gemm(&aSource{pre: a}, transB, a.m, n, a.k, false, b, ldb, beta, c, ldc, workers)
}

func gemm(src *aSource, transB bool, m, n, k int, zeroA bool, b []float32, ldb int, beta float32, c []float32, ldc int, workers int) {
	checkMat("B", transB, k, n, b, ldb)
	checkMat("C", false, m, n, c, ldc)
	workers = Workers(workers)
	if workers > 1 && 2*int64(m)*int64(n)*int64(k) < 1<<21 {
		workers = 1
	}
	mBlocks, nTiles := (m+mc-1)/mc, (n+nr-1)/nr
	switch {
	case workers > 1 && mBlocks >= workers && (mBlocks >= 2*workers || m >= n):
		// Split the rows of C in whole cache blocks of A.
		ParallelFor(mBlocks, workers, func(lo, hi, _ int) {
			gemmRange(src, transB, m, n, k, zeroA, b, ldb, beta, c, ldc, lo*mc, min(hi*mc, m), 0, n)
		})
	case workers > 1 && nTiles >= 2:
		// Split the columns of C in whole micro-tiles.
		ParallelFor(nTiles, min(workers, nTiles), func(lo, hi, _ int) {
			gemmRange(src, transB, m, n, k, zeroA, b, ldb, beta, c, ldc, 0, m, lo*nr, min(hi*nr, n))
		})
	default:
		gemmRange(src, transB, m, n, k, zeroA, b, ldb, beta, c, ldc, 0, m, 0, n)
	}
}

func checkMat(name string, trans bool, rows, cols int, x []float32, ld int) {
	if trans {
		rows, cols = cols, rows
	}
	if rows < 0 || cols < 0 || ld < cols || ld < 1 {
		panic(fmt.Sprintf("linalg.Sgemm: matrix %s is %d×%d with row stride %d", name, rows, cols, ld))
	}
	if rows > 0 && len(x) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("linalg.Sgemm: matrix %s is %d×%d with row stride %d but has %d elements", name, rows, cols, ld, len(x)))
	}
}

var packPool = sync.Pool{New: func() any {
	b := make([]float32, mc*kc+kc*nc)
	return &b
}}

// gemmRange computes rows [i0, i1) (i0 a multiple of mc) and columns [j0, j1) of C.
func gemmRange(src *aSource, transB bool, m, n, k int, zeroA bool, b []float32, ldb int, beta float32,
	c []float32, ldc int, i0, i1, j0, j1 int) {
	_, _ = m, n
	storeFirst := beta == 0
	if beta != 0 && beta != 1 {
		for i := i0; i < i1; i++ {
			row := c[i*ldc+j0 : i*ldc+j1]
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if zeroA || k == 0 {
		if beta == 0 {
			for i := i0; i < i1; i++ {
				clear(c[i*ldc+j0 : i*ldc+j1])
			}
		}
		return
	}
	bufp := packPool.Get().(*[]float32)
	defer packPool.Put(bufp)
	bufA, bufB := (*bufp)[:mc*kc], (*bufp)[mc*kc:]
	var tmp [mr * nr]float32
	for jc := j0; jc < j1; jc += nc {
		nb := min(nc, j1-jc)
		for pc := 0; pc < k; pc += kc {
			kb := min(kc, k-pc)
			add := pc > 0 || !storeFirst
			packB(transB, b, ldb, pc, jc, kb, nb, bufB)
			for ic := i0; ic < i1; ic += mc {
				mb := min(mc, i1-ic)
				ablk := src.block(ic, pc, mb, kb, bufA)
				for jr := 0; jr < nb; jr += nr {
					bp := bufB[(jr/nr)*nr*kb:]
					for ir := 0; ir < mb; ir += mr {
						ap := ablk[(ir/mr)*mr*kb:]
						if ir+mr <= mb && jr+nr <= nb {
							kernel(kb, ap, bp, c[(ic+ir)*ldc+jc+jr:], ldc, add)
							continue
						}
						kernel(kb, ap, bp, tmp[:], nr, false)
						rows, cols := min(mr, mb-ir), min(nr, nb-jr)
						for r := 0; r < rows; r++ {
							dst := c[(ic+ir+r)*ldc+jc+jr : (ic+ir+r)*ldc+jc+jr+cols]
							if !add {
								copy(dst, tmp[r*nr:r*nr+cols])
								continue
							}
							for j := range dst {
								dst[j] += tmp[r*nr+j]
							}
						}
					}
				}
			}
		}
	}
}

// packA packs the mb×kb block of alpha·op(A) at (i0, p0) into micro-panels of mr rows, each stored
// k-major (for each p, mr values), zero-padded to whole panels.
func packA(trans bool, a []float32, lda, i0, p0, mb, kb int, alpha float32, buf []float32) {
	for ir := 0; ir < mb; ir += mr {
		rows := min(mr, mb-ir)
		panel := buf[(ir/mr)*mr*kb : (ir/mr+1)*mr*kb]
		if trans {
			// op(A)[i][p] = A[p][i]: row p of A holds mr consecutive values.
			for p := 0; p < kb; p++ {
				src := a[(p0+p)*lda+i0+ir:]
				dst := panel[p*mr : p*mr+mr]
				for r := 0; r < rows; r++ {
					dst[r] = alpha * src[r]
				}
				for r := rows; r < mr; r++ {
					dst[r] = 0
				}
			}
			continue
		}
		for r := 0; r < rows; r++ {
			src := a[(i0+ir+r)*lda+p0 : (i0+ir+r)*lda+p0+kb]
			for p, v := range src {
				panel[p*mr+r] = alpha * v
			}
		}
		for r := rows; r < mr; r++ {
			for p := 0; p < kb; p++ {
				panel[p*mr+r] = 0
			}
		}
	}
}

// packB packs the kb×nb block of op(B) at (p0, j0) into micro-panels of nr columns, each stored
// k-major (for each p, nr values), zero-padded to whole panels.
func packB(trans bool, b []float32, ldb, p0, j0, kb, nb int, buf []float32) {
	for jr := 0; jr < nb; jr += nr {
		cols := min(nr, nb-jr)
		panel := buf[(jr/nr)*nr*kb : (jr/nr+1)*nr*kb]
		if !trans {
			for p := 0; p < kb; p++ {
				src := b[(p0+p)*ldb+j0+jr : (p0+p)*ldb+j0+jr+cols]
				dst := panel[p*nr : p*nr+nr]
				copy(dst, src)
				clear(dst[cols:])
			}
			continue
		}
		// op(B)[p][j] = B[j][p].
		for j := 0; j < cols; j++ {
			src := b[(j0+jr+j)*ldb+p0 : (j0+jr+j)*ldb+p0+kb]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := 0; p < kb; p++ {
				panel[p*nr+j] = 0
			}
		}
	}
}

// Dot returns Σ x[i]·y[i] (len(y) ≥ len(x)).
func Dot(x, y []float32) float32 {
	y = y[:len(x)]
	if p := path; p != PathGo {
		return dotAsm(p, x, y)
	}
	return dotGo(x, y)
}

// Axpy sets y[i] += alpha·x[i] (len(y) ≥ len(x)).
func Axpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	if p := path; p != PathGo {
		axpyAsm(p, alpha, x, y)
		return
	}
	axpyGo(alpha, x, y)
}

func dotGo(x, y []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpyGo(alpha float32, x, y []float32) {
	for i, v := range x {
		y[i] += alpha * v
	}
}
