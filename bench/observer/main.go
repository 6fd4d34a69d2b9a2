// Command observer benchmarks package observer against scikit-learn (bench/observer_peer.py).
//
// Usage:
//
//	go run ./bench/observer [-mode peer|subsets|all|kernel] [-repeats 5] [-python /usr/bin/python3]
//	    [-peer bench/observer_peer.py] [-model DIR | -train] [-layer N] [-keep DIR]
//
// peer: one linear observer (L2, C = 1) on 10,000 × 512 features (a deterministic synthetic
// activation-like data set: 10 classes, ReLU of noisy class means; property "even"), timed here
// and — on the same features, written to raw files — by scikit-learn's LogisticRegression(lbfgs).
// Prints both times (median of -repeats), both test accuracies and the ratio — with our default
// stopping rule (largest gradient component of the per-sample-mean objective ≤ 1e-4) and with
// scikit-learn 1.2's (the same bound on the summed objective, i.e. 1e-4/N, at most 100 iterations).
//
// subsets: all 1022 label-subset linear observers of one 128-neuron layer on 10,000 training
// samples, fitted together. With -model DIR (a saved object model) or -train (train or reuse from
// the run cache a 784-256-128-10 MNIST model, 3 epochs), the features are real activations of
// layer -layer on a stratified 10,000-sample subset of the MNIST training split (test: the full test
// split); otherwise synthetic. The peer fits a sample of the subsets one by one, and its time for
// all 1022 is extrapolated (printed as such).
//
// Both modes also time the portable Go kernels in the same run (-compare-go; median of -repeats
// in peer mode, one run in subsets mode) and report go_over_ours. Every line names the kernel path
// that ran ("kernel": avx512, avx2 or go; -kernel or DENOTATION_KERNEL forces one).
//
// kernel: prints the kernel path in use (and, if set, $DENOTATION_KERNEL) and exits.
//
// Timings are wall seconds, with the process's CPU seconds beside them (*cpu_seconds_all).
//
// Each measurement is one JSON line on stdout.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/denotation-go/denotation/bench/internal/benchmain"
	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/pkg/observer"
	"github.com/denotation-go/denotation/pkg/property"
)

func main() { benchmain.Run("observer bench", run) }

type config struct {
	repeats             int
	python, peer, keep  string
	modelDir            string
	train               bool
	layer, peerSubsets  int
	nTrain, nTest, dims int
	compareGo           bool
}

func run() error {
	var c config
	mode := flag.String("mode", "all", "peer | subsets | all | kernel")
	flag.IntVar(&c.repeats, "repeats", 5, "timed runs (the median is reported)")
	flag.StringVar(&c.python, "python", "/usr/bin/python3", "Python interpreter for the peer")
	flag.StringVar(&c.peer, "peer", "bench/observer_peer.py", "peer script (empty: no peer)")
	flag.StringVar(&c.keep, "keep", "", "folder for the shared feature files (default: a temporary folder, removed)")
	flag.StringVar(&c.modelDir, "model", "", "saved object model for real activations (subsets mode)")
	flag.BoolVar(&c.train, "train", false, "train (or reuse from the run cache) a 784-256-128-10 MNIST model for real activations")
	flag.IntVar(&c.layer, "layer", 0, "layer of the model to read (0: the first of width 128, else the last)")
	flag.IntVar(&c.peerSubsets, "peer-subsets", 20, "subsets the peer fits in subsets mode (time extrapolated to all)")
	flag.IntVar(&c.nTrain, "n", 10000, "training samples")
	flag.IntVar(&c.nTest, "n-test", 5000, "test samples (synthetic data)")
	flag.IntVar(&c.dims, "d", 512, "features of the peer comparison")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the timed fits to this file")
	kernel := flag.String("kernel", "", "force the observer kernel path: go, avx2 or avx512 (default: the best the CPU supports)")
	flag.BoolVar(&c.compareGo, "compare-go", true, "also time the portable Go kernels and report the ratio")
	flag.Parse()
	if *kernel != "" {
		if _, err := observer.SetKernelPath(*kernel); err != nil {
			return err
		}
	}
	if *mode == "kernel" {
		fmt.Print(observer.KernelPath())
		if env := os.Getenv("DENOTATION_KERNEL"); env != "" {
			fmt.Printf(" (DENOTATION_KERNEL=%s)", env)
		}
		fmt.Println()
		return nil
	}
	stopProfile, err := benchmain.CPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	dir := c.keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "observer-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	out := json.NewEncoder(os.Stdout)
	if *mode == "peer" || *mode == "all" {
		if err := peerMode(c, dir, out); err != nil {
			return err
		}
	}
	if *mode == "subsets" || *mode == "all" {
		if err := subsetsMode(c, dir, out); err != nil {
			return err
		}
	}
	if *mode != "peer" && *mode != "subsets" && *mode != "all" {
		return fmt.Errorf("unknown mode %q", *mode)
	}
	return nil
}

