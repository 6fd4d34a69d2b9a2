package observer

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/denotation-go/denotation/internal/linalg"
	"github.com/denotation-go/denotation/pkg/property"
)

// Kind is the type of observer model.
type Kind string

// The observer kinds.
const (
	// Linear is logistic regression on the standardised features.
	Linear Kind = "linear"
	// MLP is a one-hidden-layer ReLU network with a logistic output.
	MLP Kind = "mlp"
	// SingleNeuron thresholds one neuron: the best neuron, threshold and direction on the training split.
	SingleNeuron Kind = "neuron"
)

// ParseKind reads "linear", "mlp" or "neuron".
func ParseKind(s string) (Kind, error) {
	return parseName("observer", s, Linear, MLP, SingleNeuron)
}

// parseName returns s as a T when it is one of names; else an error naming the kind of name
// (what) and listing the valid ones.
func parseName[T ~string](what, s string, names ...T) (T, error) {
	if slices.Contains(names, T(s)) {
		return T(s), nil
	}
	want := make([]string, len(names))
	for i, n := range names {
		want[i] = string(n)
	}
	last := len(want) - 1
	return "", fmt.Errorf("unknown %s %q (want %s or %s)", what, s, strings.Join(want[:last], ", "), want[last])
}

// Penalty is the regulariser of a linear observer.
type Penalty string

// The penalties, with sklearn's conventions for C and the L1 ratio.
const (
	L2         Penalty = "l2"
	L1         Penalty = "l1"
	ElasticNet Penalty = "elasticnet"
	NoPenalty  Penalty = "none"
)

// ParsePenalty reads "l2", "l1", "elasticnet" or "none".
func ParsePenalty(s string) (Penalty, error) {
	return parseName("penalty", s, L2, L1, ElasticNet, NoPenalty)
}

// ControlKind is the type of control measurement.
type ControlKind string

// The controls.
const (
	// NoControl measures nothing else.
	NoControl ControlKind = "none"
	// Untrained fits the same observer on an untrained object model's activations (Control.Untrained).
	Untrained ControlKind = "untrained"
	// ShuffledLabels fits the observer on randomly permuted training targets (test targets kept).
	ShuffledLabels ControlKind = "shuffled"
	// Task fits the observer on a Hewitt–Liang control task (Features.ControlTask).
	Task ControlKind = "task"
)

// ParseControl reads "none", "untrained", "shuffled" or "task".
func ParseControl(s string) (ControlKind, error) {
	if s == "" {
		return NoControl, nil
	}
	return parseName("control", s, NoControl, Untrained, ShuffledLabels, Task)
}

// Control asks for a control measurement alongside each fit.
type Control struct {
	Kind ControlKind
	// Untrained holds the untrained object model's features for the same samples and neuron
	// selection (needed for the Untrained control).
	Untrained *Features
	// Seed drives the shuffles and control tasks (each property gets its own stream).
	Seed uint64
	// Repeats averages the shuffled-label and control-task measurements over this many draws
	// (seeds Seed, Seed+1, …; default 1). One draw can be far from chance: a shuffled fit, or a
	// single neuron picked on shuffled labels, can correlate with the property by accident.
	Repeats int
}

