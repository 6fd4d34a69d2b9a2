package model_test

import (
	"fmt"
	"log"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/model"
)

// Train a small MLP on a subset of MNIST, then record its hidden layers on test samples.
func Example() {
	ds, err := datasets.Load("mnist")
	if err != nil {
		log.Fatal(err)
	}
	ds = ds.Subset(2000, 300, 1)
	cfg := model.DefaultConfig().WithHidden(32, 16).WithEpochs(2).WithSeed(1)
	m, err := model.Train(ds, cfg, &model.TrainOptions{Progress: model.Silent})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Architecture(), "with", m.NumParams(), "parameters")
	fmt.Println("epochs trained:", m.Info.EpochsDone, "steps:", m.Info.Steps)

	acts, err := m.Activations(ds.Test)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range acts.Layers {
		fmt.Printf("layer %d of %d: %d samples × %d neurons\n", l.Layer, l.Depth, acts.N, l.Width)
	}
	ev, err := m.EvaluateAblated(ds.Test, []model.Ablation{{Layer: 2, Neuron: 0, Value: 0}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("confusion matrix:", len(ev.Confusion), "×", len(ev.Confusion[0]))
	// Output:
	// 784-32-16-10 relu with 25818 parameters
	// epochs trained: 2 steps: 32
	// layer 1 of 2: 300 samples × 32 neurons
	// layer 2 of 2: 300 samples × 16 neurons
	// confusion matrix: 10 × 10
}