// activationLike draws n samples of k classes in d dimensions: ReLU(class mean + noise), where the
// class means share a low-rank structure (so features are correlated, as in a hidden layer).
func activationLike(n, d, k int, seed uint64) ([]float32, []int) {
	r := rand.New(rand.NewPCG(seed, 0xac7))
	const rank = 24
	basis := make([][]float64, rank)
	for i := range basis {
		basis[i] = make([]float64, d)
		for j := range basis[i] {
			basis[i][j] = r.NormFloat64()
		}
	}
	means := make([][]float64, k)
	for c := range means {
		coef := make([]float64, rank)
		for i := range coef {
			coef[i] = r.NormFloat64() / math.Sqrt(rank)
		}
		means[c] = make([]float64, d)
		for j := range means[c] {
			for i := range coef {
				means[c][j] += coef[i] * basis[i][j]
			}
		}
	}
	x := make([]float32, n*d)
	labels := make([]int, n)
	latent := make([]float64, rank)
	for s := 0; s < n; s++ {
		c := r.IntN(k)
		labels[s] = c
		for i := range latent {
			latent[i] = 0.9 * r.NormFloat64() / math.Sqrt(rank)
		}
		for j := 0; j < d; j++ {
			v := means[c][j] + 0.6*r.NormFloat64()
			for i := range latent {
				v += latent[i] * basis[i][j]
			}
			x[s*d+j] = float32(math.Max(0, v))
		}
	}
	return x, labels
}

func writeRaw(path string, data any) error {
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, data); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func bytesOf(labels []int) []uint8 {
	out := make([]uint8, len(labels))
	for i, v := range labels {
		out[i] = uint8(v)
	}
	return out
}

func boolBytes(y []bool) []uint8 {
	out := make([]uint8, len(y))
	for i, v := range y {
		if v {
			out[i] = 1
		}
	}
	return out
}

// writeShared writes the raw features and labels for the peer and returns the meta file's path.
func writeShared(dir string, xtr, xte []float32, ltr, lte []int, d int, extra map[string]any) (string, error) {
	meta := map[string]any{"n_train": len(xtr) / d, "n_test": len(xte) / d, "d": d,
		"train_x": filepath.Join(dir, "train_x.f32"), "test_x": filepath.Join(dir, "test_x.f32"),
		"train_labels": filepath.Join(dir, "train_labels.u8"), "test_labels": filepath.Join(dir, "test_labels.u8")}
	for _, w := range []struct {
		key  string
		data any
	}{{"train_x", xtr}, {"test_x", xte}, {"train_labels", bytesOf(ltr)}, {"test_labels", bytesOf(lte)}} {
		if err := writeRaw(meta[w.key].(string), w.data); err != nil {
			return "", err
		}
	}
	for k, v := range extra {
		if b, ok := v.([]uint8); ok {
			p := filepath.Join(dir, k+".u8")
			if err := writeRaw(p, b); err != nil {
				return "", err
			}
			meta[k] = p
			continue
		}
		meta[k] = v
	}
	p := filepath.Join(dir, "meta.json")
	b, _ := json.Marshal(meta)
	return p, os.WriteFile(p, b, 0o644)
}

