//go:build amd64 && !purego

#include "textflag.h"
#include "kernel_amd64.h"

// AVX2 + FMA tile and logistic kernels (256-bit, sixteen Y registers). Same contracts as the
// AVX-512 ones in kernel_avx512_amd64.s, on 8-float vectors; dot and axpy are in kernel_vec_amd64.s.
//
// Go assembler operand order is Intel's reversed: "VFMADD231PS Y12, Y14, Y0" is Intel's
// "vfmadd231ps ymm0, ymm14, ymm12", i.e. Y0 += Y14*Y12; "VBLENDVPS M, B, A, D" sets D = M ? B : A
// per lane (M's sign bit); "VANDNPS B, A, D" sets D = ^A & B; "VDIVPS B, A, D" sets D = A / B.

// func kernel6x16sAVX2(k int, a, b, c *float32, lda, ldb, ldc int, add int)
// C[6x16] (row stride ldc floats) = A·B over k steps, added to C when add != 0. Each step reads 6
// floats of A at a (then a += lda floats) and 16 of B at b (then b += ldb floats): in the packed
// panels of the 12×32 tile lda = 12 and ldb = 32; on the k-major blocks of BlockMulAtB both are the
// block's width.
// Registers: Y0..Y11 accumulate rows 0..5 (two vectors a row), Y12/Y13 hold the B step, Y14/Y15
// alternate as broadcasts of one A value.
TEXT ·kernel6x16sAVX2(SB), NOSPLIT, $0-64
	TILE_ARGS
	MOVQ lda+32(FP), R10
	MOVQ ldb+40(FP), R11
	MOVQ ldc+48(FP), R8
	MOVQ add+56(FP), R9
	SHLQ $2, R8 // row stride in bytes
	SHLQ $2, R10
	SHLQ $2, R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JEQ ks2store

ks2loop:
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	FMA_ROWS6(0, Y14, Y15, Y12, Y13, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11)
	ADDQ R10, SI
	ADDQ R11, DI
	DECQ CX
	JNZ ks2loop

ks2store:
	TESTQ R9, R9
	JEQ ks2put
	ROWS6(ADD_ROW, 32, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11) // C += acc
	VZEROUPPER
	RET

ks2put:
	ROWS6(PUT_ROW, 32, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11) // C = acc
	VZEROUPPER
	RET

LOGISTIC_CONSTANTS // in kernel_amd64.h

// func logisticAVX2(n int, z, bias *float32, y *uint8, cpos, cneg *float32, loss, gb *float64)
// (what it computes: kernel_amd64.go; n a multiple of 8)
// With e = exp(−|m|) ∈ (0, 1]: σ(−m) = e/(1+e) for m ≥ 0 and 1/(1+e) for m < 0;
// log(1+exp(−m)) = log1p(e) + max(−m, 0), log1p(e) = 2s(1 + s²/3 + … + s¹²/13) with s = e/(2+e).
// Registers: Y13 = 0, Y14 = 1, Y15 = sign bit throughout; the rest are named where set.
TEXT ·logisticAVX2(SB), NOSPLIT, $0-64
	LOGISTIC_ARGS
	VXORPS Y13, Y13, Y13
	VMOVUPS lone<>(SB), Y14
	VMOVUPS lsign<>(SB), Y15
	TESTQ CX, CX
	JEQ done

loop:
	VMOVUPS (DI), Y0
	VADDPS (SI), Y0, Y0 // Y0 = zz
	VPMOVZXBD (R8), Y1  // y as 8 int32
	VPCMPEQD Y13, Y1, Y1 // Y1 = all ones where y == 0 (the negative samples)
	VXORPS Y15, Y0, Y2  // −zz
	VBLENDVPS Y1, Y2, Y0, Y2 // Y2 = m = y == 0 ? −zz : zz
	VORPS Y15, Y2, Y3   // Y3 = x = −|m|

	// e = exp(x): x = n·ln2 + r, |r| ≤ ln2/2; e^r by its degree-7 series; 2^n into the exponent.
	VCMPPS $1, lxmin<>(SB), Y3, Y7 // Y7 = x < −86.5 (result forced to 0 below)
	VMULPS llog2e<>(SB), Y3, Y5
	VROUNDPS $0, Y5, Y5 // Y5 = n = round(x·log2 e)
	VFNMADD231PS lln2hi<>(SB), Y5, Y3
	VFNMADD231PS lln2lo<>(SB), Y5, Y3 // Y3 = r = x − n·ln2
	EXPM1_SERIES(VMOVUPS, VFMADD213PS, Y3, Y4, Y6) // r + r²·p(r)
	VADDPS Y14, Y4, Y4     // e^r
	VCVTPS2DQ Y5, Y5
	VPSLLD $23, Y5, Y5
	VPADDD Y5, Y4, Y4      // ·2^n (n ≥ −125 when x ≥ −86.5: stays normal)
	VANDNPS Y4, Y7, Y4     // Y4 = e (0 where x < −86.5)

	// σ(−m): e/(1+e) for m ≥ 0, 1/(1+e) for m < 0.
	VADDPS Y14, Y4, Y8
	VDIVPS Y8, Y14, Y8     // Y8 = 1/(1+e)
	VMULPS Y8, Y4, Y9      // e/(1+e)
	VCMPPS $1, Y13, Y2, Y10 // m < 0
	VBLENDVPS Y10, Y8, Y9, Y9 // Y9 = σ(−m)

	// log(1+exp(−m)) = log1p(e) + max(−m, 0).
	VADDPS ltwo<>(SB), Y4, Y10
	VDIVPS Y10, Y4, Y10 // Y10 = s = e/(2+e)
	VMULPS Y10, Y10, Y11 // s²
	LOG1P_SERIES(VMOVUPS, VFMADD213PS, Y14, Y11, Y12)
	VADDPS Y10, Y10, Y10
	VMULPS Y10, Y12, Y12 // log1p(e)
	VXORPS Y15, Y2, Y10
	VMAXPS Y13, Y10, Y10
	VADDPS Y10, Y12, Y12 // Y12 = loss per unit weight

	// Weight c, sign of the residual, stores.
	VMOVUPS (R10), Y11
	VBLENDVPS Y1, (R9), Y11, Y11 // Y11 = c = y == 0 ? cneg : cpos
	VMULPS Y11, Y9, Y9
	VANDNPS Y15, Y1, Y10 // sign bit where y != 0
	VXORPS Y10, Y9, Y9   // Y9 = r
	VMOVUPS Y9, (DI)
	VMULPS Y11, Y12, Y12 // c·loss

	// loss[j] += c·loss, gb[j] += r in float64, four lanes at a time.
	ACC_F64(VEXTRACTF128, 32, R11, X12, Y12, Y0, X12, Y12)
	ACC_F64(VEXTRACTF128, 32, R12, X9, Y9, Y0, X9, Y9)

	LOGISTIC_END(32)
