package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestDotKernelMatchesStock runs simplego's DotGeneral with the SIMD block kernel and with
// simplego's own on the operand layouts of an MLP's forward and backward passes (contracting axis
// last, first, both), on sizes with partial blocks, and on a batched product (the fallback copy),
// and checks the results agree to float32 rounding. It also fails if the go:linkname hooks into
// gomlx stop resolving.
func TestDotKernelMatchesStock(t *testing.T) {
	restore, err := useDotKernel("go")
	if err != nil {
		t.Fatalf("kernel hooks: %v", err)
	}
	restore()
	t.Logf("kernel family in use: %s", KernelFamily())
	if KernelFamily() != "simd" {
		t.Skipf("SIMD kernel not installed here (family %s): nothing to compare", KernelFamily())
	}
	backend, _, err := backendFor("", "")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		name           string
		lhs, rhs       []int
		lc, lb, rc, rb []int
	}{
		{"x·W", []int{128, 784}, []int{784, 128}, []int{1}, nil, []int{0}, nil},
		{"xᵀ·dy", []int{128, 784}, []int{128, 128}, []int{0}, nil, []int{0}, nil},
		{"dy·Wᵀ", []int{128, 128}, []int{784, 128}, []int{1}, nil, []int{1}, nil},
		{"partial blocks", []int{37, 301}, []int{301, 45}, []int{1}, nil, []int{0}, nil},
		{"batched", []int{3, 40, 70}, []int{3, 70, 33}, []int{2}, []int{0}, []int{1}, []int{0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, y := randTensor[float32](rng, c.lhs...), randTensor[float32](rng, c.rhs...)
			exec, err := NewExec(backend, func(x, y *Node) *Node {
				return DotGeneral(x, c.lc, c.lb, y, c.rc, c.rb)
			})
			if err != nil {
				t.Fatal(err)
			}
			run := func(family string) []float32 {
				restore, err := useDotKernel(family)
				if err != nil {
					t.Fatal(err)
				}
				defer restore()
				mu := execLock(backend)
				mu.Lock()
				defer mu.Unlock()
				res, err := exec.Exec(x, y)
				if err != nil {
					t.Fatal(err)
				}
				return tensors.MustCopyFlatData[float32](res[0])
			}
			simd, stock := run("simd"), run("go")
			if len(simd) != len(stock) {
				t.Fatalf("sizes %d vs %d", len(simd), len(stock))
			}
			worst := 0.0
			for i := range simd {
				d := math.Abs(float64(simd[i]-stock[i])) / (1 + math.Abs(float64(stock[i])))
				worst = max(worst, d)
			}
			if worst > 1e-4 {
				t.Fatalf("SIMD and stock kernels differ by %.3g (relative)", worst)
			}
			msg := ""
			if len(c.lb) == 0 { // rank 2: both against a float64 reference
				ref := dot64(tensors.MustCopyFlatData[float32](x), tensors.MustCopyFlatData[float32](y), c.lhs, c.rhs, c.lc[0], c.rc[0])
				es, eg := maxErr(simd, ref), maxErr(stock, ref)
				if es > 2*eg+1e-6 {
					t.Fatalf("SIMD kernel error %.3g against float64, simplego's %.3g", es, eg)
				}
				msg = fmt.Sprintf("; error against float64: SIMD %.2g, simplego %.2g", es, eg)
			}
			t.Logf("%d outputs, largest relative difference %.2g%s", len(simd), worst, msg)
		})
	}
}

// dot64 is the float64 product of rank-2 x and y contracting axis lc of x with axis rc of y.
func dot64(x, y []float32, xs, ys []int, lc, rc int) []float64 {
	m, k, n := xs[1-lc], xs[lc], ys[1-rc]
	at := func(v []float32, dims []int, c, cross, contr int) float64 {
		if c == 1 {
			return float64(v[cross*dims[1]+contr])
		}
		return float64(v[contr*dims[1]+cross])
	}
	out := make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				s += at(x, xs, lc, i, p) * at(y, ys, rc, j, p)
			}
			out[i*n+j] = s
		}
	}
	return out
}

func maxErr(got []float32, ref []float64) float64 {
	w := 0.0
	for i, r := range ref {
		w = max(w, math.Abs(float64(got[i])-r)/(1+math.Abs(r)))
	}
	return w
}

// useDotKernel switches the float32 DotGeneral of simplego between the SIMD kernel ("simd", when
// installed) and simplego's own ("go") and returns a function that restores the previous choice.
// Tests compare the two; not safe while graphs execute.
func useDotKernel(family string) (restore func(), err error) {
	installDotKernel()
	if dotKernelErr != nil {
		return nil, dotKernelErr
	}
	if family == "simd" && dotKernelFamily != "simd" {
		return nil, fmt.Errorf("the SIMD kernel is not installed (CPU without AVX2 + FMA, or $%s=go)", EnvDotKernel)
	}
	prevK, prevC, prevF := simplegoDotKernels.Map[dtypes.Float32], simplegoFlatToBlock.Map[dtypes.Float32], dotKernelFamily
	if family == "go" {
		simplegoDotKernels.Map[dtypes.Float32] = stockDotKernel
		simplegoFlatToBlock.Map[dtypes.Float32] = stockFlatCopy
		dotKernelFamily = "go"
	}
	return func() {
		simplegoDotKernels.Map[dtypes.Float32], simplegoFlatToBlock.Map[dtypes.Float32] = prevK, prevC
		dotKernelFamily = prevF
	}, nil
}
