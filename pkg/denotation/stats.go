package denotation

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// Num is a float64 that is undefined (NaN) when there is nothing to measure, e.g. the mean of
// an empty set. It marshals NaN and ±Inf as JSON null, and null back to NaN.
type Num float64

// NaN is the undefined Num.
var NaN = Num(math.NaN())

// Defined reports whether x is a finite number.
func (x Num) Defined() bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

// MarshalJSON writes null for NaN and ±Inf.
func (x Num) MarshalJSON() ([]byte, error) {
	if !x.Defined() {
		return []byte("null"), nil
	}
	return json.Marshal(float64(x))
}

// UnmarshalJSON reads null as NaN.
func (x *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = NaN
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*x = Num(f)
	return nil
}

// String formats x like strconv 'g', and NaN as "" (as in CSV output).
func (x Num) String() string {
	if !x.Defined() {
		return ""
	}
	return strconv.FormatFloat(float64(x), 'g', -1, 64)
}

// Summary describes a sample of numbers (label proportions, counts).
type Summary struct {
	// N is the number of observations.
	N int `json:"n"`
	// Mean, Median and Std (sample standard deviation, n−1) of the observations.
	Mean   Num `json:"mean"`
	Median Num `json:"median"`
	Std    Num `json:"std"`
	// CILow and CIHigh bound the percentile bootstrap confidence interval of the mean (at the
	// level of the options) from Replicates finite replicates; NaN without a bootstrap.
	CILow      Num `json:"ci_low"`
	CIHigh     Num `json:"ci_high"`
	Replicates int `json:"replicates"`
	// Histogram, for label proportions, is the full distribution: Histogram[k−1] is the number
	// of observations with |S| = k (proportion k/K), k = 1 … K−1.
	Histogram []int `json:"histogram,omitempty"`
}

// emptySummary is the summary of nothing.
func emptySummary() Summary {
	return Summary{Mean: NaN, Median: NaN, Std: NaN, CILow: NaN, CIHigh: NaN}
}

// SummarizeProportions summarises label proportions given the histogram of set sizes
// (hist[s−1] = number of sets of size s) and the number of classes k: N, Mean, Median and Std of
// the proportions s/k, and the histogram. The CI is left undefined.
func SummarizeProportions(hist []int, k int) Summary {
	s := emptySummary()
	s.Histogram = slices.Clone(hist)
	n, sum := 0, 0 // sum of set sizes, kept in integers so that equal sizes give exact means
	for i, h := range hist {
		n += h
		sum += h * (i + 1)
	}
	s.N = n
	if n == 0 {
		return s
	}
	meanSize := float64(sum) / float64(n)
	s.Mean = Num(float64(sum) / float64(n*k))
	// Median from the histogram (average of the two middle values when n is even).
	at := func(pos int) int { // size of the pos-th smallest observation (0-based)
		for i, h := range hist {
			if pos < h {
				return i + 1
			}
			pos -= h
		}
		return 0
	}
	if n%2 == 1 {
		s.Median = Num(float64(at(n/2)) / float64(k))
	} else {
		s.Median = Num(float64(at(n/2-1)+at(n/2)) / float64(2*k))
	}
	if n > 1 {
		ss := 0.0
		for i, h := range hist {
			d := float64(i+1) - meanSize
			ss += float64(h) * d * d
		}
		s.Std = Num(math.Sqrt(ss/float64(n-1)) / float64(k))
	}
	return s
}

// valuesSummary summarises plain values (e.g. counts per run). The CI is left undefined.
// Not gonum/stat: stat.Mean sums with SIMD partial sums and stat.StdDev adds a compensation term,
// which change the last digits of the published means and deviations.
func valuesSummary(v []float64) Summary {
	s := emptySummary()
	s.N = len(v)
	if len(v) == 0 {
		return s
	}
	sorted := slices.Clone(v)
	slices.Sort(sorted)
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	mean := sum / float64(len(v))
	s.Mean = Num(mean)
	n := len(sorted)
	if n%2 == 1 {
		s.Median = Num(sorted[n/2])
	} else {
		s.Median = Num((sorted[n/2-1] + sorted[n/2]) / 2)
	}
	if n > 1 {
		ss := 0.0
		for _, x := range v {
			ss += (x - mean) * (x - mean)
		}
		s.Std = Num(math.Sqrt(ss / float64(n-1)))
	}
	return s
}

