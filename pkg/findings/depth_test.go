package findings

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/pkg/denotation"
	"github.com/denotation-go/denotation/pkg/model"
)

// smallDepthSetup: depths 1 and 2, width 16, two seeds, 2 epochs on 3,000 samples, scanned on
// 600 test samples at τ = 0.8.
func smallDepthSetup() DepthSetup {
	s := DefaultDepthSetupFor("mnist", false)
	s.Depths, s.Width, s.Seeds, s.Epochs = []int{1, 2}, 16, []uint64{1, 2}, 2
	s.Recipe = s.Recipe.WithBatchSize(64)
	s.TrainLimit, s.Selection, s.TestSamples, s.Tau, s.Bootstrap, s.RelativeBins = 3000, 2000, 600, 0.8, 100, 2
	return s
}

func TestLabelProportionVsDepth(t *testing.T) {
	bundledDataFreshCache(t)
	ds := smallDepthSetup()
	res, err := LabelProportionVsDepth(ds, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Models) != 8 || len(res.Runs) != 8 || len(res.Report.Runs) != 8 || res.TestSamples != 600 || res.TrainSamples != 3000 {
		t.Fatalf("%d models, %d runs, %d/%d samples", len(res.Models), len(res.Runs), res.TrainSamples, res.TestSamples)
	}
	wantNames := []string{"D1-s1", "D1-s2", "D2-s1", "D2-s2", "D1-s1-untrained", "D1-s2-untrained", "D2-s1-untrained", "D2-s2-untrained"}
	for i, m := range res.Models {
		if m.Name != wantNames[i] || m.Untrained != (i >= 4) || m.Neurons != 16*m.Depth || res.Report.Runs[i].Denoting != m.Denoting ||
			res.Runs[i].Result.NumDenoting() != m.Denoting || m.Cached {
			t.Errorf("model %d: %+v (report %+v)", i, m, res.Report.Runs[i])
		}
		if m.Untrained && m.TestAccuracy > 0.3 || !m.Untrained && m.TestAccuracy < 0.6 {
			t.Errorf("model %s: test accuracy %.3f", m.Name, m.TestAccuracy)
		}
	}
	h := res.Headline
	if h.Denoting == 0 || h.UntrainedDenoting >= h.Denoting || h.Neurons != 2*16+2*32 || h.TrainedRuns != 4 || h.UntrainedRuns != 4 {
		t.Fatalf("headline %+v", h)
	}
	// Recompute the first- and last-layer means straight from the scans (not from the report).
	var first, last []float64
	for i, r := range res.Runs {
		if res.Models[i].Untrained || r.Result.Depth < 2 {
			continue
		}
		for li := range r.Result.Layers {
			for ni := range r.Result.Layers[li].Neurons {
				if p, ok := r.Result.Layers[li].Neurons[ni].SmallestDenotation(); ok {
					if li == 0 {
						first = append(first, p.LabelProportion)
					}
					if li == r.Result.Depth-1 {
						last = append(last, p.LabelProportion)
					}
				}
			}
		}
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	if h.FirstLayerN != len(first) || h.LastLayerN != len(last) || h.MinDepthCompared != 2 {
		t.Errorf("first/last layer counts %d/%d, scans %d/%d", h.FirstLayerN, h.LastLayerN, len(first), len(last))
	}
	for _, c := range []struct {
		got  float64
		want []float64
	}{{float64(h.FirstLayerMean), first}, {float64(h.LastLayerMean), last}} {
		if len(c.want) > 0 && math.Abs(c.got-mean(c.want)) > 1e-12 {
			t.Errorf("layer mean %v, recomputed %v", c.got, mean(c.want))
		}
	}
	var tr = res.Report.Trends[0]
	if tr.Untrained || tr.Measure != "denoted" || h.Trend == nil || h.Trend.Spearman != tr.Spearman || h.Trend.SlopeCILow != tr.SlopeCILow {
		t.Errorf("trend %+v, headline %+v", tr, h.Trend)
	}
	// The interpretation's numbers are the headline's.
	text := res.Interpretation()
	t.Log(text)
	if text != res.Text+" "+res.RelativeText || !strings.Contains(res.RelativeText, fmt.Sprintf("%d trained networks", h.TrainedRuns)) {
		t.Errorf("Interpretation() is not the stored texts")
	}
	// The primary analysis: one summary per network, matching the models and their validated
	// scans; selection samples ≠ evaluation samples.
	nr := res.Networks
	if nr == nil || len(nr.Networks) != len(res.Models) {
		t.Fatalf("network report %+v", nr)
	}
	for i, m := range res.Models {
		ns := nr.Networks[i]
		v := res.Runs[i].Result.Validation
		if ns.Name != m.Name || ns.Denoting != m.Denoting || ns.Untrained != m.Untrained || v == nil ||
			v.SelectionSamples != res.SelectionSamples || res.Runs[i].Result.NumSamples != res.TestSamples || m.Denoting > m.Selected {
			t.Errorf("network %d: summary %+v, model %+v, validation %+v", i, ns, m, v)
		}
	}
	if res.SelectionSamples != ds.Selection || res.TestSamples != ds.TestSamples {
		t.Errorf("selection on %d, evaluation on %d samples", res.SelectionSamples, res.TestSamples)
	}
	if g := nr.Group(2); g == nil || !strings.Contains(res.Text, g.CountSlope.String()) || !strings.Contains(res.Text, g.Denoting.String()) {
		t.Errorf("the text does not state the depth-2 group's numbers")
	}
	for _, want := range []string{
		fmt.Sprintf("%d trained networks", h.TrainedRuns), fmt.Sprintf("have %d hidden neurons, of which %d", h.Neurons, h.Denoting),
		f3(h.MeanProportion), f3(h.Trend.Spearman), f3(h.Trend.Slope), f3(h.BestTrend.Spearman), f3(h.UntrainedBestTrend.Spearman),
		fmt.Sprintf("%d neurons", h.UntrainedNeurons), fmt.Sprintf("%.4f to %.4f", h.MinAccuracy, h.MaxAccuracy),
		layerPhrase("first", h.FirstLayerMean, h.FirstLayerN), layerPhrase("last", h.LastLayerMean, h.LastLayerN),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("interpretation lacks %q:\n%s", want, text)
		}
	}
	if res.Proportion == nil || res.Relative == nil || res.Counts == nil || res.BestProportion == nil {
		t.Fatalf("figures missing: notes %v", res.Notes)
	}
	if p := res.Counts.Panel("counts"); p == nil || len(p.Plotters) != 3 {
		t.Errorf("counts panel %+v", p)
	}
	roundTrip(t, res)

	// Again: every model comes from the run cache and the JSON is the same, byte for byte.
	again, err := LabelProportionVsDepth(ds, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(res)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Error("a second run gives other JSON")
	}
	for _, m := range again.Models {
		if !m.Untrained && !m.Cached {
			t.Errorf("%s not taken from the cache", m.Name)
		}
	}
	// The second run came from the results cache: its figures are redrawn, and recomputing
	// (DENOTATION_NO_CACHE=1, models still from the run cache) gives the same bytes.
	if again.LayerCounts == nil || again.Counts == nil || again.Text != res.Text {
		t.Error("a result read from the results cache lacks its figures or text")
	}
	t.Setenv(EnvNoCache, "1")
	fresh, err := LabelProportionVsDepth(ds, &PrepareOptions{Progress: model.Silent})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := json.Marshal(fresh); string(c) != string(a) {
		t.Error("a recomputed result differs from the cached one")
	}
}

