package findings

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/pkg/property"
	"github.com/denotation-go/denotation/plotting"
)

// Recipe is a training schedule of the factor study: Adam's learning rate, its schedule and the
// number of epochs.
type Recipe struct {
	Name         string  `json:"name"`
	Schedule     string  `json:"schedule"`
	LearningRate float64 `json:"learning_rate"`
	Epochs       int     `json:"epochs"`
}

// The two recipes the factor study crosses: the project's earlier default and PyTorch's usual one.
var (
	RecipeCosine3   = Recipe{Name: "cos3", Schedule: model.ScheduleCosine, LearningRate: 0.002, Epochs: 3}
	RecipeConstant6 = Recipe{Name: "const6", Schedule: model.ScheduleConstant, LearningRate: 0.001, Epochs: 6}
)

// String describes the recipe, e.g. "6 epochs, constant lr 0.001".
func (r Recipe) String() string {
	return fmt.Sprintf("%d epochs, %s lr %g", r.Epochs, r.Schedule, r.LearningRate)
}

// FactorSetup is the factor study: which parts of the training recipe decide whether single
// neurons come to denote label sets. Networks of one depth are trained for every initialisation ×
// recipe × seed at Width, plus a contrast at ContrastWidth (ContrastInits × Recipes[0] ×
// Seeds[0]); each is scanned with validated denotation at every τ of Taus, and after every epoch
// at Taus' last value (emergence; epoch 0 is the untrained network).
type FactorSetup struct {
	Dataset string         `json:"dataset"`
	Depth   int            `json:"depth"`
	Width   int            `json:"width"`
	Inits   []string       `json:"inits"`
	Recipes []Recipe       `json:"recipes"`
	Seeds   []uint64       `json:"seeds"`
	Base    model.Config   `json:"base"`
	Taus    []float64      `json:"taus"`
	Extra   []FactorArm    `json:"contrast"`
	Samples SampleSettings `json:"samples"`
	Quick   bool           `json:"quick"`
}

// FactorArm is one extra (init, recipe, width, seed) network of a factor study.
type FactorArm struct {
	Init   string `json:"init"`
	Recipe Recipe `json:"recipe"`
	Width  int    `json:"width"`
	Seed   uint64 `json:"seed"`
}

// SampleSettings are the sample counts of a study: the object models train on TrainLimit training
// samples (0 = all), denotations are selected on Selection training samples and judged on
// TestSamples test samples (0 = all), all stratified subsets drawn with SubsetSeed.
type SampleSettings struct {
	TrainLimit  int    `json:"train_limit"`
	Selection   int    `json:"selection"`
	TestSamples int    `json:"test_samples"`
	SubsetSeed  uint64 `json:"subset_seed"`
}

// DefaultFactorSetup returns the factor study of dataset: depth-6 width-128 ReLU MLPs, inits he,
// torch and glorot × recipes cos3 and const6 × seeds 1 and 2, and width-64 contrasts (he and torch,
// const6, seed 1); τ = 0.90 and 0.95; selection on 10,000 training samples, judged on the whole
// test split. With quick it shrinks to depth-3 width-32 networks trained on 3,000 samples.
func DefaultFactorSetup(dataset string, quick bool) FactorSetup {
	s := FactorSetup{Dataset: dataset, Depth: 6, Width: 128,
		Inits:   []string{model.InitHe, model.InitTorch, model.InitGlorot},
		Recipes: []Recipe{RecipeCosine3, RecipeConstant6}, Seeds: []uint64{1, 2},
		Base: model.DefaultConfig(), Taus: []float64{0.90, 0.95},
		Extra: []FactorArm{
			{Init: model.InitTorch, Recipe: RecipeConstant6, Width: 64, Seed: 1},
			{Init: model.InitHe, Recipe: RecipeConstant6, Width: 64, Seed: 1}},
		Samples: SampleSettings{Selection: 10000, SubsetSeed: 1}}
	if quick {
		s.Quick = true
		s.Depth, s.Width = 3, 32
		s.Inits = []string{model.InitHe, model.InitTorch}
		s.Recipes = []Recipe{{Name: "cos2", Schedule: model.ScheduleCosine, LearningRate: 0.002, Epochs: 2},
			{Name: "const2", Schedule: model.ScheduleConstant, LearningRate: 0.001, Epochs: 2}}
		s.Extra = []FactorArm{{Init: model.InitTorch, Recipe: s.Recipes[1], Width: 16, Seed: 1}}
		s.Base = s.Base.WithBatchSize(64)
		s.Samples = SampleSettings{TrainLimit: 3000, Selection: 2000, TestSamples: 1000, SubsetSeed: 1}
	}
	return s
}

