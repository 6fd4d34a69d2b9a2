package observer

import (
	"math"
	"math/rand/v2"
)

// clusterData draws n samples of k classes: each class has a random mean in d dimensions, samples
// add Gaussian noise of the given scale and pass through ReLU, like a hidden layer's activations.
func clusterData(n, d, k int, noise float64, seed uint64) (x []float32, labels []int) {
	r := rand.New(rand.NewPCG(seed, 99))
	means := make([][]float64, k)
	for c := range means {
		means[c] = make([]float64, d)
		for j := range means[c] {
			means[c][j] = r.NormFloat64()
		}
	}
	x = make([]float32, n*d)
	labels = make([]int, n)
	for i := 0; i < n; i++ {
		c := r.IntN(k)
		labels[i] = c
		for j := 0; j < d; j++ {
			x[i*d+j] = float32(math.Max(0, means[c][j]+noise*r.NormFloat64()))
		}
	}
	return x, labels
}

// clusterFeatures builds standardised features from clusterData for a training and a test split.
func clusterFeatures(ntr, nte, d, k int, noise float64, seed uint64) *Features {
	x, y := clusterData(ntr+nte, d, k, noise, seed)
	f, err := NewFeaturesFromMatrix(x[:ntr*d], y[:ntr], x[ntr*d:], y[ntr:], d, k)
	if err != nil {
		panic(err)
	}
	return f
}
