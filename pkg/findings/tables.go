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
	return drawnFigures(NamedFigure{"f4-denoting-per-network-by-layer", r.LayerCounts}, NamedFigure{"f4-label-proportion-per-network-by-layer", r.LayerProportion},
		NamedFigure{"f4-trained-minus-untrained", r.CountContrast}, NamedFigure{"f4-firing-rate", r.FiringRate},
		NamedFigure{"f4-label-proportion-by-relative-depth", r.Relative}, NamedFigure{"f4-best-property-proportion", r.BestProportion})
}

// ModelTable lists F4's networks as Markdown: architecture, seed, test accuracy, denoting neurons.
func (r *DepthResult) ModelTable() string {
	b, p := printer()
	mdHeader(p, "network", "depth", "seed", "test accuracy", "neurons", "constant", "denoting")
	for _, m := range r.Models {
		name := m.Architecture
		if m.Untrained {
			name += " (untrained)"
		}
		p("| %s | %d | %d | %.4f | %d | %d | %d |", name, m.Depth, m.Seed, m.TestAccuracy, m.Neurons, m.Constant, m.Denoting)
	}
	return b.String()
}

// ReplicationTable is the replication check as Markdown: per seed, the test accuracy and denoting
// neurons; then the (layer, S) denotations found in at least two seeds.
func ReplicationTable(r *ReplicationResult) string {
	b, p := printer()
	mdHeader(p, "seed", "test accuracy", "denoting neurons", "untrained: denoting")
	for i, s := range r.Seeds {
		p("| %d | %.4f | %d | %d |", s, r.TestAccuracy[i], r.Denoting[i], r.UntrainedDenoting[i])
	}
	p("")
	p("%d distinct (layer, S) denotations over %d seeds (τ = %.2f); %d recur in at least two seeds, %d in all; untrained controls: %d recur.",
		r.Total, len(r.Seeds), r.Options.Tau, len(r.Surviving), r.InAll, r.UntrainedSurviving)
	if len(r.Surviving) > 0 {
		p("")
		mdHeader(p, "layer", "S", "classes", "seeds", "neurons")
		mdRows(p, len(r.Surviving), 25, "| … | %d more in results.json | | | |", func(i int) {
			row := r.Surviving[i]
			p("| %d | %v | %s | %v | %d |", row.Layer, row.Labels.Classes(), strings.Join(row.Classes, ", "), row.Seeds, row.Neurons)
		})
	}
	return b.String()
}

// EmergenceTable is the emergence check as Markdown: per epoch, test accuracy, denoting neurons and
// how close the neurons come to denoting on average.
func EmergenceTable(e *EmergenceResult) string {
	b, p := printer()
	mdHeader(p, "epoch", "test accuracy", "denoting neurons", "per layer", "mean best min-class fraction")
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
