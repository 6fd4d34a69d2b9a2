// Command denotation compares the exact denotation scan of pkg/denotation with the naive loop
// that fits one threshold stump per label set, on a synthetic 6×128 ReLU network state of
// 10,000 held-out samples and 10 classes (all 1022 proper label sets).
//
//	go run ./bench/denotation [-n 10000] [-naive 4] [-reps 5] [-workers 0] [-perms 0]
//
// It prints the scan's wall and CPU time (median over reps), the naive loop's time per neuron
// on a few neurons, its extrapolation to the whole network, the ratio, and whether both agree on
// those neurons.
package main

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/denotation-go/denotation/internal/synth"
	"github.com/denotation-go/denotation/pkg/denotation"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func main() {
	n := flag.Int("n", 10000, "held-out samples")
	naiveN := flag.Int("naive", 4, "neurons timed with the naive per-set loop")
	reps := flag.Int("reps", 5, "repetitions of the exact scan (median reported)")
	workers := flag.Int("workers", 0, "goroutines (0: GOMAXPROCS)")
	perms := flag.Int("perms", 0, "also time a scan with this many permutations")
	flag.Parse()
	const depth, width, k = 6, 128, 10
	acts := synth.Activations(*n, depth, width, k)
	neurons := acts.TotalNeurons()
	opt := denotation.DefaultOptions()
	opt.Workers = *workers
	fmt.Printf("network %d×%d, %d samples, K=%d (%d label sets), GOMAXPROCS=%d, %s\n",
		depth, width, *n, k, 1<<k-2, runtime.GOMAXPROCS(0), runtime.Version())

	var res *denotation.Result
	var walls, cpus []time.Duration
	for range max(1, *reps) {
		c0, t0 := cpuTime(), time.Now()
		r, err := denotation.Scan(acts, opt)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		walls, cpus = append(walls, time.Since(t0)), append(cpus, cpuTime()-c0)
		res = r
	}
	wall := median(walls)
	fmt.Printf("exact scan:  %v wall (median of %d; min %v), %v CPU; %d of %d neurons denote, %d denotations\n",
		wall.Round(time.Millisecond), len(walls), slices.Min(walls).Round(time.Millisecond),
		median(cpus).Round(time.Millisecond), res.NumDenoting(), neurons, len(res.Denotations()))

	l := &acts.Layers[2]
	agree := true
	t0 := time.Now()
	var naive []denotation.NeuronResult
	for j := range min(*naiveN, l.Width) {
		nr, err := denotation.ScanNeuronNaive(l.Neuron(j), acts.Labels, k, opt.Tau)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		naive = append(naive, nr)
	}
	naiveWall := time.Since(t0)
	for j, nr := range naive {
		got := res.Layers[2].Neurons[j]
		for di := range got.Denotations {
			got.Denotations[di].Layer, got.Denotations[di].Neuron = 0, 0
		}
		if !reflect.DeepEqual(got.Denotations, nr.Denotations) {
			agree = false
		}
	}
	perNeuron := naiveWall / time.Duration(len(naive))
	extrap := perNeuron * time.Duration(neurons)
	fmt.Printf("naive loop:  %v per neuron (one stump per label set, %d neurons, one goroutine) → %v for the network\n",
		perNeuron.Round(time.Millisecond), len(naive), extrap.Round(time.Second))
	fmt.Printf("ratio:       %.0f× (naive on 1 core, extrapolated / exact scan wall); per neuron and core: %.0f×\n",
		float64(extrap)/float64(wall), float64(perNeuron)/(float64(median(cpus))/float64(neurons)))
	fmt.Printf("agree on the %d neurons: %v\n", len(naive), agree)

	if *perms > 0 {
		opt.Permutations, opt.Seed = *perms, 1
		c0, t0 := cpuTime(), time.Now()
		r, err := denotation.Scan(acts, opt)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		w := time.Since(t0)
		fmt.Printf("with %d permutations: %v wall, %v CPU (%v per permutation); %d of %d tested pairs significant at q ≤ 0.05\n",
			*perms, w.Round(time.Millisecond), (cpuTime() - c0).Round(time.Millisecond),
			((w - wall) / time.Duration(*perms)).Round(time.Millisecond/10), r.CountSignificant(0.05), r.Tested)
	}
}
