package textfmt

import "testing"

func TestInts(t *testing.T) {
	for _, c := range []struct {
		v    []int
		sep  string
		want string
	}{{nil, ",", ""}, {[]int{7}, ",", "7"}, {[]int{784, 128, -1, 10}, "-", "784-128--1-10"}, {[]int{3, 28, 28}, "×", "3×28×28"}} {
		if got := Ints(c.v, c.sep); got != c.want {
			t.Errorf("Ints(%v, %q) = %q, want %q", c.v, c.sep, got, c.want)
		}
	}
}
