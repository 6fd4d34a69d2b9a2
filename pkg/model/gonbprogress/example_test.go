package gonbprogress_test

import (
	"fmt"

	"github.com/denotation-go/denotation/pkg/model"
	"github.com/denotation-go/denotation/pkg/model/gonbprogress"
)

func Example() {
	// The line drawn in a notebook in the middle of the second of five epochs.
	fmt.Println(gonbprogress.Line(model.ProgressUpdate{
		Epoch: 2, Epochs: 5, Step: 234, Steps: 469, Loss: 0.0912, Accuracy: 0.9721, SamplesPerSecond: 6900}))
	// Output:
	// <div style="font-family:monospace">epoch 2/5 <progress value="0.499" max="1" style="width:12em;vertical-align:middle"></progress> 234/469 · loss 0.0912 · acc 97.21% · 6.9k samples/s</div>
}