// Validate checks the setup before anything is loaded or trained.
func (s FactorSetup) Validate() error {
	if _, err := property.VocabularyFor(s.Dataset); err != nil {
		return err
	}
	if s.Depth < 1 || s.Depth > MaxDepth || s.Width < 1 {
		return fmt.Errorf("factor study: depth %d width %d (want depth 1…%d, width ≥ 1)", s.Depth, s.Width, MaxDepth)
	}
	if len(s.Inits) == 0 || len(s.Recipes) == 0 || len(s.Seeds) == 0 || len(s.Taus) == 0 {
		return errors.New("factor study: needs at least one init, recipe, seed and τ")
	}
	for _, t := range s.Taus {
		if !(t > 0.5 && t <= 1) {
			return fmt.Errorf("factor study: τ %v is outside (0.5, 1]", t)
		}
	}
	for _, a := range s.arms() {
		if err := s.config(a).Validate(); err != nil {
			return fmt.Errorf("factor study: %s: %w", a.label(), err)
		}
	}
	return nil
}

// arms lists every network of the study: the grid (init, recipe, seed) at Width, then Extra.
func (s FactorSetup) arms() []FactorArm {
	var out []FactorArm
	for _, r := range s.Recipes {
		for _, in := range s.Inits {
			for _, seed := range s.Seeds {
				out = append(out, FactorArm{Init: in, Recipe: r, Width: s.Width, Seed: seed})
			}
		}
	}
	return append(out, s.Extra...)
}

func (a FactorArm) label() string {
	return fmt.Sprintf("%s/%s/w%d/s%d", a.Init, a.Recipe.Name, a.Width, a.Seed)
}

// config is the model configuration of arm a.
func (s FactorSetup) config(a FactorArm) model.Config {
	w := make([]int, s.Depth)
	for i := range w {
		w[i] = a.Width
	}
	return s.Base.WithHidden(w...).WithInit(a.Init).WithSchedule(a.Recipe.Schedule).WithLearningRate(a.Recipe.LearningRate).
		WithEpochs(a.Recipe.Epochs).WithSeed(a.Seed)
}

// TauCounts are the validated denotations of one network at one τ.
type TauCounts struct {
	Tau float64 `json:"tau"`
	// Selected counts the neurons denoting on the selection split; Denoting those whose
	// denotation holds on the held-out split (validated); PerLayer the latter by layer.
	Selected int   `json:"selected"`
	Denoting int   `json:"denoting"`
	PerLayer []int `json:"per_layer"`
	// MeanProportion is the mean |S|/K of the validated smallest denoted sets, PerLayerProportion by layer.
	MeanProportion     denotation.Num   `json:"mean_proportion"`
	PerLayerProportion []denotation.Num `json:"per_layer_proportion"`
}

// FactorCell is one network of the factor study.
type FactorCell struct {
	FactorArm
	TestAccuracy float64     `json:"test_accuracy"`
	Counts       []TauCounts `json:"counts"`
	// FiringRate[ℓ−1] is layer ℓ's mean fraction of active (> 0) test samples.
	FiringRate []float64 `json:"firing_rate"`
	// Untrained is the number of neurons with a validated denotation at the last τ in the
	// untrained network (the initialisation this network started from): the control.
	Untrained int `json:"untrained"`
	// Emergence[e] is that number after epoch e (Emergence[0] = Untrained); nil when the run
	// cache holds no per-epoch snapshots of this network (it was trained before they were kept).
	Emergence []int `json:"emergence"`
	// Cached tells whether the model came from the run cache (not marshalled).
	Cached bool `json:"-"`
}

