package actfile_test

import (
	"bytes"
	"fmt"

	"github.com/denotation-go/denotation/pkg/actfile"
)

func Example() {
	// A fixture written by NumPy itself (testdata/mkfixtures.py): np.savez_compressed with int32
	// labels, a float32 and a float64 layer, class names and a split.
	f, err := actfile.Open("testdata/numpy-savez-compressed.npz")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.N, "samples,", f.NumClasses, "classes", f.ClassNames, "widths", f.Widths())
	test, _ := f.Part(actfile.Test)
	fmt.Println("test labels", test.Labels, "layer_2 row 0:", test.Layers[1].Post[:3])

	// A damaged file is one line naming the file and the array.
	_, err = actfile.Open("testdata/bad-nan.npz")
	fmt.Println(err)

	// WriteNPZ writes what ReadNPZ (and numpy.load) read back exactly.
	var b bytes.Buffer
	_ = actfile.WriteNPZ(&b, f, false)
	g, _ := actfile.ReadNPZ(bytes.NewReader(b.Bytes()), int64(b.Len()), "copy.npz")
	fmt.Println(g.N, g.Split)
	// Output:
	// 7 samples, 3 classes [zero one two] widths [5 3]
	// test labels [1 2 0] layer_2 row 0: [1.6666666 1.25 1]
	// testdata/bad-nan.npz: layer_2: value NaN at [5, 1]: activations must be finite
	// 7 [train train train train test test test]
}