// Options configure an observer. DefaultOptions returns the defaults given; a zero field also takes
// its default.
type Options struct {
	// Kind is the observer type (Linear).
	Kind Kind
	// Penalty is the linear observer's regulariser (L2).
	Penalty Penalty
	// C is the inverse regularisation strength, as in scikit-learn (1): the objective is the mean
	// (or class-balanced) logistic loss + (1/(C·N))·(ρ‖w‖₁ + (1−ρ)/2·‖w‖²), ρ the L1 ratio.
	C float64
	// L1Ratio is ρ for ElasticNet (0.5); L1 uses 1 and L2 uses 0.
	L1Ratio float64
	// Balanced weights each class by N/(2·N_class) (scikit-learn's class_weight="balanced"); the
	// single-neuron observer then maximises balanced accuracy instead of accuracy.
	Balanced bool
	// MaxIter caps the linear solver's iterations (100 for L-BFGS as in scikit-learn; 1000 for the
	// proximal-gradient solver used with L1 terms).
	MaxIter int
	// Tol stops the linear solver when the largest gradient (or gradient-mapping) component of the
	// objective is at most Tol (1e-4).
	Tol float64
	// Hidden, Epochs, BatchSize, LearningRate and WeightDecay configure the MLP observer
	// (64, 30, 128, 1e-3, 1e-4).
	Hidden, Epochs, BatchSize int
	LearningRate, WeightDecay float64
	// Seed drives the MLP's initialisation and batch order.
	Seed uint64
	// Workers is the number of goroutines (GOMAXPROCS).
	Workers int
	// Control asks for a control measurement.
	Control Control
}

// DefaultOptions returns the default observer: linear with the L2 penalty, C = 1, L1 ratio 0.5,
// tolerance 1e-4 and the solver's own iteration cap (MaxIter 0: 100, or 1000 with an L1 term); the
// MLP observer has 64 hidden units trained for 30 epochs of batches of 128 at learning rate 1e-3 and
// weight decay 1e-4; seed 0, GOMAXPROCS workers, no control.
func DefaultOptions() Options {
	return Options{Kind: Linear, Penalty: L2, C: 1, L1Ratio: 0.5, Tol: 1e-4, Hidden: 64, Epochs: 30,
		BatchSize: 128, LearningRate: 1e-3, WeightDecay: 1e-4, Control: Control{Kind: NoControl}}
}

// withDefaults replaces every zero field of o by DefaultOptions' value and checks the result.
func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions()
	o.Kind = cmp.Or(o.Kind, d.Kind)
	if _, err := ParseKind(string(o.Kind)); err != nil {
		return o, err
	}
	o.Penalty = cmp.Or(o.Penalty, d.Penalty)
	if _, err := ParsePenalty(string(o.Penalty)); err != nil {
		return o, err
	}
	o.C, o.L1Ratio, o.Tol = cmp.Or(o.C, d.C), cmp.Or(o.L1Ratio, d.L1Ratio), cmp.Or(o.Tol, d.Tol)
	if o.MaxIter == 0 {
		o.MaxIter = 100
		if o.Penalty == L1 || o.Penalty == ElasticNet {
			o.MaxIter = 1000
		}
	}
	o.Hidden, o.Epochs, o.BatchSize = cmp.Or(o.Hidden, d.Hidden), cmp.Or(o.Epochs, d.Epochs), cmp.Or(o.BatchSize, d.BatchSize)
	o.LearningRate, o.WeightDecay = cmp.Or(o.LearningRate, d.LearningRate), cmp.Or(o.WeightDecay, d.WeightDecay)
	o.Control.Kind = cmp.Or(o.Control.Kind, d.Control.Kind)
	if _, err := ParseControl(string(o.Control.Kind)); err != nil {
		return o, err
	}
	switch {
	case !(o.C > 0) || math.IsInf(o.C, 0):
		return o, fmt.Errorf("observer options: C = %v, want a positive number", o.C)
	case !(o.L1Ratio >= 0 && o.L1Ratio <= 1):
		return o, fmt.Errorf("observer options: L1 ratio = %v, want a value in [0,1]", o.L1Ratio)
	case !(o.Tol > 0):
		return o, fmt.Errorf("observer options: tolerance %v, want > 0", o.Tol)
	case o.MaxIter < 0 || o.Hidden < 0 || o.Epochs < 0 || o.BatchSize < 0:
		return o, fmt.Errorf("observer options: negative iteration count, width, epochs or batch size")
	case !(o.LearningRate > 0) || o.WeightDecay < 0:
		return o, fmt.Errorf("observer options: learning rate %v and weight decay %v", o.LearningRate, o.WeightDecay)
	}
	return o, nil
}