// at returns the counts at τ, or nil.
func (c *FactorCell) at(tau float64) *TauCounts {
	for i := range c.Counts {
		if c.Counts[i].Tau == tau {
			return &c.Counts[i]
		}
	}
	return nil
}

// FactorGroup is the mean over seeds of one (init, recipe, width) arm.
type FactorGroup struct {
	Init     string  `json:"init"`
	Recipe   string  `json:"recipe"`
	Width    int     `json:"width"`
	Networks int     `json:"networks"`
	Accuracy float64 `json:"test_accuracy"`
	// Denoting is the number of validated denoting neurons per network at each τ of the setup
	// (mean over seeds, with its range), PerLayer the mean per layer at the last τ.
	Denoting    []float64 `json:"denoting"`
	DenotingMin []int     `json:"denoting_min"`
	DenotingMax []int     `json:"denoting_max"`
	PerLayer    []float64 `json:"per_layer"`
	// Proportion is the mean |S|/K of the validated smallest denoted sets of all its networks at the last τ.
	Proportion denotation.Num `json:"proportion"`
	// Untrained is the mean number of denoting neurons at initialisation (epoch 0) at the last τ.
	Untrained denotation.Num `json:"untrained"`
}

// FactorResult is the factor study's outcome.
type FactorResult struct {
	Setup        FactorSetup   `json:"setup"`
	TrainSamples int           `json:"train_samples"`
	TestSamples  int           `json:"test_samples"`
	Cells        []FactorCell  `json:"cells"`
	Groups       []FactorGroup `json:"groups"`
	// Effects are the factor contrasts the text speaks of.
	Effects []FactorEffect `json:"effects"`
	Text    string         `json:"interpretation"`
	// TrainSeconds is the time spent training in this run (0 when every model was cached).
	TrainSeconds float64 `json:"-"`
	// Counts draws validated denoting neurons per layer for each group; Emergence the count over
	// epochs for each group (mean over seeds).
	Counts    *plotting.Figure `json:"-"`
	Emergence *plotting.Figure `json:"-"`
}

// FactorEffect compares two groups that differ in one factor.
type FactorEffect struct {
	Factor string `json:"factor"`
	// A and B name the two levels, Fixed what was held fixed.
	A     string `json:"a"`
	B     string `json:"b"`
	Fixed string `json:"fixed"`
	// DenotingA and DenotingB are mean validated denoting neurons per network at the last τ;
	// Ratio = A / B (undefined when B is 0).
	DenotingA float64        `json:"denoting_a"`
	DenotingB float64        `json:"denoting_b"`
	Ratio     denotation.Num `json:"ratio"`
	// ProportionA and ProportionB are the mean |S|/K of the validated smallest denoted sets.
	ProportionA denotation.Num `json:"proportion_a"`
	ProportionB denotation.Num `json:"proportion_b"`
	// AccuracyA and AccuracyB are the mean test accuracies.
	AccuracyA float64 `json:"accuracy_a"`
	AccuracyB float64 `json:"accuracy_b"`
}

// FactorStudy trains (or takes from the run cache) every network of fs and measures its validated
// denotations (see the type's documentation).
func FactorStudy(fs FactorSetup, opts *PrepareOptions) (*FactorResult, error) {
	opts = opts.orDefault()
	sm := fs.Samples
	data, err := loadData(fs.Validate, fs.Dataset, sm.TrainLimit, sm.TestSamples, sm.SubsetSeed)
	if err != nil {
		return nil, err
	}
	return cachedResult(opts.CacheDir, "study", []any{fs, dataFingerprint(data)},
		func() (*FactorResult, error) { return factorStudyOn(fs, data, opts) },
		func(r *FactorResult) error { r.Text = r.interpretation(); return r.drawFigures() })
}

