package datasets_test

import (
	"fmt"

	"github.com/denotation-go/denotation/datasets"
)

func Example() {
	ds, err := datasets.Load("mnist")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(ds.Name, ds.Train.Len(), ds.Test.Len(), ds.Train.Rows, ds.Train.Cols)
	small := ds.Subset(1000, 200, 1)
	fmt.Println("subset:", small.Train.Len(), small.Test.Len(), "class 1 share:", small.Train.Histogram(10)[1])
	// Output:
	// mnist 60000 10000 28 28
	// subset: 1000 200 class 1 share: 112
}
