package observer_test

import (
	"fmt"

	"github.com/denotation-go/denotation/pkg/hidden"
	"github.com/denotation-go/denotation/pkg/observer"
	"github.com/denotation-go/denotation/pkg/property"
)

// toyActivations builds a 3-neuron layer for n samples of 4 classes: neuron 1 fires for classes 0
// and 2, neurons 0 and 2 carry no information about that.
func toyActivations(n int) *hidden.Activations {
	a := &hidden.Activations{N: n, NumClasses: 4, Labels: make([]int, n)}
	post := make([]float32, n*3)
	for i := 0; i < n; i++ {
		c := i % 4
		a.Labels[i] = c
		post[i*3] = float32(i%5) * 0.3
		if c == 0 || c == 2 {
			post[i*3+1] = 1.5 + float32(i%3)*0.1
		}
		post[i*3+2] = float32((i*7)%11) * 0.1
	}
	a.Layers = []hidden.LayerActivations{{Layer: 1, Depth: 1, Width: 3, Post: post}}
	return a
}

func Example() {
	f, err := observer.NewFeatures(toyActivations(200), toyActivations(80), observer.Layer(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	v := property.Vocabulary{Dataset: "toy", ClassNames: []string{"a", "b", "c", "d"}}
	p, _ := v.Parse("a,c")
	t, _ := f.LabelTarget(p)

	lin, _ := observer.Fit(f, t, observer.Options{})
	fmt.Printf("%s linear: test accuracy %.2f, AUC %.2f, converged %v\n", lin.Labels, lin.TestAccuracy, lin.AUC, lin.Converged)
	w := lin.Weights[0]
	fmt.Printf("largest weight on neuron 1: %v\n", w[1] > 2*w[0] && w[1] > 2*w[2])

	one, _ := observer.Fit(f, t, observer.Options{Kind: observer.SingleNeuron})
	fmt.Printf("single neuron %v, direction %+d, threshold %.2f: test accuracy %.2f\n", *one.Neuron, one.Direction, one.Threshold, one.TestAccuracy)

	ctl, _ := observer.Fit(f, t, observer.Options{Control: observer.Control{Kind: observer.Task, Seed: 1}})
	fmt.Printf("control task %s: selectivity %.2f\n", ctl.Control.Property, ctl.Control.Selectivity)
	// Output:
	// {0,2} linear: test accuracy 1.00, AUC 1.00, converged true
	// largest weight on neuron 1: true
	// single neuron L1/n1, direction +1, threshold 0.75: test accuracy 1.00
	// control task {1,2}: selectivity 0.49
}
