package denotation

import (
	"testing"
	"time"

	"github.com/denotation-go/denotation/internal/synth"
	"github.com/denotation-go/denotation/pkg/hidden"
)

// benchActivations is a synthetic 6×128 ReLU network state on n samples of 10 classes (see
// synth.Activations): the scan meets denoting and non-denoting neurons, ties and dead neurons.
func benchActivations(n int) *hidden.Activations { return synth.Activations(n, 6, 128, 10) }

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