// factorStudyOn runs the factor study on loaded data.
func factorStudyOn(fs FactorSetup, data *datasets.Dataset, opts *PrepareOptions) (*FactorResult, error) {
	sel := selectionSplit(data.Train, fs.Samples.Selection, fs.Samples.SubsetSeed)
	res := &FactorResult{Setup: fs, TrainSamples: data.Train.Len(), TestSamples: data.Test.Len()}
	for _, a := range fs.arms() {
		if opts.Context != nil && opts.Context.Err() != nil {
			return nil, fmt.Errorf("factor study: stopped before %s: %w", a.label(), opts.Context.Err())
		}
		c, secs, err := factorCell(fs, a, data, sel, opts)
		if err != nil {
			return nil, fmt.Errorf("factor study %s: %w", a.label(), err)
		}
		res.TrainSeconds += secs
		res.Cells = append(res.Cells, *c)
	}
	res.Groups = factorGroups(fs, res.Cells)
	res.Effects = factorEffects(fs, res.Groups)
	res.Text = res.interpretation()
	if err := res.drawFigures(); err != nil {
		return nil, err
	}
	return res, nil
}

// factorCell trains one arm and measures it; secs is the training time spent now.
func factorCell(fs FactorSetup, a FactorArm, data *datasets.Dataset, sel *datasets.Split, opts *PrepareOptions) (*FactorCell, float64, error) {
	cfg := fs.config(a)
	t0 := time.Now()
	m, cached, err := model.TrainCached(data, cfg, &model.TrainOptions{Progress: opts.Progress, CacheDir: opts.CacheDir, Context: opts.Context})
	if err != nil {
		return nil, 0, err
	}
	secs := 0.0
	if !cached {
		secs = time.Since(t0).Seconds()
	}
	c := &FactorCell{FactorArm: a, Cached: cached}
	ev, err := m.Evaluate(data.Test)
	if err != nil {
		return nil, 0, err
	}
	c.TestAccuracy = ev.Accuracy
	obs, err := observe(m, sel, data.Test)
	if err != nil {
		return nil, 0, err
	}
	c.FiringRate = FiringRates(obs.Test)
	for _, tau := range fs.Taus {
		v, s, err := validatedScan(obs.Sel, obs.Test, tau)
		if err != nil {
			return nil, 0, err
		}
		tc, err := tauCounts(v, s, tau)
		if err != nil {
			return nil, 0, err
		}
		c.Counts = append(c.Counts, tc)
	}
	// Emergence: the validated count after every epoch, from the cache entry's snapshots.
	dir, err := model.CachePath(opts.CacheDir, data, cfg)
	if err != nil {
		return nil, 0, err
	}
	tau := fs.Taus[len(fs.Taus)-1]
	u, err := model.NewUntrained(cfg, data.Train.Features(), data.NumClasses())
	if err != nil {
		return nil, 0, err
	}
	em := make([]int, 0, cfg.Epochs+1)
	for e := 0; e <= cfg.Epochs; e++ {
		if e == cfg.Epochs && e > 0 {
			// The last epoch's model is m, measured above: no reload, no second scan.
			em = append(em, c.at(tau).Denoting)
			break
		}
		snap := u
		if e > 0 {
			if snap, err = model.LoadEpoch(dir, e); err != nil {
				em = nil
				break
			}
		}
		o, err := observe(snap, sel, data.Test)
		if err != nil {
			return nil, 0, err
		}
		v, _, err := validatedScan(o.Sel, o.Test, tau)
		if err != nil {
			return nil, 0, err
		}
		if e == 0 {
			c.Untrained = v.NumDenoting()
		}
		em = append(em, v.NumDenoting())
	}
	c.Emergence = em
	return c, secs, nil
}

// tauCounts summarises a validated scan (per layer, as denotation.SummarizeNetwork does).
func tauCounts(v, sel *denotation.Result, tau float64) (TauCounts, error) {
	ns, err := denotation.SummarizeNetwork(denotation.NetworkRun{Depth: len(v.Layers), Result: v})
	if err != nil {
		return TauCounts{}, err
	}
	tc := TauCounts{Tau: tau, Selected: sel.NumDenoting(), Denoting: ns.Denoting, MeanProportion: ns.MeanProportion}
	for _, l := range ns.Layers {
		tc.PerLayer = append(tc.PerLayer, l.Denoting)
		tc.PerLayerProportion = append(tc.PerLayerProportion, l.MeanProportion)
	}
	return tc, nil
}

