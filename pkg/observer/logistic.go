package observer

import (
	"iter"
	"math"
	"slices"

	"github.com/denotation-go/denotation/internal/linalg"
)

// logisticProblem is a batch of P weighted, penalised logistic regressions on the same
// standardised design matrix X [n, d], one per target. For target p with parameters θ = (w, b):
//
//	F_p(θ) = Σ_i c_i·log(1 + exp(−m_i)) + λ2/2·‖w‖² + λ1·‖w‖₁,  m_i = ±(x_i·w + b) (+ for positives),
//
// where c_i = cpos[p] for positives and cneg[p] for negatives (Σ_i c_i = 1). The intercept b is not
// penalised.
type logisticProblem struct {
	x          []float32
	n, d       int
	ycol       [][]uint8 // ycol[p][i] = 1 when sample i has property p
	cpos, cneg []float64
	lam2, lam1 float64
	workers    int

	zbuf       []float32
	yrows      []uint8 // [n, P] row-major copy of ycol, for the gemm path (built on first use)
	ycacheCols []int
	ycache     []uint8 // [n, len(ycacheCols)] row-major, for the gemm path
	xN, xT     *linalg.PackedA
	evals      int
}

func newLogisticProblem(x []float32, n, d int, targets [][]bool, balanced bool, lam2, lam1 float64, workers int) *logisticProblem {
	p := &logisticProblem{x: x, n: n, d: d, lam2: lam2, lam1: lam1, workers: linalg.Workers(workers)}
	for _, t := range targets {
		col := make([]uint8, n)
		pos := 0
		for i, v := range t {
			if v {
				col[i] = 1
				pos++
			}
		}
		p.ycol = append(p.ycol, col)
		cp, cn := 1/float64(n), 1/float64(n)
		if balanced {
			// sklearn's class_weight="balanced": weight n/(2·n_class), then divided by n.
			cp, cn = 1/(2*float64(pos)), 1/(2*float64(n-pos))
		}
		p.cpos = append(p.cpos, cp)
		p.cneg = append(p.cneg, cn)
	}
	return p
}

// evalWithin evaluates targets cols at theta as part of the larger set batch ⊇ cols: the other targets
// of batch are evaluated too, at rest(j), and their results dropped. Keeping the evaluated set fixed
// while a few targets finish lets the batch's target matrix stay cached.
func (p *logisticProblem) evalWithin(batch, cols []int, theta [][]float64, rest func(j int) []float64) ([]float64, [][]float64) {
	if len(batch) <= len(cols) {
		return p.eval(cols, theta)
	}
	pos := make(map[int]int, len(cols))
	for k, j := range cols {
		pos[j] = k
	}
	bt := make([][]float64, len(batch))
	for k, j := range batch {
		if q, ok := pos[j]; ok {
			bt[k] = theta[q]
		} else {
			bt[k] = rest(j)
		}
	}
	fb, gb := p.eval(batch, bt)
	f, g := make([]float64, len(cols)), make([][]float64, len(cols))
	for k, j := range batch {
		if q, ok := pos[j]; ok {
			f[q], g[q] = fb[k], gb[k]
		}
	}
	return f, g
}

// rowPathMax is the largest batch evaluated row by row (dot products) instead of by matrix products.
const rowPathMax = 4

