package findings

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
)

func TestFactorStudyQuick(t *testing.T) {
	bundledDataFreshCache(t)
	fs := DefaultFactorSetup("mnist", true)
	res, err := FactorStudy(fs, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	want := len(fs.Inits)*len(fs.Recipes)*len(fs.Seeds) + len(fs.Extra)
	if len(res.Cells) != want || len(res.Groups) != len(fs.Inits)*len(fs.Recipes)+len(fs.Extra) {
		t.Fatalf("%d cells (want %d), %d groups", len(res.Cells), want, len(res.Groups))
	}
	for _, c := range res.Cells {
		if c.Cached {
			t.Errorf("%s: cached in an empty cache", c.label())
		}
		if len(c.Emergence) != c.Recipe.Epochs+1 {
			t.Errorf("%s: emergence %v, want %d points", c.label(), c.Emergence, c.Recipe.Epochs+1)
		}
		if c.TestAccuracy < 0.2 { // chance is 0.1; quick torch-init networks learn slowly
			t.Errorf("%s: test accuracy %.3f", c.label(), c.TestAccuracy)
		}
		for _, tc := range c.Counts {
			sum := 0
			for _, n := range tc.PerLayer {
				sum += n
			}
			if tc.Denoting > tc.Selected || sum != tc.Denoting || len(tc.PerLayer) != fs.Depth {
				t.Errorf("%s τ=%g: %+v", c.label(), tc.Tau, tc)
			}
		}
		// the last epoch's emergence count is the cell's own count at the last τ
		if last := c.Counts[len(c.Counts)-1]; c.Emergence[len(c.Emergence)-1] != last.Denoting {
			t.Errorf("%s: emergence ends at %d, the validated count is %d", c.label(), c.Emergence[len(c.Emergence)-1], last.Denoting)
		}
	}
	// A lower τ can only keep more neurons on the selection split.
	for _, c := range res.Cells {
		if c.Counts[0].Selected < c.Counts[1].Selected {
			t.Errorf("%s: %d selected at τ=%g but %d at τ=%g", c.label(), c.Counts[0].Selected, c.Counts[0].Tau, c.Counts[1].Selected, c.Counts[1].Tau)
		}
	}
	if res.Counts == nil || !strings.Contains(res.Markdown(), "| torch |") || res.Text == "" {
		t.Fatalf("figure %v, table %q, text %q", res.Counts, res.Markdown(), res.Text)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatal(err)
	}
	// A second run reads every model from the cache and gives the same numbers.
	again, err := FactorStudy(fs, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(res)
	b, _ := json.Marshal(again)
	if string(a) != string(b) || again.TrainSeconds != 0 {
		t.Fatalf("second run differs or trained again (%.1f s)", again.TrainSeconds)
	}
}

func TestFactorEffects(t *testing.T) {
	fs := DefaultFactorSetup("mnist", false)
	groups := []FactorGroup{
		{Init: "he", Recipe: "cos3", Width: 128, Denoting: []float64{4, 2}, Accuracy: 0.98, Proportion: 0.1},
		{Init: "torch", Recipe: "cos3", Width: 128, Denoting: []float64{20, 8}, Accuracy: 0.98, Proportion: 0.3},
		{Init: "he", Recipe: "const6", Width: 128, Denoting: []float64{6, 3}, Accuracy: 0.97, Proportion: denotation.NaN},
		{Init: "torch", Recipe: "const6", Width: 128, Denoting: []float64{40, 30}, Accuracy: 0.97, Proportion: 0.4},
	}
	es := factorEffects(fs, groups)
	r := &FactorResult{Effects: es}
	e, ok := r.Strongest()
	if !ok || e.Factor != "init" || e.A != "torch" || e.B != "he" || e.DenotingA != 30 || e.DenotingB != 3 || float64(e.Ratio) != 10 {
		t.Fatalf("strongest effect %+v among %+v", e, es)
	}
}
