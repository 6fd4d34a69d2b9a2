package denotation

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/denotation-go/denotation/internal/textfmt"
)

func fmtF(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func fmtPtr(p *float64) string {
	if p == nil {
		return ""
	}
	return fmtF(*p)
}

// WriteDenotationsCSV writes one row per denotation with a header; labels are joined by ";",
// missing p and q values are empty.
func WriteDenotationsCSV(w io.Writer, ds []Denotation) error {
	rows := [][]string{{"layer", "neuron", "labels", "label_proportion", "direction", "threshold",
		"threshold_low", "threshold_high", "balanced_accuracy", "class_balanced_accuracy",
		"min_class_fraction", "p_value", "q_value"}}
	for _, d := range ds {
		rows = append(rows, []string{strconv.Itoa(d.Layer), strconv.Itoa(d.Neuron), textfmt.Ints(d.Labels.Classes(), ";"),
			fmtF(d.LabelProportion), string(d.Direction), fmtF(d.Threshold), fmtF(d.ThresholdLow),
			fmtF(d.ThresholdHigh), fmtF(d.BalancedAccuracy), fmtF(d.ClassBalancedAccuracy),
			fmtF(d.MinClassFraction), fmtPtr(d.PValue), fmtPtr(d.QValue)})
	}
	return csv.NewWriter(w).WriteAll(rows)
}

// summaryCols are the columns of the Summary of each prefix (summaryVals' values).
func summaryCols(prefixes ...string) []string {
	var out []string
	for _, p := range prefixes {
		out = append(out, p+"_n", p+"_mean", p+"_median", p+"_std", p+"_ci_low", p+"_ci_high", p+"_histogram")
	}
	return out
}

// summaryVals are the values of each Summary in summaryCols' columns.
func summaryVals(sums ...Summary) []string {
	var out []string
	for _, s := range sums {
		out = append(out, strconv.Itoa(s.N), s.Mean.String(), s.Median.String(), s.Std.String(),
			s.CILow.String(), s.CIHigh.String(), textfmt.Ints(s.Histogram, ";"))
	}
	return out
}

// WriteCSV writes the layer cells then the relative-depth bin cells, one row each, with a
// header. The kind column is "layer" or "bin"; undefined numbers are empty; histograms list the
// counts of |S| = 1 … K−1 joined by ";".
func (r *DepthReport) WriteCSV(w io.Writer) error {
	header := []string{"kind", "untrained", "depth", "layer", "relative_depth", "bin_low", "bin_high",
		"runs", "layers", "neurons", "constant", "denoting", "denoting_fraction",
		"denoting_fraction_ci_low", "denoting_fraction_ci_high"}
	rows := [][]string{append(header, summaryCols("denoting_per_layer", "denoted", "best")...)}
	for _, part := range []struct {
		kind  string
		cells []DepthCell
	}{{"layer", r.Layers}, {"bin", r.Bins}} {
		for _, c := range part.cells {
			row := []string{part.kind, strconv.FormatBool(c.Untrained), strconv.Itoa(c.Depth), strconv.Itoa(c.Layer),
				fmtF(c.RelativeDepth), fmtF(c.BinLow), fmtF(c.BinHigh), strconv.Itoa(c.Runs), strconv.Itoa(c.Layers),
				strconv.Itoa(c.Neurons), strconv.Itoa(c.Constant), strconv.Itoa(c.Denoting),
				c.DenotingFraction.String(), c.DenotingFractionCILow.String(), c.DenotingFractionCIHigh.String()}
			rows = append(rows, append(row, summaryVals(c.DenotingPerLayer, c.Denoted, c.Best)...))
		}
	}
	return csv.NewWriter(w).WriteAll(rows)
}

// WriteTrendsCSV writes one row per trend with a header; undefined numbers are empty.
func (r *DepthReport) WriteTrendsCSV(w io.Writer) error {
	rows := [][]string{{"untrained", "measure", "runs", "n", "spearman", "spearman_ci_low",
		"spearman_ci_high", "slope", "slope_ci_low", "slope_ci_high", "intercept", "replicates"}}
	for _, t := range r.Trends {
		rows = append(rows, []string{strconv.FormatBool(t.Untrained), t.Measure, strconv.Itoa(t.Runs), strconv.Itoa(t.N),
			t.Spearman.String(), t.SpearmanCILow.String(), t.SpearmanCIHigh.String(), t.Slope.String(),
			t.SlopeCILow.String(), t.SlopeCIHigh.String(), t.Intercept.String(), strconv.Itoa(t.Replicates)})
	}
	return csv.NewWriter(w).WriteAll(rows)
}

// WriteEmergenceCSV writes one row per epoch with a header.
func WriteEmergenceCSV(w io.Writer, points []EmergencePoint) error {
	header := []string{"epoch", "neurons", "constant", "denoting", "denotations", "denoting_per_layer", "mean_best_score"}
	rows := [][]string{append(header, summaryCols("denoted", "best")...)}
	for _, p := range points {
		row := []string{strconv.Itoa(p.Epoch), strconv.Itoa(p.Neurons), strconv.Itoa(p.Constant), strconv.Itoa(p.Denoting),
			strconv.Itoa(p.Denotations), textfmt.Ints(p.DenotingPerLayer, ";"), p.MeanBestScore.String()}
		rows = append(rows, append(row, summaryVals(p.Denoted, p.Best)...))
	}
	return csv.NewWriter(w).WriteAll(rows)
}
