package hidden_test

import (
	"fmt"
	"math"

	"github.com/denotation-go/denotation/pkg/hidden"
)

func Example() {
	// Three samples of two classes; one hidden layer of two neurons, then one of one neuron.
	a := &hidden.Activations{
		N: 3, Labels: []int{0, 1, 1}, NumClasses: 2,
		Layers: []hidden.LayerActivations{
			{Layer: 1, Depth: 2, Width: 2, Post: []float32{0, 1, 2, 3, 4, 5}},
			{Layer: 2, Depth: 2, Width: 1, Post: []float32{7, 8, 9}},
		},
	}
	fmt.Println("valid:", a.Validate() == nil, "neurons:", a.TotalNeurons())
	l1, _ := a.Layer(1)
	fmt.Println("layer 1 neuron 1:", l1.Neuron(1), "relative depth:", l1.RelativeDepth())
	if _, err := a.Layer(3); err != nil {
		fmt.Println(err)
	}
	a.Layers[1].Post[2] = float32(math.Inf(1))
	fmt.Println(a.Validate())
	// Output:
	// valid: true neurons: 3
	// layer 1 neuron 1: [1 3 5] relative depth: 0.5
	// unknown layer 3: the model has hidden layers 1…2
	// activations: layer 2 neuron 0 sample 2: post-activation value is +Inf
}
