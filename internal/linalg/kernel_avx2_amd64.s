//go:build amd64 && !purego

#include "textflag.h"

// AVX2 + FMA kernels (256-bit, sixteen Y registers). Same contracts as the AVX-512 ones in
// kernel_avx512_amd64.s, on 8-float vectors.
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
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
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
	VBROADCASTSS 0(SI), Y14 // row 0
	VFMADD231PS Y12, Y14, Y0
	VFMADD231PS Y13, Y14, Y1
	VBROADCASTSS 4(SI), Y15 // row 1
	VFMADD231PS Y12, Y15, Y2
	VFMADD231PS Y13, Y15, Y3
	VBROADCASTSS 8(SI), Y14 // row 2
	VFMADD231PS Y12, Y14, Y4
	VFMADD231PS Y13, Y14, Y5
	VBROADCASTSS 12(SI), Y15 // row 3
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VBROADCASTSS 16(SI), Y14 // row 4
	VFMADD231PS Y12, Y14, Y8
	VFMADD231PS Y13, Y14, Y9
	VBROADCASTSS 20(SI), Y15 // row 5
	VFMADD231PS Y12, Y15, Y10
	VFMADD231PS Y13, Y15, Y11
	ADDQ R10, SI
	ADDQ R11, DI
	DECQ CX
	JNZ ks2loop

