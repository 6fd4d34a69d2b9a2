package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/denotation-go/denotation/pkg/actfile/actmodel"
	"github.com/denotation-go/denotation/pkg/property"
)

// fileList is a flag that collects file names: a comma-separated list, the flag repeated, or both.
type fileList []string

func (l *fileList) String() string { return strings.Join(*l, ",") }

func (l *fileList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			return fmt.Errorf("empty file name in %q", v)
		}
		*l = append(*l, p)
	}
	return nil
}

// actFlags are the flags that name activations files recorded elsewhere (package actfile), the
// alternative to --model of the analysing commands.
type actFlags struct {
	all, train, test fileList
	dataset          string
	fs               *flag.FlagSet
}

// addActFlags registers --activations, --train-activations, --test-activations and --dataset.
func addActFlags(fs *flag.FlagSet) *actFlags {
	a := &actFlags{fs: fs}
	fs.Var(&a.all, "activations", "instead of --model: a NumPy .npz of activations recorded elsewhere (labels, layer_1 … layer_L; optional split, class_names, preact_ℓ)")
	fs.Var(&a.train, "train-activations", "instead of --model: the training split's activations (.npz), with --test-activations")
	fs.Var(&a.test, "test-activations", "instead of --model: the test split's activations (.npz)")
	fs.StringVar(&a.dataset, "dataset", "", "with activations files: the data set they come from (mnist or fashion: its class names and aliases such as even); default: the files' class_names or label numbers")
	return a
}

// given reports whether any activations file was named.
func (a *actFlags) given() bool { return len(a.all)+len(a.train)+len(a.test) > 0 }

// explicit reports whether flag name was set on the command line.
func explicit(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// check refuses --model together with activations files, flags that need a model or images, and
// more than one file per flag; with neither --model nor files it says what is required.
func (a *actFlags) check(model string, modelOnly ...string) error {
	if !a.given() {
		if a.dataset != "" {
			return usageErrorf("--dataset goes with activations files; a model records its data set")
		}
		if model == "" {
			return usageErrorf("--model is required (or activations files: --activations, or --train-activations and --test-activations)")
		}
		return nil
	}
	if model != "" {
		return usageErrorf("give --model or activations files, not both")
	}
	for _, name := range modelOnly {
		if explicit(a.fs, name) {
			return usageErrorf("--%s needs a model (--model); activations files carry only the neurons' values and labels", name)
		}
	}
	for _, l := range []struct {
		name  string
		files fileList
	}{{"activations", a.all}, {"train-activations", a.train}, {"test-activations", a.test}} {
		if len(l.files) > 1 {
			return usageErrorf("--%s: one file (%d given)", l.name, len(l.files))
		}
	}
	if len(a.all) > 0 && len(a.train)+len(a.test) > 0 {
		return usageErrorf("give --activations, or --train-activations and --test-activations, not both")
	}
	if a.dataset != "" {
		if _, err := property.VocabularyFor(a.dataset); err != nil {
			return usageErrorf("--dataset %q: want mnist or fashion (or leave it out)", a.dataset)
		}
	}
	return nil
}

func first(l fileList) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// network loads the network the flags name (after check).
func (a *actFlags) network() (*actmodel.Network, error) {
	return actmodel.Load(first(a.all), first(a.train), first(a.test))
}

// datasetName is the data set a report names for activations files: --dataset, or "external".
func (a *actFlags) datasetName() string {
	if a.dataset != "" {
		return a.dataset
	}
	return "external"
}
