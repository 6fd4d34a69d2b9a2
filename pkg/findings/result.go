package findings

import (
	"fmt"
	"strings"
)

// Result is what every finding returns, whatever it measured: its figures, each with the name it
// is exported under, and its section of the report — tables and generated prose — as Markdown.
// Results are plain structs, so encoding/json gives the numbers behind every figure: that is what
// results.json and the results cache hold (figures are redrawn from those numbers). Reproduce, the
// CLI and the notebooks (Show) use only this interface to present a result.
//
// Invariants: Figures lists only figures that were drawn (never a nil Figure), in a fixed order;
// Markdown ends with a newline and never contains a heading of level 1 or 2 (Reproduce's report adds
// the finding's heading).
type Result interface {
	Figures() []NamedFigure
	Markdown() string
}

var (
	_ Result = (*CaptureResult)(nil)
	_ Result = (*WeightsResult)(nil)
	_ Result = (*DenotationResult)(nil)
	_ Result = (*NeuronStoryResult)(nil)
	_ Result = (*ReplicationResult)(nil)
	_ Result = (*F3Section)(nil)
	_ Result = (*DepthResult)(nil)
	_ Result = (*AblationResult)(nil)
	_ Result = (*EmergenceResult)(nil)
	_ Result = (*FactorResult)(nil)
)

// Show presents a result in a notebook: every figure (exported to $DENOTATION_FIGURES under its
// name, see ShowAndExport), then its Markdown.
func Show(r Result) error { return ShowWithPrefix(r, "") }

// ShowWithPrefix is Show with the figures exported as prefix+name (e.g. "06-fashion-"). A result
// without figures says so in one line (NoFigureLine), so that a notebook check can tell it from a
// figure that failed to show.
func ShowWithPrefix(r Result, prefix string) error {
	figs := r.Figures()
	if len(figs) == 0 {
		fmt.Println(NoFigureLine)
	}
	for _, f := range figs {
		if _, err := ShowAndExport(f.Figure, prefix+f.Name); err != nil {
			return err
		}
	}
	ShowMarkdown(r.Markdown())
	return nil
}

// NoFigureLine is what Show prints for a result that has no figure (scripts/nbcheck.py knows it).
const NoFigureLine = "(no figure: nothing to draw for this result)"

// drawnFigures keeps the figures of figs that were drawn.
func drawnFigures(figs ...NamedFigure) []NamedFigure {
	var out []NamedFigure
	for _, f := range figs {
		if f.Figure != nil {
			out = append(out, f)
		}
	}
	return out
}

