package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDepth(t *testing.T) {
	bundledDataFreshCache(t)
	dir := t.TempDir()
	csvPath, figs := filepath.Join(dir, "f4.csv"), filepath.Join(dir, "figs")
	args := []string{"depth", "--dataset", "mnist", "--depths", "1-2", "--width", "16", "--seeds", "2", "--epochs", "2", "--batch", "64",
		"--train-limit", "3000", "--test-limit", "500", "--tau", "0.8", "--bootstrap", "50", "--csv", csvPath, "--figures", figs, "--json"}
	code, stdout, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("depth: exit %d: %s", code, errs)
	}
	var r struct {
		Setup struct {
			Depths []int    `json:"depths"`
			Seeds  []uint64 `json:"seeds"`
			Tau    float64  `json:"tau"`
		} `json:"setup"`
		Models []struct {
			Name      string `json:"name"`
			Untrained bool   `json:"untrained"`
			Neurons   int    `json:"neurons"`
		} `json:"models"`
		Report struct {
			Layers []json.RawMessage `json:"layers"`
			Bins   []json.RawMessage `json:"bins"`
			Trends []json.RawMessage `json:"trends"`
		} `json:"report"`
		Interpretation string   `json:"interpretation"`
		WallSeconds    float64  `json:"wall_seconds"`
		Cached         []string `json:"cached"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Setup.Depths, []int{1, 2}) || !slices.Equal(r.Setup.Seeds, []uint64{1, 2}) || r.Setup.Tau != 0.8 ||
		len(r.Models) != 8 || r.Models[3].Name != "D2-s2" || !r.Models[4].Untrained || r.Models[3].Neurons != 32 {
		t.Fatalf("report %+v", r)
	}
	// Layer cells: 3 trained + 3 untrained.
	if len(r.Report.Layers) != 6 || len(r.Report.Trends) == 0 || !strings.Contains(r.Interpretation, "untrained control") ||
		r.WallSeconds <= 0 || len(r.Cached) != 0 {
		t.Errorf("report: %d layer cells, %d trends, interpretation %q, %.1fs, cached %v", len(r.Report.Layers), len(r.Report.Trends),
			r.Interpretation, r.WallSeconds, r.Cached)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 1+len(r.Report.Layers)+len(r.Report.Bins) {
		t.Errorf("CSV: %d rows for %d+%d cells (%v)", len(rows), len(r.Report.Layers), len(r.Report.Bins), err)
	}
	if st, err := os.Stat(filepath.Join(figs, "f4-denoting-per-network-by-layer.png")); err != nil || st.Size() == 0 {
		t.Errorf("counts figure: %v", err)
	}
	// Again, as text: every trained model from the run cache.
	code, stdout, errs = runCLI(t, args[:len(args)-5]...)
	if code != 0 || strings.Count(stdout, "(cached)") != 4 || !strings.Contains(stdout, "Spearman") {
		t.Errorf("text output: exit %d\n%s\n%s", code, stdout, errs)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"depth", "--depths", "3-1"}, `--depths "3-1"`},
		{[]string{"depth", "--depths", "0-2"}, `--depths "0-2"`},
		{[]string{"depth", "--depths", "1-40"}, `--depths "1-40"`},
		{[]string{"depth", "--depths", "a-b"}, `--depths "a-b"`},
		{[]string{"depth", "--depths", "2,2"}, "listed twice"},
		{[]string{"depth", "--seeds", "0"}, `--seeds "0"`},
		{[]string{"depth", "--seeds", "1,x"}, `"x" is not a seed`},
		{[]string{"depth", "--tau", "0.2"}, "--tau 0.2: want a value in (0.5, 1]"},
		{[]string{"depth", "--width", "0"}, "width 0"},
		{[]string{"depth", "--init", "lecun"}, "unknown initialisation"},
		{[]string{"depth", "--dataset", "cifar"}, "cifar"},
	} {
		code, stdout, errs := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errs, c.want)
		}
		oneLineErr(t, c.args, errs)
	}
}
