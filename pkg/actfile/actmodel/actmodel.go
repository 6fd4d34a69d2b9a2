package actmodel

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/internal/textfmt"
	"github.com/denotation-go/denotation/pkg/actfile"
	"github.com/denotation-go/denotation/pkg/hidden"
	"github.com/denotation-go/denotation/pkg/property"
)

// Network is a network known by its activations files: its training and test samples, or one
// set of samples (Whole) when it comes from a single file without a split array.
type Network struct {
	// Name describes where the network comes from: the file, or "train.npz + test.npz".
	Name string
	// NumClasses is K, common to the files; ClassNames are the files' class names, or nil.
	NumClasses int
	ClassNames []string
	// Train and Test are the two splits (nil when not given); Whole is the file of a single
	// split (then Train and Test are nil).
	Train, Test, Whole *actfile.Set
}

// Load reads a network from activations files: either one file (all; with a split array its
// training and test samples, else one split, Whole), or a training and/or a test file. The
// files of one network must agree on its layers (number, shapes) and class names.
func Load(all, train, test string) (*Network, error) {
	switch {
	case all != "" && (train != "" || test != ""):
		return nil, errors.New("give one activations file, or a training and a test file, not both")
	case all == "" && train == "" && test == "":
		return nil, errors.New("no activations file")
	}
	if all != "" {
		f, err := actfile.Open(all)
		if err != nil {
			return nil, err
		}
		n := &Network{Name: all, NumClasses: f.NumClasses, ClassNames: f.ClassNames}
		if f.Split == nil {
			n.Whole = &f.Set
			return n, nil
		}
		for _, s := range f.Split {
			if s == actfile.Train && n.Train == nil {
				if n.Train, err = f.Part(actfile.Train); err != nil {
					return nil, err
				}
			}
			if s == actfile.Test && n.Test == nil {
				if n.Test, err = f.Part(actfile.Test); err != nil {
					return nil, err
				}
			}
		}
		return n, nil
	}
	var files []*actfile.File
	var names []string
	for _, p := range []string{train, test} {
		if p == "" {
			files = append(files, nil)
			continue
		}
		f, err := actfile.Open(p)
		if err != nil {
			return nil, err
		}
		if f.Split != nil {
			return nil, fmt.Errorf("%s has a split array, so it holds both splits: give it alone as the activations file", p)
		}
		files = append(files, f)
		names = append(names, p)
	}
	n := &Network{Name: strings.Join(names, " + ")}
	for _, f := range files {
		if f == nil {
			continue
		}
		n.NumClasses = max(n.NumClasses, f.NumClasses)
		if f.ClassNames != nil {
			if n.ClassNames != nil && !slices.Equal(n.ClassNames, f.ClassNames) {
				return nil, fmt.Errorf("%s and %s name the classes differently (class_names)", train, test)
			}
			n.ClassNames = f.ClassNames
		}
	}
	if n.ClassNames != nil {
		for _, f := range files {
			if f != nil && f.ClassNames == nil && f.NumClasses > len(n.ClassNames) {
				return nil, fmt.Errorf("%s has label %d, beyond the %d class_names of the other file", f.Name, f.NumClasses-1, len(n.ClassNames))
			}
		}
		n.NumClasses = len(n.ClassNames)
	}
	if files[0] != nil {
		n.Train = &files[0].Set
	}
	if files[1] != nil {
		n.Test = &files[1].Set
	}
	if n.Train != nil && n.Test != nil {
		if err := SameLayers(n.Train, n.Test); err != nil {
			return nil, fmt.Errorf("%s and %s: %w", train, test, err)
		}
	}
	return n, nil
}

// SameLayers checks that two sets come from the same network: the same number of layers, of the
// same shapes.
func SameLayers(a, b *actfile.Set) error {
	if len(a.Layers) != len(b.Layers) {
		return fmt.Errorf("%d hidden layers against %d: not the same network", len(a.Layers), len(b.Layers))
	}
	for i := range a.Layers {
		if !slices.Equal(a.Layers[i].Shape, b.Layers[i].Shape) {
			return fmt.Errorf("layer_%d has %s neurons against %s: not the same network", i+1, shape(a.Layers[i].Shape), shape(b.Layers[i].Shape))
		}
	}
	return nil
}

// shape writes a layer's shape as C×H×W.
func shape(s []int) string { return textfmt.Ints(s, "×") }

// Any returns one of the network's sets (for its layer shapes).
func (n *Network) Any() *actfile.Set {
	for _, s := range []*actfile.Set{n.Whole, n.Test, n.Train} {
		if s != nil {
			return s
		}
	}
	return nil
}

