package main

import (
	"fmt"
	"io"

	"github.com/denotation-go/denotation/datasets"
)

func init() {
	register(command{name: "data", summary: "load a data set and print its split sizes and label histograms", run: runData})
}

// dataReport is the JSON output of `denote data`.
type dataReport struct {
	Dataset        string   `json:"dataset"`
	Dir            string   `json:"dir"`
	Classes        []string `json:"classes"`
	ImageRows      int      `json:"image_rows"`
	ImageCols      int      `json:"image_cols"`
	TrainSize      int      `json:"train_size"`
	TestSize       int      `json:"test_size"`
	TrainHistogram []int    `json:"train_histogram"`
	TestHistogram  []int    `json:"test_histogram"`
}

// addDataFlags adds --dataset and --data-dir to fs.
func addDataFlags(fs interface {
	StringVar(p *string, name, value, usage string)
}, name, dir *string) {
	fs.StringVar(name, "dataset", "mnist", "data set: mnist or fashion")
	fs.StringVar(dir, "data-dir", "", "folder holding the four IDX files (default: $"+datasets.EnvDataDir+", else the built-in source)")
}

// loadDataset loads a data set from dir if given, else from its default source.
func loadDataset(name, dir string) (*datasets.Dataset, error) {
	if dir != "" {
		return datasets.LoadDir(name, dir)
	}
	return datasets.Load(name)
}

func runData(args []string, stdout io.Writer) error {
	fs := newFlagSet("data")
	var name, dir string
	addDataFlags(fs, &name, &dir)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ds, err := loadDataset(name, dir)
	if err != nil {
		return err
	}
	k := ds.NumClasses()
	r := dataReport{Dataset: ds.Name, Dir: ds.Dir, Classes: ds.ClassNames, ImageRows: ds.Train.Rows, ImageCols: ds.Train.Cols,
		TrainSize: ds.Train.Len(), TestSize: ds.Test.Len(), TrainHistogram: ds.Train.Histogram(k), TestHistogram: ds.Test.Histogram(k)}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "%s from %s: %d×%d images, %d train, %d test\n", r.Dataset, r.Dir, r.ImageRows, r.ImageCols, r.TrainSize, r.TestSize)
	fmt.Fprintf(stdout, "%-14s %8s %8s\n", "class", "train", "test")
	for c := range k {
		fmt.Fprintf(stdout, "%-14s %8d %8d\n", ds.ClassNames[c], r.TrainHistogram[c], r.TestHistogram[c])
	}
	return nil
}