// penalties returns λ2 and λ1 of the objective (per-sample-mean scale).
func (o Options) penalties(n int) (lam2, lam1 float64) {
	ratio := 0.0
	switch o.Penalty {
	case NoPenalty:
		return 0, 0
	case L1:
		ratio = 1
	case ElasticNet:
		ratio = o.L1Ratio
	}
	s := 1 / (o.C * float64(n))
	return (1 - ratio) * s, ratio * s
}

// Result is an observer's measurement of one property.
type Result struct {
	// Property is the property's name, Labels its label set ("{0,2,4,6,8}", empty for other
	// properties), LabelProportion |S|/K (0 for other properties) and SampleProportion the fraction
	// of training samples that have it.
	Property         string  `json:"property"`
	Labels           string  `json:"labels,omitempty"`
	LabelProportion  float64 `json:"label_proportion,omitempty"`
	SampleProportion float64 `json:"sample_proportion"`
	// Observer is the observer kind, Penalty and C its regularisation (linear observers).
	Observer Kind    `json:"observer"`
	Penalty  Penalty `json:"penalty,omitempty"`
	C        float64 `json:"c,omitempty"`
	// Layers are the layers the observer reads (the rows of Weights and NeuronScores).
	Layers []int `json:"layers"`
	// Scores on the training split, and on the test split (accuracy, balanced accuracy, AUC).
	TrainAccuracy         float64 `json:"train_accuracy"`
	TrainBalancedAccuracy float64 `json:"train_balanced_accuracy"`
	TestAccuracy          float64 `json:"test_accuracy"`
	BalancedAccuracy      float64 `json:"balanced_accuracy"`
	AUC                   float64 `json:"auc"`
	// Confident is the fraction of test samples whose predicted probability lies outside
	// [0.05, 0.95] (linear and MLP observers, whose scores are logits; nil for single neurons).
	Confident *float64 `json:"confident,omitempty"`
	// Iterations of the solver (epochs for the MLP) and whether it met its tolerance.
	Iterations int  `json:"iterations"`
	Converged  bool `json:"converged"`
	// Weights of a linear observer in standardised units, [layer index][neuron] (neurons outside
	// the selection are 0), and its intercept.
	Weights [][]float64 `json:"weights,omitempty"`
	Bias    float64     `json:"bias,omitempty"`
	// Neuron, Threshold (activation units) and Direction (+1: the property holds above the
	// threshold, −1: at or below) of a single-neuron observer, and every neuron's training score
	// (accuracy, or balanced accuracy with Balanced) at its own best threshold, [layer index][neuron].
	Neuron       *Neuron     `json:"neuron,omitempty"`
	Threshold    float64     `json:"threshold,omitempty"`
	Direction    int         `json:"direction,omitempty"`
	NeuronScores [][]float64 `json:"neuron_scores,omitempty"`
	// Control is the control measurement, when one was asked for.
	Control *ControlResult `json:"control,omitempty"`
}

// ControlResult is the same observer measured under a control.
type ControlResult struct {
	Kind ControlKind `json:"kind"`
	// Property is the control property (the control task's label set, or the shuffled property;
	// with several repeats, their names separated by ';'), Repeats the number of draws averaged.
	Property         string  `json:"property"`
	Repeats          int     `json:"repeats"`
	TrainAccuracy    float64 `json:"train_accuracy"`
	TestAccuracy     float64 `json:"test_accuracy"`
	BalancedAccuracy float64 `json:"balanced_accuracy"`
	AUC              float64 `json:"auc"`
	// The scores below are means over the repeats. Selectivity is the observer's test accuracy minus
	// the control's (mean) test accuracy.
	Selectivity float64 `json:"selectivity"`
}

