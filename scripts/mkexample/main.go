// Command mkexample writes notebooks/data/mnist-mlp-activations.npz, the example "activations
// recorded elsewhere" of notebook 07 and of the README: a small MLP (784-32-16-10, ReLU) trained
// here in Go on 10,000 MNIST training images, its hidden layers' activations on a stratified 2,000
// training and 2,000 test images, written as numpy.savez_compressed would (labels, layer_1,
// layer_2, class_names, split).
//
//	go run ./scripts/mkexample [-out notebooks/data/mnist-mlp-activations.npz]
//
// Nothing is downloaded: MNIST comes from the pinned Go module (datasets.Load).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/actfile"
	"github.com/denotation-go/denotation/pkg/actfile/actmodel"
	"github.com/denotation-go/denotation/pkg/model"
)

func main() {
	out := flag.String("out", filepath.Join("notebooks", "data", "mnist-mlp-activations.npz"), "output .npz file")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "mkexample:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	full, err := datasets.Load("mnist")
	if err != nil {
		return err
	}
	cfg := model.DefaultConfig().WithHidden(32, 16).WithEpochs(3).WithSeed(1)
	m, err := model.Train(full.Subset(10000, 0, 1), cfg, &model.TrainOptions{Progress: model.Silent})
	if err != nil {
		return err
	}
	train, err := m.Capture(full.Train.Subset(2000, 2), false)
	if err != nil {
		return err
	}
	test, err := m.Capture(full.Test.Subset(2000, 2), false)
	if err != nil {
		return err
	}
	f, err := actmodel.JoinSplits(train, test, full.ClassNames)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := actfile.WriteNPZ(&b, f, true); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return err
	}
	ev, err := m.Evaluate(full.Test)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %s, test accuracy %.4f on %d images; %d samples (2000 train, 2000 test), %d bytes\n",
		out, m.Architecture(), ev.Accuracy, full.Test.Len(), f.N, b.Len())
	return nil
}