// factorGroups averages the cells of each (init, recipe, width) over seeds, in the order of arms.
func factorGroups(fs FactorSetup, cells []FactorCell) []FactorGroup {
	var out []FactorGroup
	find := func(c *FactorCell) *FactorGroup {
		for i := range out {
			if out[i].Init == c.Init && out[i].Recipe == c.Recipe.Name && out[i].Width == c.Width {
				return &out[i]
			}
		}
		out = append(out, FactorGroup{Init: c.Init, Recipe: c.Recipe.Name, Width: c.Width})
		return &out[len(out)-1]
	}
	last := fs.Taus[len(fs.Taus)-1]
	type acc struct{ sumP, nP, sumU, nU float64 }
	accs := map[string]*acc{}
	for i := range cells {
		c := &cells[i]
		g := find(c)
		key := fmt.Sprint(g.Init, g.Recipe, g.Width)
		if accs[key] == nil {
			accs[key] = &acc{}
			g.Denoting = make([]float64, len(fs.Taus))
			g.DenotingMin = make([]int, len(fs.Taus))
			g.DenotingMax = make([]int, len(fs.Taus))
			g.PerLayer = make([]float64, fs.Depth)
			for t := range g.DenotingMin {
				g.DenotingMin[t] = math.MaxInt
			}
		}
		a := accs[key]
		g.Networks++
		g.Accuracy += c.TestAccuracy
		for t := range fs.Taus {
			n := c.Counts[t].Denoting
			g.Denoting[t] += float64(n)
			g.DenotingMin[t] = min(g.DenotingMin[t], n)
			g.DenotingMax[t] = max(g.DenotingMax[t], n)
		}
		lc := c.at(last)
		for l, n := range lc.PerLayer {
			g.PerLayer[l] += float64(n)
		}
		for l, p := range lc.PerLayerProportion {
			if p.Defined() {
				a.sumP += float64(p) * float64(lc.PerLayer[l])
				a.nP += float64(lc.PerLayer[l])
			}
		}
		a.sumU += float64(c.Untrained)
		a.nU++
	}
	for i := range out {
		g := &out[i]
		a := accs[fmt.Sprint(g.Init, g.Recipe, g.Width)]
		n := float64(g.Networks)
		g.Accuracy /= n
		for t := range g.Denoting {
			g.Denoting[t] /= n
		}
		for l := range g.PerLayer {
			g.PerLayer[l] /= n
		}
		g.Proportion, g.Untrained = denotation.NaN, denotation.NaN
		if a.nP > 0 {
			g.Proportion = denotation.Num(a.sumP / a.nP)
		}
		if a.nU > 0 {
			g.Untrained = denotation.Num(a.sumU / a.nU)
		}
	}
	return out
}

// group returns the group (init, recipe, width), or nil.
func (r *FactorResult) group(init, recipe string, width int) *FactorGroup {
	for i := range r.Groups {
		if g := &r.Groups[i]; g.Init == init && g.Recipe == recipe && g.Width == width {
			return g
		}
	}
	return nil
}