// Fit trains one observer for one target on the training features and scores it on the test
// features (and runs the control asked for in o.Control).
func Fit(f *Features, t Target, o Options) (*Result, error) {
	rs, err := FitMany(f, []Target{t}, o)
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// FitMany trains one observer per target. Linear observers of all targets are fitted together:
// every solver iteration computes the objectives and gradients of all unfinished targets with two
// matrix products over a [D, P] weight matrix, spread over the workers. The single-neuron observer
// sorts each neuron once for all targets. MLP observers are trained one after another.
func FitMany(f *Features, ts []Target, o Options) ([]*Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("observer: no properties to fit")
	}
	for _, t := range ts {
		if err := t.check(f); err != nil {
			return nil, err
		}
	}
	rs, err := fitKind(f, ts, o)
	if err != nil {
		return nil, err
	}
	if o.Control.Kind == NoControl {
		return rs, nil
	}
	repeats := max(1, o.Control.Repeats)
	if o.Control.Kind == Untrained {
		repeats = 1
	}
	co := o
	co.Control = Control{Kind: NoControl}
	for rep := 0; rep < repeats; rep++ {
		seed := o.Control.Seed + uint64(rep)
		cf, cts := f, make([]Target, len(ts))
		switch o.Control.Kind {
		case Untrained:
			u := o.Control.Untrained
			if u == nil {
				return nil, fmt.Errorf("observer: the untrained control needs the untrained model's features")
			}
			if err := u.check(); err != nil {
				return nil, fmt.Errorf("observer, untrained features: %w", err)
			}
			if u.NTrain != f.NTrain || u.NTest != f.NTest || (u.TrainLabels != nil && f.TrainLabels != nil &&
				(!slices.Equal(u.TrainLabels, f.TrainLabels) || !slices.Equal(u.TestLabels, f.TestLabels))) {
				return nil, fmt.Errorf("observer: the untrained model's features are for other samples (%d/%d training/test samples, want %d/%d with the same labels)", u.NTrain, u.NTest, f.NTrain, f.NTest)
			}
			cf = u
			copy(cts, ts)
		case ShuffledLabels:
			for i, t := range ts {
				cts[i] = Shuffled(t, seed)
			}
		case Task:
			for i, t := range ts {
				if cts[i], err = f.ControlTask(t, seed); err != nil {
					return nil, err
				}
			}
		}
		crs, err := fitKind(cf, cts, co)
		if err != nil {
			return nil, fmt.Errorf("observer, %s control: %w", o.Control.Kind, err)
		}
		w := 1 / float64(repeats)
		for i, r := range rs {
			if r.Control == nil {
				r.Control = &ControlResult{Kind: o.Control.Kind, Repeats: repeats}
			}
			c, rc := crs[i], r.Control
			if rc.Property != "" {
				rc.Property += ";"
			}
			rc.Property += cts[i].Name
			rc.TrainAccuracy += w * c.TrainAccuracy
			rc.TestAccuracy += w * c.TestAccuracy
			rc.BalancedAccuracy += w * c.BalancedAccuracy
			rc.AUC += w * c.AUC
		}
	}
	for _, r := range rs {
		r.Control.Selectivity = r.TestAccuracy - r.Control.TestAccuracy
	}
	return rs, nil
}

func (f *Features) check() error {
	switch {
	case f == nil:
		return fmt.Errorf("observer: nil features")
	case f.D < 1 || len(f.Columns) != f.D:
		return fmt.Errorf("observer: features have %d columns and %d column names", f.D, len(f.Columns))
	case len(f.Train) != f.NTrain*f.D || len(f.Test) != f.NTest*f.D:
		return fmt.Errorf("observer: features hold %d training and %d test values, want %d×%d and %d×%d", len(f.Train), len(f.Test), f.NTrain, f.D, f.NTest, f.D)
	case f.NTrain < 2 || f.NTest < 1:
		return fmt.Errorf("observer: %d training and %d test samples", f.NTrain, f.NTest)
	}
	return nil
}

