package model

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// ProgressUpdate reports the state of training after one optimiser step.
type ProgressUpdate struct {
	Epoch, Epochs    int           // current epoch (1-based) and the epoch training stops after
	Step, Steps      int           // step within the epoch (1-based) and steps per epoch
	Samples          int           // samples seen so far in this epoch
	Loss             float64       // running mean training loss of this epoch
	Accuracy         float64       // running training accuracy of this epoch
	SamplesPerSecond float64       // training throughput of this epoch so far
	Elapsed          time.Duration // since this call to Fit started
	EpochDone        bool          // the step ended an epoch
	Done             bool          // the step ended training
}

// ProgressFunc receives training progress; it is called after every optimiser step, so it should
// return quickly (the sinks in this package redraw at most a few times a second).
type ProgressFunc func(ProgressUpdate)

// Silent is a ProgressFunc that shows nothing.
func Silent(ProgressUpdate) {}

var (
	notebookMu   sync.Mutex
	notebookSink func() ProgressFunc
)

// RegisterNotebookProgress sets the function AutoProgress asks first for a notebook's progress
// display: f returns the ProgressFunc to use when running inside a notebook, and nil otherwise.
// Package pkg/model/gonbprogress registers GoNB's display in its init, so a program or notebook
// that imports it (pkg/findings does) gets a live progress line in GoNB; this package itself does
// not depend on GoNB. A later call replaces the earlier function; nil removes it.
func RegisterNotebookProgress(f func() ProgressFunc) {
	notebookMu.Lock()
	defer notebookMu.Unlock()
	notebookSink = f
}

// AutoProgress returns the registered notebook display (see RegisterNotebookProgress) when running
// inside a notebook, TerminalProgress(os.Stderr) when stderr is a terminal, and Silent otherwise.
func AutoProgress() ProgressFunc {
	notebookMu.Lock()
	f := notebookSink
	notebookMu.Unlock()
	if f != nil {
		if p := f(); p != nil {
			return p
		}
	}
	if isTerminal(os.Stderr) {
		return TerminalProgress(os.Stderr)
	}
	return Silent
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Throttled returns a ProgressFunc that passes an update on to f at most once every d, except
// that the first step of an epoch and the updates that end an epoch always pass: displays redraw
// a few times a second however fast training steps are.
func Throttled(d time.Duration, f ProgressFunc) ProgressFunc {
	var (
		mu   sync.Mutex
		last time.Time
	)
	return func(u ProgressUpdate) {
		mu.Lock()
		now := time.Now()
		ok := u.EpochDone || u.Step == 1 || now.Sub(last) >= d
		if ok {
			last = now
		}
		mu.Unlock()
		if ok {
			f(u)
		}
	}
}

// bar draws a text progress bar of the given width for fraction x ∈ [0,1].
func bar(x float64, width int) string {
	n := int(x*float64(width) + 0.5)
	n = max(0, min(width, n))
	return strings.Repeat("█", n) + strings.Repeat("░", width-n)
}

// FormatRate prints a throughput as "6.9k" (thousands with one decimal) or "812".
func FormatRate(r float64) string {
	if r >= 1000 {
		return fmt.Sprintf("%.1fk", r/1000)
	}
	return fmt.Sprintf("%.0f", r)
}

// TerminalProgress returns a ProgressFunc that redraws one line on w with "\r" (at most 10 times a
// second) and ends each epoch's line with a newline:
//
//	epoch 2/5 ██████████░░░░░░░░░░ 234/469 loss 0.0912 acc 97.21% 6.9k samples/s
func TerminalProgress(w io.Writer) ProgressFunc {
	return Throttled(100*time.Millisecond, func(u ProgressUpdate) {
		line := fmt.Sprintf("\repoch %d/%d %s %d/%d loss %.4f acc %.2f%% %s samples/s",
			u.Epoch, u.Epochs, bar(float64(u.Step)/float64(u.Steps), 20), u.Step, u.Steps,
			u.Loss, 100*u.Accuracy, FormatRate(u.SamplesPerSecond))
		if u.EpochDone {
			line += fmt.Sprintf(" (%.1fs)\n", u.Elapsed.Seconds())
		} else {
			line += "\033[K"
		}
		_, _ = io.WriteString(w, line)
	})
}