func runPeer(c config, meta string) (map[string]any, error) {
	if c.peer == "" {
		return map[string]any{"skipped": "no peer script given"}, nil
	}
	cmd := exec.Command(c.python, c.peer, meta, fmt.Sprint(c.repeats))
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return map[string]any{"skipped": fmt.Sprintf("peer failed: %v", err)}, nil
	}
	var res map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(b), &res); err != nil {
		return nil, fmt.Errorf("peer output %q: %w", b, err)
	}
	return res, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func peerMode(c config, dir string, out *json.Encoder) error {
	d := c.dims
	x, labels := activationLike(c.nTrain+c.nTest, d, 10, 1)
	xtr, xte := x[:c.nTrain*d], x[c.nTrain*d:]
	ltr, lte := labels[:c.nTrain], labels[c.nTrain:]
	even := property.MustLabelSet(0, 2, 4, 6, 8)
	f, err := observer.NewFeaturesFromMatrix(xtr, ltr, xte, lte, d, 10)
	if err != nil {
		return err
	}
	t, err := f.LabelTarget(property.LabelProperty{Set: even, K: 10, Alias: "even"})
	if err != nil {
		return err
	}
	var times, cpuTimes []float64
	var res *observer.Result
	for i := 0; i <= c.repeats; i++ { // the first run warms up
		t0, c0 := time.Now(), cpuSeconds()
		res, err = observer.Fit(f, t, observer.Options{})
		if err != nil {
			return err
		}
		if i > 0 {
			times = append(times, time.Since(t0).Seconds())
			cpuTimes = append(cpuTimes, cpuSeconds()-c0)
		}
	}
	// The same stopping rule as scikit-learn 1.2's lbfgs: it tests the gradient of the summed (not
	// mean) loss against tol = 1e-4, i.e. 1e-4/N on our per-sample-mean scale, and stops at 100
	// iterations.
	var strictTimes []float64
	var strict *observer.Result
	for i := 0; i < c.repeats; i++ {
		t0 := time.Now()
		if strict, err = observer.Fit(f, t, observer.Options{Tol: 1e-4 / float64(c.nTrain), MaxIter: 100}); err != nil {
			return err
		}
		strictTimes = append(strictTimes, time.Since(t0).Seconds())
	}
	goLine, err := timeGoPath(c, c.repeats, func() (*observer.Result, error) { return observer.Fit(f, t, observer.Options{}) })
	if err != nil {
		return err
	}
	meta, err := writeShared(dir, xtr, xte, ltr, lte, d, map[string]any{
		"train_y": boolBytes(t.Train), "test_y": boolBytes(t.Test)})
	if err != nil {
		return err
	}
	peer, err := runPeer(c, meta)
	if err != nil {
		return err
	}
	line := map[string]any{"bench": "single linear observer (L2, C=1, lbfgs)", "n_train": c.nTrain, "n_test": c.nTest, "d": d,
		"gomaxprocs": runtime.GOMAXPROCS(0), "kernel": observer.KernelPath(), "ours_seconds": median(times), "ours_seconds_all": times,
		"ours_cpu_seconds_all": cpuTimes, "ours_test_accuracy": res.TestAccuracy, "ours_iterations": res.Iterations, "ours_converged": res.Converged,
		"ours_sklearn_stopping_seconds": median(strictTimes), "ours_sklearn_stopping_test_accuracy": strict.TestAccuracy,
		"ours_sklearn_stopping_iterations": strict.Iterations, "peer": peer}
	addGoPath(line, goLine, median(times), res.TestAccuracy)
	if ps, ok := peer["seconds"].(float64); ok {
		line["peer_over_ours"] = ps / median(times)
		line["accuracy_difference_points"] = 100 * (res.TestAccuracy - peer["test_accuracy"].(float64))
		line["peer_over_ours_sklearn_stopping"] = ps / median(strictTimes)
		line["accuracy_difference_points_sklearn_stopping"] = 100 * (strict.TestAccuracy - peer["test_accuracy"].(float64))
	}
	return out.Encode(line)
}

