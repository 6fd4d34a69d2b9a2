package property

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/denotation-go/denotation/datasets"
)

// Property is a binary attribute of a sample.
type Property interface {
	// Name identifies the property in reports, e.g. "even", "{0,6,8,9}" or "ink>median".
	Name() string
	// Targets returns, for each sample of the split, whether it has the property.
	Targets(s *datasets.Split) ([]bool, error)
}

// SampleProportion is the fraction of true values (0 for an empty slice).
func SampleProportion(targets []bool) float64 {
	if len(targets) == 0 {
		return 0
	}
	n := 0
	for _, t := range targets {
		if t {
			n++
		}
	}
	return float64(n) / float64(len(targets))
}

// LabelProperty is a label-subset property: a sample has it when its label is in Set.
type LabelProperty struct {
	// Set is S, a non-trivial subset of the K classes.
	Set LabelSet
	// K is the number of classes.
	K int
	// Alias is the property's short name ("even", "footwear"), or "" when it has none.
	Alias string
	// ClassNames are the K class names used by Display (may be nil).
	ClassNames []string
}

// NewLabelProperty checks that set is a non-trivial subset of the k classes and wraps it.
func NewLabelProperty(set LabelSet, k int, classNames []string) (LabelProperty, error) {
	if err := set.Check(k); err != nil {
		return LabelProperty{}, err
	}
	if classNames != nil && len(classNames) != k {
		return LabelProperty{}, fmt.Errorf("label property %v: %d class names for %d classes", set, len(classNames), k)
	}
	return LabelProperty{Set: set, K: k, ClassNames: classNames}, nil
}

// Name is the alias when there is one, else the canonical set name "{0,2,4,6,8}".
func (p LabelProperty) Name() string {
	if p.Alias != "" {
		return p.Alias
	}
	return p.Set.String()
}

// Labels is the canonical set name, "{0,2,4,6,8}".
func (p LabelProperty) Labels() string { return p.Set.String() }

// Display names the set's classes by their class names, e.g. "{Sandal,Sneaker,Ankle boot}"
// (the numeric form when there are no class names).
func (p LabelProperty) Display() string { return p.Set.Named(p.ClassNames) }

// LabelProportion is |S| / K.
func (p LabelProperty) LabelProportion() float64 { return p.Set.Proportion(p.K) }

// SampleProportion is the fraction of labels in S.
func (p LabelProperty) SampleProportion(labels []int) float64 { return p.Set.SampleProportion(labels) }

// Complement is the same split with the sides swapped. Its alias is "!alias" when p has one.
func (p LabelProperty) Complement() LabelProperty {
	c := p
	c.Set = p.Set.Complement(p.K)
	if p.Alias != "" {
		if strings.HasPrefix(p.Alias, "!") {
			c.Alias = p.Alias[1:]
		} else {
			c.Alias = "!" + p.Alias
		}
	}
	return c
}

// Canonical is the canonical view of the split (see LabelSet.Canonical): p itself or its complement.
func (p LabelProperty) Canonical() LabelProperty {
	if p.Set.IsCanonical(p.K) {
		return p
	}
	return p.Complement()
}

// TargetsOf returns membership of each label in S.
func (p LabelProperty) TargetsOf(labels []int) []bool { return p.Set.Targets(labels) }

// Targets returns membership of each sample's label in S. It fails when a label is outside [0, K).
func (p LabelProperty) Targets(s *datasets.Split) ([]bool, error) {
	if s == nil {
		return nil, fmt.Errorf("property %s: nil split", p.Name())
	}
	for i, y := range s.Labels {
		if y < 0 || y >= p.K {
			return nil, fmt.Errorf("property %s: label %d of %s sample %d is outside [0,%d)", p.Name(), y, s.Name, i, p.K)
		}
	}
	return p.Set.Targets(s.Labels), nil
}

// Vocabulary knows the class names and named properties of one data set, and parses property specs.
type Vocabulary struct {
	// Dataset is "mnist", "fashion", or another name (no aliases then).
	Dataset string
	// ClassNames are the K class names, indexed by label.
	ClassNames []string
}

// VocabularyFor returns the vocabulary of a data set known to package datasets ("mnist", "fashion").
func VocabularyFor(dataset string) (Vocabulary, error) {
	switch dataset {
	case "mnist":
		return Vocabulary{Dataset: "mnist", ClassNames: datasets.MNISTClassNames}, nil
	case "fashion", "fashion-mnist":
		return Vocabulary{Dataset: "fashion", ClassNames: datasets.FashionClassNames}, nil
	}
	return Vocabulary{}, fmt.Errorf("property: unknown dataset %q (want mnist or fashion)", dataset)
}

// VocabularyOf returns the vocabulary of a loaded data set.
func VocabularyOf(ds *datasets.Dataset) Vocabulary {
	name := ds.Name
	if name == "fashion-mnist" {
		name = "fashion"
	}
	return Vocabulary{Dataset: name, ClassNames: ds.ClassNames}
}

