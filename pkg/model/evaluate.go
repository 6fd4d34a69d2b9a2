package model

import (
	"fmt"
	"math"

	"github.com/denotation-go/denotation/datasets"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// InferenceBatch is the fixed batch size of inference (evaluation, prediction, activation capture).
// The last batch is padded to this size, so one compiled graph serves every split size.
const InferenceBatch = 500

// Evaluation is a classifier's performance on a split.
type Evaluation struct {
	// N is the number of samples.
	N int `json:"n"`
	// Accuracy is the fraction of samples classified correctly.
	Accuracy float64 `json:"accuracy"`
	// Loss is the mean softmax cross-entropy.
	Loss float64 `json:"loss"`
	// PerClass[k] is the accuracy on the samples of true class k (their recall); 0 when Support[k] is 0.
	PerClass []float64 `json:"per_class_accuracy"`
	// Support[k] is the number of samples of true class k.
	Support []int `json:"support"`
	// Confusion[k][j] counts samples of true class k predicted as class j.
	Confusion [][]int `json:"confusion"`
}

// Ablation clamps the post-activation value of one hidden neuron to Value during a forward pass.
type Ablation struct {
	// Layer is the 1-based hidden layer.
	Layer int `json:"layer"`
	// Neuron is the 0-based neuron index within the layer.
	Neuron int `json:"neuron"`
	// Value is the post-activation value the neuron is clamped to (e.g. 0, or its mean).
	Value float32 `json:"value"`
}

// Evaluate classifies every sample of split and returns accuracy, per-class accuracy and the
// confusion matrix.
func (m *Model) Evaluate(split *datasets.Split) (*Evaluation, error) {
	return m.EvaluateAblated(split, nil)
}

// EvaluateAblated is Evaluate with the post-activation of each listed neuron clamped to its
// Value (for every sample), so the effect of neurons on the classification can be measured.
// A neuron may appear at most once.
func (m *Model) EvaluateAblated(split *datasets.Split, ablations []Ablation) (*Evaluation, error) {
	logits, err := m.logits(split, ablations)
	if err != nil {
		return nil, err
	}
	K := m.NumClasses
	ev := &Evaluation{N: split.Len(), PerClass: make([]float64, K), Support: make([]int, K), Confusion: make([][]int, K)}
	for k := range ev.Confusion {
		ev.Confusion[k] = make([]int, K)
	}
	correct := 0
	var lossSum float64
	for i, y := range split.Labels {
		row := logits[i*K : (i+1)*K]
		pred := argmax(row)
		ev.Confusion[y][pred]++
		ev.Support[y]++
		if pred == y {
			correct++
		}
		lossSum += logSumExp(row) - float64(row[y])
	}
	if ev.N > 0 {
		ev.Accuracy = float64(correct) / float64(ev.N)
		ev.Loss = lossSum / float64(ev.N)
	}
	for k := range K {
		if ev.Support[k] > 0 {
			ev.PerClass[k] = float64(ev.Confusion[k][k]) / float64(ev.Support[k])
		}
	}
	return ev, nil
}

// CorrectAblated returns, for every sample of split, whether the model classifies it correctly
// with the listed neurons clamped as in EvaluateAblated (nil: the intact model). It runs the same
// forward graph, so the correct samples of class k number EvaluateAblated's Confusion[k][k]; a
// paired analysis (a bootstrap over samples) needs them one by one.
func (m *Model) CorrectAblated(split *datasets.Split, ablations []Ablation) ([]bool, error) {
	logits, err := m.logits(split, ablations)
	if err != nil {
		return nil, err
	}
	K := m.NumClasses
	correct := make([]bool, split.Len())
	for i, y := range split.Labels {
		correct[i] = argmax(logits[i*K:(i+1)*K]) == y
	}
	return correct, nil
}

// Predict returns the predicted class of every sample of split.
func (m *Model) Predict(split *datasets.Split) ([]int, error) {
	logits, err := m.logits(split, nil)
	if err != nil {
		return nil, err
	}
	K := m.NumClasses
	pred := make([]int, split.Len())
	for i := range pred {
		pred[i] = argmax(logits[i*K : (i+1)*K])
	}
	return pred, nil
}

// Logits returns the logits of every sample of split, [N, K] row-major.
func (m *Model) Logits(split *datasets.Split) ([]float32, error) {
	return m.logits(split, nil)
}

// argmax returns the index of the largest value (the first one on ties).
func argmax(row []float32) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}

