package observer

import (
	"testing"

	"github.com/denotation-go/denotation/pkg/property"
)

// BenchmarkAllSubsets fits the linear (L2, C=1) observers of all 1022 label subsets of 10 classes on
// one 128-neuron layer of 10,000 samples (the target: under 10 s on 2 cores).
func BenchmarkAllSubsets(b *testing.B) {
	f := clusterFeatures(10000, 2000, 128, 10, 2.5, 1)
	v := property.Vocabulary{Dataset: "synthetic", ClassNames: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}}
	ts, err := f.LabelTargets(v.All())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		rs, err := FitMany(f, ts, Options{})
		if err != nil {
			b.Fatal(err)
		}
		conv, iters, acc := 0, 0, 0.0
		for _, r := range rs {
			if r.Converged {
				conv++
			}
			iters += r.Iterations
			acc += r.TestAccuracy
		}
		b.ReportMetric(float64(conv), "converged")
		b.ReportMetric(float64(iters)/float64(len(rs)), "iters/prop")
		b.ReportMetric(acc/float64(len(rs)), "mean-test-acc")
	}
}