ks2store:
	TESTQ R9, R9
	JEQ ks2put
	// C += acc, row by row.
	VADDPS (DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y2, Y2
	VADDPS 32(DX), Y3, Y3
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y4, Y4
	VADDPS 32(DX), Y5, Y5
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y6, Y6
	VADDPS 32(DX), Y7, Y7
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y8, Y8
	VADDPS 32(DX), Y9, Y9
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y10, Y10
	VADDPS 32(DX), Y11, Y11
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET

ks2put:
	// C = acc.
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	VZEROUPPER
	RET

// func dotAVX2(n int, x, y *float32) float32
// Returns Σ x[i]*y[i] over the first n elements; n must be a multiple of 8. Four accumulators
// (32 floats a step) hide the FMA latency.
TEXT ·dotAVX2(SB), NOSPLIT, $0-28
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ CX, $32
	JLT d2tail

d2loop32:
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE d2loop32

d2tail:
	CMPQ CX, $8
	JLT d2done
	VMOVUPS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP d2tail

d2done:
	// Horizontal sum of Y0+Y1+Y2+Y3.
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VMOVHLPS X0, X0, X1
	VADDPS X1, X0, X0
	VMOVSHDUP X0, X1
	VADDSS X1, X0, X0
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func axpyAVX2(n int, alpha float32, x, y *float32)
// y[i] += alpha*x[i] for the first n elements; n must be a multiple of 8.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	VBROADCASTSS alpha+8(FP), Y0
	MOVQ x+16(FP), SI
	MOVQ y+24(FP), DI
	CMPQ CX, $32
	JLT a2tail

a2loop32:
	VMOVUPS (DI), Y4
	VMOVUPS 32(DI), Y5
	VMOVUPS 64(DI), Y6
	VMOVUPS 96(DI), Y7
	VFMADD231PS (SI), Y0, Y4
	VFMADD231PS 32(SI), Y0, Y5
	VFMADD231PS 64(SI), Y0, Y6
	VFMADD231PS 96(SI), Y0, Y7
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JGE a2loop32

a2tail:
	CMPQ CX, $8
	JLT a2done
	VMOVUPS (DI), Y4
	VFMADD231PS (SI), Y0, Y4
	VMOVUPS Y4, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP a2tail

a2done:
	VZEROUPPER
	RET

// Constants for logisticAVX2: 8 copies of a float32 each, for use as 256-bit memory operands.
#define VEC8(name, bits) \
	DATA name<>+0(SB)/4, bits; DATA name<>+4(SB)/4, bits; \
	DATA name<>+8(SB)/4, bits; DATA name<>+12(SB)/4, bits; \
	DATA name<>+16(SB)/4, bits; DATA name<>+20(SB)/4, bits; \
	DATA name<>+24(SB)/4, bits; DATA name<>+28(SB)/4, bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

VEC8(l2sign, $0x80000000)  // -0.0: the sign bit
VEC8(l2one, $0x3f800000)   // 1
VEC8(l2two, $0x40000000)   // 2
VEC8(l2xmin, $0xc2ad0000)  // -86.5: below it e^x is taken as 0 (keeps 2^n a normal float)
VEC8(l2log2e, $0x3fb8aa3b) // log2(e)
VEC8(l2ln2hi, $0x3f318000) // ln 2, high part
VEC8(l2ln2lo, $0xb95e8083) // ln 2, low part
VEC8(l2e5, $0x39506967)    // e^r = 1 + r + r²·(1/2 + r/6 + … + r⁵/5040): ≈ 1/5040
VEC8(l2e4, $0x3ab743ce)    // ≈ 1/720
VEC8(l2e3, $0x3c088908)    // ≈ 1/120
VEC8(l2e2, $0x3d2aa9c1)    // ≈ 1/24
VEC8(l2e1, $0x3e2aaaaa)    // ≈ 1/6 (coefficients as in kernel_avx512_amd64.s)
VEC8(l2e0, $0x3f000000)    // 1/2
VEC8(l2l13, $0x3d9d89d9)   // log1p series: 1/13
VEC8(l2l11, $0x3dba2e8c)   // 1/11
VEC8(l2l9, $0x3de38e39)    // 1/9
VEC8(l2l7, $0x3e124925)    // 1/7
VEC8(l2l5, $0x3e4ccccd)    // 1/5
VEC8(l2l3, $0x3eaaaaab)    // 1/3

// func logisticAVX2(n int, z, bias *float32, y *uint8, cpos, cneg *float32, loss, gb *float64)
// For each j < n (a multiple of 8): zz = z[j]+bias[j]; m = zz if y[j] != 0 else −zz;
// c = cpos[j] if y[j] != 0 else cneg[j]; r = c·σ(−m), negated where y[j] != 0 (r = c·(σ(zz) − y));
// z[j] = r; loss[j] += c·log(1+exp(−m)); gb[j] += r.
// With e = exp(−|m|) ∈ (0, 1]: σ(−m) = e/(1+e) for m ≥ 0 and 1/(1+e) for m < 0;
// log(1+exp(−m)) = log1p(e) + max(−m, 0), log1p(e) = 2s(1 + s²/3 + … + s¹²/13) with s = e/(2+e).
// Registers: Y13 = 0, Y14 = 1, Y15 = sign bit throughout; the rest are named where set.
TEXT ·logisticAVX2(SB), NOSPLIT, $0-64
	MOVQ n+0(FP), CX
	MOVQ z+8(FP), DI
	MOVQ bias+16(FP), SI
	MOVQ y+24(FP), R8
	MOVQ cpos+32(FP), R10
	MOVQ cneg+40(FP), R9
	MOVQ loss+48(FP), R11
	MOVQ gb+56(FP), R12
	VXORPS Y13, Y13, Y13
	VMOVUPS l2one<>(SB), Y14
	VMOVUPS l2sign<>(SB), Y15
	TESTQ CX, CX
	JEQ l2done

l2loop:
	VMOVUPS (DI), Y0
	VADDPS (SI), Y0, Y0 // Y0 = zz
	VPMOVZXBD (R8), Y1  // y as 8 int32
	VPCMPEQD Y13, Y1, Y1 // Y1 = all ones where y == 0 (the negative samples)
	VXORPS Y15, Y0, Y2  // −zz
	VBLENDVPS Y1, Y2, Y0, Y2 // Y2 = m = y == 0 ? −zz : zz
	VORPS Y15, Y2, Y3   // Y3 = x = −|m|

	// e = exp(x): x = n·ln2 + r, |r| ≤ ln2/2; e^r by its degree-7 series; 2^n into the exponent.
	VCMPPS $1, l2xmin<>(SB), Y3, Y7 // Y7 = x < −86.5 (result forced to 0 below)
	VMULPS l2log2e<>(SB), Y3, Y5
	VROUNDPS $0, Y5, Y5 // Y5 = n = round(x·log2 e)
	VFNMADD231PS l2ln2hi<>(SB), Y5, Y3
	VFNMADD231PS l2ln2lo<>(SB), Y5, Y3 // Y3 = r = x − n·ln2
	VMOVUPS l2e5<>(SB), Y4
	VFMADD213PS l2e4<>(SB), Y3, Y4
	VFMADD213PS l2e3<>(SB), Y3, Y4
	VFMADD213PS l2e2<>(SB), Y3, Y4
	VFMADD213PS l2e1<>(SB), Y3, Y4
	VFMADD213PS l2e0<>(SB), Y3, Y4
	VMULPS Y3, Y3, Y6
	VFMADD213PS Y3, Y6, Y4 // r + r²·p(r)
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
	VADDPS l2two<>(SB), Y4, Y10
	VDIVPS Y10, Y4, Y10 // Y10 = s = e/(2+e)
	VMULPS Y10, Y10, Y11 // s²
	VMOVUPS l2l13<>(SB), Y12
	VFMADD213PS l2l11<>(SB), Y11, Y12
	VFMADD213PS l2l9<>(SB), Y11, Y12
	VFMADD213PS l2l7<>(SB), Y11, Y12
	VFMADD213PS l2l5<>(SB), Y11, Y12
	VFMADD213PS l2l3<>(SB), Y11, Y12
	VFMADD213PS Y14, Y11, Y12
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
	VCVTPS2PD X12, Y0
	VEXTRACTF128 $1, Y12, X12
	VCVTPS2PD X12, Y12
	VADDPD (R11), Y0, Y0
	VMOVUPD Y0, (R11)
	VADDPD 32(R11), Y12, Y12
	VMOVUPD Y12, 32(R11)
	VCVTPS2PD X9, Y0
	VEXTRACTF128 $1, Y9, X9
	VCVTPS2PD X9, Y9
	VADDPD (R12), Y0, Y0
	VMOVUPD Y0, (R12)
	VADDPD 32(R12), Y9, Y9
	VMOVUPD Y9, 32(R12)

	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $8, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $64, R11
	ADDQ $64, R12
	SUBQ $8, CX
	JNZ l2loop

l2done:
	VZEROUPPER
	RET