func newResult(f *Features, t Target, o Options) *Result {
	r := &Result{Property: t.Name, Observer: o.Kind, Layers: slices.Clone(f.Layers),
		SampleProportion: property.SampleProportion(t.Train)}
	if t.Set != 0 && t.K > 0 {
		r.Labels, r.LabelProportion = t.Set.String(), t.Set.Proportion(t.K)
	}
	if o.Kind == Linear {
		r.Penalty, r.C = o.Penalty, o.C
	}
	return r
}

// score fills the result's metrics from training and test scores (positive ⇔ predicted to have it).
func (r *Result) score(train, test []float64, t Target) error {
	tr, err := scoreNoAUC(train, t.Train)
	if err != nil {
		return fmt.Errorf("property %s, training split: %w", t.Name, err)
	}
	te, err := Score(test, t.Test)
	if err != nil {
		return fmt.Errorf("property %s, test split: %w", t.Name, err)
	}
	r.TrainAccuracy, r.TrainBalancedAccuracy = tr.Accuracy, tr.BalancedAccuracy
	r.TestAccuracy, r.BalancedAccuracy, r.AUC = te.Accuracy, te.BalancedAccuracy, te.AUC
	if r.Observer == Linear || r.Observer == MLP {
		c := Confident(test)
		r.Confident = &c
	}
	return nil
}

// confidentLogit is logit(0.95) = ln 19: a probability outside [0.05, 0.95] has |logit| above it.
var confidentLogit = math.Log(19)

// Confident is the fraction of logits whose probability σ(z) lies outside [0.05, 0.95]: how often
// an observer is sure of its answer (0 for no logits).
func Confident(logits []float64) float64 {
	if len(logits) == 0 {
		return 0
	}
	n := 0
	for _, z := range logits {
		if math.Abs(z) > confidentLogit {
			n++
		}
	}
	return float64(n) / float64(len(logits))
}

func fitKind(f *Features, ts []Target, o Options) ([]*Result, error) {
	switch o.Kind {
	case Linear:
		return fitLinear(f, ts, o)
	case SingleNeuron:
		return fitNeurons(f, ts, o)
	case MLP:
		out := make([]*Result, len(ts))
		for i, t := range ts {
			r, err := fitMLP(f, t, o)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return nil, fmt.Errorf("observer: unknown kind %q", o.Kind)
}

func fitLinear(f *Features, ts []Target, o Options) ([]*Result, error) {
	ys := make([][]bool, len(ts))
	for i, t := range ts {
		ys[i] = t.Train
	}
	lam2, lam1 := o.penalties(f.NTrain)
	p := newLogisticProblem(f.Train, f.NTrain, f.D, ys, o.Balanced, lam2, lam1, o.Workers)
	var cs []*colState
	if lam1 > 0 {
		cs = p.fista(o.MaxIter, o.Tol)
	} else {
		cs = p.lbfgs(o.MaxIter, o.Tol)
	}
	thetas := make([][]float64, len(cs))
	for i, c := range cs {
		thetas[i] = c.theta
	}
	out := make([]*Result, len(ts))
	// Score in chunks so the score matrices stay small.
	const chunk = 256
	for lo := 0; lo < len(ts); lo += chunk {
		hi := min(lo+chunk, len(ts))
		trs := scores(f.Train, f.NTrain, f.D, thetas[lo:hi], o.Workers)
		tes := scores(f.Test, f.NTest, f.D, thetas[lo:hi], o.Workers)
		errs := make([]error, hi-lo)
		linalg.ParallelFor(hi-lo, o.Workers, func(a, b, _ int) {
			for k := a; k < b; k++ {
				i := lo + k
				r := newResult(f, ts[i], o)
				c := cs[i]
				r.Iterations, r.Converged = c.iter, c.status == converged
				r.Weights, r.Bias = f.WeightMap(c.theta[:f.D]), c.theta[f.D]
				errs[k] = r.score(trs[k], tes[k], ts[i])
				out[i] = r
			}
		})
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
