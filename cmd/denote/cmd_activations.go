package main

import (
	"fmt"
	"io"
	"strings"
)

func init() {
	register(command{name: "activations", summary: "record a trained model's hidden-neuron activations on a split into a NumPy .npz file", run: runActivations})
}

// activationsReport is the JSON output of `denote activations`.
type activationsReport struct {
	Model        string   `json:"model"`
	Dataset      string   `json:"dataset"`
	Split        string   `json:"split"`
	Samples      int      `json:"samples"`
	Architecture string   `json:"architecture"`
	Widths       []int    `json:"widths"`
	Arrays       []string `json:"arrays"`
	Out          string   `json:"out"`
}

func runActivations(args []string, stdout io.Writer) error {
	fs := newFlagSet("activations")
	dir := fs.String("model", "", "folder of a saved model (denote train prints it)")
	splitName := fs.String("split", "test", "split: train or test")
	limit := fs.Int("limit", 0, "only the first N samples of the split (0 = all)")
	out := fs.String("out", "", "output .npz file")
	dataDir := fs.String("data-dir", "", "folder holding the data set's four IDX files (default: as recorded by `denote data`'s rules)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usageErrorf("--model is required")
	}
	if *out == "" {
		return usageErrorf("--out is required (an .npz file)")
	}
	if !strings.HasSuffix(*out, ".npz") {
		return usageErrorf("--out %q: want a file name ending in .npz", *out)
	}
	if *splitName != "train" && *splitName != "test" {
		return usageErrorf("--split %q: want train or test", *splitName)
	}
	if *limit < 0 {
		return usageErrorf("--limit %d: want ≥ 0", *limit)
	}
	m, ds, err := loadModelData(*dir, *dataDir)
	if err != nil {
		return err
	}
	split, err := ds.Split(*splitName)
	if err != nil {
		return err
	}
	split = split.Head(*limit)
	acts, err := m.Activations(split)
	if err != nil {
		return err
	}
	if err := acts.SaveNPZ(*out); err != nil {
		return err
	}
	r := activationsReport{Model: *dir, Dataset: ds.Name, Split: *splitName, Samples: acts.N,
		Architecture: m.Architecture(), Widths: m.Widths(), Out: *out, Arrays: []string{"labels"}}
	for l := 1; l <= m.Depth(); l++ {
		r.Arrays = append(r.Arrays, fmt.Sprintf("layer_%d", l), fmt.Sprintf("preact_%d", l))
	}
	if *asJSON {
		return writeJSON(stdout, r)
	}
	fmt.Fprintf(stdout, "%d %s samples of %s through %s → %s (%s)\n", r.Samples, r.Split, r.Dataset, r.Architecture, r.Out, strings.Join(r.Arrays, ", "))
	return nil
}
