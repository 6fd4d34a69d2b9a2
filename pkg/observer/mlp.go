package observer

import (
	"math"
	"math/rand/v2"

	"github.com/denotation-go/denotation/internal/linalg"
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

// mlpGrad is the gradient of the MLP's objective with respect to each parameter of an mlpModel.
type mlpGrad struct {
	w1, b1, w2 []float32
	b2         []float32 // one value (a slice, as the optimiser takes it)
}

func newMLPGrad(d, h int) *mlpGrad {
	return &mlpGrad{w1: make([]float32, d*h), b1: make([]float32, h), w2: make([]float32, h), b2: make([]float32, 1)}
}

// mlpWork is lossGrad's scratch space for batches of up to rows samples: the hidden layer's
// values and their gradients.
type mlpWork struct{ hid, dhid []float32 }

func newMLPWork(rows, h int) *mlpWork {
	return &mlpWork{hid: make([]float32, rows*h), dhid: make([]float32, rows*h)}
}

// lossGrad computes, for the bs rows of x ([bs, d], row-major) with labels y, the MLP's training
// objective
//
//	L = (1/bs)·Σ_r c_r·ℓ(z_r, y_r) + wd/2·(‖W1‖² + ‖w2‖²),
//
// where ℓ is the logistic loss of the logit z_r, c_r is cpos for a sample that has the property
// and cneg for one that has not (both 1 unless Balanced), and its gradient with respect to W1,
// b1, w2 and b2 by backpropagation, into g. The gradient is computed in float32, as the
// optimiser uses it; L in float64 (the training loop does not need it: it is there to be
// checked against finite differences, and it costs one exp and one log per sample).
func (m *mlpModel) lossGrad(x []float32, y []bool, bs int, cpos, cneg, wd float64, g *mlpGrad, w *mlpWork, workers int) float64 {
	d, h := m.d, m.h
	hb, da := w.hid[:bs*h], w.dhid[:bs*h]
	linalg.Sgemm(false, false, bs, h, d, 1, x, d, m.w1, h, 0, hb, h, workers)
	clear(g.b1)
	clear(g.w2)
	g.b2[0] = 0
	loss := 0.0
	for r := 0; r < bs; r++ {
		row := hb[r*h : (r+1)*h]
		z := float64(m.b2)
		for k, v := range row {
			a := v + m.b1[k]
			if a < 0 {
				a = 0
			}
			row[k] = a
			z += float64(a) * float64(m.w2[k])
		}
		c, t, u := cneg, 0.0, z // ℓ(z, 0) = softplus(z), ℓ(z, 1) = softplus(−z)
		if y[r] {
			c, t, u = cpos, 1, -z
		}
		loss += c * (max(u, 0) + math.Log1p(math.Exp(-math.Abs(u))))
		dz := float32(c * (1/(1+math.Exp(-z)) - t) / float64(bs))
		g.b2[0] += dz
		drow := da[r*h : (r+1)*h]
		for k, a := range row {
			g.w2[k] += dz * a
			if a > 0 {
				drow[k] = dz * m.w2[k]
			} else {
				drow[k] = 0
			}
			g.b1[k] += drow[k]
		}
	}
	linalg.Sgemm(true, false, d, h, bs, 1, x, d, da, h, 0, g.w1, h, workers)
	wdf := float32(wd)
	for i, v := range m.w1 {
		g.w1[i] += wdf * v
	}
	for i, v := range m.w2 {
		g.w2[i] += wdf * v
	}
	loss /= float64(bs)
	sq := 0.0
	for _, ws := range [][]float32{m.w1, m.w2} {
		for _, v := range ws {
			sq += float64(v) * float64(v)
		}
	}
	return loss + wd/2*sq
}

// fitMLP trains the MLP observer with Adam on minibatches (plain Go; the matrix products use the
// package's float32 kernels). The loss is the (class-weighted with Balanced) logistic loss plus
// WeightDecay/2·‖W‖² on the two weight matrices (mlpModel.lossGrad). Initialisation and batch
// order come from Seed and the property's name.
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
	yb := make([]bool, bsz)
	g, work := newMLPGrad(d, h), newMLPWork(bsz, h)
	var o1, ob1, o2, ob2 adam
	b2s := []float32{m.b2}
	step := 0
	for epoch := 0; epoch < o.Epochs; epoch++ {
		perm := rng.Perm(n)
		for lo := 0; lo < n; lo += bsz {
			bs := min(bsz, n-lo)
			for r := 0; r < bs; r++ {
				i := perm[lo+r]
				copy(xb[r*d:(r+1)*d], f.Train[i*d:(i+1)*d])
				yb[r] = t.Train[i]
			}
			m.lossGrad(xb, yb, bs, cpos, cneg, o.WeightDecay, g, work, o.Workers)
			step++
			b1c, b2c := 1-math.Pow(0.9, float64(step)), 1-math.Pow(0.999, float64(step))
			o1.step(m.w1, g.w1, o.LearningRate, b1c, b2c)
			ob1.step(m.b1, g.b1, o.LearningRate, b1c, b2c)
			o2.step(m.w2, g.w2, o.LearningRate, b1c, b2c)
			ob2.step(b2s, g.b2, o.LearningRate, b1c, b2c)
			m.b2 = b2s[0]
		}
	}
	r := newResult(f, t, o)
	r.Iterations = o.Epochs
	if err := r.score(m.logits(f.Train, n, o.Workers), m.logits(f.Test, f.NTest, o.Workers), t); err != nil {
		return nil, err
	}
	return r, nil
}