// K is the number of classes.
func (v Vocabulary) K() int { return len(v.ClassNames) }

type alias struct {
	name  string
	set   LabelSet
	about string
}

var mnistAliases = []alias{
	{"even", MustLabelSet(0, 2, 4, 6, 8), "even digits"},
	{"odd", MustLabelSet(1, 3, 5, 7, 9), "odd digits"},
	{"lt5", MustLabelSet(0, 1, 2, 3, 4), "digits below 5"},
	{"ge5", MustLabelSet(5, 6, 7, 8, 9), "digits 5 and above"},
	{"loops", MustLabelSet(0, 6, 8, 9), "digits usually written with a closed loop"},
	{"straight", MustLabelSet(1, 4, 7), "digits made of straight strokes"},
	{"curved", MustLabelSet(0, 2, 3, 5, 6, 8, 9), "digits with curved strokes (complement of straight)"},
	{"prime", MustLabelSet(2, 3, 5, 7), "prime digits"},
}

var fashionAliases = []alias{
	{"tops", MustLabelSet(0, 2, 4, 6), "T-shirt/top, Pullover, Coat, Shirt"},
	{"footwear", MustLabelSet(5, 7, 9), "Sandal, Sneaker, Ankle boot"},
	{"clothing", MustLabelSet(0, 1, 2, 3, 4, 6), "garments worn on the body"},
	{"longsleeve", MustLabelSet(2, 4, 6), "Pullover, Coat, Shirt"},
	{"accessories", MustLabelSet(5, 7, 8, 9), "footwear and bags"},
}

func (v Vocabulary) aliases() []alias {
	switch v.Dataset {
	case "mnist":
		if v.K() == 10 {
			return mnistAliases
		}
	case "fashion":
		if v.K() == 10 {
			return fashionAliases
		}
	}
	return nil
}

// Aliases returns the named properties of the data set, in a fixed order.
func (v Vocabulary) Aliases() []LabelProperty {
	var out []LabelProperty
	for _, a := range v.aliases() {
		out = append(out, LabelProperty{Set: a.set, K: v.K(), Alias: a.name, ClassNames: v.ClassNames})
	}
	return out
}

// AliasHelp lists the aliases with their sets and descriptions, one per line.
func (v Vocabulary) AliasHelp() string {
	var b strings.Builder
	for _, a := range v.aliases() {
		fmt.Fprintf(&b, "%-12s %-18s %s\n", a.name, a.set.String(), a.about)
	}
	return b.String()
}

// All returns every non-trivial label-subset property (2^K − 2), in increasing bit-mask order.
func (v Vocabulary) All() []LabelProperty { return v.wrap(AllSubsets(v.K())) }

// Splits returns every split once, by its canonical view (2^(K−1) − 1 properties).
func (v Vocabulary) Splits() []LabelProperty { return v.wrap(Splits(v.K())) }

func (v Vocabulary) wrap(sets []LabelSet) []LabelProperty {
	out := make([]LabelProperty, len(sets))
	for i, s := range sets {
		out[i] = LabelProperty{Set: s, K: v.K(), ClassNames: v.ClassNames}
	}
	return out
}

// normalize lowercases and drops everything but letters and digits ("Ankle boot" → "ankleboot").
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// class resolves one element of a spec: a label number, a class name, or a part of a class name
// separated by '/' ("T-shirt/top" answers to "tshirt", "top" and "t-shirt/top").
func (v Vocabulary) class(elem string) (int, error) {
	e := strings.TrimSpace(elem)
	if e == "" {
		return 0, fmt.Errorf("empty element")
	}
	if n, err := strconv.Atoi(e); err == nil {
		if n < 0 || n >= v.K() {
			return 0, fmt.Errorf("label %d is outside [0,%d)", n, v.K())
		}
		return n, nil
	}
	ne := normalize(e)
	for c, name := range v.ClassNames {
		if normalize(name) == ne {
			return c, nil
		}
		for _, part := range strings.Split(name, "/") {
			if normalize(part) == ne {
				return c, nil
			}
		}
	}
	if names := v.AliasNames(); len(names) > 0 {
		return 0, fmt.Errorf("unknown class or alias %q (classes: %s; aliases: %s)", e, strings.Join(v.ClassNames, ", "), strings.Join(names, ", "))
	}
	return 0, fmt.Errorf("unknown class %q (classes: %s)", e, strings.Join(v.ClassNames, ", "))
}

// Parse reads a label-subset property spec:
//
//	even, footwear          an alias of the data set (Aliases)
//	0,6,8,9   {0,2}         label numbers, with or without braces
//	2-5                     a range of label numbers (inclusive)
//	sneaker   Sandal,Sneaker class names (case, spaces and punctuation ignored)
//	digit=3   class=Bag     one class (also label=N)
//	!even     not:even      the complement of a spec
//
// Listing a class twice, naming no class, naming every class, an unknown name and a label outside
// [0, K) are errors that quote the spec.
func (v Vocabulary) Parse(spec string) (LabelProperty, error) {
	p, err := v.parse(spec)
	if err != nil {
		return LabelProperty{}, fmt.Errorf("property spec %q: %w", spec, err)
	}
	return p, nil
}

