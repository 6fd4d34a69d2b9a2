package findings

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/denotation-go/denotation/internal/atomicfile"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/pkg/observer"
)

// ReproduceOptions configure Reproduce.
type ReproduceOptions struct {
	// Dataset is "mnist" (default) or "fashion".
	Dataset string
	// Only lists the findings to run ("F1", "F2", …); empty runs all of Findings.
	Only []string
	// Out is the folder results.json, report.md and the figures are written to.
	Out string
	// Log receives one line per stage (nil: discarded); Progress receives model training progress
	// (nil: model.AutoProgress()).
	Log      io.Writer
	Progress model.ProgressFunc
	// CacheDir is the model run cache ("" = default).
	CacheDir string
	// Quick runs the quick (CI) version; $DENOTATION_QUICK=1 also asks for it.
	Quick bool
	// Context, if set, stops the run when cancelled: object model training stops after its last
	// completed epoch, which stays in the run cache (the next run resumes from it), and no further
	// finding is started. Reproduce then returns an error wrapping the context's error; it writes
	// no results.json or report.md.
	Context context.Context
}

// FindingInfo names one reproducible finding: its ID (for --only), title (for the log) and the
// heading of its section of the report.
type FindingInfo struct {
	ID, Title, Heading string
}

// finding is one row of Reproduce's table: how to compute the finding in a run (storing its
// results in the run's Results) and which Result presents it in the report.
type finding struct {
	FindingInfo
	run     func(rc *reproduction) error
	section func(r *Results) Result
}

// findingTable is what Reproduce runs, in order.
var findingTable = []finding{
	{FindingInfo{"study", "Factor study: what makes single neurons denote", "Factor study — what makes single neurons denote"},
		(*reproduction).study, func(r *Results) Result { return resultOrNil(r.Study) }},
	{FindingInfo{"F1", "Observers capture some properties decisively", "F1 — some properties are captured decisively"},
		(*reproduction).f1, func(r *Results) Result { return resultOrNil(r.F1) }},
	{FindingInfo{"F2", "Heat maps of linear observer weights", "F2 — heat maps of linear observer weights"},
		(*reproduction).f2, func(r *Results) Result { return resultOrNil(r.F2) }},
	{FindingInfo{"F3", "Some properties are denoted by individual neurons", "F3 — some properties are denoted by individual neurons"},
		(*reproduction).f3, func(r *Results) Result {
			if r.F3 == nil {
				return nil
			}
			return &F3Section{Scan: r.F3, Tau: r.F3Tau, Story: r.F3Story, Replication: r.F3Replication}
		}},
	{FindingInfo{"F4", "Label proportion of denoted properties vs depth", "F4 — label proportion of denoted properties vs depth"},
		(*reproduction).f4, func(r *Results) Result { return resultOrNil(r.F4) }},
	{FindingInfo{"ablation", "Causal check: ablating denoting neurons", "Causal check — ablating denoting neurons"},
		(*reproduction).ablation, func(r *Results) Result { return resultOrNil(r.Ablation) }},
}

// resultOrNil returns r as a Result, or a nil Result (not a typed nil) when r is nil.
func resultOrNil[T any, P interface {
	*T
	Result
}](r P) Result {
	if r == nil {
		return nil
	}
	return r
}

// Findings lists what Reproduce can run, in order.
var Findings = func() []FindingInfo {
	out := make([]FindingInfo, len(findingTable))
	for i, f := range findingTable {
		out[i] = f.FindingInfo
	}
	return out
}()

// Results is everything behind every figure of a Reproduce run: written as results.json. It holds
// no timings or cache states, so that two runs with the same seeds give the same bytes.
type Results struct {
	Paper       string            `json:"paper"`
	Definitions map[string]string `json:"definitions"`
	Setup       Setup             `json:"setup"`
	Model       *ModelSummary     `json:"model,omitempty"`
	F1          *CaptureResult    `json:"f1,omitempty"`
	F2          *WeightsResult    `json:"f2,omitempty"`
	// Study is the factor study that chose the object models' recipe.
	Study *FactorResult     `json:"study,omitempty"`
	F3    *DenotationResult `json:"f3,omitempty"`
	// F3Replication matches F3's validated denotations across seeds of the same recipe.
	F3Replication *ReplicationResult `json:"f3_replication,omitempty"`
	// F3Tau is the F3 scan repeated at several τ (sensitivity to the definition's parameter).
	F3Tau []TauCount `json:"f3_tau,omitempty"`
	// F3Story is the neuron shown in F3's story figure (Showcase).
	F3Story  *NeuronStoryResult `json:"f3_story,omitempty"`
	F4       *DepthResult       `json:"f4,omitempty"`
	Ablation *AblationResult    `json:"ablation,omitempty"`
	// Figures lists the figure files written, by finding.
	Figures map[string][]string `json:"figures"`
}

