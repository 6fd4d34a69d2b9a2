package findings

import (
	"fmt"
	"io"

	"github.com/denotation-go/denotation/pkg/denotation"
	"slices"
	"strings"
)

// WriteReport writes report.md: the definitions used, the setup and seeds, and for each finding its
// figures and the numbers behind them — all taken from r.
func WriteReport(w io.Writer, r *Results) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("# denotation — reproduction report")
	p("")
	p("Reproduces the findings of %s on **%s**. Every number below was computed by this run (see results.json).", r.Paper, r.Setup.Dataset)
	if r.Setup.Quick {
		p("")
		p("> Quick mode (DENOTATION_QUICK=1): small model and subsets, numbers are for smoke-testing only.")
	}
	p("")
	p("## Definitions")
	keys := make([]string, 0, len(r.Definitions))
	for k := range r.Definitions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p("- **%s**: %s", strings.ReplaceAll(k, "_", " "), r.Definitions[k])
	}
	p("")
	p("## Object model")
	s := r.Setup
	p("- data: %s, %s training samples (subset seed %d), %d test samples", s.Dataset, countOrAll(s.TrainLimit, "all"), s.SubsetSeed, r.Model.TestSamples)
	p("- model: %s, %d parameters; Adam lr %g (%s schedule), batch %d, %d epochs, seed %d",
		r.Model.Architecture, r.Model.Parameters, s.Model.LearningRate, s.Model.Schedule, s.Model.BatchSize, s.Model.Epochs, s.Model.Seed)
	p("- test accuracy: **%.4f**; observers train on %d training-split samples", r.Model.TestAccuracy, r.Model.ObserverTrain)
	for _, f := range findingTable {
		sec := f.section(r)
		if sec == nil {
			continue
		}
		p("")
		p("## %s", f.Heading)
		p("")
		figures(p, r, f.ID)
		fmt.Fprint(w, sec.Markdown())
	}
}

// DenotationTable is F3 as Markdown: the denoting neurons, counts per layer against the untrained
// control, significance, and (if given) the counts at other values of τ.
func DenotationTable(f *DenotationResult, taus []TauCount) string {
	b, p := printer()
	t, u := f.Trained, f.Untrained
	p("Exact scan of all %d hidden neurons of %s over all 2^K − 2 label sets on %d training samples (selection), each denotation then judged on %d test samples at the same threshold (τ = %.2f):",
		t.Neurons, f.Architecture, f.SelectionSamples, f.TestSamples, f.Options.Tau)
	p("")
	p("- selection split: %d denoting neurons; per layer %v", f.Selected.Denoting, f.Selected.DenotingPerLayer)
	p("- validated on the test split: **%d denoting neurons** (%d denotations); per layer %v; %d constant neurons",
		t.Denoting, t.Denotations, t.DenotingPerLayer, t.Constant)
	if f.Options.Permutations > 0 {
		p("- %d denotations significant at q ≤ %.2f (permutation test on the selection split, %d permutations)", t.Significant, SignificanceLevel, f.Options.Permutations)
	}
	p("- untrained control: %d denoting neurons; per layer %v; %d constant neurons", u.Denoting, u.DenotingPerLayer, u.Constant)
	p("- shuffled labels (same activations): %d denoting neurons", f.Shuffled.Denoting)
	if t.MeanLabelProportion.Defined() {
		p("- mean label proportion of the denoted properties: %.3f", float64(t.MeanLabelProportion))
	}
	p("- mean best min-class fraction over all neurons (how close a typical neuron comes to denoting): trained %.3f, untrained %.3f",
		float64(t.MeanBestScore), float64(u.MeanBestScore))
	if len(f.Denotations) > 0 {
		p("")
		mdHeader(p, "layer", "neuron", "S", "classes", "label proportion", "threshold", "min class fraction (test)", "95% lower bound")
		mdRows(p, len(f.Denotations), 40, "| … | | %d more denotations in results.json | | | | | |", func(i int) {
			d := f.Denotations[i]
			lb := "–"
			if d.LowerBound != nil {
				lb = fmt.Sprintf("%.3f", *d.LowerBound)
			}
			p("| %d | %d | %v | %s | %.1f | %.3f | %.3f | %s |", d.Layer, d.Neuron, d.Labels.Classes(), strings.Join(d.Classes, ", "),
				d.LabelProportion, d.Threshold, d.MinClassFraction, lb)
		})
	}
	if len(taus) > 0 {
		p("")
		p("Sensitivity to τ (validated counts):")
		p("")
		mdHeader(p, "τ", "denoting neurons (trained)", "per layer", "untrained", "mean label proportion")
		for _, tc := range taus {
			m := "–"
			if tc.MeanLabelProportion.Defined() {
				m = fmt.Sprintf("%.3f", float64(tc.MeanLabelProportion))
			}
			p("| %.2f | %d | %v | %d | %s |", tc.Tau, tc.Denoting, tc.PerLayer, tc.UntrainedDenoting, m)
		}
	}
	return b.String()
}

