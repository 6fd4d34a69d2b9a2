package model

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/denotation-go/denotation/internal/textfmt"
)

// Activation names accepted by Config.
const (
	ActivationReLU    = "relu"
	ActivationTanh    = "tanh"
	ActivationSigmoid = "sigmoid"
)

// Learning-rate schedules accepted by Config.
const (
	// ScheduleConstant keeps the learning rate at Config.LearningRate.
	ScheduleConstant = "constant"
	// ScheduleCosine decays it from Config.LearningRate to 0 along half a cosine over the Epochs epochs:
	// the rate of step t (0-based) of T is LearningRate·½(1+cos(πt/T)).
	ScheduleCosine = "cosine"
)

// Initialisation schemes accepted by Config (fan_in, fan_out: a layer's input and output sizes).
const (
	// InitHe draws the weights of ReLU hidden layers from U(±√(6/fan_in)) (He uniform) and those of
	// the logit layer and of tanh/sigmoid layers from U(±√(6/(fan_in+fan_out))) (Glorot uniform);
	// biases are 0. It is the default.
	InitHe = "he"
	// InitTorch is PyTorch's nn.Linear default: weights and biases from U(±1/√fan_in) in every layer.
	InitTorch = "torch"
	// InitGlorot draws every layer's weights from U(±√(6/(fan_in+fan_out))); biases are 0.
	InitGlorot = "glorot"
)

// InitNames lists the accepted initialisation schemes.
var InitNames = []string{InitHe, InitTorch, InitGlorot}

// ScheduleNames lists the accepted learning-rate schedules.
var ScheduleNames = []string{ScheduleConstant, ScheduleCosine}

// ActivationNames lists the accepted activation names.
var ActivationNames = []string{ActivationReLU, ActivationTanh, ActivationSigmoid}

// Config describes an object model (an MLP: input → hidden layers → K logits) and how it is trained.
// It is a plain struct (JSON-serialisable, comparable field by field) with exported fields and a
// DefaultConfig constructor, like every configuration of the project. The methods WithX, one per
// field X (Go forbids a method named like a field), form a fluent builder in gomlx style that
// returns modified copies:
//
//	cfg := model.DefaultConfig().WithHidden(128, 128, 128).WithEpochs(5).WithSeed(1)
//
// Training uses Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8, PyTorch's formulation) with an optional
// decoupled weight decay (AdamW) on the weight matrices, a cosine (default) or constant
// learning-rate schedule, mini-batches drawn without replacement in an order shuffled per epoch
// from Seed, and the softmax cross-entropy loss.
type Config struct {
	// Hidden are the widths of hidden layers 1…L (L ≥ 1).
	Hidden []int `json:"hidden"`
	// Activation is the hidden layers' nonlinearity: "relu", "tanh" or "sigmoid".
	Activation string `json:"activation"`
	// LearningRate is Adam's (peak) learning rate.
	LearningRate float64 `json:"learning_rate"`
	// Schedule is "cosine" (decay to 0 over Epochs epochs) or "constant".
	Schedule string `json:"lr_schedule"`
	// BatchSize is the mini-batch size.
	BatchSize int `json:"batch_size"`
	// Epochs is the number of passes over the training split.
	Epochs int `json:"epochs"`
	// WeightDecay is the decoupled weight decay rate (AdamW; 0 = plain Adam). It applies to the weight
	// matrices, not the biases: each step multiplies W by 1 − LearningRate·WeightDecay.
	WeightDecay float64 `json:"weight_decay"`
	// Seed seeds the initial weights and the shuffling of the training samples.
	Seed uint64 `json:"seed"`
	// Init is the initialisation scheme: "he" (the default; also what "" means, so that
	// configurations saved before the field existed keep their meaning), "torch" or "glorot".
	Init string `json:"init,omitempty"`
}

// DefaultConfig returns the default configuration: hidden layers 128,128,128, ReLU, Adam with peak
// learning rate 0.002 and a cosine schedule, batch size 128, 5 epochs, no weight decay, seed 1.
// (This recipe gives a 784-128-128-10 MLP ≈97.7% MNIST test accuracy in 5 epochs; constant
// rate 0.001, the common default, gives ≈97.1–97.5%.)
func DefaultConfig() Config {
	return Config{
		Hidden:       []int{128, 128, 128},
		Activation:   ActivationReLU,
		LearningRate: 0.002,
		Schedule:     ScheduleCosine,
		BatchSize:    128,
		Epochs:       5,
		Seed:         1,
		Init:         InitHe,
	}
}

// WithHidden returns a copy of c with the given hidden-layer widths.
func (c Config) WithHidden(widths ...int) Config {
	c.Hidden = slices.Clone(widths)
	return c
}

