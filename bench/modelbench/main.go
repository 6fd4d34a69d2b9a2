// Command modelbench measures the object model of package model: training throughput of an MLP
// (ours, and optionally the PyTorch peer bench/torch_mlp.py on the same architecture, run twice in
// the same process: at one thread and on all cores (runtime.NumCPU threads; PyTorch's own default
// is not always all cores), with both ratios), and a full MNIST training run (test accuracy, time,
// peak RSS).
//
// Usage:
//
//	go run ./bench/modelbench [-mode throughput|mnist|all] [-hidden 256,128] [-batch 128]
//	    [-steps 40] [-repeats 3] [-stock] [-peer bench/torch_mlp.py] [-python /usr/bin/python3]
//	    [-cpuprofile FILE]
//
// Each measurement is printed as one JSON line on stdout.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/denotation-go/denotation/bench/internal/benchmain"
	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/internal/linalg"
	"github.com/denotation-go/denotation/pkg/model"
)

func main() { benchmain.Run("modelbench", run) }

func run() error {
	mode := flag.String("mode", "throughput", "throughput | mnist | all")
	hidden := flag.String("hidden", "256,128", "hidden widths of the throughput MLP")
	batch := flag.Int("batch", 128, "batch size of the throughput MLP")
	steps := flag.Int("steps", 40, "optimiser steps per timed run")
	repeats := flag.Int("repeats", 3, "timed runs (the median is reported)")
	stock := flag.Bool("stock", false, "also measure gomlx's stock Dense gradient (slow)")
	peer := flag.String("peer", "", "path of bench/torch_mlp.py to run as the peer (empty: no peer)")
	python := flag.String("python", "/usr/bin/python3", "Python interpreter for the peer")
	epochs := flag.Int("epochs", 5, "epochs of the MNIST run")
	mnistHidden := flag.String("mnist-hidden", "128,128", "hidden widths of the MNIST run")
	seeds := flag.String("seeds", "1", "seeds of the MNIST runs, comma-separated")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	stopProfile, err := benchmain.CPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()

	widths, err := model.ParseWidths(*hidden)
	if err != nil {
		return err
	}
	out := json.NewEncoder(os.Stdout)
	if *mode == "throughput" || *mode == "all" {
		cfg := model.DefaultConfig().WithHidden(widths...).WithBatchSize(*batch).WithSchedule(model.ScheduleConstant).WithSeed(1)
		res, err := throughput(cfg, *steps, *repeats, false)
		if err != nil {
			return err
		}
		if *stock {
			st, err := throughput(cfg, max(2, *steps/10), *repeats, true)
			if err != nil {
				return err
			}
			res["stock_samples_per_second"] = st["samples_per_second"]
		}
		if *peer != "" {
			if err := addPeers(res, *python, *peer, *hidden, *batch); err != nil {
				return err
			}
		}
		res["peak_rss_bytes"] = peakRSS()
		res["dot_kernel"], res["kernel_path"] = model.KernelFamily(), linalg.Kernel().String()
		if err := out.Encode(res); err != nil {
			return err
		}
		printThroughput(res, *batch)
	}
	if *mode == "mnist" || *mode == "all" {
		mw, err := model.ParseWidths(*mnistHidden)
		if err != nil {
			return err
		}
		for _, f := range strings.Split(*seeds, ",") {
			seed, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
			if err != nil {
				return fmt.Errorf("-seeds: %v", err)
			}
			res, err := mnistRun(model.DefaultConfig().WithHidden(mw...).WithEpochs(*epochs).WithSeed(seed))
			if err != nil {
				return err
			}
			if err := out.Encode(res); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "modelbench: %s, %d epochs on full MNIST, seed %d: test accuracy %.2f%%, %.1fs (%.0f samples/s), peak RSS %.0f MiB while training\n",
				res["architecture"], *epochs, seed, 100*res["test_accuracy"].(float64), res["train_seconds"], res["samples_per_second"], float64(res["peak_rss_train_bytes"].(int64))/(1<<20))
		}
	}
	if !slices.Contains([]string{"throughput", "mnist", "all"}, *mode) {
		return fmt.Errorf("unknown -mode %q (want throughput, mnist or all)", *mode)
	}
	return nil
}

// addPeers runs the PyTorch peer script peer with python on one thread and on all cores, and adds
// its results and our ratio to each to res.
func addPeers(res map[string]any, python, peer, hidden string, batch int) error {
	p, err := runPeer(python, peer, hidden, batch, 1)
	if err != nil {
		return err
	}
	res["peer"] = p
	if ps, ok := p["samples_per_second"].(float64); ok && ps > 0 {
		res["ratio_to_peer"] = res["samples_per_second"].(float64) / ps
	}
	pa, err := runPeer(python, peer, hidden, batch, goruntime.NumCPU())
	if err != nil {
		return err
	}
	res["peer_all_cores"] = pa
	if ps, ok := pa["samples_per_second"].(float64); ok && ps > 0 {
		res["ratio_to_peer_all_cores"] = res["samples_per_second"].(float64) / ps
	}
	return nil
}