// lines concatenates Markdown blocks, each followed by a newline (the report's layout: a block,
// then an empty line before the next one when the block itself ends with a newline).
func lines(blocks ...string) string {
	var b strings.Builder
	for _, s := range blocks {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

// printer is a Markdown writer with the report's idiom: p(format, args...) writes one line.
func printer() (*strings.Builder, func(string, ...any)) {
	var b strings.Builder
	return &b, func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
}

// mdHeader writes, through a printer's p, the head of a Markdown table: its column names, then the
// separator line.
func mdHeader(p func(string, ...any), cols ...string) {
	p("%s", "| "+strings.Join(cols, " | ")+" |")
	p("%s", strings.Repeat("|---", len(cols))+"|")
}

// mdRows writes the rows of a Markdown table of n rows, row(i) writing row i, up to limit rows;
// past them it writes one row in the format more, whose %d is how many were left out (they are in
// results.json).
func mdRows(p func(string, ...any), n, limit int, more string, row func(i int)) {
	for i := range n {
		if i == limit {
			p(more, n-limit)
			return
		}
		row(i)
	}
}

// Figures lists F1's figures: the named properties and, when drawn, every split of the classes.
func (f *CaptureResult) Figures() []NamedFigure {
	return drawnFigures(NamedFigure{"f1-named-properties", f.NamedFigure}, NamedFigure{"f1-all-splits", f.SubsetFigure})
}

// Markdown is F1's table and what it found.
func (f *CaptureResult) Markdown() string { return lines(CaptureTable(f), CaptureSummary(f)) }

// Figures lists F2's heat map.
func (f *WeightsResult) Figures() []NamedFigure {
	return drawnFigures(NamedFigure{"f2-observer-weights", f.Figure})
}

// Markdown is F2's table and what it found.
func (f *WeightsResult) Markdown() string { return lines(WeightsTable(f), WeightsSummary(f)) }

// Figures lists F3's count figure.
func (f *DenotationResult) Figures() []NamedFigure {
	return drawnFigures(NamedFigure{"f3-denoting-neurons", f.Figure})
}

// Markdown is F3's table and what it found, without the τ sensitivity and replication (see
// F3Section).
func (f *DenotationResult) Markdown() string {
	return lines(DenotationTable(f, nil), DenotationSummary(f, nil))
}

// Figures lists the story's figure.
func (s *NeuronStoryResult) Figures() []NamedFigure {
	return drawnFigures(NamedFigure{"f3-neuron-story", s.Figure})
}

// Markdown is the story's title: the neuron and what it denotes.
func (s *NeuronStoryResult) Markdown() string { return lines(s.Title) }

// Figures lists the replication figure.
func (r *ReplicationResult) Figures() []NamedFigure {
	return drawnFigures(NamedFigure{"f3-replication", r.Figure})
}

// Markdown is the replication table.
func (r *ReplicationResult) Markdown() string { return lines(ReplicationTable(r)) }

// F3Section is F3 as the report presents it: the validated scan, its sensitivity to τ, the story
// of its showcase neuron and the replication across seeds (any of the last three may be nil).
type F3Section struct {
	Scan        *DenotationResult
	Tau         []TauCount
	Story       *NeuronStoryResult
	Replication *ReplicationResult
}

// Figures lists the scan's, the story's and the replication's figures.
func (s *F3Section) Figures() []NamedFigure {
	out := s.Scan.Figures()
	if s.Story != nil {
		out = append(out, s.Story.Figures()...)
	}
	if s.Replication != nil {
		out = append(out, s.Replication.Figures()...)
	}
	return out
}

// Markdown is the table (with the τ sensitivity), the replication table and what F3 found.
func (s *F3Section) Markdown() string {
	blocks := []string{DenotationTable(s.Scan, s.Tau)}
	if s.Replication != nil {
		blocks = append(blocks, ReplicationTable(s.Replication))
	}
	return lines(append(blocks, DenotationSummary(s.Scan, s.Replication))...)
}

// Markdown is F4: the networks, the per-network analysis, the secondary view and what it found.
func (f *DepthResult) Markdown() string {
	b, p := printer()
	h := f.Headline
	p("Networks of depths %v, width %d, %d seeds each (%d trained, %d untrained), test accuracy %.3f–%.3f; τ = %.2f; denotations selected on %d training samples and judged on %d test samples.",
		h.Depths, h.Width, len(f.Setup.Seeds), h.TrainedRuns, h.UntrainedRuns, h.MinAccuracy, h.MaxAccuracy, h.Tau, f.SelectionSamples, f.TestSamples)
	p("")
	p("%s", f.NetworkTable())
	p("%s", f.Text)
	p("")
	p("Secondary view (relative depth, cells pooled over networks): %s", f.RelativeText)
	p("")
	p("%s", DepthSummary(f))
	for _, n := range f.Notes {
		p("")
		p("> %s", n)
	}
	return b.String()
}

// Figures lists the ablation figure.
func (a *AblationResult) Figures() []NamedFigure {
	return drawnFigures(NamedFigure{"ablation-effect", a.Figure})
}

// Markdown is the causal check: every ablation against its control, and the tally.
func (a *AblationResult) Markdown() string {
	b, p := printer()
	if len(a.Ablations) == 0 {
		p("No neuron denotes a label set at τ = %.2f on the %d selection samples, so there is nothing to ablate.", a.Options.Scan.Tau, a.SelectionSamples)
		return b.String()
	}
	p("Each neuron denoting S at τ = %.2f on the %d selection (training) samples is clamped to %g, and its effect is measured on the %d test samples: contrast = mean accuracy drop on classes in S − on the others (95%% bootstrap CI). Control: a neuron of the same layer that denotes nothing on the selection samples, scored against the same S.",
		a.Options.Scan.Tau, a.SelectionSamples, a.Options.Value, a.TestSamples)
	p("")
	mdHeader(p, "layer", "neuron", "S", "accuracy before → after", "contrast [CI]", "control contrast [CI]")
	for _, row := range a.Ablations {
		p("| %d | %d | %v | %.4f → %.4f | %s | %s |", row.Layer, row.Neuron, row.Labels.Classes(), row.AccuracyBefore, row.AccuracyAfter,
			contrastText(row.Contrast), contrastText(row.Control))
	}
	p("")
	p("%d of %d ablations have a contrast whose CI lies above 0 (controls: %d of %d); mean contrast %s, control %s.",
		a.Positive, len(a.Ablations), a.ControlPositive, a.Controls, num(a.MeanContrast), num(a.MeanControlContrast))
	p("")
	p("%s", a.excessText())
	return b.String()
}

// excessText says whether ablating a denoting neuron hurts its classes more than ablating its
// control does (ExcessOverControl), and what it would take to show it when it does not.
func (a *AblationResult) excessText() string {
	iv := a.ExcessOverControl
	change := "–"
	if a.MeanAccuracyChange.Defined() {
		change = fmt.Sprintf("%.4f", float64(a.MeanAccuracyChange))
	}
	head := fmt.Sprintf("Contrast − control contrast, paired by ablated neuron: %s [%s, %s] (n = %d; 95%% t interval over the ablated neurons of this one network); a single-neuron ablation changes test accuracy by %s on average.",
		num(iv.Mean), num(iv.Lo), num(iv.Hi), iv.N, change)
	switch {
	case iv.Excludes(0) && iv.Mean > 0:
		return head + " Ablating a denoting neuron hurts its classes more than ablating a non-denoting neuron of the same layer does, in this network."
	case iv.Excludes(0):
		return head + " Ablating a denoting neuron hurts its classes less than ablating a non-denoting neuron of the same layer does, in this network: no sign that the network uses the denoting neurons for their classes."
	case !iv.Lo.Defined():
		return head + " Too few ablations with a control for an interval."
	default:
		return head + " The interval includes 0: ablating a denoting neuron is not shown to hurt its classes more than ablating a non-denoting neuron does. Effects this small would need more ablated neurons, several networks as units, or ablating the neurons that denote the same S together."
	}
}

// Figures lists the emergence figures: denoting neurons per epoch, and the learning curves.
func (e *EmergenceResult) Figures() []NamedFigure {
	return drawnFigures(NamedFigure{"emergence", e.Figure}, NamedFigure{"emergence-curves", e.Curves})
}

// Markdown is the emergence table.
func (e *EmergenceResult) Markdown() string { return lines(EmergenceTable(e)) }

// Markdown is the factor study: its table, the generated comparison and what it found.
func (r *FactorResult) Markdown() string {
	return lines(r.Table(), r.Text, "", StudySummary(r))
}
