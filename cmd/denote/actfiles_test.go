package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/actfile"
	"github.com/denotation-go/denotation/pkg/actfile/actmodel"
	"github.com/denotation-go/denotation/pkg/findings"
	"github.com/denotation-go/denotation/pkg/model"
)

// cliJSON runs denote with --json and decodes its output into v, failing the test on a non-zero exit.
func cliJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	code, stdout, errs := runCLI(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("denote %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	if err := json.Unmarshal([]byte(stdout), v); err != nil {
		t.Fatalf("denote %s: %v", strings.Join(args, " "), err)
	}
}

// joinSplits writes one file holding the training and the test file's samples with a split array.
func joinSplits(t *testing.T, train, test, out string) {
	t.Helper()
	tr, err := actfile.Open(train)
	if err != nil {
		t.Fatal(err)
	}
	te, err := actfile.Open(test)
	if err != nil {
		t.Fatal(err)
	}
	f := &actfile.File{Set: actfile.Set{N: tr.N + te.N, Labels: append(slices.Clone(tr.Labels), te.Labels...)}}
	for i := range tr.Layers {
		l := tr.Layers[i]
		l.Post = append(slices.Clone(l.Post), te.Layers[i].Post...)
		l.Pre = append(slices.Clone(l.Pre), te.Layers[i].Pre...)
		f.Layers = append(f.Layers, l)
	}
	for i := range f.N {
		f.Split = append(f.Split, map[bool]string{true: "train", false: "test"}[i < tr.N])
	}
	var b bytes.Buffer
	if err := actfile.WriteNPZ(&b, f, true); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestScanObserveFromActivations: `denote activations` → `denote scan/observe --activations` gives
// exactly what `denote scan/observe --model` gives on the same split and subset.
func TestScanObserveFromActivations(t *testing.T) {
	t.Setenv("DENOTATION_CACHE", t.TempDir())
	data := miniMNIST(t)
	m := trainCLI(t, "--data-dir", data, "--hidden", "16,8", "--epochs", "1", "--batch", "64", "--seed", "2")
	dir := t.TempDir()
	tr, te, both := filepath.Join(dir, "train.npz"), filepath.Join(dir, "test.npz"), filepath.Join(dir, "both.npz")
	for split, out := range map[string]string{"train": tr, "test": te} {
		if code, _, errs := runCLI(t, "activations", "--model", m, "--data-dir", data, "--split", split, "--out", out); code != 0 {
			t.Fatalf("activations --split %s: exit %d: %s", split, code, errs)
		}
	}
	joinSplits(t, tr, te, both)

	for _, extra := range [][]string{
		{"--tau", "0.6"},
		{"--tau", "0.6", "--limit", "400", "--subset-seed", "5", "--permutations", "10", "--seed", "3"},
		{"--tau", "0.7", "--layer", "2", "--smallest"},
	} {
		var native, files, joined scanReport
		cliJSON(t, &native, append([]string{"scan", "--model", m, "--data-dir", data}, extra...)...)
		cliJSON(t, &files, append([]string{"scan", "--activations", te}, extra...)...)
		cliJSON(t, &joined, append([]string{"scan", "--activations", both, "--split", "test"}, extra...)...)
		if len(native.Denotations) == 0 {
			t.Fatalf("scan %v: no denotation to compare", extra)
		}
		for _, got := range []scanReport{files, joined} {
			if !reflect.DeepEqual(got.Denotations, native.Denotations) || got.Samples != native.Samples || got.Neurons != native.Neurons ||
				got.Constant != native.Constant || got.Tested != native.Tested || got.SubsetSeed != native.SubsetSeed ||
				!reflect.DeepEqual(got.DenotingPerLayer, native.DenotingPerLayer) {
				t.Errorf("scan %v: from %s: %d denotations on %d samples; from the model %d on %d", extra, got.Model,
					len(got.Denotations), got.Samples, len(native.Denotations), native.Samples)
			}
		}
		if files.Model != te || files.Split != "file" || files.Dataset != "external" || files.Architecture != "hidden 16-8 (from "+te+")" {
			t.Errorf("scan --activations describes the network as %q %q %q %q", files.Model, files.Split, files.Dataset, files.Architecture)
		}
	}
	// The training split, from the joined file.
	var native, joined scanReport
	cliJSON(t, &native, "scan", "--model", m, "--data-dir", data, "--split", "train", "--tau", "0.6", "--limit", "500")
	cliJSON(t, &joined, "scan", "--activations", both, "--split", "train", "--tau", "0.6", "--limit", "500")
	if !reflect.DeepEqual(joined.Denotations, native.Denotations) || len(native.Denotations) == 0 {
		t.Errorf("scan --split train: %d denotations from the file, %d from the model", len(joined.Denotations), len(native.Denotations))
	}
	// Text output.
	code, stdout, errs := runCLI(t, "scan", "--activations", te, "--tau", "0.6")
	if code != 0 || !strings.Contains(stdout, "hidden 16-8 (from "+te+") on external, file split (1000 samples)") {
		t.Errorf("scan text: exit %d\n%s%s", code, stdout, errs)
	}

	for _, extra := range [][]string{
		{"--property", "even;0,1;splits", "--layer", "each"},
		{"--property", "even", "--observer", "neuron", "--train-limit", "700", "--test-limit", "300", "--subset-seed", "4"},
		{"--property", "loops", "--observer", "mlp", "--hidden", "8", "--epochs", "2", "--pre", "--control", "shuffled"},
	} {
		var native, files, joined observeReport
		cliJSON(t, &native, append([]string{"observe", "--model", m, "--data-dir", data}, extra...)...)
		cliJSON(t, &files, append([]string{"observe", "--train-activations", tr, "--test-activations", te, "--dataset", "mnist"}, extra...)...)
		cliJSON(t, &joined, append([]string{"observe", "--activations", both, "--dataset", "mnist"}, extra...)...)
		for _, got := range []observeReport{files, joined} {
			if !reflect.DeepEqual(got.Results, native.Results) || got.TrainSamples != native.TrainSamples || got.TestSamples != native.TestSamples ||
				len(native.Results) == 0 {
				t.Errorf("observe %v from %s: %d results on %d/%d samples; from the model %d on %d/%d", extra, got.Model, len(got.Results),
					got.TrainSamples, got.TestSamples, len(native.Results), native.TrainSamples, native.TestSamples)
			}
		}
		if files.Dataset != "mnist" || files.Model != tr+" + "+te {
			t.Errorf("observe names %q, %q", files.Dataset, files.Model)
		}
	}
	// Without --dataset: the files' label numbers (no aliases).
	var plain observeReport
	cliJSON(t, &plain, "observe", "--activations", both, "--property", "0,2,4,6,8")
	if plain.Dataset != "external" || len(plain.Results) != 1 || plain.Results[0].Labels != "{0,2,4,6,8}" {
		t.Errorf("observe without --dataset: %+v", plain)
	}

	// Usage errors: one line, exit 2.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"scan"}, "--model is required (or activations files"},
		{[]string{"scan", "--model", m, "--activations", te}, "not both"},
		{[]string{"scan", "--activations", te, "--train-activations", tr}, "not both"},
		{[]string{"scan", "--activations", te + "," + tr}, "--activations: one file (2 given)"},
		{[]string{"scan", "--activations", te, "--activations", tr}, "--activations: one file (2 given)"},
		{[]string{"scan", "--activations", te, "--split", "train"}, "has no split array"},
		{[]string{"scan", "--activations", te, "--data-dir", data}, "--data-dir needs a model"},
		{[]string{"scan", "--activations", te, "--layer", "3"}, `--layer "3": the model has hidden layers 1…2`},
		{[]string{"scan", "--activations", te, "--dataset", "cifar"}, `--dataset "cifar"`},
		{[]string{"scan", "--model", m, "--dataset", "mnist"}, "--dataset goes with activations files"},
		{[]string{"scan", "--activations", ""}, "empty file name"},
		{[]string{"observe", "--activations", te, "--dataset", "mnist"}, "lacks one"},
		{[]string{"observe", "--activations", both}, "names no data set with aliases"},
		{[]string{"observe", "--activations", both, "--dataset", "mnist", "--property", "ink"}, "a pixel property needs the images"},
		{[]string{"observe", "--activations", both, "--dataset", "mnist", "--control", "untrained"}, "--control untrained needs the network's weights"},
		{[]string{"observe", "--activations", both, "--dataset", "fashion", "--property", "sneaker;0,9"}, ""},
	} {
		if c.want == "" {
			// Fashion-MNIST class names on a file of 10 classes: accepted.
			if code, _, errs := runCLI(t, c.args...); code != 0 {
				t.Errorf("%v: exit %d: %s", c.args, code, errs)
			}
			continue
		}
		expectError(t, c.args, 2, c.want)
	}
	// A file without pre-activations cannot answer --pre.
	noPre := filepath.Join(dir, "nopre.npz")
	f, err := actfile.Open(both)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Layers {
		f.Layers[i].Pre = nil
	}
	var b bytes.Buffer
	if err := actfile.WriteNPZ(&b, f, false); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(noPre, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	expectError(t, []string{"observe", "--activations", noPre, "--dataset", "mnist", "--pre"}, 1, "--pre: "+noPre+" has no preact_ℓ arrays")
}

// TestDepthFromActivations: the networks of `denote depth`, exported as activations files with a
// split array (the training samples their denotations are selected on, and the test samples they
// are judged on), give through `denote depth --activations` the same layer cells, bins and trends.
func TestDepthFromActivations(t *testing.T) {
	data := miniMNIST(t)
	t.Setenv("DENOTATION_DATA_DIR", data)
	cache := t.TempDir()
	t.Setenv("DENOTATION_CACHE", cache)
	stats := []string{"--tau", "0.7", "--bootstrap", "40", "--bootstrap-seed", "7", "--bins", "2"}
	var native struct {
		Report json.RawMessage `json:"report"`
	}
	cliJSON(t, &native, append([]string{"depth", "--depths", "1-2", "--width", "8", "--seeds", "2", "--epochs", "1", "--batch", "64",
		"--train-limit", "1000", "--test-limit", "300"}, stats...)...)

	// The same networks and controls, from the run cache, captured on the same test subset.
	s := findings.DefaultDepthSetup("mnist")
	s.Depths, s.Width, s.Seeds, s.Epochs = []int{1, 2}, 8, []uint64{1, 2}, 1
	s.Recipe = s.Recipe.WithBatchSize(64)
	full, err := datasets.LoadDir("mnist", data)
	if err != nil {
		t.Fatal(err)
	}
	sub := full.Subset(1000, 300, s.SubsetSeed)
	dir := t.TempDir()
	var trained, untrained []string
	for _, d := range s.Depths {
		for _, seed := range s.Seeds {
			cfg := s.ModelConfig(d, seed)
			m, cached, err := model.TrainCached(sub, cfg, &model.TrainOptions{Progress: model.Silent, CacheDir: cache})
			if err != nil || !cached {
				t.Fatalf("D%d s%d: cached %v, %v", d, seed, cached, err)
			}
			u, err := model.NewUntrained(cfg, sub.Train.Features(), sub.NumClasses())
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range []struct {
				m     *model.Model
				files *[]string
				name  string
			}{{m, &trained, "D" + strconv.Itoa(d) + "-s" + strconv.FormatUint(seed, 10)}, {u, &untrained, "D" + strconv.Itoa(d) + "-s" + strconv.FormatUint(seed, 10) + "-untrained"}} {
				p := filepath.Join(dir, x.name+".npz")
				writeSplitFile(t, p, x.m, sub.Train.Subset(s.Selection, s.SubsetSeed+1), sub.Test)
				*x.files = append(*x.files, p)
			}
		}
	}
	figs, csvPath := filepath.Join(dir, "figs"), filepath.Join(dir, "f4.csv")
	var files struct {
		Report   json.RawMessage `json:"report"`
		Networks []depthNetwork  `json:"networks"`
		Text     string          `json:"interpretation"`
	}
	// Trained networks as a list, controls as repeated flags.
	args := append([]string{"depth", "--activations", strings.Join(trained, ","), "--figures", figs, "--csv", csvPath}, stats...)
	for _, u := range untrained {
		args = append(args, "--untrained-activations", u)
	}
	cliJSON(t, &files, args...)
	type cells struct {
		NumClasses int               `json:"num_classes"`
		Tau        float64           `json:"tau"`
		Layers     []json.RawMessage `json:"layers"`
		Bins       []json.RawMessage `json:"bins"`
		Trends     []json.RawMessage `json:"trends"`
	}
	var a, b cells
	if err := json.Unmarshal(native.Report, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(files.Report, &b); err != nil {
		t.Fatal(err)
	}
	if len(a.Layers) != 6 || len(a.Trends) == 0 || !reflect.DeepEqual(a, b) {
		t.Errorf("depth report from the files differs from the native one:\n%s\n%s", native.Report, files.Report)
	}
	if len(files.Networks) != 8 || files.Networks[3].Name != "D2-s2" || files.Networks[3].Depth != 2 || !files.Networks[4].Untrained ||
		files.Networks[3].Neurons != 16 || files.Networks[3].Samples != 300 || !files.Networks[3].Validated || !strings.Contains(files.Text, "untrained controls") {
		t.Errorf("networks %+v\n%s", files.Networks, files.Text)
	}
	for _, name := range []string{"f4-counts.png", "f4-best.png"} { // the files path's own figure names
		if st, err := os.Stat(filepath.Join(figs, name)); err != nil || st.Size() == 0 {
			t.Errorf("figure %s: %v", name, err)
		}
	}
	if _, err := os.Stat(csvPath); err != nil {
		t.Error(err)
	}
	// Text output, a test subset of each file, no controls.
	code, stdout, errs := runCLI(t, "depth", "--activations", trained[0], "--activations", trained[2], "--test-limit", "200", "--tau", "0.7", "--bootstrap", "0")
	if code != 0 || !strings.Contains(stdout, "2 networks from activations files (2 trained, 0 untrained controls)") || strings.Count(stdout, "   200 samples") != 2 {
		t.Errorf("depth text: exit %d\n%s%s", code, stdout, errs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"depth", "--untrained-activations", trained[0]}, "goes with --activations"},
		{[]string{"depth", "--activations", trained[0], "--depths", "1-3"}, "--depths describes the networks depth trains"},
		{[]string{"depth", "--activations", trained[0], "--max-q", "0.1"}, "needs permutations"},
		{[]string{"depth", "--activations", trained[0], "--tau", "0.4"}, "--tau 0.4"},
	} {
		expectError(t, c.args, 2, c.want)
	}
}

// writeSplitFile writes m's activations on train and test as one activations file with a split
// array.
func writeSplitFile(t *testing.T, path string, m *model.Model, train, test *datasets.Split) {
	t.Helper()
	tr, err := m.Capture(train, false)
	if err != nil {
		t.Fatal(err)
	}
	te, err := m.Capture(test, false)
	if err != nil {
		t.Fatal(err)
	}
	f, err := actmodel.JoinSplits(tr, te, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := actfile.WriteNPZ(&b, f, false); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
