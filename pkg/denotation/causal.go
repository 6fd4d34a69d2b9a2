package denotation

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/denotation-go/denotation/pkg/property"
)

// Bootstrap units of AblationContrast.
const (
	// UnitSamples resamples test samples with replacement within each class, paired: a drawn
	// sample contributes its correctness before and after the ablation.
	UnitSamples = "samples"
	// UnitClasses resamples classes with replacement within S and within its complement
	// (per-class accuracies fixed): the variation over which classes happen to be in S.
	UnitClasses = "classes"
)

// ContrastOptions configures AblationContrast.
type ContrastOptions struct {
	// Bootstrap is the number of replicates (0: no interval).
	Bootstrap int `json:"bootstrap"`
	// Seed seeds the bootstrap: rand.New(rand.NewPCG(Seed, 0x61626c61)).
	Seed uint64 `json:"seed"`
	// Level is the confidence level of the interval, in (0, 1).
	Level float64 `json:"level"`
	// Unit is UnitSamples ("" means it) or UnitClasses.
	Unit string `json:"unit"`
}

// DefaultContrastOptions returns 1000 replicates over samples at level 0.95, seed 0.
func DefaultContrastOptions() ContrastOptions {
	return ContrastOptions{Bootstrap: 1000, Level: 0.95, Unit: UnitSamples}
}

// Contrast is the causal check of one denotation: how much ablating the neuron hurts the
// classes it denotes compared with the others.
type Contrast struct {
	Labels property.LabelSet `json:"labels"`
	// AccuracyBefore[c], AccuracyAfter[c]: accuracy on class c before and after the ablation;
	// Drop[c] = before − after.
	AccuracyBefore []float64 `json:"accuracy_before"`
	AccuracyAfter  []float64 `json:"accuracy_after"`
	Drop           []float64 `json:"drop"`
	// DropIn and DropOut are the mean drops over the classes in S and outside S; Contrast is
	// DropIn − DropOut (> 0: the ablation hurts S more).
	DropIn   Num `json:"drop_in"`
	DropOut  Num `json:"drop_out"`
	Contrast Num `json:"contrast"`
	// CILow and CIHigh bound the percentile bootstrap interval of Contrast.
	CILow      Num     `json:"ci_low"`
	CIHigh     Num     `json:"ci_high"`
	Bootstrap  int     `json:"bootstrap"`
	Replicates int     `json:"replicates"`
	Seed       uint64  `json:"seed"`
	Level      float64 `json:"level"`
	Unit       string  `json:"unit"`
}

// PerClassAccuracy returns, for each class c in [0,k), the fraction of its samples whose entry
// in correct is true. Every class needs at least one sample.
func PerClassAccuracy(labels []int, k int, correct []bool) ([]float64, error) {
	if len(correct) != len(labels) {
		return nil, fmt.Errorf("denotation: %d correctness values for %d labels", len(correct), len(labels))
	}
	n, _, err := classCounts(labels, k)
	if err != nil {
		return nil, err
	}
	acc := make([]float64, k)
	for i, y := range labels {
		if correct[i] {
			acc[y]++
		}
	}
	for y := range acc {
		acc[y] /= float64(n[y])
	}
	return acc, nil
}

// classCounts counts labels in [0,k) and lists each class's sample indices.
func classCounts(labels []int, k int) ([]int, [][]int, error) {
	if k < 2 {
		return nil, nil, fmt.Errorf("denotation: %d classes: need K ≥ 2", k)
	}
	n := make([]int, k)
	idx := make([][]int, k)
	for i, y := range labels {
		if y < 0 || y >= k {
			return nil, nil, fmt.Errorf("denotation: label %d of sample %d is outside [0,%d)", y, i, k)
		}
		n[y]++
		idx[y] = append(idx[y], i)
	}
	for y, m := range n {
		if m == 0 {
			return nil, nil, fmt.Errorf("denotation: class %d has no samples", y)
		}
	}
	return n, idx, nil
}

// checkSet validates a proper label set of k classes and returns its membership.
func checkSet(s property.LabelSet, k int) ([]bool, error) {
	if err := s.Check(k); err != nil {
		return nil, fmt.Errorf("denotation: %w", err)
	}
	in := make([]bool, k)
	for c := range in {
		in[c] = s.Contains(c)
	}
	return in, nil
}