// realFeatures loads or trains an MNIST model and returns the layer's activations on a stratified
// training subset and the test split.
func realFeatures(c config) (xtr, xte []float32, ltr, lte []int, d int, source string, err error) {
	ds, err := datasets.Load("mnist")
	if err != nil {
		return
	}
	var m *model.Model
	if c.modelDir != "" {
		if m, err = model.Load(c.modelDir); err != nil {
			return
		}
		source = "model " + c.modelDir
	} else {
		cfg := model.DefaultConfig().WithHidden(256, 128).WithEpochs(3).WithSeed(1)
		var cached bool
		if m, cached, err = model.TrainCached(ds, cfg, &model.TrainOptions{Progress: model.Silent}); err != nil {
			return
		}
		source = fmt.Sprintf("MNIST %s, %d epochs (cached: %v), test accuracy %.4f", m.Architecture(), cfg.Epochs, cached, m.Info.TestAccuracy)
	}
	layer := c.layer
	if layer == 0 {
		layer = m.Depth()
		for l, w := range m.Widths() {
			if w == 128 {
				layer = l + 1
				break
			}
		}
	}
	train := ds.Train.Subset(c.nTrain, 1)
	atr, err := m.Capture(train, false)
	if err != nil {
		return
	}
	ate, err := m.Capture(ds.Test, false)
	if err != nil {
		return
	}
	la, err := atr.Layer(layer)
	if err != nil {
		return
	}
	lb, _ := ate.Layer(layer)
	source += fmt.Sprintf(", layer %d (width %d)", layer, la.Width)
	return la.Post, lb.Post, atr.Labels, ate.Labels, la.Width, source, nil
}

func subsetsMode(c config, dir string, out *json.Encoder) error {
	var (
		xtr, xte []float32
		ltr, lte []int
		d        = 128
		source   = "synthetic activation-like data"
		err      error
	)
	if c.modelDir != "" || c.train {
		if xtr, xte, ltr, lte, d, source, err = realFeatures(c); err != nil {
			return err
		}
	} else {
		x, labels := activationLike(c.nTrain+c.nTest, d, 10, 2)
		xtr, xte, ltr, lte = x[:c.nTrain*d], x[c.nTrain*d:], labels[:c.nTrain], labels[c.nTrain:]
	}
	f, err := observer.NewFeaturesFromMatrix(xtr, ltr, xte, lte, d, 10)
	if err != nil {
		return err
	}
	v := property.Vocabulary{Dataset: "mnist", ClassNames: datasets.MNISTClassNames}
	ts, err := f.LabelTargets(v.All())
	if err != nil {
		return err
	}
	rs, times, cpuTimes, err := timedFitMany(f, ts, max(1, min(c.repeats, 3)))
	if err != nil {
		return err
	}
	conv, iters, maxIters, accs := fitStats(rs)
	var goRes []*observer.Result
	goLine, err := timeGoPath(c, 1, func() (*observer.Result, error) {
		var err error
		goRes, err = observer.FitMany(f, ts, observer.Options{})
		if err != nil {
			return nil, err
		}
		return goRes[0], nil
	})
	if err != nil {
		return err
	}
	line := map[string]any{"bench": "all 1022 label-subset linear observers (L2, C=1)", "source": source,
		"n_train": f.NTrain, "n_test": f.NTest, "d": d, "gomaxprocs": runtime.GOMAXPROCS(0), "kernel": observer.KernelPath(),
		"ours_seconds": median(times), "ours_seconds_all": times, "ours_cpu_seconds_all": cpuTimes, "converged": conv, "properties": len(rs),
		"mean_iterations": float64(iters) / float64(len(rs)), "max_iterations": maxIters,
		"test_accuracy_min": slices.Min(accs), "test_accuracy_mean": mean(accs)}
	if goLine != nil {
		worst := 0.0
		for i := range rs {
			worst = math.Max(worst, math.Abs(100*(rs[i].TestAccuracy-goRes[i].TestAccuracy)))
		}
		goLine["max_accuracy_difference_points"] = worst
	}
	addGoPath(line, goLine, median(times), math.NaN())
	if c.peerSubsets > 0 && c.peer != "" {
		// A deterministic sample of subsets for the peer.
		r := rand.New(rand.NewPCG(7, 7))
		idx := r.Perm(len(ts))[:min(c.peerSubsets, len(ts))]
		slices.Sort(idx)
		masks := make([]int, len(idx))
		for k, i := range idx {
			masks[k] = int(ts[i].Set)
		}
		meta, err := writeShared(dir, xtr, xte, ltr, lte, d, map[string]any{"subsets": masks})
		if err != nil {
			return err
		}
		peer, err := runPeer(c, meta)
		if err != nil {
			return err
		}
		if ps, ok := peer["subsets_seconds"].(float64); ok {
			est := ps * float64(len(ts)) / float64(len(idx))
			peer["extrapolated_seconds_all_1022"] = est
			line["peer_over_ours_extrapolated"] = est / median(times)
			if pa, ok := peer["subsets_test_accuracy"].([]any); ok {
				worst := 0.0
				for k, i := range idx {
					worst = math.Max(worst, math.Abs(100*(rs[i].TestAccuracy-pa[k].(float64))))
				}
				line["max_accuracy_difference_points_on_sample"] = worst
			}
		}
		line["peer"] = peer
	}
	return out.Encode(line)
}

