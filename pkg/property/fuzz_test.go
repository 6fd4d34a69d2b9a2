package property

import (
	"strings"
	"testing"
)

// FuzzVocabularyParse feeds property specs to both data sets' vocabularies. Parse must never
// panic; an error is one line quoting the spec; an accepted spec is a proper label set (0 < |S| < K)
// whose canonical name parses back to the same set, and "!spec" parses to its complement.
// ParseList must accept a list exactly when each item is accepted, without duplicate sets.
func FuzzVocabularyParse(f *testing.F) {
	for _, s := range []string{"even", "ODD", "{0,2}", " { 2 , 0 } ", "digit=3", "2-5", "!even", "not:loops",
		"~0-2,9", "footwear", "Sandal,Sneaker", "class=Bag", "T-shirt/top,Shirt", "ankle boot", "", "{}", "0-9",
		"3,3", "{1,2", "digit=12", "5-2", "1,,2", "-1", "!!!!odd", "all", "splits;even;{0,1}", "aliases", "∅", "\xff"} {
		f.Add(s)
	}
	vocabs := []Vocabulary{}
	for _, name := range []string{"mnist", "fashion"} {
		v, err := VocabularyFor(name)
		if err != nil {
			f.Fatal(err)
		}
		vocabs = append(vocabs, v)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		for _, v := range vocabs {
			k := v.K()
			p, err := v.Parse(spec)
			if err != nil {
				if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "property spec ") {
					t.Fatalf("%s: error %q: want one line quoting the spec", v.Dataset, msg)
				}
			} else {
				if err := p.Set.Check(k); err != nil || p.K != k {
					t.Fatalf("%s: %q → %v (K=%d), not a proper set: %v", v.Dataset, spec, p.Set, p.K, err)
				}
				back, err := v.Parse(p.Set.String())
				if err != nil || back.Set != p.Set {
					t.Fatalf("%s: %q → %v, whose name parses to %v (%v)", v.Dataset, spec, p.Set, back.Set, err)
				}
			}
			c, cerr := v.Parse("!" + spec)
			if (cerr == nil) != (err == nil) || (err == nil && c.Set != p.Set.Complement(k)) {
				t.Fatalf("%s: %q → %v (%v) but its negation → %v (%v)", v.Dataset, spec, p.Set, err, c.Set, cerr)
			}
			if len(spec) > 64 || IsListKeyword(spec) {
				continue // keywords expand to up to 2^K−2 sets: checked once by TestParseList
			}
			list, lerr := v.ParseList(spec)
			itemErr := false
			for _, part := range strings.Split(spec, ";") {
				if !IsListKeyword(part) {
					if _, err := v.Parse(part); err != nil {
						itemErr = true
					}
				}
			}
			if (lerr != nil) != itemErr {
				t.Fatalf("%s: ParseList(%q) error %v, but an item fails: %v", v.Dataset, spec, lerr, itemErr)
			}
			if lerr != nil {
				continue
			}
			seen := map[LabelSet]bool{}
			for _, q := range list {
				if seen[q.Set] || q.Set.Check(k) != nil {
					t.Fatalf("%s: ParseList(%q) gave %v twice or improper", v.Dataset, spec, q.Set)
				}
				seen[q.Set] = true
			}
		}
	})
}
