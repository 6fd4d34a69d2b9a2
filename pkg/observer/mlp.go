package observer

import (
	"math"
	"math/rand/v2"

	"github.com/denotation-go/denotation/pkg/observer/internal/linalg"
)

// mlpModel is a one-hidden-layer ReLU network with a logistic output: z = w2·relu(x·W1 + b1) + b2.
type mlpModel struct {
	d, h int
	w1   []float32 // [d, h]
	b1   []float32
	w2   []float32
	b2   float32
}

// logits computes z for the n rows of x ([n, d]).
func (m *mlpModel) logits(x []float32, n, workers int) []float64 {
	const chunk = 4096
	out := make([]float64, n)
	hid := make([]float32, min(chunk, n)*m.h)
	for lo := 0; lo < n; lo += chunk {
		bs := min(chunk, n-lo)
		hb := hid[:bs*m.h]
		linalg.Sgemm(false, false, bs, m.h, m.d, 1, x[lo*m.d:], m.d, m.w1, m.h, 0, hb, m.h, workers)
		for i := 0; i < bs; i++ {
			z := float64(m.b2)
			for k, v := range hb[i*m.h : (i+1)*m.h] {
				if a := v + m.b1[k]; a > 0 {
					z += float64(a) * float64(m.w2[k])
				}
			}
			out[lo+i] = z
		}
	}
	return out
}

// adam is the Adam optimiser's state for one parameter slice.
type adam struct{ m, v []float32 }

func (a *adam) step(p, g []float32, lr, b1c, b2c float64) {
	if a.m == nil {
		a.m, a.v = make([]float32, len(p)), make([]float32, len(p))
	}
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	for i, gi := range g {
		a.m[i] = beta1*a.m[i] + (1-beta1)*gi
		a.v[i] = beta2*a.v[i] + (1-beta2)*gi*gi
		mh := float64(a.m[i]) / b1c
		vh := float64(a.v[i]) / b2c
		p[i] -= float32(lr * mh / (math.Sqrt(vh) + eps))
	}
}

// fitMLP trains the MLP observer with Adam on minibatches (plain Go; the matrix products use the
// package's float32 kernels). The loss is the (class-weighted with Balanced) logistic loss plus
// WeightDecay/2·‖W‖² on the two weight matrices. Initialisation and batch order come from Seed
// and the property's name.
func fitMLP(f *Features, t Target, o Options) (*Result, error) {
	n, d, h, bsz := f.NTrain, f.D, o.Hidden, o.BatchSize
	rng := rand.New(rand.NewPCG(o.Seed, streamOf("mlp:"+t.Name)))
	m := &mlpModel{d: d, h: h, w1: make([]float32, d*h), b1: make([]float32, h), w2: make([]float32, h)}
	a1 := math.Sqrt(6 / float64(d))
	for i := range m.w1 {
		m.w1[i] = float32((2*rng.Float64() - 1) * a1)
	}
	a2 := math.Sqrt(6 / float64(h+1))
	for i := range m.w2 {
		m.w2[i] = float32((2*rng.Float64() - 1) * a2)
	}
	pos := 0
	for _, v := range t.Train {
		if v {
			pos++
		}
	}
	cpos, cneg := 1.0, 1.0
	if o.Balanced {
		cpos, cneg = float64(n)/(2*float64(pos)), float64(n)/(2*float64(n-pos))
	}
	xb := make([]float32, bsz*d)
	hb := make([]float32, bsz*h)
	da := make([]float32, bsz*h)
	gw1, gb1, gw2 := make([]float32, d*h), make([]float32, h), make([]float32, h)
	var o1, ob1, o2, ob2 adam
	gb2 := make([]float32, 1)
	b2s := []float32{0}
	step := 0
	for epoch := 0; epoch < o.Epochs; epoch++ {
		perm := rng.Perm(n)
		for lo := 0; lo < n; lo += bsz {
			bs := min(bsz, n-lo)
			for r := 0; r < bs; r++ {
				i := perm[lo+r]
				copy(xb[r*d:(r+1)*d], f.Train[i*d:(i+1)*d])
			}
			linalg.Sgemm(false, false, bs, h, d, 1, xb, d, m.w1, h, 0, hb, h, o.Workers)
			clear(gb1)
			clear(gw2)
			gb2[0] = 0
			for r := 0; r < bs; r++ {
				row := hb[r*h : (r+1)*h]
				z := float64(b2s[0])
				for k, v := range row {
					a := v + m.b1[k]
					if a < 0 {
						a = 0
					}
					row[k] = a
					z += float64(a) * float64(m.w2[k])
				}
				c, y := cneg, 0.0
				if t.Train[perm[lo+r]] {
					c, y = cpos, 1
				}
				dz := float32(c * (1/(1+math.Exp(-z)) - y) / float64(bs))
				gb2[0] += dz
				drow := da[r*h : (r+1)*h]
				for k, a := range row {
					gw2[k] += dz * a
					if a > 0 {
						drow[k] = dz * m.w2[k]
					} else {
						drow[k] = 0
					}
					gb1[k] += drow[k]
				}
			}
			linalg.Sgemm(true, false, d, h, bs, 1, xb, d, da[:bs*h], h, 0, gw1, h, o.Workers)
			wd := float32(o.WeightDecay)
			for i, w := range m.w1 {
				gw1[i] += wd * w
			}
			for i, w := range m.w2 {
				gw2[i] += wd * w
			}
			step++
			b1c, b2c := 1-math.Pow(0.9, float64(step)), 1-math.Pow(0.999, float64(step))
			o1.step(m.w1, gw1, o.LearningRate, b1c, b2c)
			ob1.step(m.b1, gb1, o.LearningRate, b1c, b2c)
			o2.step(m.w2, gw2, o.LearningRate, b1c, b2c)
			ob2.step(b2s, gb2, o.LearningRate, b1c, b2c)
		}
	}
	m.b2 = b2s[0]
	r := newResult(f, t, o)
	r.Iterations = o.Epochs
	if err := r.score(m.logits(f.Train, n, o.Workers), m.logits(f.Test, f.NTest, o.Workers), t); err != nil {
		return nil, err
	}
	return r, nil
}
