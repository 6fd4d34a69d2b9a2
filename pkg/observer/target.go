package observer

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/property"
)

// Target is a property to predict: one boolean per training and per test sample.
type Target struct {
	// Name is the property's name.
	Name string
	// Train and Test hold whether each sample has the property.
	Train, Test []bool
	// Set is the label subset S of a label-subset property (0 for other properties), over K classes.
	Set property.LabelSet
	K   int
}

// LabelProportion is |S|/K for a label-subset target, and NaN otherwise.
func (t Target) LabelProportion() float64 {
	if t.Set == 0 || t.K == 0 {
		return math.NaN()
	}
	return t.Set.Proportion(t.K)
}

// LabelTarget builds the target of a label-subset property from the features' labels.
func (f *Features) LabelTarget(p property.LabelProperty) (Target, error) {
	if f.TrainLabels == nil || f.TestLabels == nil {
		return Target{}, fmt.Errorf("property %s: the features carry no labels", p.Name())
	}
	if err := p.Set.Check(p.K); err != nil {
		return Target{}, fmt.Errorf("property %s: %w", p.Name(), err)
	}
	if p.K != f.NumClasses {
		return Target{}, fmt.Errorf("property %s is over %d classes, the features' labels over %d", p.Name(), p.K, f.NumClasses)
	}
	return Target{Name: p.Name(), Train: p.Set.Targets(f.TrainLabels), Test: p.Set.Targets(f.TestLabels), Set: p.Set, K: p.K}, nil
}

// LabelTargets builds the targets of several label-subset properties.
func (f *Features) LabelTargets(ps []property.LabelProperty) ([]Target, error) {
	out := make([]Target, len(ps))
	for i, p := range ps {
		t, err := f.LabelTarget(p)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// PropertyTarget evaluates any property on the two splits the features were computed from.
func PropertyTarget(p property.Property, train, test *datasets.Split) (Target, error) {
	tr, err := p.Targets(train)
	if err != nil {
		return Target{}, err
	}
	te, err := p.Targets(test)
	if err != nil {
		return Target{}, err
	}
	t := Target{Name: p.Name(), Train: tr, Test: te}
	if lp, ok := p.(property.LabelProperty); ok {
		t.Set, t.K = lp.Set, lp.K
	}
	return t, nil
}

// check verifies that the target fits the features and has both classes on both splits.
func (t Target) check(f *Features) error {
	if len(t.Train) != f.NTrain || len(t.Test) != f.NTest {
		return fmt.Errorf("property %s: %d training and %d test targets for %d and %d samples", t.Name, len(t.Train), len(t.Test), f.NTrain, f.NTest)
	}
	for _, s := range []struct {
		name string
		y    []bool
	}{{"training", t.Train}, {"test", t.Test}} {
		p := 0
		for _, v := range s.y {
			if v {
				p++
			}
		}
		if p == 0 || p == len(s.y) {
			side := "no"
			if p == 0 {
				side = "no positive"
			} else {
				side = "no negative"
			}
			return fmt.Errorf("property %s has %s samples on the %s split: one side is empty", t.Name, side, s.name)
		}
	}
	return nil
}

// streamOf derives a random stream from a property name, so a control is the same whichever other
// properties are fitted alongside it.
func streamOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// Shuffled returns the target with its training labels permuted at random (seeded); the test
// labels are kept, so an observer trained on it scores at chance level on the test split.
func Shuffled(t Target, seed uint64) Target {
	r := rand.New(rand.NewPCG(seed, streamOf("shuffle:"+t.Name)))
	s := t
	s.Name = t.Name + " (shuffled)"
	s.Train = slices.Clone(t.Train)
	r.Shuffle(len(s.Train), func(i, j int) { s.Train[i], s.Train[j] = s.Train[j], s.Train[i] })
	return s
}

// ControlTask returns a Hewitt–Liang control task for t: a random map of the K classes to the two
// sides with the same number of classes on the high side, |S'| = |S| (S' ≠ S and S' ≠ complement of S
// where another choice exists), seeded. For a target that is not a label subset, |S'| is the
// training sample proportion times K, rounded and kept within [1, K−1]. It needs the features' labels.
func (f *Features) ControlTask(t Target, seed uint64) (Target, error) {
	k := f.NumClasses
	if f.TrainLabels == nil || f.TestLabels == nil || k < 2 {
		return Target{}, fmt.Errorf("control task for %s: the features carry no labels", t.Name)
	}
	size := t.Set.Len()
	if t.Set == 0 {
		size = int(math.Round(property.SampleProportion(t.Train) * float64(k)))
		size = max(1, min(k-1, size))
	}
	var choices []property.LabelSet
	for _, s := range property.SubsetsOfSize(k, size) {
		if t.Set != 0 && (s == t.Set || s == t.Set.Complement(k)) {
			continue
		}
		choices = append(choices, s)
	}
	if len(choices) == 0 {
		return Target{}, fmt.Errorf("control task for %s: no other split of %d classes has %d classes on one side", t.Name, k, size)
	}
	r := rand.New(rand.NewPCG(seed, streamOf("task:"+t.Name)))
	s := choices[r.IntN(len(choices))]
	return Target{Name: s.String(), Train: s.Targets(f.TrainLabels), Test: s.Targets(f.TestLabels), Set: s, K: k}, nil
}
