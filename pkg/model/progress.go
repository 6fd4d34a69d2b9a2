package model

import (
	"fmt"
	"html"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
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

// AutoProgress returns NotebookProgress() when running inside a GoNB notebook, TerminalProgress(os.Stderr)
// when stderr is a terminal, and Silent otherwise.
func AutoProgress() ProgressFunc {
	if gonbui.IsNotebook {
		return NotebookProgress()
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

// throttle returns true at most every d, and always for updates that end an epoch.
type throttle struct {
	mu   sync.Mutex
	last time.Time
	d    time.Duration
}

func (t *throttle) ok(u ProgressUpdate) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	if u.EpochDone || u.Step == 1 || now.Sub(t.last) >= t.d {
		t.last = now
		return true
	}
	return false
}

// bar draws a text progress bar of the given width for fraction x ∈ [0,1].
func bar(x float64, width int) string {
	n := int(x*float64(width) + 0.5)
	n = max(0, min(width, n))
	return strings.Repeat("█", n) + strings.Repeat("░", width-n)
}

// formatRate prints a throughput as "6.9k".
func formatRate(r float64) string {
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
	th := &throttle{d: 100 * time.Millisecond}
	return func(u ProgressUpdate) {
		if !th.ok(u) {
			return
		}
		line := fmt.Sprintf("\repoch %d/%d %s %d/%d loss %.4f acc %.2f%% %s samples/s",
			u.Epoch, u.Epochs, bar(float64(u.Step)/float64(u.Steps), 20), u.Step, u.Steps,
			u.Loss, 100*u.Accuracy, formatRate(u.SamplesPerSecond))
		if u.EpochDone {
			line += fmt.Sprintf(" (%.1fs)\n", u.Elapsed.Seconds())
		} else {
			line += "\033[K"
		}
		_, _ = io.WriteString(w, line)
	}
}

// NotebookProgress returns a ProgressFunc that shows a live progress line in a GoNB notebook
// (gonbui.UpdateHTML, at most 4 times a second), one line per epoch. Outside a notebook it does nothing.
func NotebookProgress() ProgressFunc {
	th := &throttle{d: 250 * time.Millisecond}
	id := "denotation_train_" + gonbui.UniqueId()
	var done []string
	return func(u ProgressUpdate) {
		if !gonbui.IsNotebook || !th.ok(u) {
			return
		}
		frac := float64(u.Step) / float64(u.Steps)
		line := fmt.Sprintf(`<div style="font-family:monospace">epoch %d/%d `+
			`<progress value="%.3f" max="1" style="width:12em;vertical-align:middle"></progress> %d/%d · `+
			`loss %.4f · acc %.2f%% · %s samples/s</div>`,
			u.Epoch, u.Epochs, frac, u.Step, u.Steps, u.Loss, 100*u.Accuracy, html.EscapeString(formatRate(u.SamplesPerSecond)))
		if u.EpochDone {
			done = append(done, line)
			line = ""
		}
		gonbui.UpdateHTML(id, strings.Join(done, "")+line)
	}
}
