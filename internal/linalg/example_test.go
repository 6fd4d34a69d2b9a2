package linalg_test

import (
	"fmt"

	"github.com/denotation-go/denotation/internal/linalg"
)

// C = A·B for a 2×3 A and a 3×2 B, row-major, whatever kernel path the CPU runs.
func Example() {
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 0, 1, 1, 1}
	c := make([]float32, 4)
	linalg.Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2, 1)
	fmt.Println(c, linalg.Dot([]float32{1, 2, 3}, []float32{4, 5, 6}))
	// Output: [4 5 10 11] 32
}