// timedFitMany fits the default observers of ts on f reps times and returns the last fit's
// results with the wall-clock and CPU seconds of each fit.
func timedFitMany(f *observer.Features, ts []observer.Target, reps int) (rs []*observer.Result, times, cpuTimes []float64, err error) {
	for i := 0; i < reps; i++ {
		t0, c0 := time.Now(), cpuSeconds()
		if rs, err = observer.FitMany(f, ts, observer.Options{}); err != nil {
			return nil, nil, nil, err
		}
		times = append(times, time.Since(t0).Seconds())
		cpuTimes = append(cpuTimes, cpuSeconds()-c0)
	}
	return rs, times, cpuTimes, nil
}

// fitStats counts the converged fits of rs and their iterations (total and largest), and lists
// their test accuracies.
func fitStats(rs []*observer.Result) (conv, iters, maxIters int, accs []float64) {
	for _, r := range rs {
		if r.Converged {
			conv++
		}
		iters += r.Iterations
		maxIters = max(maxIters, r.Iterations)
		accs = append(accs, r.TestAccuracy)
	}
	return conv, iters, maxIters, accs
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// timeGoPath times fit with the portable Go kernels (the median of reps runs) and restores the
// kernel path. It returns nil when -compare-go is off or the Go path is the one in use.
func timeGoPath(c config, reps int, fit func() (*observer.Result, error)) (map[string]any, error) {
	if !c.compareGo || observer.KernelPath() == "go" {
		return nil, nil
	}
	prev, err := observer.SetKernelPath("go")
	if err != nil {
		return nil, err
	}
	defer observer.SetKernelPath(prev)
	var times, cpuTimes []float64
	var res *observer.Result
	for range max(1, reps) {
		t0, c0 := time.Now(), cpuSeconds()
		if res, err = fit(); err != nil {
			return nil, err
		}
		times = append(times, time.Since(t0).Seconds())
		cpuTimes = append(cpuTimes, cpuSeconds()-c0)
	}
	return map[string]any{"kernel": "go", "seconds": median(times), "seconds_all": times, "cpu_seconds_all": cpuTimes, "test_accuracy": res.TestAccuracy}, nil
}

// addGoPath records the Go-kernel timing and its ratio to ours in line.
func addGoPath(line, goLine map[string]any, ours, oursAccuracy float64) {
	if goLine == nil {
		return
	}
	if !math.IsNaN(oursAccuracy) {
		goLine["accuracy_difference_points"] = 100 * (oursAccuracy - goLine["test_accuracy"].(float64))
	}
	delete(goLine, "test_accuracy")
	line["go_kernels"] = goLine
	line["go_over_ours"] = goLine["seconds"].(float64) / ours
}

// cpuSeconds is the process's user+system CPU time: on a shared machine, wall time alone
// overstates a run slowed by other processes.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
