package linalg

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

func randSlice(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// naive computes alpha·op(A)·op(B) + beta·C in float64.
func naive(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			out[i*n+j] = float64(alpha)*s + float64(beta)*float64(c[i*ldc+j])
		}
	}
	return out
}

// eachPath runs fn as a subtest with each kernel path in turn, and skips (saying so) the paths
// this CPU or build cannot run.
func eachPath(t *testing.T, fn func(t *testing.T)) {
	for _, p := range AllPaths {
		t.Run(p.String(), func(t *testing.T) {
			prev, err := SetKernel(p)
			if err != nil {
				t.Skipf("not run: %v", err)
			}
			defer SetKernel(prev)
			fn(t)
		})
	}
}

func TestPaths(t *testing.T) {
	var ran, missed []string
	for _, p := range AllPaths {
		if Supported(p) {
			ran = append(ran, p.String())
		} else {
			missed = append(missed, p.String())
		}
	}
	t.Logf("kernel paths run by these tests: %v; not supported here (not tested): %v; in use: %s", ran, missed, Kernel())
	if !Supported(PathGo) || !Supported(Best()) || !Supported(Kernel()) {
		t.Fatalf("Go path supported %v, best %s supported %v", Supported(PathGo), Best(), Supported(Best()))
	}
	for _, p := range AllPaths {
		if q, err := ParsePath(p.String()); err != nil || q != p {
			t.Fatalf("ParsePath(%q) = %v, %v", p, q, err)
		}
	}
	if _, err := ParsePath("sse"); err == nil {
		t.Fatal("ParsePath accepted sse")
	}
	for _, p := range missed {
		q, _ := ParsePath(p)
		before := Kernel()
		if _, err := SetKernel(q); err == nil || Kernel() != before {
			t.Fatalf("SetKernel(%s) on a CPU without it: err %v, path now %s", p, err, Kernel())
		}
	}
}

func TestSgemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sizes := [][3]int{{1, 1, 1}, {12, 32, 5}, {13, 33, 257}, {50, 7, 300}, {7, 70, 3}, {200, 65, 513}, {25, 2100, 40}}
	eachPath(t, func(t *testing.T) {
		for _, sz := range sizes {
			m, n, k := sz[0], sz[1], sz[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					for _, workers := range []int{1, 2} {
						lda, ldb, ldc := k+3, n+1, n+2
						if ta {
							lda = m + 3
						}
						if tb {
							ldb = k + 1
						}
						arows, brows := m, k
						if ta {
							arows = k
						}
						if tb {
							brows = n
						}
						a := randSlice(r, arows*lda)
						b := randSlice(r, brows*ldb)
						c := randSlice(r, m*ldc)
						beta := []float32{0.25, 0, 1}[(m+n+k+workers)%3]
						want := naive(ta, tb, m, n, k, 0.5, a, lda, b, ldb, beta, c, ldc)
						if beta == 0 {
							for i := range c {
								c[i] = float32(math.NaN()) // must be overwritten, not read
							}
						}
						Sgemm(ta, tb, m, n, k, 0.5, a, lda, b, ldb, beta, c, ldc, workers)
						for i := 0; i < m; i++ {
							for j := 0; j < n; j++ {
								got := float64(c[i*ldc+j])
								if d := math.Abs(got - want[i*n+j]); d > 1e-4*math.Sqrt(float64(k))+1e-5 {
									t.Fatalf("m,n,k=%d,%d,%d tA=%v tB=%v w=%d: C[%d,%d]=%g want %g", m, n, k, ta, tb, workers, i, j, got, want[i*n+j])
								}
							}
						}
					}
				}
			}
		}
	})
}

func TestSgemmPacked(t *testing.T) { eachPath(t, testSgemmPacked) }

func testSgemmPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, sz := range [][3]int{{5, 3, 2}, {200, 70, 300}, {400, 33, 600}, {13, 100, 1000}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, ta := range []bool{false, true} {
			lda := k
			rows := m
			if ta {
				lda, rows = m, k
			}
			a := randSlice(r, rows*lda)
			pa := PackA(ta, m, k, a, lda)
			for _, workers := range []int{1, 2} {
				b := randSlice(r, k*n)
				c := make([]float32, m*n)
				want := naive(ta, false, m, n, k, 1, a, lda, b, n, 0, c, n)
				SgemmPacked(pa, false, n, b, n, 0, c, n, workers)
				for i := range c {
					if d := math.Abs(float64(c[i]) - want[i]); d > 1e-4*math.Sqrt(float64(k)) {
						t.Fatalf("m,n,k=%d,%d,%d tA=%v w=%d: C[%d]=%g want %g", m, n, k, ta, workers, i, c[i], want[i])
					}
				}
			}
		}
	}
}

func TestDotAxpy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	eachPath(t, func(t *testing.T) {
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 63, 64, 65, 200, 512} {
			x, y := randSlice(r, n), randSlice(r, n)
			want := 0.0
			for i := range x {
				want += float64(x[i]) * float64(y[i])
			}
			if got := Dot(x, y); math.Abs(float64(got)-want) > 1e-4*float64(n+1) {
				t.Fatalf("n=%d: Dot=%g want %g", n, got, want)
			}
			y2 := append([]float32(nil), y...)
			Axpy(-1.5, x, y2)
			for i := range y2 {
				if d := y2[i] - (y[i] - 1.5*x[i]); d > 1e-5 || d < -1e-5 {
					t.Fatalf("n=%d: Axpy[%d] off by %g", n, i, d)
				}
			}
		}
	})
}

func benchGemm(bm *testing.B, transA bool, m, n, k int, gonum bool) {
	r := rand.New(rand.NewPCG(1, 1))
	arows, lda := m, k
	if transA {
		arows, lda = k, m
	}
	a := randSlice(r, arows*lda)
	b := randSlice(r, k*n)
	c := make([]float32, m*n)
	bm.SetBytes(0)
	bm.ResetTimer()
	for range bm.N {
		if gonum {
			ta := blas.NoTrans
			if transA {
				ta = blas.Trans
			}
			blas32.Gemm(ta, blas.NoTrans, 1, blas32.General{Rows: arows, Cols: lda, Stride: lda, Data: a},
				blas32.General{Rows: k, Cols: n, Stride: n, Data: b}, 0, blas32.General{Rows: m, Cols: n, Stride: n, Data: c})
		} else {
			Sgemm(transA, false, m, n, k, 1, a, lda, b, n, 0, c, n, 0)
		}
	}
	bm.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(bm.N)/bm.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkSgemmXW(b *testing.B)       { benchGemm(b, false, 10000, 1022, 128, false) }
func BenchmarkSgemmXtR(b *testing.B)      { benchGemm(b, true, 128, 1022, 10000, false) }
func BenchmarkGonumSgemmXW(b *testing.B)  { benchGemm(b, false, 10000, 1022, 128, true) }
func BenchmarkGonumSgemmXtR(b *testing.B) { benchGemm(b, true, 128, 1022, 10000, true) }
