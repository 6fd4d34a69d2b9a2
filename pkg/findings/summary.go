package findings

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The "What we found" paragraphs of the study, F3 and F4: whether the claim is reproduced under the
// stated definitions and how strongly, every number taken from the results.

// StudySummary states what the factor study found, and whether the recipe of the findings'
// object models (StudyModel) is the one under which single neurons denote most.
func StudySummary(r *FactorResult) string {
	var b strings.Builder
	b.WriteString("**What we found.** ")
	last := len(r.Setup.Taus) - 1
	tau := r.Setup.Taus[last]
	var best *FactorGroup
	for i := range r.Groups {
		if g := &r.Groups[i]; g.Width == r.Setup.Width && (best == nil || g.Denoting[last] > best.Denoting[last]) {
			best = g
		}
	}
	if best == nil || best.Denoting[last] == 0 {
		fmt.Fprintf(&b, "No network of the study has a validated denoting neuron at τ = %g, so it cannot tell which factor matters at this size.\n", tau)
		return b.String()
	}
	e, ok := r.Strongest()
	switch {
	case !ok:
	case e.DenotingA > 2*e.DenotingB || e.DenotingB > 2*e.DenotingA:
		fmt.Fprintf(&b, "The largest contrast is in the **%s**: %s gives %.1f validated denoting neurons per network at τ = %g against %.1f for %s (%s), at test accuracy %.4f vs %.4f",
			e.Factor, e.A, e.DenotingA, tau, e.DenotingB, e.B, e.Fixed, e.AccuracyA, e.AccuracyB)
		if math.Abs(e.AccuracyA-e.AccuracyB) < 0.005 {
			b.WriteString(" — the networks classify equally well, but their neurons mean different things")
		}
		b.WriteString(". ")
		if e.Factor == "width" {
			wa, _ := strconv.Atoi(e.A)
			wb, _ := strconv.Atoi(e.B)
			if wa > 0 && wb > 0 {
				fmt.Fprintf(&b, "Per neuron that is %.1f%% vs %.1f%% of the hidden neurons. ",
					100*e.DenotingA/float64(wa*r.Setup.Depth), 100*e.DenotingB/float64(wb*r.Setup.Depth))
			}
		}
	default:
		fmt.Fprintf(&b, "No factor changes the number of denoting neurons by more than a factor of two (largest: %s, %s %.1f vs %s %.1f per network at τ = %g). ",
			e.Factor, e.A, e.DenotingA, e.B, e.DenotingB, tau)
	}
	for _, x := range r.Effects {
		if x != e {
			fmt.Fprintf(&b, "%s %s vs %s (%s): %.1f vs %.1f. ", strings.ToUpper(x.Factor[:1])+x.Factor[1:], x.A, x.B, x.Fixed, x.DenotingA, x.DenotingB)
		}
	}
	for _, g := range r.Groups {
		if g.Networks == 1 {
			b.WriteString("(Groups of one network — the width contrasts — have no seed-to-seed spread: read them as indications.) ")
			break
		}
	}
	fmt.Fprintf(&b, "The most denoting neurons per network come with init %s and recipe %s (%.1f). ", best.Init, best.Recipe, best.Denoting[last])
	sm := StudyModel()
	var used *Recipe
	for i, rc := range r.Setup.Recipes {
		if rc.Schedule == sm.Schedule && rc.LearningRate == sm.LearningRate && rc.Epochs == sm.Epochs {
			used = &r.Setup.Recipes[i]
		}
	}
	switch {
	case r.Setup.Quick:
		b.WriteString("(Quick mode: the findings' object models are a small smoke-test model, not chosen by this study.)")
	case used != nil && used.Name == best.Recipe && sm.InitScheme() == best.Init:
		fmt.Fprintf(&b, "That is the recipe of the findings' object models (findings.StudyModel: init %s, %s).", sm.InitScheme(), used)
	default:
		fmt.Fprintf(&b, "The findings' object models (findings.StudyModel: init %s, %d epochs, %s lr %g) do not use it: the study and the default recipe disagree in this run.",
			sm.InitScheme(), sm.Epochs, sm.Schedule, sm.LearningRate)
	}
	b.WriteString("\n")
	return b.String()
}

