package gonbprogress

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/denotation-go/denotation/pkg/model"
	"github.com/janpfeifer/gonb/gonbui"
)

// The notebook side, replaceable by the tests.
var (
	isNotebook = func() bool { return gonbui.IsNotebook }
	updateHTML = gonbui.UpdateHTML
)

func init() { model.RegisterNotebookProgress(notebookProgress) }

// notebookProgress is what model.AutoProgress asks: Progress() in a notebook, nil outside.
func notebookProgress() model.ProgressFunc {
	if !isNotebook() {
		return nil
	}
	return Progress()
}

// Progress returns a model.ProgressFunc that shows a live progress line in a GoNB notebook
// (gonbui.UpdateHTML, at most 4 times a second), one line per epoch: the lines of the finished
// epochs stay, the current one is redrawn. Outside a notebook it does nothing.
func Progress() model.ProgressFunc {
	id := "denotation_train_" + gonbui.UniqueId()
	var done []string
	return model.Throttled(250*time.Millisecond, func(u model.ProgressUpdate) {
		if !isNotebook() {
			return
		}
		line := Line(u)
		if u.EpochDone {
			done = append(done, line)
			line = ""
		}
		updateHTML(id, strings.Join(done, "")+line)
	})
}

// Line is the HTML line Progress draws for an update: the epoch, a <progress> bar over the
// epoch's steps, the running loss and accuracy, and the throughput.
func Line(u model.ProgressUpdate) string {
	frac := 0.0
	if u.Steps > 0 {
		frac = float64(u.Step) / float64(u.Steps)
	}
	return fmt.Sprintf(`<div style="font-family:monospace">epoch %d/%d `+
		`<progress value="%.3f" max="1" style="width:12em;vertical-align:middle"></progress> %d/%d · `+
		`loss %.4f · acc %.2f%% · %s samples/s</div>`,
		u.Epoch, u.Epochs, frac, u.Step, u.Steps, u.Loss, 100*u.Accuracy, html.EscapeString(model.FormatRate(u.SamplesPerSecond)))
}
