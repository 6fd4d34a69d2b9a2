package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/denotation-go/denotation/internal/textfmt"
	"github.com/denotation-go/denotation/pkg/findings"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/actfile"
	"github.com/denotation-go/denotation/pkg/actfile/actmodel"
	"github.com/denotation-go/denotation/pkg/denotation"
)

// depthFilesSetup is what `denote depth --activations` analyses: networks given by their
// activations files (one file per network, its depth the number of layer_ℓ arrays) instead of
// networks it trains.
type depthFilesSetup struct {
	Dataset   string    `json:"dataset"`
	Trained   []string  `json:"activations"`
	Untrained []string  `json:"untrained_activations"`
	TestLimit int       `json:"test_limit"`
	Subset    uint64    `json:"subset_seed,omitempty"`
	Scan      scanSetup `json:"scan"`
	denotation.DepthOptions
}

type scanSetup struct {
	Tau             float64 `json:"tau"`
	Permutations    int     `json:"permutations"`
	PermutationSeed uint64  `json:"permutation_seed"`
}

// depthNetwork is one network of `denote depth --activations`.
type depthNetwork struct {
	Name      string `json:"name"`
	File      string `json:"file"`
	Untrained bool   `json:"untrained"`
	Depth     int    `json:"depth"`
	Widths    []int  `json:"widths"`
	Samples   int    `json:"samples"`
	// Validated tells whether the denotations were selected on the file's training samples and
	// judged on its test samples (a file with a split array); SelectionSamples counts the former.
	Validated        bool `json:"validated"`
	SelectionSamples int  `json:"selection_samples,omitempty"`
	Neurons          int  `json:"neurons"`
	Constant         int  `json:"constant"`
	Denoting         int  `json:"denoting"`
}

// depthFilesReport is the JSON output of `denote depth --activations`.
type depthFilesReport struct {
	Setup    depthFilesSetup         `json:"setup"`
	Networks []depthNetwork          `json:"networks"`
	Report   *denotation.DepthReport `json:"report"`
	// Networks is the per-network analysis (each file one unit; a trained file is paired with the
	// untrained file at the same position of --untrained-activations).
	PerNetwork     *denotation.NetworkReport `json:"per_network"`
	Interpretation string                    `json:"interpretation"`
	Notes          []string                  `json:"notes,omitempty"`
	WallSeconds    float64                   `json:"wall_seconds"`
	ScanSeconds    float64                   `json:"scan_seconds"`
}

// depthNetworkSet reads the samples `depth` scans from one network's file: its test split when it
// has a split array, else all its samples; a stratified subset of limit samples when limit > 0
// (drawn as `denote depth` draws its test subset). sel is the file's training split (nil without
// a split array): the samples its denotations are selected on.
func depthNetworkSet(path string, limit int, seed uint64) (set, sel *actfile.Set, k int, err error) {
	n, err := actmodel.Load(path, "", "")
	if err != nil {
		return nil, nil, 0, err
	}
	set = n.Whole
	if set == nil {
		if set = n.Test; set == nil {
			return nil, nil, 0, fmt.Errorf("%s: its split array marks no sample as test", path)
		}
		sel = n.Train
	}
	if limit > 0 && limit < set.N {
		empty := actmodel.Split("train", &actfile.Set{})
		ds := &datasets.Dataset{Train: empty, Test: actmodel.Split("test", set)}
		set = actmodel.Rows(set, ds.Subset(0, limit, seed).Test)
	}
	return set, sel, n.NumClasses, nil
}

// runDepthFiles scans every network of s and aggregates the scans by layer and relative depth,
// with the statistics, tables and figures of `denote depth`.
func runDepthFiles(s depthFilesSetup, csvPath, trendsPath, figDir string, asJSON bool, stdout io.Writer) error {
	start := time.Now()
	out := depthFilesReport{Setup: s}
	runs, nets, err := out.scanNetworks(s)
	if err != nil {
		return err
	}
	if out.Report, err = denotation.AnalyzeDepth(runs, s.DepthOptions); err != nil {
		return err
	}
	level := s.DepthOptions.Level
	if level == 0 {
		level = 0.95
	}
	if out.PerNetwork, err = denotation.AnalyzeNetworks(nets, level); err != nil {
		return err
	}
	for _, nw := range out.Networks {
		if !nw.Validated {
			out.Notes = append(out.Notes, fmt.Sprintf("%s has one split: its denotations are chosen and counted on the same samples (not validated); a file with a split array (training and test samples) gets validated denotations", nw.File))
		}
	}
	out.Interpretation = depthFilesText(out.Report, runs, s)
	figs, notes, err := depthFilesFigures(out.Report, s)
	if err != nil {
		return err
	}
	out.Notes = append(out.Notes, notes...)
	if err := writeDepthCSVs(out.Report, csvPath, trendsPath); err != nil {
		return err
	}
	if err := savePNGs(figDir, figs); err != nil {
		return err
	}
	out.WallSeconds = time.Since(start).Seconds()
	if asJSON {
		return writeJSON(stdout, out)
	}
	out.writeText(stdout)
	return nil
}