// WithActivation returns a copy of c with the given activation ("relu", "tanh" or "sigmoid").
func (c Config) WithActivation(name string) Config {
	c.Activation = name
	return c
}

// WithLearningRate returns a copy of c with Adam's learning rate set to lr.
func (c Config) WithLearningRate(lr float64) Config {
	c.LearningRate = lr
	return c
}

// WithSchedule returns a copy of c with the learning-rate schedule ("cosine" or "constant").
func (c Config) WithSchedule(name string) Config {
	c.Schedule = name
	return c
}

// WithBatchSize returns a copy of c with the mini-batch size set to n.
func (c Config) WithBatchSize(n int) Config {
	c.BatchSize = n
	return c
}

// WithEpochs returns a copy of c with the number of epochs set to n.
func (c Config) WithEpochs(n int) Config {
	c.Epochs = n
	return c
}

// WithWeightDecay returns a copy of c with the decoupled weight decay rate set to wd.
func (c Config) WithWeightDecay(wd float64) Config {
	c.WeightDecay = wd
	return c
}

// WithSeed returns a copy of c with the random seed set to s.
func (c Config) WithSeed(s uint64) Config {
	c.Seed = s
	return c
}

// WithInit returns a copy of c with the initialisation scheme ("he", "torch" or "glorot").
func (c Config) WithInit(name string) Config {
	c.Init = name
	return c
}

// InitScheme is the initialisation scheme c uses: Init, or InitHe when it is empty.
func (c Config) InitScheme() string {
	if c.Init == "" {
		return InitHe
	}
	return c.Init
}

// Depth is the number L of hidden layers.
func (c Config) Depth() int { return len(c.Hidden) }

// rate returns the learning rate of optimiser step t (0-based) of a run of total steps.
func (c Config) rate(t, total int64) float64 {
	if c.Schedule == ScheduleCosine && total > 0 {
		return c.LearningRate * 0.5 * (1 + math.Cos(math.Pi*float64(min(t, total))/float64(total)))
	}
	return c.LearningRate
}

// Validate reports the first problem with c, or nil.
func (c Config) Validate() error {
	if len(c.Hidden) == 0 {
		return errors.New("model config: no hidden layers (want at least one width, e.g. WithHidden(128))")
	}
	for i, w := range c.Hidden {
		if w < 1 {
			return fmt.Errorf("model config: hidden layer %d has width %d (want ≥ 1)", i+1, w)
		}
		if w > 1<<16 {
			return fmt.Errorf("model config: hidden layer %d has width %d (want ≤ %d)", i+1, w, 1<<16)
		}
	}
	if !slices.Contains(ActivationNames, c.Activation) {
		return fmt.Errorf("model config: unknown activation %q (want one of %s)", c.Activation, strings.Join(ActivationNames, ", "))
	}
	if !slices.Contains(InitNames, c.InitScheme()) {
		return fmt.Errorf("model config: unknown initialisation %q (want one of %s)", c.Init, strings.Join(InitNames, ", "))
	}
	if !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0) {
		return fmt.Errorf("model config: learning rate %v (want a finite value > 0)", c.LearningRate)
	}
	if !slices.Contains(ScheduleNames, c.Schedule) {
		return fmt.Errorf("model config: unknown learning-rate schedule %q (want one of %s)", c.Schedule, strings.Join(ScheduleNames, ", "))
	}
	if c.BatchSize < 1 {
		return fmt.Errorf("model config: batch size %d (want ≥ 1)", c.BatchSize)
	}
	if c.Epochs < 0 {
		return fmt.Errorf("model config: %d epochs (want ≥ 0)", c.Epochs)
	}
	if !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0) {
		return fmt.Errorf("model config: weight decay %v (want a finite value ≥ 0)", c.WeightDecay)
	}
	if c.LearningRate*c.WeightDecay >= 1 {
		return fmt.Errorf("model config: learning rate × weight decay = %v (want < 1)", c.LearningRate*c.WeightDecay)
	}
	return nil
}

// Architecture describes the network as "784-128-128-10 relu" for the given input and output sizes.
func (c Config) Architecture(numFeatures, numClasses int) string {
	sizes := append(append([]int{numFeatures}, c.Hidden...), numClasses)
	return textfmt.Ints(sizes, "-") + " " + c.Activation
}

// ParseWidths parses a comma-separated list of widths such as "128,128,128".
func ParseWidths(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty list of hidden widths (want e.g. 128,128,128)")
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("hidden width %q is not an integer", strings.TrimSpace(f))
		}
		if w < 1 {
			return nil, fmt.Errorf("hidden width %d (want ≥ 1)", w)
		}
		out = append(out, w)
	}
	return out, nil
}
