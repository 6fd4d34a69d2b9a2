package linalg

import (
	"math"
	"testing"
)

func TestFastLogistic(t *testing.T) {
	for x := -800.0; x <= 0; x += 0.0137 {
		want := math.Exp(x)
		if got := ExpNeg(x); math.Abs(got-want) > 1e-8*want+1e-300 {
			t.Fatalf("ExpNeg(%v) = %v, want %v", x, got, want)
		}
	}
	for e := 0.0; e <= 1; e += 1e-4 {
		want := math.Log1p(e)
		if got := Log1pUnit(e); math.Abs(got-want) > 1e-9*want+1e-300 {
			t.Fatalf("Log1pUnit(%v) = %v, want %v", e, got, want)
		}
	}
	for m := -50.0; m <= 50; m += 0.173 {
		l, s := LogisticLoss(m)
		wl, ws := math.Log1p(math.Exp(-m)), 1/(1+math.Exp(m))
		if math.Abs(l-wl) > 1e-8*(1+wl) || math.Abs(s-ws) > 1e-8*(ws+1e-300) {
			t.Fatalf("LogisticLoss(%v) = %v,%v want %v,%v", m, l, s, wl, ws)
		}
	}
}

func BenchmarkLogisticLoss(b *testing.B) {
	s := 0.0
	for i := range b.N {
		l, g := LogisticLoss(float64(i%2000)/100 - 10)
		s += l + g
	}
	_ = s
}

func TestLogisticKernel(t *testing.T) { eachPath(t, testLogisticKernel) }

func testLogisticKernel(t *testing.T) {
	const n = 16*37 + 5
	mk := func() (z, bias, cpos, cneg []float32, y []uint8) {
		for j := 0; j < n; j++ {
			v := float64(j%97)*0.9 - 40 + float64(j%7)*0.013
			if j%11 == 3 { // far tails: e^−|m| underflows (and 2^n would leave the normal range)
				v = float64(1-2*(j%2)) * (85 + float64(j%300))
			}
			z = append(z, float32(v))
			bias = append(bias, float32(j%5)-2)
			cpos = append(cpos, float32(1+j%3)*1e-3)
			cneg = append(cneg, float32(2+j%4)*1e-3)
			y = append(y, uint8((j*7)%3%2))
		}
		return
	}
	z, bias, cpos, cneg, y := mk()
	loss, gb := make([]float64, n), make([]float64, n)
	for j := range loss {
		loss[j], gb[j] = 1, -1
	}
	Logistic(z, bias, y, cpos, cneg, loss, gb)
	z0, _, _, _, _ := mk()
	for j := 0; j < n; j++ {
		zz := float64(z0[j]) + float64(bias[j])
		yy, c := 0.0, float64(cneg[j])
		if y[j] != 0 {
			yy, c = 1, float64(cpos[j])
		}
		sig := 1 / (1 + math.Exp(-zz))
		wantR := c * (sig - yy)
		wantL := c * (math.Max(zz, 0) - zz*yy + math.Log1p(math.Exp(-math.Abs(zz))))
		if math.Abs(float64(z[j])-wantR) > 1e-6*c+1e-6*math.Abs(wantR) {
			t.Fatalf("j=%d zz=%v y=%d: r=%v want %v", j, zz, y[j], z[j], wantR)
		}
		if math.Abs(loss[j]-1-wantL) > 2e-6*(wantL+c*1e-2) {
			t.Fatalf("j=%d zz=%v y=%d: loss=%v want %v", j, zz, y[j], loss[j]-1, wantL)
		}
		if math.Abs(gb[j]+1-float64(z[j])) > 1e-12 {
			t.Fatalf("j=%d gb %v r %v", j, gb[j]+1, z[j])
		}
	}
}

func BenchmarkLogisticKernel(b *testing.B) {
	const n = 1024
	z, bias, cpos, cneg := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	y := make([]uint8, n)
	loss, gb := make([]float64, n), make([]float64, n)
	for j := range z {
		cpos[j], cneg[j], y[j] = 1, 1, uint8(j%2)
	}
	for range b.N {
		for j := range z {
			z[j] = float32(j%40) - 20
		}
		Logistic(z, bias, y, cpos, cneg, loss, gb)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/elem")
}
