package main

import (
	"fmt"
	"io"
	"os"
	"slices"
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
	noCache := fs.Bool("no-cache", false, "recompute every finding instead of reading the results cache (sets $"+findings.EnvNoCache+"=1; trained models still come from the run cache)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dataDir != "" {
		os.Setenv("DENOTATION_DATA_DIR", *dataDir)
	}
	if *noCache {
		os.Setenv(findings.EnvNoCache, "1")
	}
	var ids []string
	if *only != "" {
		ids = strings.Split(*only, ",")
		for _, id := range ids {
			if !slices.ContainsFunc(findings.Findings, func(f findings.FindingInfo) bool { return strings.EqualFold(f.ID, strings.TrimSpace(id)) }) {
				return usageErrorf("--only: unknown finding %q (known: %s)", id, findingIDs())
			}
		}
	}
	progress := model.AutoProgress()
	if *asJSON {
		progress = model.Silent
	}
	// SIGINT/SIGTERM stop training after its last completed epoch (kept in the run cache) and
	// skip the remaining findings.
	in := onInterrupt()
	defer in.stop()
	res, err := findings.Reproduce(findings.ReproduceOptions{Dataset: *dataset, Only: ids, Out: *out,
		Quick: *quick, Log: os.Stderr, Progress: progress, Context: in.ctx})
	if err != nil {
		if s := in.signal(); s != nil {
			return in.wrap(fmt.Errorf("interrupted by %s; completed training epochs stay in the run cache and the same command resumes from them; results.json and report.md were not written: %w", signalName(s), err))
		}
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
