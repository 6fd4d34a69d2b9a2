// Command denote trains object models, records their neurons' state, fits observers, scans
// for denoting neurons and reproduces the findings of "Neural Networks and Denotation".
//
// Usage:
//
//	denote <command> [flags]
//
// Run `denote help` for the list of commands. Every command takes --json for machine-readable
// output. Errors are reported as one line on stderr with a non-zero exit status: 2 for bad flags,
// 130 (143) when SIGINT (SIGTERM) interrupted the command, 1 otherwise. An interrupted `denote
// train` or `denote reproduce` keeps every completed training epoch in the run cache; running
// the same command again resumes from it.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/model"
)

// command is one subcommand of denote.
type command struct {
	name    string
	summary string
	// run parses args (everything after the command name) and executes the command,
	// writing its results to stdout.
	run func(args []string, stdout io.Writer) error
}

var commands = map[string]command{}

// register adds a subcommand; called from init functions of the cmd_*.go files.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("denote: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// usageError marks an error caused by bad flags or arguments (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usageErrorf returns a usage error.
func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// exitError is an error with its own exit status (130 for a command interrupted by SIGINT).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// newFlagSet returns a FlagSet that reports errors as values instead of exiting.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("denote "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args with fs and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stdout)
			fs.PrintDefaults()
			return flag.ErrHelp
		}
		return usageErrorf("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// loadModel loads the model saved in dir (--model); when there is none, the error says where
// models come from.
func loadModel(dir string) (*model.Model, error) {
	m, err := model.Load(dir)
	if err != nil {
		if _, serr := os.Stat(filepath.Join(dir, model.ModelFile)); errors.Is(serr, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w; --model takes the folder that `denote train` prints (model: …) or saves with --out", err)
		}
		return nil, err
	}
	return m, nil
}

// loadModelData loads the model saved in dir and the data set it was trained on (from dataDir when
// given), and checks that they fit each other.
func loadModelData(dir, dataDir string) (*model.Model, *datasets.Dataset, error) {
	m, err := loadModel(dir)
	if err != nil {
		return nil, nil, err
	}
	if m.Info.Dataset == "" {
		return nil, nil, fmt.Errorf("model in %s does not record the data set it was trained on", dir)
	}
	ds, err := loadDataset(m.Info.Dataset, dataDir)
	if err != nil {
		return nil, nil, err
	}
	if ds.Train.Features() != m.NumFeatures || ds.NumClasses() != m.NumClasses {
		return nil, nil, fmt.Errorf("model in %s takes %d features and %d classes; %s has %d and %d", dir, m.NumFeatures, m.NumClasses, ds.Name, ds.Train.Features(), ds.NumClasses())
	}
	return m, ds, nil
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "denote: what the neurons of a trained network mean (Allen 2021, arXiv 2103.08315)")
	fmt.Fprintln(w, "\nUsage: denote <command> [flags]   (denote <command> -h for its flags)\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
}

// diag receives warnings of a command that succeeds (run points it at its stderr).
var diag io.Writer = os.Stderr

// run executes denote with the given arguments and returns the process exit status.
func run(args []string, stdout, stderr io.Writer) int {
	diag = stderr
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "denote: unknown command %q (run `denote help` for the list)\n", args[0])
		return 2
	}
	err := c.run(args[1:], stdout)
	var ue *usageError
	var ee *exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		fmt.Fprintf(stderr, "denote %s: %s\n", c.name, oneLine(err.Error()))
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "denote %s: %s\n", c.name, oneLine(err.Error()))
		return 2
	default:
		fmt.Fprintf(stderr, "denote %s: %s\n", c.name, oneLine(err.Error()))
		return 1
	}
}

// oneLine folds a multi-line message into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// EnvCPUProfile names a file that receives a CPU profile of the whole command (go tool pprof).
const EnvCPUProfile = "DENOTATION_CPUPROFILE"

func main() {
	if path := os.Getenv(EnvCPUProfile); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "denote: $%s: %v\n", EnvCPUProfile, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "denote: $%s: %v\n", EnvCPUProfile, err)
			os.Exit(1)
		}
		code := run(os.Args[1:], os.Stdout, os.Stderr)
		pprof.StopCPUProfile()
		f.Close()
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