// eval computes the smooth part of F (loss + λ2 term) and its gradient for the targets cols at
// parameters theta[j] (length d+1, intercept last).
func (p *logisticProblem) eval(cols []int, theta [][]float64) (f []float64, g [][]float64) {
	p.evals++
	pa := len(cols)
	f = make([]float64, pa)
	g = make([][]float64, pa)
	for j := range g {
		g[j] = make([]float64, p.d+1)
	}
	if pa == 0 {
		return f, g
	}
	bias := make([]float32, pa)
	cp, cn := make([]float32, pa), make([]float32, pa)
	for j, c := range cols {
		bias[j] = float32(theta[j][p.d])
		cp[j], cn[j] = float32(p.cpos[c]), float32(p.cneg[c])
	}
	var loss, gb [][]float64
	if pa <= rowPathMax {
		loss, gb = p.evalRows(cols, theta, bias, cp, cn, g)
	} else {
		loss, gb = p.evalGemm(cols, theta, bias, cp, cn, g)
	}
	for j := range cols {
		var l, b float64
		for w := range loss {
			l += loss[w][j]
			b += gb[w][j]
		}
		w := theta[j][:p.d]
		sq := 0.0
		for k, v := range w {
			sq += v * v
			g[j][k] += p.lam2 * v
		}
		f[j] = l + p.lam2/2*sq
		g[j][p.d] = b
	}
	return f, g
}

// compactY returns the targets of cols as a row-major [n, len(cols)] byte matrix (cached).
func (p *logisticProblem) compactY(cols []int) []uint8 {
	if slices.Equal(cols, p.ycacheCols) {
		return p.ycache
	}
	pa, P := len(cols), len(p.ycol)
	if p.yrows == nil {
		p.yrows = make([]uint8, p.n*P)
		linalg.ParallelFor(p.n, p.workers, func(lo, hi, _ int) {
			for c, col := range p.ycol {
				for i := lo; i < hi; i++ {
					p.yrows[i*P+c] = col[i]
				}
			}
		})
	}
	if cap(p.ycache) < p.n*pa {
		p.ycache = make([]uint8, p.n*pa)
	}
	y := p.ycache[:p.n*pa]
	linalg.ParallelFor(p.n, p.workers, func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			row, src := y[i*pa:(i+1)*pa], p.yrows[i*P:(i+1)*P]
			for j, c := range cols {
				row[j] = src[c]
			}
		}
	})
	p.ycache, p.ycacheCols = y, slices.Clone(cols)
	return y
}

func (p *logisticProblem) evalGemm(cols []int, theta [][]float64, bias, cp, cn []float32, g [][]float64) (loss, gb [][]float64) {
	n, d, pa := p.n, p.d, len(cols)
	y := p.compactY(cols)
	w := make([]float32, d*pa)
	for j := range cols {
		for k := 0; k < d; k++ {
			w[k*pa+j] = float32(theta[j][k])
		}
	}
	if cap(p.zbuf) < n*pa {
		p.zbuf = make([]float32, n*pa)
	}
	z := p.zbuf[:n*pa]
	if p.xN == nil {
		p.xN = linalg.PackA(false, n, d, p.x, d)
		p.xT = linalg.PackA(true, d, n, p.x, d)
	}
	linalg.SgemmPacked(p.xN, false, pa, w, pa, 0, z, pa, p.workers)
	nw := min(p.workers, n)
	loss, gb = make([][]float64, nw), make([][]float64, nw)
	linalg.ParallelFor(n, nw, func(lo, hi, c int) {
		l, b := make([]float64, pa), make([]float64, pa)
		for i := lo; i < hi; i++ {
			linalg.Logistic(z[i*pa:(i+1)*pa], bias, y[i*pa:(i+1)*pa], cp, cn, l, b)
		}
		loss[c], gb[c] = l, b
	})
	grad := make([]float32, d*pa)
	linalg.SgemmPacked(p.xT, false, pa, z, pa, 0, grad, pa, p.workers)
	for j := range cols {
		for k := 0; k < d; k++ {
			g[j][k] = float64(grad[k*pa+j])
		}
	}
	return loss, gb
}