// scanNetworks scans the trained then the untrained networks of s, appending each to
// out.Networks and adding its scan time to out.ScanSeconds; it returns the scans as the runs of
// denotation.AnalyzeDepth and the networks of denotation.AnalyzeNetworks.
func (out *depthFilesReport) scanNetworks(s depthFilesSetup) ([]denotation.Run, []denotation.NetworkRun, error) {
	var runs []denotation.Run
	var nets []denotation.NetworkRun
	opt := denotation.Options{Tau: s.Scan.Tau, Permutations: s.Scan.Permutations, Seed: s.Scan.PermutationSeed}
	for _, group := range []struct {
		files     []string
		untrained bool
	}{{s.Trained, false}, {s.Untrained, true}} {
		for gi, path := range group.files {
			set, sel, k, err := depthNetworkSet(path, s.TestLimit, s.Subset)
			if err != nil {
				return nil, nil, err
			}
			name := strings.TrimSuffix(filepath.Base(path), ".npz")
			t0 := time.Now()
			held := actmodel.Activations(set, k)
			var res *denotation.Result
			if sel != nil {
				// Validated: selected on the file's training samples, judged on its test samples.
				res, _, err = denotation.ScanValidated(actmodel.Activations(sel, k), held, opt)
			} else {
				res, err = denotation.Scan(held, opt)
			}
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
			out.ScanSeconds += time.Since(t0).Seconds()
			nw := depthNetwork{Name: name, File: path, Untrained: group.untrained, Depth: set.Depth(), Widths: set.Widths(), Samples: set.N,
				Validated: sel != nil}
			if sel != nil {
				nw.SelectionSamples = sel.N
			}
			nw.Neurons, nw.Constant, nw.Denoting = res.Counts(s.MaxQ)
			out.Networks = append(out.Networks, nw)
			runs = append(runs, denotation.Run{Name: name, Seed: uint64(len(runs) + 1), Untrained: group.untrained, Result: res})
			nets = append(nets, denotation.NetworkRun{Name: name, Depth: set.Depth(), Seed: uint64(gi + 1), Untrained: group.untrained,
				Result: res, FiringRate: findings.FiringRates(held)})
		}
	}
	return runs, nets, nil
}

// writeDepthCSVs writes rep's table of cells to csvPath and its trends to trendsPath (each
// skipped when its path is "").
func writeDepthCSVs(rep *denotation.DepthReport, csvPath, trendsPath string) error {
	if csvPath != "" {
		if err := denWriteFile(csvPath, rep.WriteCSV); err != nil {
			return err
		}
	}
	if trendsPath != "" {
		if err := denWriteFile(trendsPath, rep.WriteTrendsCSV); err != nil {
			return err
		}
	}
	return nil
}

// writeText writes out as the text output of `denote depth --activations`.
func (out *depthFilesReport) writeText(stdout io.Writer) {
	s := out.Setup
	fmt.Fprintf(stdout, "%d networks from activations files (%d trained, %d untrained controls) on %s, %.1fs (scans %.1fs)\n",
		len(out.Networks), len(s.Trained), len(s.Untrained), s.Dataset, out.WallSeconds, out.ScanSeconds)
	for _, nw := range out.Networks {
		kind := ""
		if nw.Untrained {
			kind = "  (untrained)"
		}
		fmt.Fprintf(stdout, "  %-20s D = %d  widths %-16s %6d samples  denoting %4d of %4d%s\n", nw.Name, nw.Depth, textfmt.Ints(nw.Widths, ","),
			nw.Samples, nw.Denoting, nw.Neurons, kind)
	}
	fmt.Fprintln(stdout, "Per network (each file one unit; t intervals over networks):")
	for _, g := range out.PerNetwork.Groups {
		fmt.Fprintf(stdout, "  D = %d: %d networks, denoting per network %s, count slope against ℓ %s, |S|/K slope %s\n",
			g.Depth, g.Networks, g.Denoting, g.CountSlope, g.ProportionSlope)
	}
	printDepthCells(stdout, out.Report)
	fmt.Fprintln(stdout)
	fmt.Fprintln(stdout, out.Interpretation)
	for _, n := range out.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
}

