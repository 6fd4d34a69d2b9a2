package observer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// mlpObjective64 is the MLP observer's training objective on a batch, written out in float64
// from its definition (independently of lossGrad): the class-weighted mean logistic loss of
// z = w2·relu(x·W1 + b1) + b2 plus wd/2·(‖W1‖² + ‖w2‖²). p holds W1 ([d, h]), b1, w2 and b2 in
// that order.
func mlpObjective64(p []float64, x []float32, y []bool, d, h int, cpos, cneg, wd float64) float64 {
	w1, b1, w2, b2 := p[:d*h], p[d*h:d*h+h], p[d*h+h:d*h+2*h], p[d*h+2*h]
	bs := len(y)
	loss := 0.0
	for r := range bs {
		z := b2
		for k := range h {
			a := b1[k]
			for j := range d {
				a += float64(x[r*d+j]) * w1[j*h+k]
			}
			z += math.Max(a, 0) * w2[k]
		}
		prob := 1 / (1 + math.Exp(-z))
		if y[r] {
			loss -= cpos * math.Log(prob)
		} else {
			loss -= cneg * math.Log(1-prob)
		}
	}
	sq := 0.0
	for _, v := range w1 {
		sq += v * v
	}
	for _, v := range w2 {
		sq += v * v
	}
	return loss/float64(bs) + wd/2*sq
}

// TestMLPGradient checks the MLP observer's hand-written backpropagation (lossGrad, which the
// training loop uses) against central finite differences of the float64 objective on a tiny
// problem: 7 samples, 3 features, 5 hidden units, class weights and weight decay on.
//
// Tolerance: lossGrad works in float32 (unit roundoff 6e-8) over sums of at most 7 terms of
// similar size, so its components are good to ~1e-6 relative (the largest error seen is ~6e-7);
// the finite differences (float64, step 1e-6, which moves a pre-activation by at most |x|·1e-6
// while none lies within 1e-3 of the ReLU's kink) are good to ~1e-9. A relative error above 1e-4
// (measured against max(|g|, 1e-2·max|g|), so that components near 0 are judged by the
// gradient's scale) is therefore a wrong derivative — a dropped ReLU mask, a missing 1/bs, class
// weight or decay term gives errors of order 1 — not rounding.
func TestMLPGradient(t *testing.T) {
	const d, h, bs = 3, 5, 7
	const cpos, cneg, wd = 1.75, 0.7, 0.05
	const step, margin = 1e-6, 1e-3
	r := rand.New(rand.NewPCG(13, 1))
	m := &mlpModel{d: d, h: h, w1: make([]float32, d*h), b1: make([]float32, h), w2: make([]float32, h)}
	x := make([]float32, bs*d)
	y := []bool{true, false, false, true, true, false, true}
	// Draw until no pre-activation is within margin of the ReLU's kink (a finite difference
	// across the kink measures neither side), with active and inactive units both present.
	for tries := 0; ; tries++ {
		if tries == 100 {
			t.Fatal("no draw keeps the pre-activations away from 0")
		}
		for _, s := range [][]float32{m.w1, m.b1, m.w2, x} {
			for i := range s {
				s[i] = float32(r.NormFloat64())
			}
		}
		m.b2 = float32(r.NormFloat64())
		pos, neg, ok := 0, 0, true
		for i := range bs {
			for k := range h {
				a := float64(m.b1[k])
				for j := range d {
					a += float64(x[i*d+j]) * float64(m.w1[j*h+k])
				}
				ok = ok && math.Abs(a) > margin
				if a > 0 {
					pos++
				} else {
					neg++
				}
			}
		}
		if ok && pos > 0 && neg > 0 {
			break
		}
	}
	g, work := newMLPGrad(d, h), newMLPWork(bs, h)
	// Stale values in the gradient and the scratch space must not leak into the result.
	for _, s := range [][]float32{g.w1, g.b1, g.w2, g.b2, work.hid, work.dhid} {
		for i := range s {
			s[i] = 1e3
		}
	}
	loss := m.lossGrad(x, y, bs, cpos, cneg, wd, g, work, 1)

	var p []float64
	for _, s := range [][]float32{m.w1, m.b1, m.w2, {m.b2}} {
		for _, v := range s {
			p = append(p, float64(v))
		}
	}
	analytic := append(append(append(append([]float64{}, f64(g.w1)...), f64(g.b1)...), f64(g.w2)...), float64(g.b2[0]))
	want := mlpObjective64(p, x, y, d, h, cpos, cneg, wd)
	if math.Abs(loss-want) > 1e-5*math.Abs(want) {
		t.Errorf("loss %v, float64 objective %v", loss, want)
	}
	numeric := make([]float64, len(p))
	scale := 0.0
	for i := range p {
		old := p[i]
		p[i] = old + step
		up := mlpObjective64(p, x, y, d, h, cpos, cneg, wd)
		p[i] = old - step
		down := mlpObjective64(p, x, y, d, h, cpos, cneg, wd)
		p[i] = old
		numeric[i] = (up - down) / (2 * step)
		scale = math.Max(scale, math.Abs(numeric[i]))
	}
	worst := 0.0
	for i := range p {
		rel := math.Abs(analytic[i]-numeric[i]) / math.Max(math.Abs(numeric[i]), 1e-2*scale)
		worst = math.Max(worst, rel)
		if rel > 1e-4 {
			t.Errorf("%s: backpropagation %.8g, finite difference %.8g (relative error %.2g)", mlpParamName(i, d, h), analytic[i], numeric[i], rel)
		}
	}
	t.Logf("%d parameters, largest relative error %.2g", len(p), worst)
}

func f64(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

// mlpParamName names the i-th parameter of the order W1, b1, w2, b2.
func mlpParamName(i, d, h int) string {
	switch {
	case i < d*h:
		return fmt.Sprintf("W1[%d,%d]", i/h, i%h)
	case i < d*h+h:
		return fmt.Sprintf("b1[%d]", i-d*h)
	case i < d*h+2*h:
		return fmt.Sprintf("w2[%d]", i-d*h-h)
	}
	return "b2"
}