func contrastText(c *denotation.Contrast) string {
	if c == nil {
		return "–"
	}
	return fmt.Sprintf("%s [%s, %s]", num(c.Contrast), num(c.CILow), num(c.CIHigh))
}

// num formats a possibly undefined number with 4 decimals.
func num(x denotation.Num) string {
	if !x.Defined() {
		return "–"
	}
	return fmt.Sprintf("%+.4f", float64(x))
}

func countOrAll(n int, all string) string {
	if n == 0 {
		return all
	}
	return fmt.Sprint(n)
}

func figures(p func(string, ...any), r *Results, id string) {
	for _, f := range r.Figures[id] {
		if strings.HasSuffix(f, ".png") {
			p("![%s](%s)", strings.TrimSuffix(f, ".png"), f)
			p("")
		}
	}
}

// CaptureTable is F1's table of named properties as Markdown: for each property, the layer chosen
// on the validation part of the training samples, and there the held-out balanced accuracy of each
// observer kind against the ceiling (the object model's own balanced accuracy on the property), the
// confidence, and the untrained, shuffled-label and control-task baselines.
func CaptureTable(f *CaptureResult) string {
	b, p := printer()
	p("Held-out balanced accuracy (class-balanced observers). The layer is chosen by the linear observer on %d held-out training samples, never on the test split; **decisive** = within %g of the ceiling, the object model's own balanced accuracy on the property; in brackets, whether it also reaches %.2f absolute.",
		f.ValidationSamples, f.Margin, f.Decisive)
	p("")
	mdHeader(p, "property", "S", "layer (validation)", "linear", "ceiling", "gap", "decisive", "confident", "MLP", "single neuron",
		"untrained", "shuffled labels", "selectivity")
	for _, v := range f.Verdicts {
		lin := f.Row(v.Property, v.Layer, "linear")
		mlp, neu := f.Row(v.Property, v.Layer, "mlp"), f.Row(v.Property, v.Layer, "neuron")
		dec := "no"
		if v.Decisive {
			dec = "**yes**"
		}
		if v.DecisiveAbsolute {
			dec += fmt.Sprintf(" (≥ %.2f)", f.Decisive)
		}
		p("| %s | %s | %s (%.3f) | %.3f | %.3f | %+.3f | %s | %.0f%% | %s | %s | %.3f | %.3f | %+.3f |", v.Property, v.Labels, layerName(v.Layer), v.Validation,
			v.BalancedAccuracy, v.Ceiling, v.Gap, dec, 100*v.Confident, scoreOf(mlp), scoreOf(neu), v.Untrained, v.Shuffled, lin.Selectivity)
	}
	if len(f.DecisiveSubsets) > 0 {
		p("")
		p("All %d label-subset splits, linear observer per layer: captured decisively (within %g of each split's ceiling)", len(f.Subsets), f.Margin)
		for i, l := range f.Layers {
			p("- layer %d: %d splits (untrained model: %d)", l, f.DecisiveSubsets[i], f.DecisiveSubsetsUntrained[i])
		}
	}
	return b.String()
}