// ModelSummary describes the object model the findings were measured on.
type ModelSummary struct {
	Architecture  string    `json:"architecture"`
	Parameters    int       `json:"parameters"`
	TestAccuracy  float64   `json:"test_accuracy"`
	TestSamples   int       `json:"test_samples"`
	PerClass      []float64 `json:"per_class_accuracy"`
	TrainSamples  int       `json:"train_samples"`
	ObserverTrain int       `json:"observer_train_samples"`
}

// definitions are the operational definitions the findings use (docs/definitions.md), stated in results.json
// and report.md.
func definitions(s Setup, c CaptureOptions) map[string]string {
	c = c.withDefaults()
	tau := F3Options().Tau
	obs := observer.DefaultOptions()
	return map[string]string{
		"layers":            "hidden layers are numbered 1 … L from the input; the logits are not a hidden layer; the depth of a neuron is its layer ℓ; relative depth ℓ/L is a secondary view only",
		"state":             "post-activation value of every hidden neuron for a sample",
		"recipe":            recipeText(s),
		"property":          "a label set S with 0 < |S| < K; x has S when label(x) ∈ S; S and its complement are the same split",
		"label_proportion":  "|S|/K",
		"observer":          fmt.Sprintf("class-balanced classifier trained on training-split activations (standardised with training statistics), evaluated on the test split: linear (%s logistic regression, C=%g), MLP (one hidden layer of %d), single neuron (best threshold and direction)", strings.ToUpper(string(obs.Penalty)), obs.C, obs.Hidden),
		"captured_decisive": fmt.Sprintf("the linear observer, at the layer chosen on a validation part (%g) of the training samples, reaches a held-out balanced accuracy within %g of the ceiling — the object model's own balanced accuracy on the property (predicted class ∈ S vs true class ∈ S); the absolute level %.2f and the confidence (fraction of test samples with probability outside [0.05, 0.95]) are reported beside", c.ValidationFraction, c.Margin, c.Decisive),
		"control_task":      "a random map of classes to the two sides with the same label proportion (Hewitt & Liang); selectivity = accuracy − control accuracy",
		"untrained_control": "the same measurement on an untrained model of the same architecture and initialisation seed",
		"shuffled_control":  "the same measurement with the labels shuffled (F3: the activations kept, the labels of both splits permuted; F1: observers trained on shuffled training labels)",
		"seeds":             fmt.Sprintf("object model seed %d (initialisation and batch order); stratified subsets seed %d (selection/observer training subset: seed %d); observer MLP, control tasks, validation split and shuffles seed 1; F3 replication and F4 networks: the seeds listed in their setups", s.Model.Seed, s.SubsetSeed, s.SubsetSeed+1),
		"denotation":        fmt.Sprintf("neuron n denotes S at threshold t on a sample set when every class in S has ≥ τ of its samples above t and every other class ≥ τ at or below t; τ = %g; the denoted set is the high side; a neuron's property is its smallest denoted set; a constant neuron denotes nothing", tau),
		"validation":        fmt.Sprintf("(S, t) is chosen by the exact scan of %d training-split samples (selection) and counted only when it holds at the same t on the test split; the smallest per-class one-sided 95%% Clopper–Pearson lower bound is reported; no permutation test (on thousands of samples it rejects independence for every trained neuron near denoting, so it cannot fail)", s.ObserveTrain),
		"depth_dependence":  "the network is the unit of replication: per network, validated denoting neurons and mean |S|/K per layer ℓ, per-network least-squares slopes against ℓ, firing rate per layer; 95% t intervals over networks of each depth D; trained − untrained differences paired by (D, seed)",
		"ablation":          fmt.Sprintf("clamp a neuron denoting S (τ = %.2f, selected on the selection samples, the observers' training samples) to 0 and measure per-class accuracy on the test split; contrast = mean accuracy drop over classes in S − over classes outside S, bootstrap 95%% CI over test samples; control: a non-denoting neuron of the same layer", F3AblationOptions().Scan.Tau),
	}
}

