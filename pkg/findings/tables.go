package findings

import (
	"fmt"
	"strings"

	"github.com/denotation-go/denotation/plotting"
)

// NamedFigure is a figure with the file name it is exported under.
type NamedFigure struct {
	Name   string
	Figure *plotting.Figure
}

// Figures lists F4's figures that were drawn, in a fixed order, with their export names.
func (r *DepthResult) Figures() []NamedFigure {
	var out []NamedFigure
	for _, f := range []NamedFigure{{"f4-denoting-per-network-by-layer", r.LayerCounts}, {"f4-label-proportion-per-network-by-layer", r.LayerProportion},
		{"f4-trained-minus-untrained", r.CountContrast}, {"f4-firing-rate", r.FiringRate},
		{"f4-label-proportion-by-relative-depth", r.Relative}, {"f4-best-property-proportion", r.BestProportion}} {
		if f.Figure != nil {
			out = append(out, f)
		}
	}
	return out
}

// ModelTable lists F4's networks as Markdown: architecture, seed, test accuracy, denoting neurons.
func (r *DepthResult) ModelTable() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| network | depth | seed | test accuracy | neurons | constant | denoting |\n|---|---|---|---|---|---|---|\n")
	for _, m := range r.Models {
		acc := fmt.Sprintf("%.4f", m.TestAccuracy)
		name := m.Architecture
		if m.Untrained {
			name += " (untrained)"
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %d | %d | %d |\n", name, m.Depth, m.Seed, acc, m.Neurons, m.Constant, m.Denoting)
	}
	return b.String()
}

// ReplicationTable is the replication check as Markdown: per seed, the test accuracy and denoting
// neurons; then the (layer, S) denotations found in at least two seeds.
func ReplicationTable(r *ReplicationResult) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("| seed | test accuracy | denoting neurons | untrained: denoting |")
	p("|---|---|---|---|")
	for i, s := range r.Seeds {
		p("| %d | %.4f | %d | %d |", s, r.TestAccuracy[i], r.Denoting[i], r.UntrainedDenoting[i])
	}
	p("")
	p("%d distinct (layer, S) denotations over %d seeds (τ = %.2f); %d recur in at least two seeds, %d in all; untrained controls: %d recur.",
		r.Total, len(r.Seeds), r.Options.Tau, len(r.Surviving), r.InAll, r.UntrainedSurviving)
	if len(r.Surviving) > 0 {
		p("")
		p("| layer | S | classes | seeds | neurons |")
		p("|---|---|---|---|---|")
		for i, row := range r.Surviving {
			if i == 25 {
				p("| … | %d more in results.json | | | |", len(r.Surviving)-25)
				break
			}
			p("| %d | %v | %s | %v | %d |", row.Layer, row.Labels.Classes(), strings.Join(row.Classes, ", "), row.Seeds, row.Neurons)
		}
	}
	return b.String()
}

// EmergenceTable is the emergence check as Markdown: per epoch, test accuracy, denoting neurons and
// how close the neurons come to denoting on average.
func EmergenceTable(e *EmergenceResult) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("| epoch | test accuracy | denoting neurons | per layer | mean best min-class fraction |")
	p("|---|---|---|---|---|")
	for i, pt := range e.Points {
		acc := "–"
		if i < len(e.Epochs) && e.Epochs[i].Epoch == pt.Epoch {
			acc = fmt.Sprintf("%.4f", e.Epochs[i].TestAccuracy)
		}
		best := "–"
		if pt.MeanBestScore.Defined() {
			best = fmt.Sprintf("%.4f", float64(pt.MeanBestScore))
		}
		p("| %d | %s | %d | %v | %s |", pt.Epoch, acc, pt.Denoting, pt.DenotingPerLayer, best)
	}
	return b.String()
}