// CaptureSummary states F1's outcome in a few sentences, every number taken from f.
func CaptureSummary(f *CaptureResult) string {
	var b strings.Builder
	var dec, abs []string
	var gap, conf, untr, shuf float64
	for _, v := range f.Verdicts {
		if v.Decisive {
			dec = append(dec, fmt.Sprintf("%s (layer %s, %.3f of ceiling %.3f)", v.Property, layerName(v.Layer), v.BalancedAccuracy, v.Ceiling))
		}
		if v.DecisiveAbsolute {
			abs = append(abs, v.Property)
		}
		gap += v.Gap
		conf += v.Confident
		untr += v.Untrained
		shuf += v.Shuffled
	}
	n := float64(len(f.Verdicts))
	fmt.Fprintf(&b, "**What we found.** Of %d named properties, %d are captured decisively — within %g of what the object model itself achieves on them — by a linear observer at the layer chosen on held-out training samples",
		len(f.Verdicts), len(dec), f.Margin)
	if len(dec) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(dec, "; "))
	}
	fmt.Fprintf(&b, ". %d reach %.2f balanced accuracy in absolute terms. ", len(abs), f.Decisive)
	if n > 0 {
		fmt.Fprintf(&b, "On average the observer is %.3f below the ceiling and confident (probability outside [0.05, 0.95]) on %.0f%% of test samples; the same observer reaches %.3f on the untrained network and %.3f when trained on shuffled labels. ",
			gap/n, 100*conf/n, untr/n, shuf/n)
	}
	switch {
	case n > 0 && len(dec) == len(f.Verdicts):
		b.WriteString("**Reproduced**: every named property is captured as well as the network's own classification allows.")
	case len(dec) > 0:
		b.WriteString("**Reproduced for some properties**: the others fall short of the ceiling by more than the margin.")
	default:
		b.WriteString("**Not reproduced** under this definition: no property comes within the margin of its ceiling.")
	}
	if len(f.DecisiveSubsets) > 0 {
		last := len(f.Layers) - 1
		fmt.Fprintf(&b, " Over all %d splits, %d are captured decisively at the last hidden layer (untrained: %d) and %d at layer 1 (untrained: %d).",
			len(f.Subsets), f.DecisiveSubsets[last], f.DecisiveSubsetsUntrained[last], f.DecisiveSubsets[0], f.DecisiveSubsetsUntrained[0])
	}
	b.WriteString("\n")
	return b.String()
}

func layerName(l int) string {
	if l == 0 {
		return "all"
	}
	return fmt.Sprint(l)
}

func scoreOf(row *CaptureRow) string {
	if row == nil {
		return "–"
	}
	if row.Decisive {
		return fmt.Sprintf("**%.3f**", row.BalancedAccuracy)
	}
	return fmt.Sprintf("%.3f", row.BalancedAccuracy)
}

// WeightsTable is F2's table as Markdown: per property, the observer's balanced accuracy, its largest
// weight, the share of Σ|w| per layer and on the 10 largest weights.
func WeightsTable(f *WeightsResult) string {
	b, p := printer()
	p("Linear observers over all hidden layers (weights in standardised units). Layer shares are the")
	p("fraction of Σ|w| on each layer; top-10 share is the fraction on the 10 largest weights (uniform weights would give the value in brackets).")
	p("")
	mdHeader(p, "property", "S", "balanced accuracy", "largest \\|w\\| (layer, neuron)", "layer shares", "top-10 share")
	for i, o := range f.Observers {
		s := f.Summary[i]
		shares := make([]string, len(s.LayerShare))
		for j, v := range s.LayerShare {
			shares[j] = fmt.Sprintf("%.0f%%", 100*v)
		}
		p("| %s | %s | %.3f | %.2f (layer %d, neuron %d) | %s | %.0f%% (%.0f%%) |", o.Property, o.Labels, o.BalancedAccuracy,
			s.Largest, s.LargestLayer, s.LargestNeuron, strings.Join(shares, " / "), 100*s.Top10Share, 100*s.Uniform10)
	}
	return b.String()
}

// WeightsSummary states F2's outcome in a few sentences, every number taken from f.
func WeightsSummary(f *WeightsResult) string {
	var b strings.Builder
	if len(f.Summary) == 0 {
		return ""
	}
	var top, uni float64
	lastHeavy := 0
	concentrated := []string{}
	for _, s := range f.Summary {
		top += s.Top10Share
		uni += s.Uniform10
		if n := len(s.LayerShare); n > 1 && s.LayerShare[n-1] > 1/float64(n) {
			lastHeavy++
		}
		if s.Top10Share >= 3*s.Uniform10 {
			concentrated = append(concentrated, s.Property)
		}
	}
	n := float64(len(f.Summary))
	fmt.Fprintf(&b, "**What we found.** Over %d properties the 10 largest weights hold on average %.0f%% of the observer's total |weight| (uniform weights would give %.0f%%)",
		len(f.Summary), 100*top/n, 100*uni/n)
	if len(concentrated) > 0 {
		fmt.Fprintf(&b, "; the weight is concentrated (top-10 share ≥ 3× uniform) for %s", strings.Join(concentrated, ", "))
	} else {
		b.WriteString("; no property's weight is concentrated on a few neurons (top-10 share ≥ 3× uniform): the codes are distributed")
	}
	fmt.Fprintf(&b, ". For %d of %d properties the last hidden layer carries more than its even share of the weight.\n", lastHeavy, len(f.Summary))
	return b.String()
}
