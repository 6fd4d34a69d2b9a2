package denotation

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
)

func fmtF(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func fmtInts(v []int, sep string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}

func fmtPtr(p *float64) string {
	if p == nil {
		return ""
	}
	return fmtF(*p)
}

// WriteDenotationsCSV writes one row per denotation with a header; labels are joined by ";",
// missing p and q values are empty.
func WriteDenotationsCSV(w io.Writer, ds []Denotation) error {
	cw := csv.NewWriter(w)
	header := []string{"layer", "neuron", "labels", "label_proportion", "direction", "threshold",
		"threshold_low", "threshold_high", "balanced_accuracy", "class_balanced_accuracy",
		"min_class_fraction", "p_value", "q_value"}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, d := range ds {
		row := []string{strconv.Itoa(d.Layer), strconv.Itoa(d.Neuron), fmtInts(d.Labels.Classes(), ";"),
			fmtF(d.LabelProportion), string(d.Direction), fmtF(d.Threshold), fmtF(d.ThresholdLow),
			fmtF(d.ThresholdHigh), fmtF(d.BalancedAccuracy), fmtF(d.ClassBalancedAccuracy),
			fmtF(d.MinClassFraction), fmtPtr(d.PValue), fmtPtr(d.QValue)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func summaryCols(prefix string) []string {
	return []string{prefix + "_n", prefix + "_mean", prefix + "_median", prefix + "_std",
		prefix + "_ci_low", prefix + "_ci_high", prefix + "_histogram"}
}

func summaryVals(s Summary) []string {
	return []string{strconv.Itoa(s.N), s.Mean.String(), s.Median.String(), s.Std.String(),
		s.CILow.String(), s.CIHigh.String(), fmtInts(s.Histogram, ";")}
}

// WriteCSV writes the layer cells then the relative-depth bin cells, one row each, with a
// header. The kind column is "layer" or "bin"; undefined numbers are empty; histograms list the
// counts of |S| = 1 … K−1 joined by ";".
func (r *DepthReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"kind", "untrained", "depth", "layer", "relative_depth", "bin_low", "bin_high",
		"runs", "layers", "neurons", "constant", "denoting", "denoting_fraction",
		"denoting_fraction_ci_low", "denoting_fraction_ci_high"}
	header = append(header, summaryCols("denoting_per_layer")...)
	header = append(header, summaryCols("denoted")...)
	header = append(header, summaryCols("best")...)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, part := range []struct {
		kind  string
		cells []DepthCell
	}{{"layer", r.Layers}, {"bin", r.Bins}} {
		for _, c := range part.cells {
			row := []string{part.kind, strconv.FormatBool(c.Untrained), strconv.Itoa(c.Depth), strconv.Itoa(c.Layer),
				fmtF(c.RelativeDepth), fmtF(c.BinLow), fmtF(c.BinHigh), strconv.Itoa(c.Runs), strconv.Itoa(c.Layers),
				strconv.Itoa(c.Neurons), strconv.Itoa(c.Constant), strconv.Itoa(c.Denoting),
				c.DenotingFraction.String(), c.DenotingFractionCILow.String(), c.DenotingFractionCIHigh.String()}
			row = append(row, summaryVals(c.DenotingPerLayer)...)
			row = append(row, summaryVals(c.Denoted)...)
			row = append(row, summaryVals(c.Best)...)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTrendsCSV writes one row per trend with a header; undefined numbers are empty.
func (r *DepthReport) WriteTrendsCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"untrained", "measure", "runs", "n", "spearman", "spearman_ci_low",
		"spearman_ci_high", "slope", "slope_ci_low", "slope_ci_high", "intercept", "replicates"}); err != nil {
		return err
	}
	for _, t := range r.Trends {
		if err := cw.Write([]string{strconv.FormatBool(t.Untrained), t.Measure, strconv.Itoa(t.Runs), strconv.Itoa(t.N),
			t.Spearman.String(), t.SpearmanCILow.String(), t.SpearmanCIHigh.String(), t.Slope.String(),
			t.SlopeCILow.String(), t.SlopeCIHigh.String(), t.Intercept.String(), strconv.Itoa(t.Replicates)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteEmergenceCSV writes one row per epoch with a header.
func WriteEmergenceCSV(w io.Writer, points []EmergencePoint) error {
	cw := csv.NewWriter(w)
	header := []string{"epoch", "neurons", "constant", "denoting", "denotations", "denoting_per_layer", "mean_best_score"}
	header = append(header, summaryCols("denoted")...)
	header = append(header, summaryCols("best")...)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, p := range points {
		row := []string{strconv.Itoa(p.Epoch), strconv.Itoa(p.Neurons), strconv.Itoa(p.Constant), strconv.Itoa(p.Denoting),
			strconv.Itoa(p.Denotations), fmtInts(p.DenotingPerLayer, ";"), p.MeanBestScore.String()}
		row = append(row, summaryVals(p.Denoted)...)
		row = append(row, summaryVals(p.Best)...)
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
