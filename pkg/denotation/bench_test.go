package denotation

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/denotation-go/denotation/pkg/model"
)

// benchActivations is a synthetic 6×128 ReLU network state on n samples of 10 classes: each
// neuron has a random level per class plus Gaussian noise of random width, clipped at 0, so the
// scan meets denoting and non-denoting neurons, ties (exact zeros) and a few dead neurons.
func benchActivations(n int) *model.Activations {
	const k, depth, width = 10, 6, 128
	rng := rand.New(rand.NewPCG(42, 0))
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(k)
	}
	for c := range k {
		labels[c] = c
	}
	acts := &model.Activations{N: n, Labels: labels, NumClasses: k}
	for l := 1; l <= depth; l++ {
		post := make([]float32, n*width)
		for j := range width {
			level := make([]float64, k)
			for c := range level {
				level[c] = float64(rng.IntN(3)) - 0.5
			}
			sigma := 0.05 + rng.Float64()*0.6
			dead := rng.IntN(20) == 0
			for i := range n {
				v := level[labels[i]] + rng.NormFloat64()*sigma
				if dead || v < 0 {
					v = 0
				}
				post[i*width+j] = float32(v)
			}
		}
		acts.Layers = append(acts.Layers, model.LayerActivations{Layer: l, Depth: depth, Width: width, Post: post})
	}
	return acts
}

// BenchmarkScan times the exact scan of every neuron of a 6×128 network on 10,000 samples
// (all 1022 label sets of 10 classes) and, on 4 neurons, the naive loop with one stump per
// label set; it reports both per neuron and their ratio.
func BenchmarkScan(b *testing.B) {
	acts := benchActivations(10000)
	neurons := acts.TotalNeurons()
	b.Run("exact-6x128x10000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Scan(acts, DefaultOptions()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*neurons), "ns/neuron")
	})
	b.Run("naive-4-neurons", func(b *testing.B) {
		l := &acts.Layers[2]
		cols := make([][]float32, 4)
		for j := range cols {
			cols[j] = l.Neuron(j)
		}
		for b.Loop() {
			for _, col := range cols {
				if _, err := ScanNeuronNaive(col, acts.Labels, acts.NumClasses, DefaultTau); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cols)), "ns/neuron")
	})
}

// BenchmarkScanPermutations times a scan with 20 permutations on the same network.
func BenchmarkScanPermutations(b *testing.B) {
	acts := benchActivations(10000)
	opt := DefaultOptions()
	opt.Permutations = 20
	for b.Loop() {
		if _, err := Scan(acts, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N*opt.Permutations)/float64(time.Millisecond), "ms/permutation")
}

// BenchmarkBestScore times the permutation statistic of one neuron (10,000 samples, K = 10)
// under shuffled labels: the inner loop of the significance test.
func BenchmarkBestScore(b *testing.B) {
	acts := benchActivations(10000)
	tab, err := newClassTable(acts.Labels, 10, DefaultTau)
	if err != nil {
		b.Fatal(err)
	}
	perms := permutedLabels(labels8(acts.Labels), 8, 1)
	var sns []sortedNeuron
	for j := range 8 {
		col := acts.Layers[1].Neuron(j)
		keys := make([]uint64, len(col))
		for i, v := range col {
			keys[i] = uint64(floatKey(v))<<32 | uint64(i)
		}
		sn := sortedNeuron{keys: radixSortHigh(keys, make([]uint64, len(keys)))}
		sn.buildEnds()
		sns = append(sns, sn)
	}
	sw := newSweeper(tab)
	b.ResetTimer()
	for b.Loop() {
		for i := range sns {
			sw.bestScore(&sns[i], perms[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(sns)*10000), "ns/sample")
}