// evalRows evaluates a small batch with one pass over the rows of X: dot products, residuals, axpys.
func (p *logisticProblem) evalRows(cols []int, theta [][]float64, bias, cp, cn []float32, g [][]float64) (loss, gb [][]float64) {
	const block = 256
	n, d, pa := p.n, p.d, len(cols)
	w := make([][]float32, pa)
	for j := range cols {
		w[j] = make([]float32, d)
		for k := 0; k < d; k++ {
			w[j][k] = float32(theta[j][k])
		}
	}
	nw := min(p.workers, (n+block-1)/block)
	loss, gb = make([][]float64, nw), make([][]float64, nw)
	grads := make([][][]float64, nw)
	linalg.ParallelFor(n, nw, func(lo, hi, c int) {
		z := make([][]float32, pa)
		lacc, bacc := make([][]float64, pa), make([][]float64, pa)
		bconst, cpc, cnc := make([][]float32, pa), make([][]float32, pa), make([][]float32, pa)
		gblock := make([][]float32, pa)
		gacc := make([][]float64, pa)
		for j := range z {
			z[j] = make([]float32, block)
			lacc[j], bacc[j] = make([]float64, block), make([]float64, block)
			bconst[j], cpc[j], cnc[j] = make([]float32, block), make([]float32, block), make([]float32, block)
			for r := 0; r < block; r++ {
				bconst[j][r], cpc[j][r], cnc[j][r] = bias[j], cp[j], cn[j]
			}
			gblock[j] = make([]float32, d)
			gacc[j] = make([]float64, d)
		}
		for i0 := lo; i0 < hi; i0 += block {
			bl := min(block, hi-i0)
			for r := 0; r < bl; r++ {
				xi := p.x[(i0+r)*d : (i0+r+1)*d]
				for j := range w {
					z[j][r] = linalg.Dot(xi, w[j])
				}
			}
			for j, col := range cols {
				linalg.Logistic(z[j][:bl], bconst[j], p.ycol[col][i0:i0+bl], cpc[j], cnc[j], lacc[j], bacc[j])
				clear(gblock[j])
			}
			for r := 0; r < bl; r++ {
				xi := p.x[(i0+r)*d : (i0+r+1)*d]
				for j := range w {
					linalg.Axpy(z[j][r], xi, gblock[j])
				}
			}
			for j := range w {
				for k, v := range gblock[j] {
					gacc[j][k] += float64(v)
				}
			}
		}
		l, b := make([]float64, pa), make([]float64, pa)
		for j := range z {
			for r := 0; r < block; r++ {
				l[j] += lacc[j][r]
				b[j] += bacc[j][r]
			}
		}
		loss[c], gb[c], grads[c] = l, b, gacc
	})
	for j := range cols {
		for c := range grads {
			for k, v := range grads[c][j] {
				g[j][k] += v
			}
		}
	}
	return loss, gb
}

// scores computes x·w + b for every sample of x ([n, d]) and every parameter vector.
// The result is [len(theta)][n].
func scores(x []float32, n, d int, theta [][]float64, workers int) [][]float64 {
	pa := len(theta)
	out := make([][]float64, pa)
	if pa == 0 {
		return out
	}
	w := make([]float32, d*pa)
	for j := range theta {
		for k := 0; k < d; k++ {
			w[k*pa+j] = float32(theta[j][k])
		}
	}
	z := make([]float32, n*pa)
	linalg.Sgemm(false, false, n, pa, d, 1, x, d, w, pa, 0, z, pa, workers)
	for j := range out {
		out[j] = make([]float64, n)
		b := theta[j][d]
		for i := 0; i < n; i++ {
			out[j][i] = float64(z[i*pa+j]) + b
		}
	}
	return out
}

// solveStatus tells how a column's optimisation ended.
type solveStatus int

const (
	running solveStatus = iota
	converged
	maxIterations
	lineSearchFailed
	// stalled: the steps fell below float32 resolution before the gradient met the tolerance.
	stalled
)