// layerPhrase is what the interpretation says of the first or last hidden layer.
func layerPhrase(name string, mean denotation.Num, n int) string {
	if n == 0 {
		return "no neuron of the " + name + " hidden layer denotes"
	}
	return fmt.Sprintf("in the %s hidden layer it is %.3f (%d denoting neurons)", name, float64(mean), n)
}

func TestDepthSetupValidate(t *testing.T) {
	if err := DefaultDepthSetupFor("fashion", true).Validate(); err != nil {
		t.Fatal(err)
	}
	q := DefaultDepthSetupFor("mnist", true)
	if !q.Quick || q.Width != 32 || len(q.Depths) != 3 || q.Epochs != 2 || q.TrainLimit != 5000 || q.Recipe.BatchSize != 64 {
		t.Errorf("quick setup %+v", q)
	}
	for name, mod := range map[string]func(*DepthSetup){
		"tau":       func(s *DepthSetup) { s.Tau = 0.5 },
		"tau>1":     func(s *DepthSetup) { s.Tau = 1.01 },
		"depth 0":   func(s *DepthSetup) { s.Depths = []int{0, 1} },
		"depth 99":  func(s *DepthSetup) { s.Depths = []int{99} },
		"dup":       func(s *DepthSetup) { s.Depths = []int{2, 2} },
		"seeds":     func(s *DepthSetup) { s.Seeds = nil },
		"dupseed":   func(s *DepthSetup) { s.Seeds = []uint64{3, 3} },
		"width":     func(s *DepthSetup) { s.Width = 0 },
		"epochs":    func(s *DepthSetup) { s.Epochs = 0 },
		"selection": func(s *DepthSetup) { s.Selection = -1 },
		"dataset":   func(s *DepthSetup) { s.Dataset = "cifar" },
		"bins":      func(s *DepthSetup) { s.RelativeBins = 0 },
	} {
		s := smallDepthSetup()
		mod(&s)
		if s.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
