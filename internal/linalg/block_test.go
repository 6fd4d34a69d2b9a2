package linalg

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBlockMulAtB checks C += AᵀB on k-major blocks against a float64 reference on every path this
// CPU runs, for block sizes with and without a partial last row tile (and one the SIMD kernel
// leaves to Go), and that the SIMD paths give the same bits.
func TestBlockMulAtB(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, bd := range []int{8, 16, 32, 48} {
		n := bd * bd
		a, b, c0 := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i], c0[i] = rng.Float32()*2-1, rng.Float32()*2-1, rng.Float32()*2-1
		}
		results := map[Path][]float32{}
		eachPath(t, func(t *testing.T) {
			c := slices.Clone(c0)
			BlockMulAtB(bd, a, b, c)
			for i := 0; i < bd; i++ {
				for j := 0; j < bd; j++ {
					want := float64(c0[i*bd+j])
					for k := 0; k < bd; k++ {
						want += float64(a[k*bd+i]) * float64(b[k*bd+j])
					}
					if d := math.Abs(float64(c[i*bd+j]) - want); d > 1e-4*float64(bd) {
						t.Fatalf("bd %d: C[%d][%d] = %g, want %g", bd, i, j, c[i*bd+j], want)
					}
				}
			}
			results[Kernel()] = c
		})
		if x, y := results[PathAVX2], results[PathAVX512]; x != nil && y != nil && !slices.Equal(x, y) {
			t.Errorf("bd %d: AVX2 and AVX-512 paths give different bits", bd)
		}
	}
}

func BenchmarkBlockMulAtB32(b *testing.B) {
	const bd = 32
	x, y, c := make([]float32, bd*bd), make([]float32, bd*bd), make([]float32, bd*bd)
	for i := range x {
		x[i], y[i] = float32(i%7)/7, float32(i%5)/5
	}
	b.SetBytes(2 * bd * bd * bd) // flops, reported as "MB/s" = MFLOP/s
	for b.Loop() {
		BlockMulAtB(bd, x, y, c)
	}
}