// printDepthCells writes the table of layer cells of `denote depth`.
func printDepthCells(w io.Writer, rep *denotation.DepthReport) {
	fmt.Fprintf(w, "%-9s %2s %2s %5s %8s %8s  %-24s %s\n", "", "D", "ℓ", "ℓ/D", "denoting", "neurons", "mean |S|/K [CI]", "best |S|/K")
	for _, c := range rep.Layers {
		kind := "trained"
		if c.Untrained {
			kind = "untrained"
		}
		ci := ""
		if c.Denoted.CILow.Defined() && c.Denoted.CIHigh.Defined() {
			ci = fmt.Sprintf(" [%.3f, %.3f]", float64(c.Denoted.CILow), float64(c.Denoted.CIHigh))
		}
		fmt.Fprintf(w, "%-9s %2d %2d %5.2f %8d %8d  %-24s %s\n", kind, c.Depth, c.Layer, c.RelativeDepth, c.Denoting, c.Neurons,
			denNum(c.Denoted.Mean)+ci, denNum(c.Best.Mean))
	}
}

// depthFilesText says in a few sentences what the analysis of the files found; every number is
// computed from the scans and the report.
func depthFilesText(rep *denotation.DepthReport, runs []denotation.Run, s depthFilesSetup) string {
	var b strings.Builder
	for _, untrained := range []bool{false, true} {
		nets, neurons, denoting, sum := 0, 0, 0, 0.0
		var depths []int
		for _, r := range runs {
			if r.Untrained != untrained {
				continue
			}
			nets++
			if !slices.Contains(depths, r.Result.Depth) {
				depths = append(depths, r.Result.Depth)
			}
			for _, nr := range r.Result.Neurons() {
				neurons++
				if d, ok := nr.SmallestDenotationAt(s.MaxQ); ok {
					denoting++
					sum += d.LabelProportion
				}
			}
		}
		if nets == 0 {
			continue
		}
		slices.Sort(depths)
		kind := "networks"
		if untrained {
			kind = "untrained controls"
			b.WriteString(" ")
		}
		mean := "undefined (none denotes)"
		if denoting > 0 {
			mean = fmt.Sprintf("%.3f", sum/float64(denoting))
		}
		fmt.Fprintf(&b, "%d %s (depths %s) have %d hidden neurons, of which %d (%.1f%%) denote a label set at τ = %g; the mean label proportion |S|/K of their properties is %s.",
			nets, kind, textfmt.Ints(depths, ","), neurons, denoting, 100*float64(denoting)/float64(max(neurons, 1)), rep.Tau, mean)
		for _, t := range rep.Trends {
			if t.Untrained != untrained || t.Measure != "denoted" {
				continue
			}
			if !t.Spearman.Defined() {
				b.WriteString(" No trend with relative depth ℓ/D can be measured (too few denoting neurons, or a single relative depth).")
				continue
			}
			fmt.Fprintf(&b, " Against relative depth ℓ/D it has Spearman ρ = %.3f and least-squares slope %.3f", float64(t.Spearman), float64(t.Slope))
			if t.SlopeCILow.Defined() && t.SlopeCIHigh.Defined() {
				fmt.Fprintf(&b, " (%g%% CI of the slope over networks %.3f to %.3f", 100*s.Level, float64(t.SlopeCILow), float64(t.SlopeCIHigh))
				switch {
				case t.SlopeCILow > 0:
					b.WriteString(": it rises with depth).")
				case t.SlopeCIHigh < 0:
					b.WriteString(": it falls with depth).")
				default:
					b.WriteString(": it includes zero, no trend is established).")
				}
			} else {
				b.WriteString(" (no bootstrap interval, so no claim of a trend).")
			}
		}
	}
	return b.String()
}

// depthFilesFigures draws the pooled figures of `denote depth` for the report of the files.
func depthFilesFigures(rep *denotation.DepthReport, s depthFilesSetup) ([]findings.NamedFigure, []string, error) {
	var depths []int
	for _, r := range rep.Runs {
		if !slices.Contains(depths, r.Depth) {
			depths = append(depths, r.Depth)
		}
	}
	slices.Sort(depths)
	f, err := findings.DrawCellFigures(rep, depths, s.Bootstrap > 0, s.Level, "")
	if err != nil {
		return nil, nil, err
	}
	figs := []findings.NamedFigure{{Name: "f4-counts", Figure: f.Counts}}
	for _, nf := range []findings.NamedFigure{{Name: "f4-proportion", Figure: f.Proportion}, {Name: "f4-relative", Figure: f.Relative}, {Name: "f4-best", Figure: f.Best}} {
		if nf.Figure != nil {
			figs = append(figs, nf)
		}
	}
	return figs, f.Notes, nil
}
