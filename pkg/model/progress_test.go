package model

import (
	"bytes"
	"strings"
	"testing"
)

func TestTerminalProgress(t *testing.T) {
	var buf bytes.Buffer
	p := TerminalProgress(&buf)
	p(ProgressUpdate{Epoch: 1, Epochs: 2, Step: 1, Steps: 4, Samples: 10, Loss: 2.5, Accuracy: 0.1, SamplesPerSecond: 6900})
	p(ProgressUpdate{Epoch: 1, Epochs: 2, Step: 2, Steps: 4, Samples: 20, Loss: 2.0, Accuracy: 0.2, SamplesPerSecond: 7000}) // throttled
	p(ProgressUpdate{Epoch: 1, Epochs: 2, Step: 4, Steps: 4, Samples: 40, Loss: 1.5, Accuracy: 0.5, SamplesPerSecond: 7100, EpochDone: true})
	out := buf.String()
	for _, want := range []string{"\repoch 1/2 ", "1/4 loss 2.5000 acc 10.00% 6.9k samples/s", "4/4 loss 1.5000 acc 50.00% 7.1k samples/s", "████████████████████"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, "2/4") || !strings.HasSuffix(out, "s)\n") {
		t.Errorf("progress output %q: want the second update throttled and a newline at the end of the epoch", out)
	}
	// Training reports every step to the sink.
	var n, epochEnds int
	ds := synthetic(100, 10, 2, 3, 3, 1)
	_, err := TrainSplit(ds.Train, 2, small().WithEpochs(2), &TrainOptions{Progress: func(u ProgressUpdate) {
		n++
		if u.EpochDone {
			epochEnds++
		}
		if u.Done && (u.Epoch != 2 || u.Step != 4) {
			t.Errorf("Done at %+v", u)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n != 8 || epochEnds != 2 {
		t.Errorf("%d updates, %d epoch ends; want 8 and 2", n, epochEnds)
	}
	if AutoProgress() == nil {
		t.Error("AutoProgress returned nil")
	}
}

func TestRegisterNotebookProgress(t *testing.T) {
	defer RegisterNotebookProgress(nil)
	var got []ProgressUpdate
	inNotebook := true
	RegisterNotebookProgress(func() ProgressFunc {
		if !inNotebook {
			return nil
		}
		return func(u ProgressUpdate) { got = append(got, u) }
	})
	AutoProgress()(ProgressUpdate{Epoch: 3})
	if len(got) != 1 || got[0].Epoch != 3 {
		t.Errorf("in a notebook AutoProgress did not use the registered display: %v", got)
	}
	// Outside a notebook (and with stderr not a terminal under go test) nothing is drawn there.
	inNotebook = false
	AutoProgress()(ProgressUpdate{Epoch: 4})
	if len(got) != 1 {
		t.Errorf("outside a notebook AutoProgress used the notebook display: %v", got)
	}
}