// factorEffects compares, at the study's width, every init against the first (he) under each
// recipe, and the recipes under each init.
func factorEffects(fs FactorSetup, groups []FactorGroup) []FactorEffect {
	r := &FactorResult{Groups: groups}
	last := len(fs.Taus) - 1
	effect := func(factor string, a, b *FactorGroup, la, lb, fixed string) FactorEffect {
		e := FactorEffect{Factor: factor, A: la, B: lb, Fixed: fixed, DenotingA: a.Denoting[last], DenotingB: b.Denoting[last],
			Ratio: denotation.NaN, ProportionA: a.Proportion, ProportionB: b.Proportion, AccuracyA: a.Accuracy, AccuracyB: b.Accuracy}
		if e.DenotingB > 0 {
			e.Ratio = denotation.Num(e.DenotingA / e.DenotingB)
		}
		return e
	}
	var out []FactorEffect
	base := fs.Inits[0]
	for _, rc := range fs.Recipes {
		for _, in := range fs.Inits[1:] {
			a, b := r.group(in, rc.Name, fs.Width), r.group(base, rc.Name, fs.Width)
			if a != nil && b != nil {
				out = append(out, effect("init", a, b, in, base, fmt.Sprintf("recipe %s, width %d", rc.Name, fs.Width)))
			}
		}
	}
	if len(fs.Recipes) >= 2 {
		r0, r1 := fs.Recipes[0].Name, fs.Recipes[len(fs.Recipes)-1].Name
		for _, in := range fs.Inits {
			a, b := r.group(in, r1, fs.Width), r.group(in, r0, fs.Width)
			if a != nil && b != nil {
				out = append(out, effect("recipe", a, b, r1, r0, fmt.Sprintf("init %s, width %d", in, fs.Width)))
			}
		}
	}
	for _, x := range fs.Extra {
		a, b := r.group(x.Init, x.Recipe.Name, fs.Width), r.group(x.Init, x.Recipe.Name, x.Width)
		if a != nil && b != nil && x.Width != fs.Width && !slices.ContainsFunc(out, func(e FactorEffect) bool {
			return e.Factor == "width" && e.Fixed == fmt.Sprintf("init %s, recipe %s", x.Init, x.Recipe.Name)
		}) {
			out = append(out, effect("width", a, b, fmt.Sprint(fs.Width), fmt.Sprint(x.Width), fmt.Sprintf("init %s, recipe %s", x.Init, x.Recipe.Name)))
		}
	}
	return out
}

// Strongest returns the effect with the largest |log ratio| of denoting counts among the factors
// that have one (ok false when none is defined).
func (r *FactorResult) Strongest() (FactorEffect, bool) {
	best, found := FactorEffect{}, false
	score := func(e FactorEffect) float64 {
		if e.DenotingA == 0 && e.DenotingB == 0 {
			return 0
		}
		return math.Abs(math.Log((e.DenotingA + 0.5) / (e.DenotingB + 0.5)))
	}
	for _, e := range r.Effects {
		if !found || score(e) > score(best) {
			best, found = e, true
		}
	}
	return best, found
}

// interpretation writes what the study shows; every number comes from the result.
func (r *FactorResult) interpretation() string {
	fs := r.Setup
	tau := fs.Taus[len(fs.Taus)-1]
	var b strings.Builder
	fmt.Fprintf(&b, "Across %d networks of depth %d, validated denoting neurons per network at τ = %g (selection on %d training samples, judged on %d test samples): ",
		len(r.Cells), fs.Depth, tau, fs.Samples.Selection, r.TestSamples)
	var parts []string
	for _, g := range r.Groups {
		parts = append(parts, fmt.Sprintf("%s/%s/w%d %.1f (range %d–%d, acc %.4f)", g.Init, g.Recipe, g.Width,
			g.Denoting[len(fs.Taus)-1], g.DenotingMin[len(fs.Taus)-1], g.DenotingMax[len(fs.Taus)-1], g.Accuracy))
	}
	b.WriteString(strings.Join(parts, "; ") + ". ")
	if e, ok := r.Strongest(); ok && e.DenotingA+e.DenotingB > 0 {
		ratio := "∞"
		if e.Ratio.Defined() {
			ratio = fmt.Sprintf("%.1f×", float64(e.Ratio))
		}
		fmt.Fprintf(&b, "The largest contrast is in %s: %s gives %.1f denoting neurons per network against %.1f for %s (%s; %s), at test accuracy %.4f vs %.4f. ",
			e.Factor, e.A, e.DenotingA, e.DenotingB, e.B, ratio, e.Fixed, e.AccuracyA, e.AccuracyB)
		if e.ProportionA.Defined() && e.ProportionB.Defined() {
			fmt.Fprintf(&b, "The denoted sets' mean label proportion is %.3f vs %.3f. ", float64(e.ProportionA), float64(e.ProportionB))
		}
	}
	for _, e := range r.Effects {
		if e.Factor == "recipe" || e.Factor == "width" {
			fmt.Fprintf(&b, "%s %s vs %s (%s): %.1f vs %.1f. ", strings.ToUpper(e.Factor[:1])+e.Factor[1:], e.A, e.B, e.Fixed, e.DenotingA, e.DenotingB)
		}
	}
	maxU := 0.0
	for _, g := range r.Groups {
		if g.Untrained.Defined() {
			maxU = math.Max(maxU, float64(g.Untrained))
		}
	}
	fmt.Fprintf(&b, "At initialisation (epoch 0, the untrained control) at most %.1f neurons per network denote on average.", maxU)
	return b.String()
}

