package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// denseGrads returns [y, dx, dw, db] of loss = Σ relu(dense(x,w,b))·r for a Dense implementation.
func denseGrads(t *testing.T, dense func(x, w, b *Node) *Node, x, w, b, r *tensors.Tensor) [][]float64 {
	t.Helper()
	backend, _, err := backendFor("", "")
	if err != nil {
		t.Fatal(err)
	}
	exec, err := NewExec(backend, func(in []*Node) []*Node {
		x, w, b, r := in[0], in[1], in[2], in[3]
		y := dense(x, w, b)
		// A second layer makes the gradient flow through dX too.
		h := Tanh(y)
		z := dense(h, Transpose(w, 0, 1), nil)
		loss := ReduceAllSum(Mul(z, r))
		g := Gradient(loss, x, w, b)
		return []*Node{z, g[0], g[1], g[2]}
	})
	if err != nil {
		t.Fatal(err)
	}
	mu := execLock(backend)
	mu.Lock()
	out, err := exec.Exec(x, w, b, r)
	mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	res := make([][]float64, len(out))
	for i, o := range out {
		switch o.DType() {
		case dtypes.Float32:
			for _, v := range tensors.MustCopyFlatData[float32](o) {
				res[i] = append(res[i], float64(v))
			}
		case dtypes.Float64:
			res[i] = tensors.MustCopyFlatData[float64](o)
		}
	}
	return res
}

func randTensor[T float32 | float64](rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]T, n)
	for i := range data {
		data[i] = T(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// maxRelDiff is max|a-b| / max(max|b|, tiny): the error relative to the scale of the reference.
func maxRelDiff(a, b []float64) float64 {
	scale, diff := 0.0, 0.0
	for i := range b {
		scale = math.Max(scale, math.Abs(b[i]))
		diff = math.Max(diff, math.Abs(a[i]-b[i]))
	}
	return diff / math.Max(scale, 1e-300)
}

func TestDenseFastGradientMatchesStock(t *testing.T) {
	const batch, in, out = 13, 37, 11
	names := []string{"output", "dX", "dW", "db"}
	for _, tc := range []struct {
		name string
		tol  float64
		gen  func(rng *rand.Rand, dims ...int) *tensors.Tensor
	}{
		{"float64", 1e-10, randTensor[float64]},
		{"float32", 1e-5, randTensor[float32]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			x, w, b, r := tc.gen(rng, batch, in), tc.gen(rng, in, out), tc.gen(rng, out), tc.gen(rng, batch, in)
			fast := denseGrads(t, DenseFast, x, w, b, r)
			stock := denseGrads(t, DenseStock, x, w, b, r)
			for i := range fast {
				if len(fast[i]) != len(stock[i]) || len(fast[i]) == 0 {
					t.Fatalf("%s: %d values, stock has %d", names[i], len(fast[i]), len(stock[i]))
				}
				d := maxRelDiff(fast[i], stock[i])
				t.Logf("%s: max relative difference %.3g", names[i], d)
				if d > tc.tol {
					t.Errorf("%s: fast Dense differs from stock by %.3g (relative), tolerance %.0g", names[i], d, tc.tol)
				}
			}
		})
	}
}

// TestDenseFastForwardIsDot checks that DenseFast's forward values are graph.Dot's bit for bit,
// and that its zero carrier reads only x[0,0] and W[0,0]: values that overflow elsewhere in x
// affect only their own rows (a carrier 0·Σx would be 0·Inf = NaN everywhere).
func TestDenseFastForwardIsDot(t *testing.T) {
	const batch, in, out = 9, 20, 7
	rng := rand.New(rand.NewPCG(3, 4))
	x, w, b := randTensor[float32](rng, batch, in), randTensor[float32](rng, in, out), randTensor[float32](rng, out)
	tensors.MutableFlatData(x, func(flat []float32) {
		for k := range in {
			flat[4*in+k] = 3e38 // row 4 overflows in Σx (and in its own products)
		}
	})
	backend, _, err := backendFor("", "")
	if err != nil {
		t.Fatal(err)
	}
	forward := func(dense func(x, w, b *Node) *Node) []float32 {
		exec, err := NewExec(backend, func(x, w, b *Node) *Node { return dense(x, w, b) })
		if err != nil {
			t.Fatal(err)
		}
		mu := execLock(backend)
		mu.Lock()
		defer mu.Unlock()
		res, err := exec.Exec(x, w, b)
		if err != nil {
			t.Fatal(err)
		}
		return tensors.MustCopyFlatData[float32](res[0])
	}
	fast, stock := forward(DenseFast), forward(DenseStock)
	for i := range fast {
		if i/out == 4 {
			continue
		}
		if math.Float32bits(fast[i]) != math.Float32bits(stock[i]) || math.IsNaN(float64(fast[i])) {
			t.Fatalf("y[%d,%d]: DenseFast %v, Dot %v", i/out, i%out, fast[i], stock[i])
		}
	}
}
