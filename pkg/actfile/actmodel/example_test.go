package actmodel_test

import (
	"fmt"

	"github.com/denotation-go/denotation/pkg/actfile/actmodel"
	"github.com/denotation-go/denotation/pkg/denotation"
)

func Example() {
	// A file written by NumPy (see ../testdata/mkfixtures.py): 7 samples of 3 classes, two
	// layers, a split array.
	n, err := actmodel.Load("../testdata/numpy-savez-compressed.npz", "", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n.Architecture(), n.NumClasses, "classes", n.Train.N, "train", n.Test.N, "test")
	acts := actmodel.Activations(n.Test, n.NumClasses)
	res, err := denotation.Scan(acts, denotation.Options{Tau: 0.95})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Depth, "layers scanned,", res.NumSamples, "samples")
	// Output:
	// hidden 5-3 (from ../testdata/numpy-savez-compressed.npz) 3 classes 4 train 3 test
	// 2 layers scanned, 3 samples
}
