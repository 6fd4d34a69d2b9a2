package property

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/denotation-go/denotation/datasets"
)

func TestLabelSetBasics(t *testing.T) {
	s := MustLabelSet(8, 0, 4)
	if s.String() != "{0,4,8}" || s.Len() != 3 || !s.Contains(4) || s.Contains(5) {
		t.Fatalf("set %v len %d", s, s.Len())
	}
	if c := s.Complement(10); c.String() != "{1,2,3,5,6,7,9}" || c.Complement(10) != s {
		t.Fatalf("complement %v", c)
	}
	if _, err := NewLabelSet(1, 1); err == nil {
		t.Fatal("duplicate class accepted")
	}
	if _, err := NewLabelSet(-1); err == nil {
		t.Fatal("negative class accepted")
	}
	for _, bad := range []LabelSet{0, Full(10), MustLabelSet(10)} {
		if err := bad.Check(10); err == nil {
			t.Fatalf("Check accepted %v", bad)
		}
	}
	if got := s.Proportion(10); got != 0.3 {
		t.Fatalf("proportion %v", got)
	}
	if got := s.SampleProportion([]int{0, 1, 4, 4}); got != 0.75 {
		t.Fatalf("sample proportion %v", got)
	}
}

func TestSubsetsAndSplits(t *testing.T) {
	all := AllSubsets(10)
	if len(all) != 1022 {
		t.Fatalf("%d subsets", len(all))
	}
	splits := Splits(10)
	if len(splits) != 511 {
		t.Fatalf("%d splits", len(splits))
	}
	seen := map[LabelSet]int{}
	for _, s := range all {
		if s.Canonical(10) != s.Complement(10).Canonical(10) {
			t.Fatalf("%v and its complement have different canonical views", s)
		}
		c := s.Canonical(10)
		if c.Len() > 5 || (c.Len() == 5 && !c.Contains(0)) {
			t.Fatalf("canonical view %v of %v is not the smaller side / side with class 0", c, s)
		}
		seen[c]++
	}
	for _, s := range splits {
		if seen[s] != 2 {
			t.Fatalf("split %v seen %d times", s, seen[s])
		}
	}
	if len(seen) != 511 {
		t.Fatalf("%d canonical views", len(seen))
	}
	if n := len(SubsetsOfSize(10, 3)); n != 120 {
		t.Fatalf("%d subsets of size 3", n)
	}
}

// checkParses checks that v parses every spec of cases to the label set it maps to.
func checkParses(t *testing.T, v Vocabulary, cases map[string]string) {
	t.Helper()
	for spec, want := range cases {
		p, err := v.Parse(spec)
		if err != nil {
			t.Fatalf("%q: %v", spec, err)
		}
		if p.Labels() != want {
			t.Fatalf("%q → %s, want %s", spec, p.Labels(), want)
		}
	}
}

func TestParseMNIST(t *testing.T) {
	v, err := VocabularyFor("mnist")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"even": "{0,2,4,6,8}", "ODD": "{1,3,5,7,9}", "lt5": "{0,1,2,3,4}", "ge5": "{5,6,7,8,9}",
		"loops": "{0,6,8,9}", "straight": "{1,4,7}", "curved": "{0,2,3,5,6,8,9}",
		"0,6,8,9": "{0,6,8,9}", "{0,2}": "{0,2}", " { 2 , 0 } ": "{0,2}", "digit=3": "{3}", "7": "{7}",
		"2-5": "{2,3,4,5}", "!even": "{1,3,5,7,9}", "not:loops": "{1,2,3,4,5,7}", "0-2,9": "{0,1,2,9}",
	}
	checkParses(t, v, cases)
	bad := []string{"", "{}", "0-9", "0,1,2,3,4,5,6,7,8,9", "10", "-1", "3,3", "banana", "{1,2", "digit=12", "colour=3", "5-2", "1,,2"}
	for _, spec := range bad {
		_, err := v.Parse(spec)
		if err == nil {
			t.Fatalf("%q accepted", spec)
		}
		if !strings.Contains(err.Error(), "\""+spec+"\"") && !strings.Contains(err.Error(), spec) {
			t.Fatalf("error for %q does not name the spec: %v", spec, err)
		}
	}
}

func TestParseFashion(t *testing.T) {
	v, _ := VocabularyFor("fashion")
	cases := map[string]string{
		"footwear": "{5,7,9}", "sneaker": "{7}", "Sandal,Sneaker": "{5,7}", "ankle boot": "{9}",
		"AnkleBoot": "{9}", "t-shirt": "{0}", "top": "{0}", "T-shirt/top,Shirt": "{0,6}", "class=Bag": "{8}",
		"tops": "{0,2,4,6}", "5": "{5}",
	}
	checkParses(t, v, cases)
	p, _ := v.Parse("footwear")
	if p.Display() != "{Sandal,Sneaker,Ankle boot}" || p.Name() != "footwear" {
		t.Fatalf("display %q name %q", p.Display(), p.Name())
	}
	if _, err := v.Parse("even"); err == nil {
		t.Fatal("MNIST alias accepted for Fashion-MNIST")
	}
}