func (v Vocabulary) parse(spec string) (LabelProperty, error) {
	k := v.K()
	if k < 2 || k > MaxClasses {
		return LabelProperty{}, fmt.Errorf("vocabulary has %d classes, want 2…%d", k, MaxClasses)
	}
	s := strings.TrimSpace(spec)
	if s == "" {
		return LabelProperty{}, fmt.Errorf("empty spec")
	}
	for _, neg := range []string{"!", "not:", "~"} {
		if strings.HasPrefix(strings.ToLower(s), neg) {
			p, err := v.parse(s[len(neg):])
			if err != nil {
				return LabelProperty{}, err
			}
			return p.Complement(), nil
		}
	}
	for _, a := range v.aliases() {
		if strings.EqualFold(s, a.name) {
			return LabelProperty{Set: a.set, K: k, Alias: a.name, ClassNames: v.ClassNames}, nil
		}
	}
	if key, val, ok := strings.Cut(s, "="); ok {
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "digit", "class", "label":
		default:
			return LabelProperty{}, fmt.Errorf("unknown key %q (want digit=, class= or label=)", strings.TrimSpace(key))
		}
		c, err := v.class(val)
		if err != nil {
			return LabelProperty{}, err
		}
		return LabelProperty{Set: MustLabelSet(c), K: k, ClassNames: v.ClassNames}, nil
	}
	if strings.HasPrefix(s, "{") {
		if !strings.HasSuffix(s, "}") {
			return LabelProperty{}, fmt.Errorf("unbalanced braces")
		}
		s = s[1 : len(s)-1]
	}
	var set LabelSet
	add := func(c int) error {
		if set.Contains(c) {
			return fmt.Errorf("class %d (%s) listed twice", c, v.ClassNames[c])
		}
		set |= 1 << c
		return nil
	}
	if strings.TrimSpace(s) == "" {
		return LabelProperty{}, fmt.Errorf("no classes: the empty set is not a property")
	}
	for _, elem := range strings.Split(s, ",") {
		if lo, hi, ok := numericRange(elem); ok {
			if lo > hi || lo < 0 || hi >= k {
				return LabelProperty{}, fmt.Errorf("range %q is not within [0,%d)", strings.TrimSpace(elem), k)
			}
			for c := lo; c <= hi; c++ {
				if err := add(c); err != nil {
					return LabelProperty{}, err
				}
			}
			continue
		}
		c, err := v.class(elem)
		if err != nil {
			return LabelProperty{}, err
		}
		if err := add(c); err != nil {
			return LabelProperty{}, err
		}
	}
	if err := set.Check(k); err != nil {
		return LabelProperty{}, err
	}
	return LabelProperty{Set: set, K: k, ClassNames: v.ClassNames}, nil
}

func numericRange(elem string) (lo, hi int, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(elem), "-")
	if !found {
		return 0, 0, false
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	return lo, hi, err1 == nil && err2 == nil
}

// ParseList reads a list of label-subset specs separated by ';' (e.g. "even;loops;{0,1}"). Besides
// specs (Parse), an item may be "all" (every subset, 2^K − 2), "splits" (each split once by its
// canonical view) or "aliases" (the named properties). The result has no duplicate sets (the first
// occurrence is kept).
func (v Vocabulary) ParseList(spec string) ([]LabelProperty, error) {
	var out []LabelProperty
	seen := map[LabelSet]bool{}
	add := func(p LabelProperty) {
		if !seen[p.Set] {
			seen[p.Set] = true
			out = append(out, p)
		}
	}
	for _, part := range strings.Split(spec, ";") {
		if ps, ok, err := v.keyword(part); ok {
			if err != nil {
				return nil, fmt.Errorf("property spec %q: %w", part, err)
			}
			for _, p := range ps {
				add(p)
			}
			continue
		}
		p, err := v.Parse(part)
		if err != nil {
			return nil, err
		}
		add(p)
	}
	return out, nil
}

// keyword expands the list keywords all, splits and aliases.
func (v Vocabulary) keyword(s string) ([]LabelProperty, bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "all":
		return v.All(), true, nil
	case "splits", "canonical":
		return v.Splits(), true, nil
	case "aliases", "named":
		if len(v.aliases()) == 0 {
			return nil, true, fmt.Errorf("dataset %q has no aliases", v.Dataset)
		}
		return v.Aliases(), true, nil
	}
	return nil, false, nil
}

// IsListKeyword reports whether s is one of ParseList's keywords (all, splits, aliases).
func IsListKeyword(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "all", "splits", "canonical", "aliases", "named":
		return true
	}
	return false
}

// AliasNames lists the alias names of the data set, sorted.
func (v Vocabulary) AliasNames() []string {
	var out []string
	for _, a := range v.aliases() {
		out = append(out, a.name)
	}
	sort.Strings(out)
	return out
}
