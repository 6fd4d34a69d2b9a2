package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oneLineErr checks that stderr is exactly one line.
func oneLineErr(t *testing.T, args []string, errs string) {
	t.Helper()
	if strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") {
		t.Errorf("%v: stderr is not one line: %q", args, errs)
	}
}

func TestScan(t *testing.T) {
	bundledDataFreshCache(t)
	out := trainCLI(t, "--dataset", "mnist", "--hidden", "32,16", "--epochs", "3", "--batch", "64", "--seed", "1", "--train-limit", "5000")
	csvPath := filepath.Join(t.TempDir(), "den.csv")
	code, stdout, errs := runCLI(t, "scan", "--model", out, "--tau", "0.8", "--limit", "1000", "--permutations", "20",
		"--seed", "3", "--csv", csvPath, "--json")
	if code != 0 {
		t.Fatalf("scan: exit %d: %s", code, errs)
	}
	var r scanReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.Samples != 1000 || r.Split != "test" || r.Tau != 0.8 || r.Neurons != 48 || r.Permutations != 20 || r.Null != "neuron" ||
		r.NumDenotations != len(r.Denotations) || len(r.Denotations) == 0 || r.Tested < r.NumDenotations {
		t.Fatalf("report %+v", r)
	}
	if r.DenotingPerLayer["1"]+r.DenotingPerLayer["2"] != r.Denoting {
		t.Errorf("denoting %d, per layer %v", r.Denoting, r.DenotingPerLayer)
	}
	// The JSON carries the fields the brief names, for every denotation.
	var raw struct {
		Denotations []map[string]any `json:"denotations"`
	}
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatal(err)
	}
	for _, d := range raw.Denotations {
		for _, k := range []string{"layer", "neuron", "labels", "label_proportion", "direction", "threshold", "balanced_accuracy",
			"min_class_fraction", "p_value", "q_value"} {
			if _, ok := d[k]; !ok {
				t.Fatalf("denotation %v lacks %q", d, k)
			}
		}
	}
	for _, d := range r.Denotations {
		if d.Direction != "high" || d.MinClassFraction < 0.8 || d.PValue == nil || d.QValue == nil || d.Labels.Len() == 0 || d.Labels.Len() > 9 ||
			d.LabelProportion != float64(d.Labels.Len())/10 {
			t.Errorf("denotation %+v", d)
		}
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != len(r.Denotations)+1 {
		t.Errorf("CSV: %d rows for %d denotations (%v)", len(rows), len(r.Denotations), err)
	}
	// One layer, smallest sets only, text output.
	code, stdout, errs = runCLI(t, "scan", "--model", out, "--tau", "0.8", "--limit", "1000", "--layer", "2", "--smallest", "--json")
	if code != 0 {
		t.Fatalf("scan --layer 2: exit %d: %s", code, errs)
	}
	var r2 scanReport
	if err := json.Unmarshal([]byte(stdout), &r2); err != nil {
		t.Fatal(err)
	}
	if r2.Neurons != 16 || r2.NumDenotations != r2.Denoting || r2.Denoting != r.DenotingPerLayer["2"] || r2.Permutations != 0 {
		t.Errorf("layer 2: %+v", r2)
	}
	for _, d := range r2.Denotations {
		if d.Layer != 2 || d.PValue != nil {
			t.Errorf("layer 2 denotation %+v", d)
		}
	}
	code, stdout, errs = runCLI(t, "scan", "--model", out, "--limit", "500")
	if code != 0 || !strings.Contains(stdout, "neurons denote") {
		t.Errorf("text output: exit %d %q %q", code, stdout, errs)
	}
	missing := filepath.Join(t.TempDir(), "nothing")
	// A validated scan: sets chosen on 2,000 training samples, kept when they hold on the test split.
	code, stdout, errs = runCLI(t, "scan", "--model", out, "--tau", "0.8", "--select", "2000", "--json")
	if code != 0 {
		t.Fatalf("scan --select: exit %d: %s", code, errs)
	}
	var v scanReport
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatal(err)
	}
	if v.SelectionSamples != 2000 || v.Split != "test" || v.Samples != 10000 || v.Selected == 0 || v.Denoting > v.Selected {
		t.Fatalf("validated scan: %+v", v)
	}
	for _, d := range v.Denotations {
		if d.LowerBound == nil || d.MinClassFraction < 0.8 {
			t.Fatalf("validated denotation %+v: no lower bound or below τ on the test split", d)
		}
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"scan"}, 2, "--model is required"},
		{[]string{"scan", "--model", out, "--tau", "0.4"}, 2, "--tau 0.4: want a value in (0.5, 1]"},
		{[]string{"scan", "--model", out, "--tau", "1.5"}, 2, "--tau 1.5"},
		{[]string{"scan", "--model", out, "--layer", "3"}, 2, `--layer "3": the model has hidden layers 1…2`},
		{[]string{"scan", "--model", out, "--layer", "x"}, 2, `--layer "x"`},
		{[]string{"scan", "--model", out, "--split", "val"}, 2, `--split "val"`},
		{[]string{"scan", "--model", out, "--permutations", "-1"}, 2, "--permutations -1"},
		{[]string{"scan", "--model", out, "--null", "global"}, 2, `--null "global"`},
		{[]string{"scan", "--model", out, "--select", "500", "--split", "train"}, 2, "--select chooses on the training split"},
		{[]string{"scan", "--model", out, "--select", "-2"}, 2, "--select -2"},
		{[]string{"scan", "--model", missing}, 1, missing}, // the error names the folder
	} {
		code, stdout, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
		oneLineErr(t, c.args, errs)
	}
}