// printThroughput writes a one-line summary of the throughput result res to stderr.
func printThroughput(res map[string]any, batch int) {
	fmt.Fprintf(os.Stderr, "modelbench: %s batch %d: ours %.0f samples/s (DotGeneral block kernel %s, path %s)", res["architecture"], batch,
		res["samples_per_second"], res["dot_kernel"], res["kernel_path"])
	if st, ok := res["stock_samples_per_second"]; ok {
		fmt.Fprintf(os.Stderr, " (stock Dense %.0f)", st)
	}
	if p, ok := res["peer"].(map[string]any); ok {
		if ps, ok := p["samples_per_second"].(float64); ok {
			fmt.Fprintf(os.Stderr, ", PyTorch %.0f (1 thread), ratio %.2f", ps, res["ratio_to_peer"])
		} else {
			fmt.Fprintf(os.Stderr, ", peer skipped: %v", p["skipped"])
		}
	}
	if p, ok := res["peer_all_cores"].(map[string]any); ok {
		if ps, ok := p["samples_per_second"].(float64); ok {
			fmt.Fprintf(os.Stderr, ", PyTorch %.0f (%v threads), ratio %.2f", ps, p["threads"], res["ratio_to_peer_all_cores"])
		}
	}
	fmt.Fprintf(os.Stderr, ", peak RSS %.0f MiB\n", float64(res["peak_rss_bytes"].(int64))/(1<<20))
}

// throughput trains cfg's MLP on random 784-pixel data: one warm-up epoch of `steps` steps (which
// compiles the graph), then `repeats` timed epochs; it reports the median samples/s.
func throughput(cfg model.Config, steps, repeats int, stock bool) (map[string]any, error) {
	n := cfg.BatchSize * steps
	rng := rand.New(rand.NewPCG(1, 2))
	split := &datasets.Split{Name: "train", Rows: 28, Cols: 28, Images: make([]float32, n*784), Labels: make([]int, n), Index: make([]int, n)}
	for i := range split.Images {
		split.Images[i] = rng.Float32()
	}
	for i := range n {
		split.Labels[i], split.Index[i] = rng.IntN(10), i
	}
	m, err := model.NewUntrained(cfg, 784, 10)
	if err != nil {
		return nil, err
	}
	opts := &model.TrainOptions{Progress: model.Silent, StockDense: stock}
	if err := m.Fit(split, 1, opts); err != nil {
		return nil, err
	}
	var rates []float64
	for range repeats {
		t0 := time.Now()
		if err := m.Fit(split, m.Info.EpochsDone+1, opts); err != nil {
			return nil, err
		}
		rates = append(rates, float64(n)/time.Since(t0).Seconds())
	}
	sorted := slices.Clone(rates)
	slices.Sort(sorted)
	backend := os.Getenv(model.EnvBackendConfig)
	if backend == "" {
		backend = model.DefaultBackendConfig
	}
	return map[string]any{
		"bench":              "train_throughput",
		"architecture":       cfg.Architecture(784, 10),
		"batch":              cfg.BatchSize,
		"dense":              map[bool]string{false: "fast", true: "stock"}[stock],
		"backend_config":     backend,
		"samples_per_second": sorted[len(sorted)/2],
		"runs":               rates,
	}, nil
}

// runPeer runs the PyTorch script on the given number of threads (torch and OpenBLAS; any thread
// limits in our environment are replaced) and parses its JSON line.
func runPeer(python, script, hidden string, batch, threads int) (map[string]any, error) {
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Errorf("peer script: %w", err)
	}
	cmd := exec.Command(python, script, "--hidden", hidden, "--batch", strconv.Itoa(batch), "--threads", strconv.Itoa(threads))
	limits := []string{"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !slices.Contains(limits, k) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for _, k := range limits {
		cmd.Env = append(cmd.Env, k+"="+strconv.Itoa(threads))
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) || errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return map[string]any{"peer": "pytorch", "skipped": fmt.Sprintf("%s %s failed: %v: %s", python, filepath.Base(script), err, strings.TrimSpace(stderr.String()))}, nil
		}
		return nil, err
	}
	var res map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(raw), &res); err != nil {
		return nil, fmt.Errorf("peer output %q: %w", raw, err)
	}
	return res, nil
}

// mnistRun trains cfg on full MNIST and reports test accuracy, time and peak RSS.
func mnistRun(cfg model.Config) (map[string]any, error) {
	ds, err := datasets.Load("mnist")
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	m, err := model.Train(ds, cfg, &model.TrainOptions{})
	if err != nil {
		return nil, err
	}
	secs := time.Since(t0).Seconds()
	ev, err := m.Evaluate(ds.Test)
	if err != nil {
		return nil, err
	}
	rssTrain := peakRSS()
	t1 := time.Now()
	acts, err := m.Activations(ds.Train)
	if err != nil {
		return nil, err
	}
	capSecs := time.Since(t1).Seconds()
	return map[string]any{
		"bench":                      "mnist_full",
		"architecture":               m.Architecture(),
		"config":                     cfg,
		"test_accuracy":              ev.Accuracy,
		"train_seconds":              secs,
		"samples_per_second":         float64(cfg.Epochs*ds.Train.Len()) / secs,
		"epochs":                     m.Info.History,
		"capture_train_seconds":      capSecs,
		"captured_neurons":           acts.TotalNeurons(),
		"peak_rss_train_bytes":       rssTrain,
		"peak_rss_bytes":             peakRSS(), // after capturing the training split's activations too
		"train_samples":              ds.Train.Len(),
		"test_samples":               ds.Test.Len(),
		"per_class_test_accuracy":    ev.PerClass,
		"backend_config_environment": os.Getenv(model.EnvBackendConfig),
	}, nil
}

// peakRSS returns the process's peak resident set size in bytes (VmHWM), or 0 if unknown.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			fields := strings.Fields(rest)
			if len(fields) >= 1 {
				kb, _ := strconv.ParseInt(fields[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}
