package property

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// MaxClasses is the largest number of classes a LabelSet can describe.
const MaxClasses = 64

// maxListed is the largest number of classes whose subsets AllSubsets, Splits and SubsetsOfSize
// list (2^31 − 2 sets already).
const maxListed = 31

// LabelSet is a set of class labels as a bit mask: bit c is set when class c is in the set.
// The zero value is the empty set. A LabelSet does not know K, the number of classes; methods that
// need it take it as an argument. In JSON it is the array of its classes, [0,6,8,9].
type LabelSet uint64

// NewLabelSet returns the set of the given classes. It returns an error for a class outside
// [0, MaxClasses) or listed twice.
func NewLabelSet(classes ...int) (LabelSet, error) {
	var s LabelSet
	for _, c := range classes {
		if c < 0 || c >= MaxClasses {
			return 0, fmt.Errorf("label set: class %d is outside [0,%d)", c, MaxClasses)
		}
		if s.Contains(c) {
			return 0, fmt.Errorf("label set: class %d listed twice", c)
		}
		s |= 1 << c
	}
	return s, nil
}

// MustLabelSet is NewLabelSet for constant arguments; it panics on an error.
func MustLabelSet(classes ...int) LabelSet {
	s, err := NewLabelSet(classes...)
	if err != nil {
		panic(err)
	}
	return s
}

// Contains reports whether class c is in the set.
func (s LabelSet) Contains(c int) bool { return c >= 0 && c < MaxClasses && s&(1<<c) != 0 }

// Len is the number of classes in the set.
func (s LabelSet) Len() int { return bits.OnesCount64(uint64(s)) }

// Classes lists the classes in the set in increasing order.
func (s LabelSet) Classes() []int {
	out := make([]int, 0, s.Len())
	for m := uint64(s); m != 0; m &= m - 1 {
		out = append(out, bits.TrailingZeros64(m))
	}
	return out
}

// String is the canonical name of the set: its classes in increasing order, e.g. "{0,2,4,6,8}".
func (s LabelSet) String() string { return s.Named(nil) }

// Named writes the set like String with each class spelled by its name in classNames, e.g.
// "{Sandal,Sneaker,Ankle boot}"; a class without a name is written as its number. It is the one
// formatter of a label set between braces.
func (s LabelSet) Named(classNames []string) string {
	return "{" + strings.Join(s.Names(classNames), ",") + "}"
}

// Names lists the set's classes in increasing order, each by its name in classNames, or as its
// number when it has none.
func (s LabelSet) Names(classNames []string) []string {
	out := make([]string, 0, s.Len())
	for _, c := range s.Classes() {
		if c < len(classNames) {
			out = append(out, classNames[c])
		} else {
			out = append(out, strconv.Itoa(c))
		}
	}
	return out
}

// MarshalJSON writes the set as the array of its classes in increasing order, e.g. [0,6,8,9].
func (s LabelSet) MarshalJSON() ([]byte, error) { return json.Marshal(s.Classes()) }

// UnmarshalJSON reads an array of classes (null: the empty set).
func (s *LabelSet) UnmarshalJSON(b []byte) error {
	var classes []int
	if err := json.Unmarshal(b, &classes); err != nil {
		return err
	}
	set, err := NewLabelSet(classes...)
	if err != nil {
		return err
	}
	*s = set
	return nil
}

// Full returns the set of all k classes.
func Full(k int) LabelSet { return LabelSet(uint64(1)<<k - 1) }

// Complement returns the classes of [0, k) not in s: the same split with the sides swapped.
func (s LabelSet) Complement(k int) LabelSet { return Full(k) &^ s }

// Canonical returns the view of the split {s, complement} used to name it once: the smaller side,
// and for equal sizes the side containing class 0. S and its complement have the same canonical view.
func (s LabelSet) Canonical(k int) LabelSet {
	c := s.Complement(k)
	switch {
	case c.Len() < s.Len():
		return c
	case c.Len() == s.Len() && c.Contains(0):
		return c
	}
	return s
}

// IsCanonical reports whether s is its own canonical view.
func (s LabelSet) IsCanonical(k int) bool { return s.Canonical(k) == s }

// Proportion is the label proportion |S| / k.
func (s LabelSet) Proportion(k int) float64 { return float64(s.Len()) / float64(k) }

// Check returns an error unless s is a non-trivial subset of the k classes (0 < |S| < k).
func (s LabelSet) Check(k int) error {
	if k < 2 || k > MaxClasses {
		return fmt.Errorf("label set %v: number of classes %d is outside [2,%d]", s, k, MaxClasses)
	}
	if s == 0 {
		return fmt.Errorf("label set {} is empty: not a property")
	}
	if s&^Full(k) != 0 {
		return fmt.Errorf("label set %v has a class outside [0,%d)", s, k)
	}
	if s == Full(k) {
		return fmt.Errorf("label set %v holds all %d classes: not a property", s, k)
	}
	return nil
}

// Targets returns, for each label, whether it is in the set.
func (s LabelSet) Targets(labels []int) []bool {
	out := make([]bool, len(labels))
	for i, y := range labels {
		out[i] = s.Contains(y)
	}
	return out
}

// SampleProportion is the fraction of the labels that are in the set (0 for no labels).
func (s LabelSet) SampleProportion(labels []int) float64 {
	if len(labels) == 0 {
		return 0
	}
	n := 0
	for _, y := range labels {
		if s.Contains(y) {
			n++
		}
	}
	return float64(n) / float64(len(labels))
}

// AllSubsets returns every non-trivial subset of k classes (2^k − 2 sets), in increasing bit-mask
// order. Each split appears twice, once per side. It returns nil unless 2 ≤ k ≤ 31.
func AllSubsets(k int) []LabelSet {
	if k < 2 || k > maxListed {
		return nil
	}
	out := make([]LabelSet, 0, 1<<k-2)
	for m := LabelSet(1); m < Full(k); m++ {
		out = append(out, m)
	}
	return out
}

// Splits returns each split of k classes once, by its canonical view (2^(k−1) − 1 sets), in increasing
// bit-mask order.
func Splits(k int) []LabelSet {
	var out []LabelSet
	for _, s := range AllSubsets(k) {
		if s.IsCanonical(k) {
			out = append(out, s)
		}
	}
	return out
}

// SubsetsOfSize returns the subsets of k classes with exactly n members, in increasing bit-mask order.
func SubsetsOfSize(k, n int) []LabelSet {
	var out []LabelSet
	for _, s := range AllSubsets(k) {
		if s.Len() == n {
			out = append(out, s)
		}
	}
	return out
}
