package linalg

import "math"

// ExpNeg returns e^x for x ≤ 0 (relative error below 1e-8; 0 below −708). It is a range-reduced
// degree-7 polynomial, several times faster than math.Exp.
func ExpNeg(x float64) float64 {
	if x < -708 {
		return 0
	}
	const (
		log2e = 1.4426950408889634
		ln2hi = 6.93147180369123816490e-01
		ln2lo = 1.90821492927058770002e-10
	)
	n := math.Floor(x*log2e + 0.5)
	r := x - n*ln2hi - n*ln2lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float64frombits(uint64(int64(n)+1023)<<52)
}

// Log1pUnit returns log(1+e) for e in [0, 1] (relative error below 1e-9), through
// log1p(e) = 2·atanh(e/(2+e)) and its odd series.
func Log1pUnit(e float64) float64 {
	s := e / (2 + e)
	s2 := s * s
	return 2 * s * (1 + s2*(1.0/3+s2*(1.0/5+s2*(1.0/7+s2*(1.0/9+s2*(1.0/11+s2*(1.0/13+s2*(1.0/15+s2*(1.0/17+s2*(1.0/19))))))))))
}

// LogisticLoss returns the logistic loss log(1+exp(−m)) of margin m = z (positive sample) or −z
// (negative sample), and σ(−m), the magnitude of its derivative with respect to m.
func LogisticLoss(m float64) (loss, sigNeg float64) {
	e := ExpNeg(-math.Abs(m))
	inv := 1 / (1 + e)
	if m >= 0 {
		return Log1pUnit(e), e * inv
	}
	return Log1pUnit(e) - m, inv
}

// Logistic applies the weighted logistic loss to a row of logits, in place. For each j:
// zz = z[j]+bias[j]; with c = cpos[j] when y[j] != 0, else cneg[j], it sets z[j] = c·(σ(zz) − y[j]),
// adds c·loss(zz, y[j]) to loss[j] and z[j] to gb[j]. All slices have len(z) elements (y may be
// longer). The assembly paths compute elements in float32 precision (float64 sums); Go in float64.
func Logistic(z, bias []float32, y []uint8, cpos, cneg []float32, loss, gb []float64) {
	n := len(z)
	bias, y, cpos, cneg, loss, gb = bias[:n], y[:n], cpos[:n], cneg[:n], loss[:n], gb[:n]
	done := 0
	if p := path; p != PathGo {
		done = logisticAsm(p, z, bias, y, cpos, cneg, loss, gb)
	}
	for j := done; j < n; j++ {
		zz := float64(z[j]) + float64(bias[j])
		m, c := -zz, float64(cneg[j])
		if y[j] != 0 {
			m, c = zz, float64(cpos[j])
		}
		l, s := LogisticLoss(m)
		r := c * s
		if y[j] != 0 {
			r = -r
		}
		z[j] = float32(r)
		loss[j] += c * l
		gb[j] += float64(float32(r))
	}
}
