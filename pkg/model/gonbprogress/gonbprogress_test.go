package gonbprogress

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/pkg/model"
)

// TestAutoProgressInNotebook checks the registration: with this package imported,
// model.AutoProgress draws through gonbui inside a notebook and not outside one.
func TestAutoProgressInNotebook(t *testing.T) {
	var ids, pages []string
	oldNB, oldUpdate := isNotebook, updateHTML
	defer func() { isNotebook, updateHTML = oldNB, oldUpdate }()
	updateHTML = func(id, page string) { ids, pages = append(ids, id), append(pages, page) }

	inNotebook := false
	isNotebook = func() bool { return inNotebook }
	model.AutoProgress()(model.ProgressUpdate{Epoch: 1, Epochs: 1, Step: 1, Steps: 2})
	if len(pages) != 0 {
		t.Fatalf("outside a notebook AutoProgress drew %q", pages)
	}

	inNotebook = true
	p := model.AutoProgress()
	p(model.ProgressUpdate{Epoch: 1, Epochs: 2, Step: 1, Steps: 2, Loss: 0.5, Accuracy: 0.25, SamplesPerSecond: 812})
	p(model.ProgressUpdate{Epoch: 1, Epochs: 2, Step: 2, Steps: 2, Loss: 0.4, Accuracy: 0.5, EpochDone: true})
	p(model.ProgressUpdate{Epoch: 2, Epochs: 2, Step: 1, Steps: 2, Loss: 0.3, Accuracy: 0.75})
	if len(pages) != 3 {
		t.Fatalf("%d redraws, want 3 (first step and epoch end always pass the throttle): %q", len(pages), pages)
	}
	if !strings.HasPrefix(ids[0], "denotation_train_") || ids[1] != ids[0] || ids[2] != ids[0] {
		t.Errorf("display ids %q: want one id for the whole run", ids)
	}
	if !strings.Contains(pages[0], "epoch 1/2") || !strings.Contains(pages[0], "1/2 · loss 0.5000 · acc 25.00% · 812 samples/s") {
		t.Errorf("first line %q", pages[0])
	}
	// The finished epoch's line stays above the current one.
	if strings.Count(pages[2], "<div") != 2 || !strings.Contains(pages[2], "acc 50.00%") || !strings.Contains(pages[2], "epoch 2/2") {
		t.Errorf("after an epoch: %q", pages[2])
	}

	// The registration is what makes AutoProgress draw.
	model.RegisterNotebookProgress(nil)
	defer model.RegisterNotebookProgress(notebookProgress)
	pages = nil
	model.AutoProgress()(model.ProgressUpdate{Epoch: 1, Epochs: 1, Step: 1, Steps: 1})
	if len(pages) != 0 {
		t.Errorf("with the registration removed AutoProgress still drew %q", pages)
	}
}

// TestFindingsRegisters checks that pkg/findings, which the notebooks import, imports this
// package, so that training started from a notebook shows its progress.
func TestFindingsRegisters(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	const mod = "github.com/denotation-go/denotation/"
	out, err := exec.Command(goTool, "list", "-deps", mod+"pkg/findings").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, out)
	}
	if !strings.Contains(string(out), mod+"pkg/model/gonbprogress\n") {
		t.Error("pkg/findings does not import pkg/model/gonbprogress: notebooks would train without a progress line")
	}
}
