//go:build amd64 && !purego

#include "textflag.h"
#include "kernel_amd64.h"

// The vector kernels, dot and axpy, at both widths: AVX2 + FMA (Y registers, n a multiple of 8)
// and AVX-512 (Z registers, n a multiple of 16), each width from the same macro (DOT, AXPY).

// func dotAVX2(n int, x, y *float32) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-28
	DOT(32, VXORPS, HSUM_Y0, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	MOVSS X0, ret+24(FP)
	RET

// func dotAVX512(n int, x, y *float32) float32
TEXT ·dotAVX512(SB), NOSPLIT, $0-28
	DOT(64, VPXORD, HSUM_Z0, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	MOVSS X0, ret+24(FP)
	RET

// func axpyAVX2(n int, alpha float32, x, y *float32)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	AXPY(32, Y0, Y4, Y5, Y6, Y7)
	RET

// func axpyAVX512(n int, alpha float32, x, y *float32)
TEXT ·axpyAVX512(SB), NOSPLIT, $0-32
	AXPY(64, Z0, Z4, Z5, Z6, Z7)
	RET