// ContrastOfAccuracies is mean_{c∈S}(before_c − after_c) − mean_{c∉S}(before_c − after_c).
func ContrastOfAccuracies(before, after []float64, s property.LabelSet) (float64, error) {
	if len(before) != len(after) {
		return 0, fmt.Errorf("denotation: %d accuracies before, %d after", len(before), len(after))
	}
	in, err := checkSet(s, len(before))
	if err != nil {
		return 0, err
	}
	for c := range before {
		if math.IsNaN(before[c]) || math.IsNaN(after[c]) {
			return 0, fmt.Errorf("denotation: accuracy of class %d is NaN", c)
		}
	}
	dIn, dOut := splitMeans(before, after, in, nil)
	return dIn - dOut, nil
}

// splitMeans returns the mean drop over classes in S and outside S; mult, when not nil, weighs
// each class (class bootstrap).
func splitMeans(before, after []float64, in []bool, mult []float64) (dIn, dOut float64) {
	var sIn, sOut, nIn, nOut float64
	for c := range before {
		w := 1.0
		if mult != nil {
			w = mult[c]
		}
		d := before[c] - after[c]
		if in[c] {
			sIn += w * d
			nIn += w
		} else {
			sOut += w * d
			nOut += w
		}
	}
	return sIn / nIn, sOut / nOut
}

// AblationContrast computes the causal contrast of ablating a neuron that denotes S, from the
// per-sample correctness of the classifier on the same test samples before and after the
// ablation (labels in [0,k)): Contrast = mean drop of accuracy over the classes in S − mean drop
// over the other classes, with a bootstrap interval (see ContrastOptions.Unit). Deterministic
// given opt.Seed.
func AblationContrast(labels []int, k int, before, after []bool, s property.LabelSet, opt ContrastOptions) (*Contrast, error) {
	if opt.Unit == "" {
		opt.Unit = UnitSamples
	}
	if opt.Unit != UnitSamples && opt.Unit != UnitClasses {
		return nil, fmt.Errorf("denotation: unknown bootstrap unit %q (want %q or %q)", opt.Unit, UnitSamples, UnitClasses)
	}
	if opt.Bootstrap < 0 {
		return nil, fmt.Errorf("denotation: %d bootstrap replicates: must be ≥ 0", opt.Bootstrap)
	}
	if opt.Bootstrap > 0 && !(opt.Level > 0 && opt.Level < 1) {
		return nil, fmt.Errorf("denotation: confidence level %v is outside (0, 1)", opt.Level)
	}
	if len(before) != len(labels) || len(after) != len(labels) {
		return nil, fmt.Errorf("denotation: %d labels, %d correctness values before and %d after", len(labels), len(before), len(after))
	}
	in, err := checkSet(s, k)
	if err != nil {
		return nil, err
	}
	accB, err := PerClassAccuracy(labels, k, before)
	if err != nil {
		return nil, err
	}
	accA, _ := PerClassAccuracy(labels, k, after)
	_, idx, _ := classCounts(labels, k)
	out := &Contrast{Labels: s, AccuracyBefore: accB, AccuracyAfter: accA,
		Drop: make([]float64, k), Bootstrap: opt.Bootstrap, Seed: opt.Seed, Level: opt.Level, Unit: opt.Unit,
		CILow: NaN, CIHigh: NaN}
	for c := range out.Drop {
		out.Drop[c] = accB[c] - accA[c]
	}
	dIn, dOut := splitMeans(accB, accA, in, nil)
	out.DropIn, out.DropOut, out.Contrast = Num(dIn), Num(dOut), Num(dIn-dOut)
	if opt.Bootstrap == 0 {
		return out, nil
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x61626c61))
	reps := make([]float64, 0, opt.Bootstrap)
	b, a := make([]float64, k), make([]float64, k)
	mult := make([]float64, k)
	var inCls, outCls []int
	for c := range k {
		if in[c] {
			inCls = append(inCls, c)
		} else {
			outCls = append(outCls, c)
		}
	}
	for range opt.Bootstrap {
		switch opt.Unit {
		case UnitSamples:
			for c, ix := range idx {
				nb, na := 0, 0
				for range ix {
					i := ix[rng.IntN(len(ix))]
					if before[i] {
						nb++
					}
					if after[i] {
						na++
					}
				}
				b[c], a[c] = float64(nb)/float64(len(ix)), float64(na)/float64(len(ix))
			}
			dIn, dOut := splitMeans(b, a, in, nil)
			reps = append(reps, dIn-dOut)
		case UnitClasses:
			clear(mult)
			for range inCls {
				mult[inCls[rng.IntN(len(inCls))]]++
			}
			for range outCls {
				mult[outCls[rng.IntN(len(outCls))]]++
			}
			dIn, dOut := splitMeans(accB, accA, in, mult)
			reps = append(reps, dIn-dOut)
		}
	}
	out.CILow, out.CIHigh, out.Replicates = percentileCI(reps, opt.Level)
	return out, nil
}
