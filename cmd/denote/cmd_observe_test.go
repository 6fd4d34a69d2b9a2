package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestObserve(t *testing.T) {
	bundledDataFreshCache(t)
	out := trainCLI(t, "--dataset", "mnist", "--hidden", "24,16", "--epochs", "2", "--batch", "64", "--seed", "3", "--train-limit", "1000")
	code, stdout, errs := runCLI(t, "observe", "--model", out, "--property", "even;loops;ink;{0,1}", "--layer", "each",
		"--control", "task", "--train-limit", "2000", "--test-limit", "1000", "--json", "--weights")
	if code != 0 {
		t.Fatalf("observe: exit %d: %s", code, errs)
	}
	var r observeReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.TrainSamples != 2000 || r.TestSamples != 1000 || len(r.Results) != 8 || r.Properties != 4 || r.Observer != "linear" {
		t.Fatalf("report %+v", r)
	}
	for _, row := range r.Results {
		if row.TestAccuracy < 0.6 || row.AUC < 0.6 || row.Control == nil || row.Selectivity == nil || len(row.Weights) != 1 {
			t.Errorf("row %+v", row)
		}
		if row.Property == "even" && (row.Labels != "{0,2,4,6,8}" || row.LabelProportion != 0.5) {
			t.Errorf("even: %+v", row)
		}
		if row.Property == "ink>median" && row.Labels != "" {
			t.Errorf("ink: %+v", row)
		}
	}
	if r.Results[0].Layer != "1" || r.Results[4].Layer != "2" || len(r.Results[4].Weights[0]) != 16 {
		t.Errorf("layers %q %q", r.Results[0].Layer, r.Results[4].Layer)
	}
	code, stdout, errs = runCLI(t, "observe", "--model", out, "--property", "lt5", "--observer", "neuron", "--layer", "2",
		"--control", "untrained", "--train-limit", "1000", "--test-limit", "500")
	if code != 0 || !strings.Contains(stdout, "neuron L2/n") || !strings.Contains(stdout, "selectivity") {
		t.Fatalf("neuron observer: exit %d: %s %s", code, stdout, errs)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"observe"}, 2, "--model is required"},
		{[]string{"observe", "--model", out, "--property", "footwear"}, 2, `"footwear"`},
		{[]string{"observe", "--model", out, "--property", "0-9"}, 2, "all 10 classes"},
		{[]string{"observe", "--model", out, "--layer", "3"}, 2, `--layer "3"`},
		{[]string{"observe", "--model", out, "--observer", "svm"}, 2, `unknown observer "svm"`},
		{[]string{"observe", "--model", out, "--control", "placebo"}, 2, `unknown control "placebo"`},
		{[]string{"observe", "--model", t.TempDir()}, 1, "model.bin is missing"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
}