// DenotationSummary states whether F3 is reproduced: validated denoting neurons, against the
// untrained and shuffled-label controls, and their replication across seeds (repl may be nil).
func DenotationSummary(f *DenotationResult, repl *ReplicationResult) string {
	var b strings.Builder
	t, u, sh := f.Trained, f.Untrained, f.Shuffled
	b.WriteString("**What we found.** ")
	fmt.Fprintf(&b, "Of %d hidden neurons, %d denote a label set on the %d samples their sets were chosen on, and **%d keep that denotation on the %d held-out test samples** (τ = %g); per layer %v. ",
		t.Neurons, f.Selected.Denoting, f.SelectionSamples, t.Denoting, f.TestSamples, f.Options.Tau, t.DenotingPerLayer)
	fmt.Fprintf(&b, "Controls: the untrained network %d, the trained network with shuffled labels %d. ", u.Denoting, sh.Denoting)
	if t.MeanLabelProportion.Defined() {
		fmt.Fprintf(&b, "The denoted properties have mean label proportion %.3f. ", float64(t.MeanLabelProportion))
	}
	surv := 0
	if repl != nil {
		surv = len(repl.Surviving)
		fmt.Fprintf(&b, "Across %d seeds of the same recipe, %d (layer, S) pairs are denoted in at least two networks and %d in every one (untrained controls: %d in ≥ 2). ",
			len(repl.Seeds), surv, repl.InAll, repl.UntrainedSurviving)
	}
	controls := u.Denoting + sh.Denoting
	switch {
	case t.Denoting == 0:
		b.WriteString("**Not reproduced** under these definitions: no neuron's denotation survives validation. ")
	case controls == 0 && (repl == nil || surv > 0):
		fmt.Fprintf(&b, "**Reproduced**: %d of %d neurons (%.1f%%) denote a set on held-out data, none does in the controls", t.Denoting, t.Neurons, 100*float64(t.Denoting)/float64(t.Neurons))
		if repl != nil {
			b.WriteString(", and the same sets come back in other networks")
		}
		b.WriteString(". ")
	case controls < t.Denoting:
		fmt.Fprintf(&b, "**Reproduced, with a caveat**: the controls also produce %d denotations, against %d in the trained network. ", controls, t.Denoting)
	default:
		b.WriteString("**Not reproduced**: the controls denote as often as the trained network. ")
	}
	b.WriteString("\n")
	return b.String()
}

// DepthSummary states whether F4 is reproduced: a dependence of the label proportion of denoted
// sets (and of their number) on the layer, network by network.
func DepthSummary(f *DepthResult) string {
	var b strings.Builder
	b.WriteString("**What we found.** ")
	rep := f.Networks
	pp := rep.PooledProportionSlope
	pc := rep.PooledCountSlope
	switch {
	case pp.Excludes(0) && pp.Mean > 0:
		fmt.Fprintf(&b, "**Reproduced**: the label proportion |S|/K of the sets single neurons denote rises with the neuron's layer — per-network slope %s per layer over networks with D ≥ 2. ", pp)
	case pp.Excludes(0):
		fmt.Fprintf(&b, "**Reproduced, as a decrease**: the label proportion of the denoted sets falls with the layer — per-network slope %s per layer. ", pp)
	default:
		fmt.Fprintf(&b, "**Not established** for the label proportion: its per-network slope against the layer is %s; ", pp)
		b.WriteString("seeing it would take more networks or more denoting neurons per network (the interval's width shrinks with √networks). ")
	}
	switch {
	case pc.Excludes(0) && pc.Mean > 0:
		fmt.Fprintf(&b, "The number of denoting neurons does rise with depth: %s per layer per network (trained − untrained %s). ", pc, rep.PooledCountSlopeDiff)
	case pc.Excludes(0):
		fmt.Fprintf(&b, "The number of denoting neurons falls with depth: %s per layer per network. ", pc)
	default:
		fmt.Fprintf(&b, "The count of denoting neurons has per-network slope %s (not established). ", pc)
	}
	for _, g := range rep.Groups {
		if g.Depth >= 2 {
			fmt.Fprintf(&b, "D = %d: count slope %s, |S|/K slope %s. ", g.Depth, g.CountSlope, g.ProportionSlope)
		}
	}
	// The shape of the profile, which a straight line can miss: |S|/K layer by layer in the deepest
	// networks (descriptive; not a test).
	if g := deepest(rep); g != nil && g.Depth >= 3 {
		var parts []string
		peak, peakL := -1.0, 0
		for _, ls := range g.Trained {
			if ls.Proportion.Mean.Defined() {
				m := float64(ls.Proportion.Mean)
				parts = append(parts, fmt.Sprintf("ℓ=%d: %.2f (%d networks)", ls.Layer, m, ls.Proportion.N))
				if m > peak {
					peak, peakL = m, ls.Layer
				}
			}
		}
		if len(parts) >= 3 {
			fmt.Fprintf(&b, "Layer by layer in D = %d the mean |S|/K of the denoted sets is %s: it peaks at ℓ = %d", g.Depth, strings.Join(parts, ", "), peakL)
			if peakL != g.Trained[len(g.Trained)-1].Layer && peakL != g.Trained[0].Layer {
				b.WriteString(", rising before and falling after — a shape a straight line through all layers averages away (descriptive, not tested)")
			}
			b.WriteString(". ")
		}
	}
	b.WriteString("\n")
	return b.String()
}
