package denotation_test

import (
	"fmt"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/hidden"
)

// A hand-made hidden layer of 3 neurons on 12 held-out samples of 3 classes (4 each).
// Neuron 0 fires for classes 0 and 1, more for 1: it denotes {1} and, at a lower threshold,
// {0, 1}. Neuron 1 is a dead ReLU. Neuron 2 mixes the classes and denotes nothing.
func Example() {
	labels := []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}
	n0 := []float32{1, 1.25, 0.75, 1.5, 2, 2.5, 3, 3.5, 0, 0, 0, 0}
	n2 := []float32{0, 1, 2, 3, 0, 1, 2, 3, 1, 2, 3, 4}
	post := make([]float32, 0, 12*3)
	for i := range labels {
		post = append(post, n0[i], 0, n2[i])
	}
	acts := &hidden.Activations{N: 12, Labels: labels, NumClasses: 3,
		Layers: []hidden.LayerActivations{{Layer: 1, Depth: 1, Width: 3, Post: post}}}

	res, err := denotation.Scan(acts, denotation.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, nr := range res.Layers[0].Neurons {
		switch {
		case nr.Constant:
			fmt.Printf("neuron %d is constant: it denotes nothing\n", nr.Neuron)
		case nr.Denotes():
			for _, d := range nr.Denotations {
				fmt.Printf("neuron %d denotes %v (label proportion %.2f) above %g, for t in [%g, %g); min class fraction %.2f\n",
					d.Neuron, d.Labels, d.LabelProportion, d.Threshold, d.ThresholdLow, d.ThresholdHigh, d.MinClassFraction)
			}
			p, _ := nr.SmallestDenotation()
			fmt.Printf("neuron %d's smallest denoted set: %v\n", nr.Neuron, p.Labels)
		default:
			fmt.Printf("neuron %d denotes nothing; best reading %v above %g, min class fraction %.2f\n",
				nr.Neuron, nr.Best.Labels, nr.Best.Threshold, nr.Best.MinClassFraction)
		}
	}
	fmt.Println("denoting neurons:", res.NumDenoting())
	// Output:
	// neuron 0 denotes {1} (label proportion 0.33) above 1.75, for t in [1.5, 2); min class fraction 1.00
	// neuron 0 denotes {0,1} (label proportion 0.67) above 0.375, for t in [0, 0.75); min class fraction 1.00
	// neuron 0's smallest denoted set: {1}
	// neuron 1 is constant: it denotes nothing
	// neuron 2 denotes nothing; best reading {2} above 1.5, min class fraction 0.50
	// denoting neurons: 1
}
