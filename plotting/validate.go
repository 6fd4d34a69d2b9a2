package plotting

import (
	"fmt"
	"math"

	"github.com/denotation-go/denotation/pkg/property"
)

// checkFinite returns an error naming what and the index of the first NaN or ±Inf in v.
func checkFinite(what string, v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("plotting: %s[%d] is %v: values must be finite", what, i, x)
		}
	}
	return nil
}

// checkValue returns an error when x is NaN or ±Inf.
func checkValue(what string, x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("plotting: %s is %v: must be finite", what, x)
	}
	return nil
}

// checkLen returns an error when len(v) != n.
func checkLen(what string, v []float64, n int, of string) error {
	if len(v) != n {
		return fmt.Errorf("plotting: %s has %d values for %d %s", what, len(v), n, of)
	}
	return nil
}

// checkClasses returns an error when s holds a class outside [0, k).
func checkClasses(what string, s property.LabelSet, k int) error {
	if out := s &^ property.Full(k); out != 0 {
		return fmt.Errorf("plotting: %s holds class %d, outside [0, %d)", what, out.Classes()[0], k)
	}
	return nil
}

// maxAbs returns the largest |x| over the rows of v, skipping NaN (padding); 0 when there is none.
func maxAbs(v ...[]float64) float64 {
	m := 0.0
	for _, row := range v {
		for _, x := range row {
			if !math.IsNaN(x) {
				m = math.Max(m, math.Abs(x))
			}
		}
	}
	return m
}

// minMax returns the smallest and largest value over the rows of v, skipping NaN
// (+Inf, -Inf when there is none).
func minMax(v ...[]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, row := range v {
		for _, x := range row {
			if !math.IsNaN(x) {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
	}
	return lo, hi
}
