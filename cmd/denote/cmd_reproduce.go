package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/denotation-go/denotation/pkg/findings"
	"github.com/denotation-go/denotation/pkg/model"
)

func init() {
	register(command{name: "reproduce", summary: "run the findings headless: figures, results.json and report.md", run: runReproduce})
}

func runReproduce(args []string, stdout io.Writer) error {
	fs := newFlagSet("reproduce")
	dataset := fs.String("dataset", "mnist", "data set: mnist or fashion")
	dataDir := fs.String("data-dir", "", "folder holding the four IDX files (sets $DENOTATION_DATA_DIR)")
	quick := fs.Bool("quick", false, "quick version (small model and subsets; also $DENOTATION_QUICK=1)")
	only := fs.String("only", "", "comma-separated findings to run (default all): "+findingIDs())
	out := fs.String("out", "figures", "output folder")
	asJSON := fs.Bool("json", false, "print results.json to stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dataDir != "" {
		os.Setenv("DENOTATION_DATA_DIR", *dataDir)
	}
	var ids []string
	if *only != "" {
		ids = strings.Split(*only, ",")
	}
	progress := model.AutoProgress()
	if *asJSON {
		progress = model.Silent
	}
	res, err := findings.Reproduce(findings.ReproduceOptions{Dataset: *dataset, Only: ids, Out: *out,
		Quick: *quick, Log: os.Stderr, Progress: progress})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "report: %s/report.md\n", *out)
	return nil
}

func findingIDs() string {
	ids := make([]string, len(findings.Findings))
	for i, f := range findings.Findings {
		ids[i] = f.ID
	}
	return strings.Join(ids, ",")
}