func TestParseList(t *testing.T) {
	v, _ := VocabularyFor("mnist")
	for spec, n := range map[string]int{"all": 1022, "splits": 511, "aliases": 8, "even;odd;{0,2,4,6,8}": 2, "aliases;{0,1};even": 9} {
		ps, err := v.ParseList(spec)
		if err != nil || len(ps) != n {
			t.Fatalf("%q: %d properties, err %v; want %d", spec, len(ps), err, n)
		}
	}
	if _, err := v.ParseList("even;nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("bad list: %v", err)
	}
}

// synthetic builds a split of rows×cols images from drawing functions.
func synthetic(name string, imgs [][]float32, labels []int, rows, cols int) *datasets.Split {
	s := &datasets.Split{Name: name, Rows: rows, Cols: cols, Labels: labels}
	for i, img := range imgs {
		s.Images = append(s.Images, img...)
		s.Index = append(s.Index, i)
	}
	return s
}

func line(rows, cols int, pts [][2]int) []float32 {
	img := make([]float32, rows*cols)
	for _, p := range pts {
		img[p[1]*cols+p[0]] = 1
	}
	return img
}

func TestPixelAttributes(t *testing.T) {
	const r, c = 10, 10
	// "/" from bottom-left (1,8) to top-right (8,1).
	var slash, back, vbar [][2]int
	for i := 0; i < 8; i++ {
		slash = append(slash, [2]int{1 + i, 8 - i})
		back = append(back, [2]int{1 + i, 1 + i})
		vbar = append(vbar, [2]int{2, 1 + i})
	}
	checks := []struct {
		img  []float32
		a    Attribute
		want float64
	}{
		{line(r, c, slash), InkMass, 8}, {line(r, c, slash), BoxWidth, 8}, {line(r, c, slash), BoxHeight, 8},
		{line(r, c, slash), Slant, 1}, {line(r, c, back), Slant, -1}, {line(r, c, vbar), Slant, 0},
		{line(r, c, vbar), BoxWidth, 1}, {line(r, c, vbar), CentroidX, 2}, {line(r, c, vbar), CentroidY, 4.5},
		{make([]float32, r*c), BoxWidth, 0}, {make([]float32, r*c), CentroidX, 4.5},
	}
	for i, ck := range checks {
		if got := ck.a.Value(ck.img, r, c); math.Abs(got-ck.want) > 1e-9 {
			t.Fatalf("check %d: %s = %v, want %v", i, ck.a, got, ck.want)
		}
	}
}

func TestPixelPropertyMedian(t *testing.T) {
	const r, c = 6, 6
	var train, test [][]float32
	for k := 1; k <= 5; k++ { // ink masses 1..5
		pts := [][2]int{}
		for i := 0; i < k; i++ {
			pts = append(pts, [2]int{i, 0})
		}
		train = append(train, line(r, c, pts))
	}
	test = append(test, line(r, c, [][2]int{{0, 0}, {1, 1}, {2, 2}}), line(r, c, [][2]int{{0, 0}, {1, 1}, {2, 2}, {3, 3}}))
	ds := &datasets.Dataset{Name: "mnist", ClassNames: datasets.MNISTClassNames,
		Train: synthetic("train", train, []int{0, 1, 2, 3, 4}, r, c), Test: synthetic("test", test, []int{5, 6}, r, c)}
	p, err := Parse("ink", ds)
	if err != nil {
		t.Fatal(err)
	}
	pp := p.(PixelProperty)
	if pp.Threshold != 3 || pp.Name() != "ink>median" {
		t.Fatalf("threshold %v name %s", pp.Threshold, pp.Name())
	}
	got, err := p.Targets(ds.Test)
	if err != nil || got[0] || !got[1] {
		t.Fatalf("targets %v err %v", got, err)
	}
	if _, err := Parse("pixel:hue", ds); err == nil {
		t.Fatal("unknown attribute accepted")
	}
	lp, err := Parse("lt5", ds)
	if err != nil {
		t.Fatal(err)
	}
	if tg, _ := lp.Targets(ds.Test); tg[0] || tg[1] {
		t.Fatalf("lt5 targets %v", tg)
	}
	broken := *ds.Test
	broken.Images = broken.Images[:10]
	if _, err := p.Targets(&broken); err == nil {
		t.Fatal("short image data accepted")
	}
	broken = *ds.Test
	broken.Labels = []int{3, 12}
	if _, err := lp.Targets(&broken); err == nil {
		t.Fatal("label out of range accepted")
	}
}

func TestLabelSetJSONAndNames(t *testing.T) {
	s := MustLabelSet(0, 6, 8, 9)
	b, err := json.Marshal(struct {
		S LabelSet `json:"s"`
		E LabelSet `json:"e"`
	}{s, 0})
	if err != nil || string(b) != `{"s":[0,6,8,9],"e":[]}` {
		t.Fatalf("marshal: %s, %v", b, err)
	}
	var back LabelSet
	if err := json.Unmarshal([]byte("[9,0,8,6]"), &back); err != nil || back != s {
		t.Fatalf("unmarshal: %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte("[1,1]"), &back); err == nil {
		t.Error("a class listed twice was accepted")
	}
	if got := s.Named([]string{"zero", "one"}); got != "{zero,6,8,9}" || s.String() != "{0,6,8,9}" {
		t.Errorf("named %q, string %q", got, s.String())
	}
	if top := MustLabelSet(63); top.Check(64) != nil || top.Complement(64).Len() != 63 || Full(64).Len() != 64 {
		t.Errorf("64 classes: %v", top.Check(64))
	}
}
