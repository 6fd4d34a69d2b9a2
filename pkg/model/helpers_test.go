package model

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/denotation-go/denotation/datasets"
)

// synthetic returns a small learnable data set: K classes of rows×cols "images" whose pixels are
// noise around a class-specific pattern.
func synthetic(nTrain, nTest, k, rows, cols int, seed uint64) *datasets.Dataset {
	rng := rand.New(rand.NewPCG(seed, 99))
	f := rows * cols
	patterns := make([][]float32, k)
	for c := range patterns {
		patterns[c] = make([]float32, f)
		for j := range patterns[c] {
			patterns[c][j] = float32(rng.Float64())
		}
	}
	mk := func(name string, n int) *datasets.Split {
		s := &datasets.Split{Name: name, Rows: rows, Cols: cols, Images: make([]float32, n*f), Labels: make([]int, n), Index: make([]int, n)}
		for i := range n {
			c := rng.IntN(k)
			s.Labels[i], s.Index[i] = c, i
			for j := range f {
				v := 0.6*patterns[c][j] + 0.4*float32(rng.Float64())
				s.Images[i*f+j] = v
			}
		}
		return s
	}
	names := make([]string, k)
	for c := range names {
		names[c] = string(rune('A' + c))
	}
	return &datasets.Dataset{Name: "synthetic", ClassNames: names, Train: mk("train", nTrain), Test: mk("test", nTest)}
}

var (
	mnistOnce sync.Once
	mnistDS   *datasets.Dataset
	mnistErr  error
)

// mnist loads MNIST once for the package's tests.
func mnist(t testing.TB) *datasets.Dataset {
	t.Helper()
	mnistOnce.Do(func() { mnistDS, mnistErr = datasets.Load("mnist") })
	if mnistErr != nil {
		t.Fatalf("loading MNIST: %v", mnistErr)
	}
	return mnistDS
}
