// Package textfmt holds the small text formats several packages share. It imports only the
// standard library.
package textfmt

import (
	"strconv"
	"strings"
)

// Ints writes v in decimal, joined by sep: Ints([]int{128, 64}, "-") is "128-64".
func Ints(v []int, sep string) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, sep)
}