// Architecture describes the network by its hidden layers' widths, e.g. "hidden 32-16 (from
// a.npz)"; a feature map is written C×H×W.
func (n *Network) Architecture() string {
	s := n.Any()
	parts := make([]string, len(s.Layers))
	for i, l := range s.Layers {
		parts[i] = shape(l.Shape)
	}
	return fmt.Sprintf("hidden %s (from %s)", strings.Join(parts, "-"), n.Name)
}

// Names returns the class names: the files' class_names, else the label numbers "0" … "K−1".
func (n *Network) Names() []string {
	if n.ClassNames != nil {
		return slices.Clone(n.ClassNames)
	}
	out := make([]string, n.NumClasses)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}

// Vocabulary returns the property vocabulary of the network's classes. With dataset "mnist" or
// "fashion" it is that data set's (aliases such as even or footwear included), which needs K = 10;
// with "" it has the network's class names and no aliases.
func (n *Network) Vocabulary(dataset string) (property.Vocabulary, error) {
	if dataset == "" {
		return property.Vocabulary{Dataset: "external", ClassNames: n.Names()}, nil
	}
	v, err := property.VocabularyFor(dataset)
	if err != nil {
		return v, err
	}
	if v.K() != n.NumClasses {
		return v, fmt.Errorf("%s has %d classes; %s has %d", dataset, v.K(), n.Name, n.NumClasses)
	}
	return v, nil
}

// Activations returns s as the activations of a model with k classes (the type the denotation
// scan and the observers take); the layers' values are shared, not copied.
func Activations(s *actfile.Set, k int) *hidden.Activations {
	a := &hidden.Activations{N: s.N, Labels: slices.Clone(s.Labels), NumClasses: k}
	for _, l := range s.Layers {
		a.Layers = append(a.Layers, hidden.LayerActivations{Layer: l.Number, Depth: len(s.Layers), Width: l.Width, Post: l.Post, Pre: l.Pre})
	}
	return a
}

// Split returns a split of s that holds only its labels (no images) and Index = row positions,
// so that datasets' stratified subsets (Split.Subset, Dataset.Subset) can be drawn from it and
// applied with Rows.
func Split(name string, s *actfile.Set) *datasets.Split {
	idx := make([]int, s.N)
	for i := range idx {
		idx[i] = i
	}
	return &datasets.Split{Name: name, Labels: slices.Clone(s.Labels), Index: idx}
}

// Rows returns the samples of s that a split drawn from Split(…, s) holds, in its order.
func Rows(s *actfile.Set, sub *datasets.Split) *actfile.Set {
	return s.Rows(sub.Index)
}

// Dataset returns the network's samples as a data set of labels only (no images), named name,
// with the network's class names, for the subset and property machinery of package datasets and
// package property. A missing split is empty.
func (n *Network) Dataset(name string) *datasets.Dataset {
	empty := &actfile.Set{}
	tr, te := n.Train, n.Test
	if tr == nil {
		tr = empty
	}
	if te == nil {
		te = empty
	}
	return &datasets.Dataset{Name: name, ClassNames: n.Names(), Train: Split("train", tr), Test: Split("test", te)}
}

// JoinSplits makes one activations file of a network's training and test activations (same
// layers), with a split array: what `denote scan --select` and `denote depth --activations` need to
// validate denotations. Post-activations only; classNames may be nil.
func JoinSplits(train, test *hidden.Activations, classNames []string) (*actfile.File, error) {
	if train.NumClasses != test.NumClasses || len(train.Layers) != len(test.Layers) {
		return nil, fmt.Errorf("join splits: %d and %d classes, %d and %d layers", train.NumClasses, test.NumClasses, len(train.Layers), len(test.Layers))
	}
	f := &actfile.File{NumClasses: train.NumClasses, ClassNames: slices.Clone(classNames)}
	for _, part := range []struct {
		name string
		acts *hidden.Activations
	}{{actfile.Train, train}, {actfile.Test, test}} {
		f.N += part.acts.N
		f.Labels = append(f.Labels, part.acts.Labels...)
		for range part.acts.N {
			f.Split = append(f.Split, part.name)
		}
		for i, l := range part.acts.Layers {
			if len(f.Layers) <= i {
				f.Layers = append(f.Layers, actfile.Layer{Number: l.Layer, Shape: []int{l.Width}, Width: l.Width})
			}
			if f.Layers[i].Width != l.Width {
				return nil, fmt.Errorf("join splits: layer %d has width %d and %d", l.Layer, f.Layers[i].Width, l.Width)
			}
			f.Layers[i].Post = append(f.Layers[i].Post, l.Post...)
		}
	}
	return f, nil
}