func logSumExp(row []float32) float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, float64(v))
	}
	s := 0.0
	for _, v := range row {
		s += math.Exp(float64(v) - mx)
	}
	return mx + math.Log(s)
}

// ablationMasks turns ablations into per-layer keep (1/0) and fill (value/0) vectors.
func (m *Model) ablationMasks(ablations []Ablation) (keep, fill [][]float32, err error) {
	L := m.Depth()
	for l := range L {
		w := m.Config.Hidden[l]
		k := make([]float32, w)
		for j := range k {
			k[j] = 1
		}
		keep = append(keep, k)
		fill = append(fill, make([]float32, w))
	}
	for _, a := range ablations {
		if a.Layer < 1 || a.Layer > L {
			return nil, nil, fmt.Errorf("model: ablation of layer %d: the model has hidden layers 1…%d", a.Layer, L)
		}
		w := m.Config.Hidden[a.Layer-1]
		if a.Neuron < 0 || a.Neuron >= w {
			return nil, nil, fmt.Errorf("model: ablation of neuron %d in layer %d: the layer has neurons 0…%d", a.Neuron, a.Layer, w-1)
		}
		if v := float64(a.Value); math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("model: ablation of layer %d neuron %d: value %v is not finite", a.Layer, a.Neuron, a.Value)
		}
		if keep[a.Layer-1][a.Neuron] == 0 {
			return nil, nil, fmt.Errorf("model: layer %d neuron %d is ablated twice", a.Layer, a.Neuron)
		}
		keep[a.Layer-1][a.Neuron] = 0
		fill[a.Layer-1][a.Neuron] = a.Value
	}
	return keep, fill, nil
}

// checkInput validates a split for inference.
func (m *Model) checkInput(split *datasets.Split) error {
	if err := checkSplit(split, m.NumClasses); err != nil {
		return err
	}
	if split.Features() != m.NumFeatures {
		return fmt.Errorf("model: split %q has %d features, the model takes %d", split.Name, split.Features(), m.NumFeatures)
	}
	return nil
}

// logits runs the forward graph over split in batches of InferenceBatch (the last one padded).
func (m *Model) logits(split *datasets.Split, ablations []Ablation) ([]float32, error) {
	if err := m.checkInput(split); err != nil {
		return nil, err
	}
	keep, fill, err := m.ablationMasks(ablations)
	if err != nil {
		return nil, err
	}
	var masks []*tensors.Tensor
	for _, set := range [][][]float32{keep, fill} {
		for _, v := range set {
			masks = append(masks, tensors.FromFlatDataAndDimensions(v, len(v)))
		}
	}
	defer finalizeAll(masks)
	K := m.NumClasses
	out := make([]float32, split.Len()*K)
	err = m.inferBatches(split, forwardGraph, masks, "forward pass on", func(res []*tensors.Tensor, lo, hi int) {
		tensors.MustConstFlatData[float32](res[0], func(flat []float32) {
			copy(out[lo*K:hi*K], flat[:(hi-lo)*K])
		})
	})
	if err != nil {
		return nil, err
	}
	// A model whose values overflow gives NaN or ±Inf logits: an accuracy computed from them would
	// be meaningless, so it is an error.
	for i, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("model: logit %d of sample %d is %v (the model's values overflow; see Activations(...).Validate for the first bad neuron)", i%K, i/K, v)
		}
	}
	return out, nil
}

// forEachBatch calls fn with consecutive batches of InferenceBatch samples of split (the last one
// padded with zeros); samples lo…hi-1 are the real ones.
func forEachBatch(split *datasets.Split, f int, fn func(x *tensors.Tensor, lo, hi int) error) error {
	n := split.Len()
	buf := make([]float32, InferenceBatch*f)
	for lo := 0; lo < n; lo += InferenceBatch {
		hi := min(lo+InferenceBatch, n)
		copy(buf, split.Images[lo*f:hi*f])
		clear(buf[(hi-lo)*f:])
		x := tensors.FromFlatDataAndDimensions(buf, InferenceBatch, f)
		err := fn(x, lo, hi)
		_ = x.FinalizeAll()
		if err != nil {
			return err
		}
	}
	return nil
}

func finalizeAll(ts []*tensors.Tensor) {
	for _, t := range ts {
		_ = t.FinalizeAll()
	}
}