// colState is one target's optimisation state.
type colState struct {
	theta, g []float64
	f        float64
	iter     int
	status   solveStatus
	// L-BFGS memory (ring buffer).
	s, y [][]float64
	rho  []float64
	head int
	cnt  int
	// FISTA.
	prev  []float64
	t     float64
	lipsc float64
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// lbfgs minimises the smooth objectives (λ1 = 0) of all targets at once with limited-memory BFGS
// (memory 10) and a backtracking Armijo line search per target; the objective values and gradients
// of all targets still in progress are computed together. A target stops when the largest
// gradient component is at most tol, after maxIter iterations, or when its steps fall below float32
// resolution or its line search fails (the objective is evaluated in float32 precision: the
// attainable gradient is about 1e-7–1e-6 on standardised features).
//
// Why it is long: the two-loop recursion, the batched line search and the memory update share
// per-target state (cs, the pending set, the batch) across iterations of one loop; split into
// helpers they would pass that state around and hide the control flow that the convergence and
// failure rules above depend on, in the observer's hottest loop.
func (p *logisticProblem) lbfgs(maxIter int, tol float64) []*colState {
	const mem, c1, maxTrials = 10, 1e-4, 30
	P := len(p.ycol)
	cs := make([]*colState, P)
	cols := make([]int, P)
	thetas := make([][]float64, P)
	for j := range cs {
		cols[j] = j
		cs[j] = &colState{theta: make([]float64, p.d+1), s: make([][]float64, mem), y: make([][]float64, mem), rho: make([]float64, mem)}
		thetas[j] = cs[j].theta
	}
	f, g := p.eval(cols, thetas)
	for j, c := range cs {
		c.f, c.g = f[j], g[j]
		if maxAbs(c.g) <= tol {
			c.status = converged
		}
	}
	dim := p.d + 1
	for active, batch := range runningBatches(cs) {
		dirs := make([][]float64, len(active))
		dg := make([]float64, len(active))
		alpha := make([]float64, len(active))
		linalg.ParallelFor(len(active), p.workers, func(lo, hi, _ int) {
			for a := lo; a < hi; a++ {
				c := cs[active[a]]
				d := c.direction()
				dg[a] = dot(d, c.g)
				if !(dg[a] < 0) { // not a descent direction: forget the memory
					c.cnt = 0
					d = c.direction()
					dg[a] = dot(d, c.g)
				}
				dirs[a] = d
				alpha[a] = 1
				if c.cnt == 0 {
					alpha[a] = math.Min(1, 1/math.Sqrt(dot(c.g, c.g)))
				}
			}
		})
		pending := make([]int, len(active))
		for a := range pending {
			pending[a] = a
		}
		trialTheta := make([][]float64, len(active))
		for trial := 0; len(pending) > 0; trial++ {
			if trial == maxTrials {
				for _, a := range pending {
					cs[active[a]].status = lineSearchFailed
				}
				break
			}
			tc := make([]int, len(pending))
			tt := make([][]float64, len(pending))
			for k, a := range pending {
				c := cs[active[a]]
				th := make([]float64, dim)
				for i := range th {
					th[i] = c.theta[i] + alpha[a]*dirs[a][i]
				}
				trialTheta[a] = th
				tc[k], tt[k] = active[a], th
			}
			var ft []float64
			var gt [][]float64
			if trial == 0 {
				ft, gt = p.evalWithin(batch, tc, tt, func(j int) []float64 { return cs[j].theta })
			} else {
				ft, gt = p.eval(tc, tt)
			}
			var again []int
			for k, a := range pending {
				c := cs[active[a]]
				armijo := ft[k] <= c.f+c1*alpha[a]*dg[a]
				// Where f cannot resolve the change (float32 evaluation noise is ~1e-9 relative), accept
				// on the slope instead: φ'(α) ≤ (1−2·c1)·|φ'(0)| is Armijo's condition for a quadratic.
				flat := math.Abs(ft[k]-c.f) <= 1e-8*math.Abs(c.f) && dot(gt[k], dirs[a]) <= (1-2*c1)*-dg[a]
				if (armijo || flat) && !math.IsNaN(ft[k]) {
					c.accept(trialTheta[a], ft[k], gt[k], mem)
					switch {
					case maxAbs(c.g) <= tol:
						c.status = converged
					case alpha[a]*maxAbs(dirs[a]) <= 1e-7*math.Max(maxAbs(c.theta), 1):
						c.status = stalled
					case c.iter >= maxIter:
						c.status = maxIterations
					}
					continue
				}
				// Backtrack: minimiser of the quadratic through f, f'(0) and f(α), kept in [0.1α, 0.5α].
				na := 0.1 * alpha[a]
				if den := 2 * (ft[k] - c.f - dg[a]*alpha[a]); den > 0 && !math.IsInf(ft[k], 0) {
					na = math.Max(0.1*alpha[a], math.Min(0.5*alpha[a], -dg[a]*alpha[a]*alpha[a]/den))
				}
				alpha[a] = na
				again = append(again, a)
			}
			pending = again
		}
	}
	return cs
}

// direction returns −H·g by the L-BFGS two-loop recursion.
func (c *colState) direction() []float64 {
	q := slices.Clone(c.g)
	mem := len(c.s)
	al := make([]float64, mem)
	for k := 0; k < c.cnt; k++ {
		i := (c.head - 1 - k + mem) % mem
		al[i] = c.rho[i] * dot(c.s[i], q)
		for t := range q {
			q[t] -= al[i] * c.y[i][t]
		}
	}
	if c.cnt > 0 {
		i := (c.head - 1 + mem) % mem
		gamma := dot(c.s[i], c.y[i]) / dot(c.y[i], c.y[i])
		for t := range q {
			q[t] *= gamma
		}
	}
	for k := c.cnt - 1; k >= 0; k-- {
		i := (c.head - 1 - k + mem) % mem
		b := c.rho[i] * dot(c.y[i], q)
		for t := range q {
			q[t] += c.s[i][t] * (al[i] - b)
		}
	}
	for t := range q {
		q[t] = -q[t]
	}
	return q
}

// accept moves to the new point and updates the L-BFGS memory.
func (c *colState) accept(theta []float64, f float64, g []float64, mem int) {
	s := make([]float64, len(theta))
	y := make([]float64, len(theta))
	for i := range s {
		s[i] = theta[i] - c.theta[i]
		y[i] = g[i] - c.g[i]
	}
	if sy := dot(s, y); sy > 1e-12*dot(y, y) && sy > 0 {
		c.s[c.head], c.y[c.head], c.rho[c.head] = s, y, 1/sy
		c.head = (c.head + 1) % mem
		c.cnt = min(c.cnt+1, mem)
	}
	c.theta, c.f, c.g = theta, f, g
	c.iter++
}

// lipschitzBound returns λmax(X̃ᵀX̃/n) for X̃ = [X, 1], by power iteration on the (d+1)² Gram matrix.
func (p *logisticProblem) lipschitzBound() float64 {
	d := p.d
	gram := make([]float32, d*d)
	linalg.Sgemm(true, false, d, d, p.n, 1/float32(p.n), p.x, d, p.x, d, 0, gram, d, p.workers)
	mean := make([]float64, d)
	for i := 0; i < p.n; i++ {
		for k, v := range p.x[i*d : (i+1)*d] {
			mean[k] += float64(v)
		}
	}
	for k := range mean {
		mean[k] /= float64(p.n)
	}
	dim := d + 1
	a := make([]float64, dim*dim)
	for i := 0; i < d; i++ {
		for k := 0; k < d; k++ {
			a[i*dim+k] = float64(gram[i*d+k])
		}
		a[i*dim+d], a[d*dim+i] = mean[i], mean[i]
	}
	a[d*dim+d] = 1
	v := make([]float64, dim)
	for i := range v {
		v[i] = 1 / math.Sqrt(float64(dim)) * (1 + 0.01*float64(i%7))
	}
	lam := 0.0
	for it := 0; it < 500; it++ {
		w := make([]float64, dim)
		for i := 0; i < dim; i++ {
			w[i] = dot(a[i*dim:(i+1)*dim], v)
		}
		nrm := math.Sqrt(dot(w, w))
		if nrm == 0 {
			return 1
		}
		for i := range w {
			w[i] /= nrm
		}
		prev := lam
		lam, v = nrm, w
		if it > 10 && math.Abs(lam-prev) <= 1e-9*lam {
			break
		}
	}
	return lam * 1.01 // a little margin for the power iteration's error
}

// fista minimises F with an L1 term by accelerated proximal gradient (FISTA) with a fixed step 1/L
// per target — L = ¼·max_i(c_i)·n·λmax(X̃ᵀX̃/n) + λ2 bounds the smooth part's curvature — and
// gradient-based adaptive restart. A target stops when the gradient mapping's largest component is
// at most tol, when the iterates stop moving (float32 evaluation precision), or after maxIter
// iterations.
func (p *logisticProblem) fista(maxIter int, tol float64) []*colState {
	P := len(p.ycol)
	dim := p.d + 1
	lmax := p.lipschitzBound()
	cs := make([]*colState, P)
	for j := range cs {
		cmax := math.Max(p.cpos[j], p.cneg[j])
		cs[j] = &colState{theta: make([]float64, dim), prev: make([]float64, dim), t: 1,
			lipsc: 0.25*cmax*float64(p.n)*lmax + p.lam2}
	}
	for active, batch := range runningBatches(cs) {
		vs := make([][]float64, len(active))
		tnext := make([]float64, len(active))
		for a, j := range active {
			c := cs[j]
			tnext[a] = (1 + math.Sqrt(1+4*c.t*c.t)) / 2
			mom := (c.t - 1) / tnext[a]
			v := make([]float64, dim)
			for i := range v {
				v[i] = c.theta[i] + mom*(c.theta[i]-c.prev[i])
			}
			vs[a] = v
		}
		_, gv := p.evalWithin(batch, active, vs, func(j int) []float64 { return cs[j].theta })
		for a, j := range active {
			c := cs[j]
			v, g := vs[a], gv[a]
			next := make([]float64, dim)
			step := 1 / c.lipsc
			thr := p.lam1 * step
			gm, move, size := 0.0, 0.0, 1.0
			restart := 0.0
			for i := range next {
				u := v[i] - step*g[i]
				if i < p.d { // soft-threshold the weights, not the intercept
					switch {
					case u > thr:
						u -= thr
					case u < -thr:
						u += thr
					default:
						u = 0
					}
				}
				next[i] = u
				gm = math.Max(gm, math.Abs(v[i]-u)*c.lipsc)
				move = math.Max(move, math.Abs(u-c.theta[i]))
				size = math.Max(size, math.Abs(u))
				restart += (v[i] - u) * (u - c.theta[i])
			}
			c.prev, c.theta = c.theta, next
			c.t = tnext[a]
			if restart > 0 {
				c.t = 1
			}
			c.iter++
			switch {
			case gm <= tol:
				c.status = converged
			case move <= 1e-7*size && restart <= 0:
				c.status = stalled
			case c.iter >= maxIter:
				c.status = maxIterations
			}
		}
	}
	// Objective values and gradients at the final points.
	all := make([]int, P)
	th := make([][]float64, P)
	for j := range all {
		all[j], th[j] = j, cs[j].theta
	}
	f, g := p.eval(all, th)
	for j, c := range cs {
		c.f, c.g = f[j], g[j]
		for _, w := range c.theta[:p.d] {
			c.f += p.lam1 * math.Abs(w)
		}
	}
	return cs
}

// runningBatches yields, for each iteration of a solver over the targets cs, the targets still
// running (active) and the batch of targets evaluated together, until none is running: the batch
// starts as every running target and shrinks to the active ones when a tenth of it has finished.
func runningBatches(cs []*colState) iter.Seq2[[]int, []int] {
	return func(yield func(active, batch []int) bool) {
		var batch []int
		for {
			var active []int
			for j, c := range cs {
				if c.status == running {
					active = append(active, j)
				}
			}
			if len(active) == 0 {
				return
			}
			if 10*len(active) < 9*len(batch) || len(batch) == 0 {
				batch = active
			}
			if !yield(active, batch) {
				return
			}
		}
	}
}
