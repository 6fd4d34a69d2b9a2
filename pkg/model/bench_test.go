package model

import (
	"testing"
)

// BenchmarkTrainStep measures training throughput of a 784-256-128-10 ReLU MLP at batch 128 with
// Adam, with this package's Dense (fast) and with gomlx's stock Dot gradient (stock). One benchmark
// iteration is one optimiser step; samples/s is reported as a metric.
func BenchmarkTrainStep(b *testing.B) {
	for _, bc := range []struct {
		name  string
		stock bool
	}{{"fast", false}, {"stock", true}} {
		b.Run(bc.name, func(b *testing.B) {
			const batch, steps = 128, 8
			ds := synthetic(batch*steps, 10, 10, 28, 28, 1)
			cfg := DefaultConfig().WithHidden(256, 128).WithBatchSize(batch).WithSchedule(ScheduleConstant).WithSeed(1)
			m, err := NewUntrained(cfg, 784, 10)
			if err != nil {
				b.Fatal(err)
			}
			opts := &TrainOptions{Progress: Silent, StockDense: bc.stock}
			if err := m.Fit(ds.Train, 1, opts); err != nil { // compile and warm up
				b.Fatal(err)
			}
			b.ResetTimer()
			done := 0
			for done < b.N {
				if err := m.Fit(ds.Train, m.Info.EpochsDone+1, opts); err != nil {
					b.Fatal(err)
				}
				done += steps
			}
			b.StopTimer()
			b.ReportMetric(float64(done*batch)/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(done), "ns/step")
		})
	}
}