// quantile is the type-7 (linear interpolation) quantile of sorted values. Not gonum/stat:
// stat.Quantile's LinInterp is the type-4 quantile (it interpolates the empirical CDF).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	h := q * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// percentileCI returns the percentile interval at the given level of the finite replicates,
// and how many there were.
func percentileCI(reps []float64, level float64) (lo, hi Num, n int) {
	var fin []float64
	for _, r := range reps {
		if !math.IsNaN(r) && !math.IsInf(r, 0) {
			fin = append(fin, r)
		}
	}
	if len(fin) == 0 {
		return NaN, NaN, 0
	}
	slices.Sort(fin)
	a := (1 - level) / 2
	return Num(quantile(fin, a)), Num(quantile(fin, 1-a)), len(fin)
}

// table is a weighted contingency table of observations (x_a, y_b) with counts w[a][b]; the
// x and y levels are sorted increasingly.
type table struct {
	x, y []float64
	w    [][]float64
}

// midranks returns the average (tie) rank of each level given its total weight.
func midranks(tot []float64) []float64 {
	r := make([]float64, len(tot))
	cum := 0.0
	for i, t := range tot {
		r[i] = cum + (t+1)/2
		cum += t
	}
	return r
}

// Spearman is Spearman's rank correlation of the pairs (x[i], y[i]) (ties get average ranks),
// computed as the trend analysis computes it: NaN when either variable is constant or the lengths
// differ. (gonum/stat has no rank correlation.)
func Spearman(x, y []float64) float64 {
	if len(x) != len(y) || len(x) == 0 {
		return math.NaN()
	}
	levels := func(v []float64) []float64 {
		l := slices.Clone(v)
		slices.Sort(l)
		return slices.Compact(l)
	}
	t := &table{x: levels(x), y: levels(y)}
	t.w = make([][]float64, len(t.x))
	for a := range t.w {
		t.w[a] = make([]float64, len(t.y))
	}
	for i := range x {
		a, _ := slices.BinarySearch(t.x, x[i])
		b, _ := slices.BinarySearch(t.y, y[i])
		t.w[a][b]++
	}
	return t.spearman()
}

// spearman is Spearman's rank correlation of the table (ties get average ranks): the Pearson
// correlation of the ranks. NaN when either variable is constant.
func (t *table) spearman() float64 {
	tx := make([]float64, len(t.x))
	ty := make([]float64, len(t.y))
	for a := range t.x {
		for b := range t.y {
			tx[a] += t.w[a][b]
			ty[b] += t.w[a][b]
		}
	}
	return t.pearson(midranks(tx), midranks(ty))
}

// pearson is the weighted Pearson correlation of (xs[a], ys[b]) with weights w[a][b]. Not
// stat.Correlation: its compensated two-pass sums change the last digits, and it has no
// constant-variable guard.
func (t *table) pearson(xs, ys []float64) float64 {
	var n, sx, sy float64
	for a := range xs {
		for b := range ys {
			w := t.w[a][b]
			n += w
			sx += w * xs[a]
			sy += w * ys[b]
		}
	}
	if n == 0 {
		return math.NaN()
	}
	mx, my := sx/n, sy/n
	var cxy, cxx, cyy float64
	for a := range xs {
		for b := range ys {
			w := t.w[a][b]
			dx, dy := xs[a]-mx, ys[b]-my
			cxy += w * dx * dy
			cxx += w * dx * dx
			cyy += w * dy * dy
		}
	}
	if cxx <= 1e-12*n || cyy <= 1e-12*n {
		return math.NaN()
	}
	return cxy / math.Sqrt(cxx*cyy)
}

// ols is the least-squares line y = intercept + slope·x of the table; NaN when x is constant.
// Not stat.LinearRegression: its compensated variance changes the last digits of the slopes.
func (t *table) ols() (slope, intercept float64) {
	var n, sx, sy float64
	for a := range t.x {
		for b := range t.y {
			w := t.w[a][b]
			n += w
			sx += w * t.x[a]
			sy += w * t.y[b]
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mx, my := sx/n, sy/n
	var cxy, cxx float64
	for a := range t.x {
		for b := range t.y {
			w := t.w[a][b]
			cxy += w * (t.x[a] - mx) * (t.y[b] - my)
			cxx += w * (t.x[a] - mx) * (t.x[a] - mx)
		}
	}
	if cxx <= 1e-12*n {
		return math.NaN(), math.NaN()
	}
	slope = cxy / cxx
	return slope, my - slope*mx
}
