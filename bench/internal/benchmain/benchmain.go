// Package benchmain holds what the benchmark commands under bench/ share: running their main
// function and profiling it.
package benchmain

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// Run runs a command's run function; when it fails, Run prints "name: error" on stderr and exits
// with status 1.
func Run(name string, run func() error) {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// CPUProfile starts writing a CPU profile to path (nothing when path is "") and returns the
// function that stops it and closes the file.
func CPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
