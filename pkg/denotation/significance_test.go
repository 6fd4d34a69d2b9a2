package denotation

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/denotation-go/denotation/pkg/hidden"
	"github.com/denotation-go/denotation/pkg/property"
)

func TestBenjaminiHochberg(t *testing.T) {
	q, err := BenjaminiHochberg([]float64{0.01, 0.04, 0.03, 0.005})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.02, 0.04, 0.04, 0.02}
	for i := range want {
		if math.Abs(q[i]-want[i]) > 1e-15 {
			t.Fatalf("q = %v, want %v", q, want)
		}
	}
	// Against the definition q_i = min over p_j ≥ p_i of min(1, m·p_j / #{l : p_l ≤ p_j}).
	rng := rand.New(rand.NewPCG(1, 1))
	for rep := 0; rep < 50; rep++ {
		m := 1 + rng.IntN(30)
		p := make([]float64, m)
		for i := range p {
			p[i] = float64(1+rng.IntN(10)) / 10 // ties
			if rng.IntN(3) == 0 {
				p[i] = rng.Float64()
			}
		}
		q, err := BenjaminiHochberg(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range p {
			best := 1.0
			for j := range p {
				if p[j] >= p[i] {
					r := 0
					for l := range p {
						if p[l] <= p[j] {
							r++
						}
					}
					best = min(best, float64(m)*p[j]/float64(r))
				}
			}
			if math.Abs(best-q[i]) > 1e-12 {
				t.Fatalf("p=%v: q[%d]=%v, definition %v", p, i, q[i], best)
			}
		}
	}
	for _, bad := range []float64{-0.1, 1.1, math.NaN()} {
		if _, err := BenjaminiHochberg([]float64{0.5, bad}); err == nil {
			t.Errorf("p-value %v accepted", bad)
		}
	}
	if q, err := BenjaminiHochberg(nil); err != nil || len(q) != 0 {
		t.Errorf("empty input: %v %v", q, err)
	}
}

// nullActivations: neuron 0 denotes {0,1} cleanly, neuron 1 is dead, the others are noise.
func nullActivations(n, width int) *hidden.Activations {
	rng := rand.New(rand.NewPCG(21, 22))
	k := 4
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % k
	}
	rng.Shuffle(n, func(a, b int) { labels[a], labels[b] = labels[b], labels[a] })
	post := make([]float32, n*width)
	for i, y := range labels {
		for j := range width {
			var v float32
			switch j {
			case 0:
				if y < 2 {
					v = 1 + float32(rng.Float64())
				}
			case 1:
				v = 0
			default:
				v = float32(rng.NormFloat64())
			}
			post[i*width+j] = v
		}
	}
	return &hidden.Activations{N: n, Labels: labels, NumClasses: k,
		Layers: []hidden.LayerActivations{{Layer: 1, Depth: 1, Width: width, Post: post}}}
}

func TestPermutationPValues(t *testing.T) {
	const nperm = 999
	acts := nullActivations(200, 30)
	for _, null := range []NullKind{NullNeuron, NullLayer} {
		opt := DefaultOptions()
		opt.Permutations, opt.Seed, opt.Null = nperm, 5, null
		res, err := Scan(acts, opt)
		if err != nil {
			t.Fatal(err)
		}
		// Recompute the permutation statistics independently: shuffle with the documented
		// streams and take ScanNeuron's best score.
		lbl := make([]int, acts.N)
		stats := make([][]float64, 30)
		for p := range nperm {
			copy(lbl, acts.Labels)
			r := rand.New(rand.NewPCG(opt.Seed, uint64(p)))
			r.Shuffle(len(lbl), func(a, b int) { lbl[a], lbl[b] = lbl[b], lbl[a] })
			for j := range 30 {
				if j == 1 {
					continue
				}
				nr, err := ScanNeuron(acts.Layers[0].Neuron(j), lbl, 4, opt.Tau)
				if err != nil {
					t.Fatal(err)
				}
				stats[j] = append(stats[j], nr.Best.MinClassFraction)
			}
		}
		var pooled []float64
		for _, s := range stats {
			pooled = append(pooled, s...)
		}
		tested := 0
		for j, nr := range res.Layers[0].Neurons {
			if j == 1 {
				if !nr.Constant || nr.Best != nil {
					t.Fatalf("dead neuron: %+v", nr)
				}
				continue
			}
			props := []*Reading{nr.Best}
			for di := range nr.Denotations {
				props = append(props, &nr.Denotations[di].Reading)
			}
			tested += max(1, len(nr.Denotations))
			for _, p := range props {
				dist := stats[j]
				if null == NullLayer {
					dist = pooled
				}
				ge := 0
				for _, s := range dist {
					if s >= p.MinClassFraction {
						ge++
					}
				}
				want := float64(1+ge) / float64(1+len(dist))
				if p.PValue == nil || *p.PValue != want || p.QValue == nil || *p.QValue < *p.PValue {
					t.Fatalf("%s null, neuron %d S=%v: p %v q %v, want p %v", null, j, p.Labels, p.PValue, p.QValue, want)
				}
			}
		}
		if res.Tested != tested {
			t.Fatalf("tested %d, want %d", res.Tested, tested)
		}
		sig := res.Significant(0.05)
		if len(sig) == 0 || sig[0].Neuron != 0 || sig[0].Labels != property.MustLabelSet(0, 1) {
			t.Fatalf("%s null: significant %+v", null, sig)
		}
		if res.CountSignificant(0.05) != len(sig) {
			t.Fatal("CountSignificant disagrees with Significant")
		}
		// Noise neurons: p-values spread over (0, 1].
		var ps []float64
		for j := 2; j < 30; j++ {
			ps = append(ps, *res.Layers[0].Neurons[j].Best.PValue)
		}
		mean := 0.0
		for _, p := range ps {
			mean += p
		}
		mean /= float64(len(ps))
		if mean < 0.25 || mean > 0.75 {
			t.Fatalf("%s null: mean p-value of noise neurons %v", null, mean)
		}
	}
	// Another seed gives another null.
	opt := DefaultOptions()
	opt.Permutations, opt.Seed = nperm, 5
	a, _ := Scan(acts, opt)
	opt.Seed = 6
	b, _ := Scan(acts, opt)
	differ := false
	for j := 2; j < 30; j++ {
		if *a.Layers[0].Neurons[j].Best.PValue != *b.Layers[0].Neurons[j].Best.PValue {
			differ = true
		}
	}
	if !differ {
		t.Fatal("p-values do not depend on the permutation seed")
	}
}