// Reproduce runs the findings on one data set, writing every figure (PNG and SVG), results.json and
// report.md into o.Out. It is what `denote reproduce` and `make reproduce` run; the notebooks call the
// same functions one by one.
func Reproduce(o ReproduceOptions) (*Results, error) {
	rc, err := newReproduction(o)
	if err != nil {
		return nil, err
	}
	for i, f := range rc.selected {
		if o.Context != nil && o.Context.Err() != nil {
			return nil, fmt.Errorf("reproduce: stopped before %s: %w", f.ID, o.Context.Err())
		}
		rc.logf("[%d/%d] %s — %s", i+1, len(rc.selected), f.ID, f.Title)
		if err := f.run(rc); err != nil {
			return nil, err
		}
		if r := f.section(rc.res); r != nil {
			for _, nf := range r.Figures() {
				if err := rc.export(f.ID, nf); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := writeResults(rc.o.Out, rc.res); err != nil {
		return nil, err
	}
	rc.logf("wrote results.json, report.md and %d figures to %s", countFigures(rc.res), rc.o.Out)
	return rc.res, nil
}

// reproduction is one run of Reproduce: its options, setup, subject and results so far.
type reproduction struct {
	o        ReproduceOptions
	selected []finding
	s        Setup
	sub      *Subject
	res      *Results
	start    time.Time
}

// newReproduction checks the options, clears an earlier report from o.Out and prepares the subject.
func newReproduction(o ReproduceOptions) (*reproduction, error) {
	if o.Dataset == "" {
		o.Dataset = "mnist"
	}
	if o.Out == "" {
		return nil, fmt.Errorf("reproduce: no output folder")
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	selected, err := selectFindings(o.Only)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	// A report from an earlier run must not sit beside this run's figures if this run stops early.
	for _, name := range []string{"results.json", "report.md"} {
		if err := os.Remove(filepath.Join(o.Out, name)); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	s := DefaultSetupFor(o.Dataset, o.Quick || Quick())
	if err := s.Validate(); err != nil {
		return nil, err
	}
	rc := &reproduction{o: o, selected: selected, s: s, start: time.Now(),
		res: &Results{Paper: "Allen 2021, Neural Networks and Denotation, arXiv 2103.08315",
			Definitions: definitions(s, F1Options(o.Dataset)), Setup: s, Figures: map[string][]string{}}}
	rc.logf("preparing the %s object model (%s, %d epochs)…", s.Dataset, strings.Trim(fmt.Sprint(s.Model.Hidden), "[]"), s.Model.Epochs)
	if rc.sub, err = Prepare(s, rc.prepareOptions()); err != nil {
		return nil, err
	}
	rc.logf("%s", rc.sub)
	sub := rc.sub
	rc.res.Model = &ModelSummary{Architecture: sub.Model.Architecture(), Parameters: sub.Model.NumParams(),
		TestAccuracy: sub.Eval.Accuracy, TestSamples: sub.Eval.N, PerClass: sub.Eval.PerClass,
		TrainSamples: sub.Data.Train.Len(), ObserverTrain: sub.Train.N}
	return rc, nil
}

func (rc *reproduction) logf(format string, args ...any) {
	fmt.Fprintf(rc.o.Log, "[%6.1fs] %s\n", time.Since(rc.start).Seconds(), fmt.Sprintf(format, args...))
}

func (rc *reproduction) prepareOptions() *PrepareOptions {
	return &PrepareOptions{CacheDir: rc.o.CacheDir, Progress: rc.o.Progress, Context: rc.o.Context}
}

// export writes a figure of finding id and records its files in the results.
func (rc *reproduction) export(id string, nf NamedFigure) error {
	paths, err := ExportTo(rc.o.Out, nf.Figure, nf.Name)
	if err != nil {
		return err
	}
	for _, p := range paths {
		rc.res.Figures[id] = append(rc.res.Figures[id], filepath.Base(p))
	}
	return nil
}

func (rc *reproduction) study() (err error) {
	rc.res.Study, err = FactorStudy(DefaultFactorSetup(rc.o.Dataset, rc.s.Quick), rc.prepareOptions())
	return err
}

func (rc *reproduction) f1() (err error) {
	rc.res.F1, err = ObserversCapture(rc.sub, F1Options(rc.o.Dataset))
	return err
}

func (rc *reproduction) f2() (err error) {
	rc.res.F2, err = ObserverWeights(rc.sub, f2Properties(rc.o.Dataset)...)
	return err
}

// f3 runs the validated scan, its τ sensitivity, the story of its showcase neuron and the
// replication across seeds. No permutation test: with thousands of samples it rejects "independent
// of the label" for every trained neuron near denoting; validation on the test split is what can
// fail.
func (rc *reproduction) f3() (err error) {
	opt, res := F3Options(), rc.res
	if res.F3, err = Denotations(rc.sub, opt); err != nil {
		return err
	}
	if res.F3Tau, err = TauSensitivity(rc.sub, []float64{0.8, 0.85, 0.9, 0.95}); err != nil {
		return err
	}
	l, n := res.F3.Showcase()
	if res.F3Story, err = NeuronStory(rc.sub, l, n); err != nil {
		return err
	}
	rc.logf("F3 replication across seeds %v", ReplicationSeeds(rc.s.Quick))
	res.F3Replication, err = Replication(rc.s, ReplicationSeeds(rc.s.Quick), opt, rc.prepareOptions())
	return err
}

func (rc *reproduction) f4() (err error) {
	rc.res.F4, err = LabelProportionVsDepth(DefaultDepthSetupFor(rc.o.Dataset, rc.s.Quick), rc.prepareOptions())
	return err
}

// ablation ablates the neurons that denote as in F3 (F3AblationOptions, stated in the definitions).
func (rc *reproduction) ablation() (err error) {
	rc.res.Ablation, err = Ablations(rc.sub, 8, F3AblationOptions())
	return err
}

// f2Properties are the properties whose observer weights F2 draws.
func f2Properties(dataset string) []string {
	if dataset == "fashion" {
		return []string{"footwear", "tops", "class=Trouser", "class=Bag"}
	}
	return []string{"even", "lt5", "loops", "digit=0", "digit=1", "digit=7"}
}

// recipeText states the object model's recipe and where it comes from.
func recipeText(s Setup) string {
	from := "findings.StudyModel, chosen by an earlier factor study; this run's ranking is in the factor study section"
	if s.Quick {
		from = "quick mode: a small model for smoke tests"
	}
	return fmt.Sprintf("object model: %s relu, init %s, Adam lr %g (%s), batch %d, %d epochs (%s)", strings.Trim(fmt.Sprint(s.Model.Hidden), "[]"),
		s.Model.InitScheme(), s.Model.LearningRate, s.Model.Schedule, s.Model.BatchSize, s.Model.Epochs, from)
}

// F3Options are the scan options of F3 (and of its replication): τ = 0.95, no permutation test,
// seed 1 for the shuffled-label control.
func F3Options() denotation.Options {
	o := denotation.DefaultOptions()
	o.Seed = 1
	return o
}

// F3AblationOptions are the options of the causal check of F3's denotations, in Reproduce and
// notebook 05: DefaultAblationOptions with F3's scan (F3Options).
func F3AblationOptions() AblationOptions {
	o := DefaultAblationOptions()
	o.Scan = F3Options()
	return o
}

// ReplicationSeeds are the seeds F3's replication trains StudyModel with: 1…5 (the networks of
// F4's deepest depth), or 1 and 2 in quick mode.
func ReplicationSeeds(quick bool) []uint64 {
	if quick {
		return []uint64{1, 2}
	}
	return []uint64{1, 2, 3, 4, 5}
}

func selectFindings(only []string) ([]finding, error) {
	if len(only) == 0 {
		return findingTable, nil
	}
	var out []finding
	for _, id := range only {
		id = strings.TrimSpace(id)
		i := slices.IndexFunc(findingTable, func(f finding) bool { return strings.EqualFold(f.ID, id) })
		if i < 0 {
			ids := make([]string, len(Findings))
			for j, f := range Findings {
				ids[j] = f.ID
			}
			return nil, fmt.Errorf("unknown finding %q (known: %s)", id, strings.Join(ids, ", "))
		}
		if !slices.ContainsFunc(out, func(f finding) bool { return f.ID == findingTable[i].ID }) {
			out = append(out, findingTable[i])
		}
	}
	return out, nil
}

func countFigures(r *Results) int {
	n := 0
	for _, fs := range r.Figures {
		n += len(fs)
	}
	return n
}

// writeResults writes results.json and report.md atomically (temporary file, then rename).
func writeResults(dir string, r *Results) error {
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetIndent("", " ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("results.json: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, "results.json"), js.Bytes()); err != nil {
		return err
	}
	var md bytes.Buffer
	WriteReport(&md, r)
	return atomicfile.WriteBytes(filepath.Join(dir, "report.md"), md.Bytes())
}
