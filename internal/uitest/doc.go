// Package uitest holds the UI test of the notebooks (uitest_test.go): it starts a Jupyter Notebook
// server with the GoNB kernel on a free loopback port, drives Debian's headless Chromium against it
// (through go-rod), runs notebook 03 through the page, works its neuron browser (layer select, neuron
// slider, Done), and opens every executed notebook to check that its figures render and no cell shows
// an error. Screenshots of what it saw are kept in a temporary folder whose paths it prints.
//
// It runs only with DENOTATION_UITEST=1 (make uitest, part of make test); plain `go test ./...` skips it.
// Environment: DENOTATION_CHROMIUM (the browser; default chromium on PATH), DENOTATION_UITEST_NOTEBOOKS
// (the executed notebooks to open; default notebooks/out, skipped when absent).
package uitest