// Table is the study as a Markdown table: one row per group.
func (r *FactorResult) Table() string {
	b, p := printer()
	cols := []string{"init", "recipe", "width", "networks", "test acc."}
	for _, t := range r.Setup.Taus {
		cols = append(cols, fmt.Sprintf("denoting/net τ=%g", t))
	}
	mdHeader(p, append(cols, "per layer (last τ)", "mean \\|S\\|/K", "at init")...)
	for _, g := range r.Groups {
		fmt.Fprintf(b, "| %s | %s | %d | %d | %.4f |", g.Init, g.Recipe, g.Width, g.Networks, g.Accuracy)
		for t := range r.Setup.Taus {
			fmt.Fprintf(b, " %.1f (%d–%d) |", g.Denoting[t], g.DenotingMin[t], g.DenotingMax[t])
		}
		pl := make([]string, len(g.PerLayer))
		for i, x := range g.PerLayer {
			pl[i] = fmt.Sprintf("%.1f", x)
		}
		fmt.Fprintf(b, " %s | %s | %s |\n", strings.Join(pl, " · "), f3(g.Proportion), f1(g.Untrained))
	}
	return b.String()
}

func f1(x denotation.Num) string {
	if !x.Defined() {
		return "–"
	}
	return fmt.Sprintf("%.1f", float64(x))
}

// drawFigures draws the per-layer counts and the emergence curves of every group.
func (r *FactorResult) drawFigures() error {
	tau := r.Setup.Taus[len(r.Setup.Taus)-1]
	var series []plotting.CountSeries
	for _, g := range r.Groups {
		series = append(series, plotting.CountSeries{Name: fmt.Sprintf("%s, %s, w%d", g.Init, g.Recipe, g.Width), Counts: slices.Clone(g.PerLayer)})
	}
	var err error
	if r.Counts, err = plotting.DenotationCounts(fmt.Sprintf("Denoting neurons per network by layer (τ = %g)", tau), series...); err != nil {
		return err
	}
	var curves []plotting.Curve
	for _, g := range r.Groups {
		var sum []float64
		n := 0
		for _, c := range r.Cells {
			if c.Init != g.Init || c.Recipe.Name != g.Recipe || c.Width != g.Width || c.Emergence == nil {
				continue
			}
			if sum == nil {
				sum = make([]float64, len(c.Emergence))
			}
			for e, v := range c.Emergence {
				sum[e] += float64(v)
			}
			n++
		}
		if n == 0 {
			continue
		}
		xs := make([]float64, len(sum))
		for e := range sum {
			xs[e] = float64(e)
			sum[e] /= float64(n)
		}
		curves = append(curves, plotting.Curve{Name: fmt.Sprintf("%s, %s, w%d", g.Init, g.Recipe, g.Width), X: xs, Y: sum, Dashed: g.Width != r.Setup.Width})
	}
	if len(curves) == 0 {
		return nil
	}
	r.Emergence, err = plotting.Lines(plotting.LineChart{Title: fmt.Sprintf("Denoting neurons per network after each epoch (τ = %g)", tau),
		XLabel: "epoch (0 = initialisation)", YLabel: "denoting neurons per network", Curves: curves})
	return err
}

// Figures lists the study's figures with their export names.
func (r *FactorResult) Figures() []NamedFigure {
	var out []NamedFigure
	if r.Counts != nil {
		out = append(out, NamedFigure{Name: "study-denoting-per-layer", Figure: r.Counts})
	}
	if r.Emergence != nil {
		out = append(out, NamedFigure{Name: "study-emergence", Figure: r.Emergence})
	}
	return out
}
