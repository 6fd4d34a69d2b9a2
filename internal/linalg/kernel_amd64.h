// Macros shared by the AVX2 + FMA kernels (kernel_avx2_amd64.s: Y registers, 32-byte vectors of
// 8 floats) and the AVX-512 ones (kernel_avx512_amd64.s: Z registers, 64-byte vectors of 16
// floats). Registers and the vector width w (in bytes) are arguments, so both files run the same
// instruction sequences on their own vectors.
//
// Go assembler operand order is Intel's reversed: "VFMADD231PS B, A, C" is C += A*B.

// Tile kernels. A row of the C tile is two vectors (the second at byte offset w); SI walks the
// packed A values, DX the rows of C, R8 is C's row stride in bytes.

// TILE_ARGS loads the arguments the tile kernels share, func kernel…(k int, a, b, c *float32, …):
// CX = k, SI = a, DI = b, DX = c.
#define TILE_ARGS \
	MOVQ k+0(FP), CX; \
	MOVQ a+8(FP), SI; \
	MOVQ b+16(FP), DI; \
	MOVQ c+24(FP), DX

// FMA_ROW(off, a, b0, b1, c0, c1): one row of a k-step: a = the A value at off(SI), broadcast;
// c0 += a*b0; c1 += a*b1.
#define FMA_ROW(off, a, b0, b1, c0, c1) \
	VBROADCASTSS off(SI), a; \
	VFMADD231PS b0, a, c0; \
	VFMADD231PS b1, a, c1

// FMA_ROWS6(off, a0, a1, b0, b1, c0 … c11): six rows of a k-step, the A values at off(SI),
// off+4(SI), …; the broadcasts alternate between a0 and a1, row r accumulates into c(2r), c(2r+1).
#define FMA_ROWS6(off, a0, a1, b0, b1, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11) \
	FMA_ROW((off), a0, b0, b1, c0, c1); \
	FMA_ROW((off+4), a1, b0, b1, c2, c3); \
	FMA_ROW((off+8), a0, b0, b1, c4, c5); \
	FMA_ROW((off+12), a1, b0, b1, c6, c7); \
	FMA_ROW((off+16), a0, b0, b1, c8, c9); \
	FMA_ROW((off+20), a1, b0, b1, c10, c11)

// ADD_ROW(w, c0, c1): the C row at DX += c0, c1 (c0 and c1 are overwritten).
#define ADD_ROW(w, c0, c1) \
	VADDPS (DX), c0, c0; \
	VADDPS w(DX), c1, c1; \
	VMOVUPS c0, (DX); \
	VMOVUPS c1, w(DX)

// PUT_ROW(w, c0, c1): the C row at DX = c0, c1.
#define PUT_ROW(w, c0, c1) \
	VMOVUPS c0, (DX); \
	VMOVUPS c1, w(DX)

// ROWS6(op, w, c0 … c11): op (ADD_ROW or PUT_ROW) on six rows from DX on, row r from c(2r),
// c(2r+1); DX is left at the sixth row.
#define ROWS6(op, w, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11) \
	op(w, c0, c1); \
	ADDQ R8, DX; \
	op(w, c2, c3); \
	ADDQ R8, DX; \
	op(w, c4, c5); \
	ADDQ R8, DX; \
	op(w, c6, c7); \
	ADDQ R8, DX; \
	op(w, c8, c9); \
	ADDQ R8, DX; \
	op(w, c10, c11)

// VEC_LOOP(w, step, v0, v1, v2, v3, x0, x1, x2, x3) runs step over the CX floats (a multiple of
// w/4, the floats of one vector) at SI (x) and DI (y): step(off, v, x) handles the vector at byte
// offset off with the scratch register x; four vectors (w floats) a step, with v0 … v3, while they
// last, then one, with v0. It uses the labels four, one and done (once per TEXT).
#define VEC_LOOP(w, step, v0, v1, v2, v3, x0, x1, x2, x3) \
	CMPQ CX, $(w); \
	JLT one; \
four: \
	step(0, v0, x0); \
	step((w), v1, x1); \
	step((2*w), v2, x2); \
	step((3*w), v3, x3); \
	ADDQ $(4*w), SI; \
	ADDQ $(4*w), DI; \
	SUBQ $(w), CX; \
	CMPQ CX, $(w); \
	JGE four; \
one: \
	CMPQ CX, $(w/4); \
	JLT done; \
	step(0, v0, x0); \
	ADDQ $(w), SI; \
	ADDQ $(w), DI; \
	SUBQ $(w/4), CX; \
	JMP one; \
done:

// DOT_STEP(off, s, x): s += x*y on the vectors at off: VEC_LOOP's step for a dot product, whose
// v0 … v3 are four partial sums (they hide the FMA latency).
#define DOT_STEP(off, s, x) \
	VMOVUPS off(SI), x; \
	VFMADD231PS off(DI), x, s

// AXPY_STEP(off, a, x): y += a*x on the vectors at off: VEC_LOOP's step for y += alpha*x, whose
// v0 … v3 are all alpha, broadcast.
#define AXPY_STEP(off, a, x) \
	VMOVUPS off(DI), x; \
	VFMADD231PS off(SI), a, x; \
	VMOVUPS x, off(DI)

// DOT(w, zero, hsum, s0, s1, s2, s3, x0, x1, x2, x3) is func dot…(n int, x, y *float32) float32
// but for its result, left in X0's low float: Σ x[i]*y[i] over the first n elements (n a multiple
// of w/4). zero clears a vector register (VXORPS, VPXORD), hsum sums s0's floats into X0's low one
// (HSUM_Y0, HSUM_Z0); s0 … s3 are the partial sums, x0 … x3 scratch.
#define DOT(w, zero, hsum, s0, s1, s2, s3, x0, x1, x2, x3) \
	MOVQ n+0(FP), CX; \
	MOVQ x+8(FP), SI; \
	MOVQ y+16(FP), DI; \
	zero s0, s0, s0; \
	zero s1, s1, s1; \
	zero s2, s2, s2; \
	zero s3, s3, s3; \
	VEC_LOOP(w, DOT_STEP, s0, s1, s2, s3, x0, x1, x2, x3); \
	SUM4(s0, s1, s2, s3); \
	hsum; \
	VZEROUPPER

// AXPY(w, a, x0, x1, x2, x3) is func axpy…(n int, alpha float32, x, y *float32) but for its RET:
// y[i] += alpha*x[i] over the first n elements (n a multiple of w/4), alpha broadcast into a; x0 …
// x3 are scratch.
#define AXPY(w, a, x0, x1, x2, x3) \
	MOVQ n+0(FP), CX; \
	VBROADCASTSS alpha+8(FP), a; \
	MOVQ x+16(FP), SI; \
	MOVQ y+24(FP), DI; \
	VEC_LOOP(w, AXPY_STEP, a, a, a, a, x0, x1, x2, x3); \
	VZEROUPPER

// SUM4(v0, v1, v2, v3): v0 = v0+v1+v2+v3 (v2 is overwritten).
#define SUM4(v0, v1, v2, v3) \
	VADDPS v1, v0, v0; \
	VADDPS v3, v2, v2; \
	VADDPS v2, v0, v0

// HSUM_Y0: the low float of X0 = the sum of Y0's eight floats (X1 is overwritten).
#define HSUM_Y0 \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS X1, X0, X0; \
	VMOVHLPS X0, X0, X1; \
	VADDPS X1, X0, X0; \
	VMOVSHDUP X0, X1; \
	VADDSS X1, X0, X0

// HSUM_Z0: the low float of X0 = the sum of Z0's sixteen floats (Y1 is overwritten).
#define HSUM_Z0 \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPS Y1, Y0, Y0; \
	HSUM_Y0

// The logistic kernels' float32 constants. LOGISTIC_CONSTANTS defines each as a file-local symbol
// of 8 copies, a 256-bit memory operand for AVX2 (AVX-512 broadcasts the first copy):
// lsign −0.0 (the sign bit); lone 1; ltwo 2; lxmin −86.5, below which e^x is taken as 0 (AVX2:
// keeps 2^n a normal float); llog2e log2(e); lln2hi, lln2lo ln 2 in a high and a low part;
// le5 … le0 ≈ 1/5040, 1/720, 1/120, 1/24, 1/6, 1/2, e^r = 1 + r + r²·(le0 + r·le1 + … + r⁵·le5)
// on |r| ≤ ln2/2; ll13 … ll3 = 1/13, 1/11, 1/9, 1/7, 1/5, 1/3, log1p(e) = 2s(1 + s²/3 + … +
// s¹²/13) with s = e/(2+e).
#define VEC8(name, bits) \
	DATA name<>+0(SB)/4, bits; DATA name<>+4(SB)/4, bits; \
	DATA name<>+8(SB)/4, bits; DATA name<>+12(SB)/4, bits; \
	DATA name<>+16(SB)/4, bits; DATA name<>+20(SB)/4, bits; \
	DATA name<>+24(SB)/4, bits; DATA name<>+28(SB)/4, bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

#define LOGISTIC_CONSTANTS \
	VEC8(lsign, $0x80000000); \
	VEC8(lone, $0x3f800000); \
	VEC8(ltwo, $0x40000000); \
	VEC8(lxmin, $0xc2ad0000); \
	VEC8(llog2e, $0x3fb8aa3b); \
	VEC8(lln2hi, $0x3f318000); \
	VEC8(lln2lo, $0xb95e8083); \
	VEC8(le5, $0x39506967); \
	VEC8(le4, $0x3ab743ce); \
	VEC8(le3, $0x3c088908); \
	VEC8(le2, $0x3d2aa9c1); \
	VEC8(le1, $0x3e2aaaaa); \
	VEC8(le0, $0x3f000000); \
	VEC8(ll13, $0x3d9d89d9); \
	VEC8(ll11, $0x3dba2e8c); \
	VEC8(ll9, $0x3de38e39); \
	VEC8(ll7, $0x3e124925); \
	VEC8(ll5, $0x3e4ccccd); \
	VEC8(ll3, $0x3eaaaaab)

// HORNER5(ld, fma, x, p, c5, c4, c3, c2, c1, c0): p = c0 + x·(c1 + x·(c2 + … + x·c5)), c5 … c0
// naming constants of LOGISTIC_CONSTANTS. ld loads a constant into a vector and fma is VFMADD213PS with a
// constant operand: VMOVUPS and VFMADD213PS for AVX2, VBROADCASTSS and VFMADD213PS.BCST for
// AVX-512.
#define HORNER5(ld, fma, x, p, c5, c4, c3, c2, c1, c0) \
	ld c5<>(SB), p; \
	fma c4<>(SB), x, p; \
	fma c3<>(SB), x, p; \
	fma c2<>(SB), x, p; \
	fma c1<>(SB), x, p; \
	fma c0<>(SB), x, p

// EXPM1_SERIES(ld, fma, r, p, t): p = r + r²·(le0 + r·le1 + … + r⁵·le5) = e^r − 1 to float
// precision on |r| ≤ ln2/2 (t = r²); ld and fma as for HORNER5.
#define EXPM1_SERIES(ld, fma, r, p, t) \
	HORNER5(ld, fma, r, p, le5, le4, le3, le2, le1, le0); \
	VMULPS r, r, t; \
	VFMADD213PS r, t, p

// LOG1P_SERIES(ld, fma, one, s2, p): p = 1 + s²/3 + … + s¹²/13 from s2 = s² (one holds 1.0); ld
// and fma as for HORNER5.
#define LOG1P_SERIES(ld, fma, one, s2, p) \
	HORNER5(ld, fma, s2, p, ll13, ll11, ll9, ll7, ll5, ll3); \
	VFMADD213PS one, s2, p

// The logistic kernels' arguments and pointers:
// func logistic…(n int, z, bias *float32, y *uint8, cpos, cneg *float32, loss, gb *float64)
// CX = n, DI = z, SI = bias, R8 = y, R10 = cpos, R9 = cneg, R11 = loss, R12 = gb.
#define LOGISTIC_ARGS \
	MOVQ n+0(FP), CX; \
	MOVQ z+8(FP), DI; \
	MOVQ bias+16(FP), SI; \
	MOVQ y+24(FP), R8; \
	MOVQ cpos+32(FP), R10; \
	MOVQ cneg+40(FP), R9; \
	MOVQ loss+48(FP), R11; \
	MOVQ gb+56(FP), R12

// LOGISTIC_END(w) ends the loop of a logistic kernel over its CX samples, w/4 (one vector of w
// bytes) at a time: the pointers move on, and while samples are left it jumps back to the label
// loop, which the kernel defines at the top of its loop; then, at the label done (where the kernel
// jumps when n = 0), it returns.
#define LOGISTIC_END(w) \
	ADDQ $(w), DI; \
	ADDQ $(w), SI; \
	ADDQ $(w/4), R8; \
	ADDQ $(w), R9; \
	ADDQ $(w), R10; \
	ADDQ $(2*w), R11; \
	ADDQ $(2*w), R12; \
	SUBQ $(w/4), CX; \
	JNZ loop; \
done: \
	VZEROUPPER; \
	RET

// ACC_F64(ext, w, p, vlo, v, d0, h, d1): the 2w bytes of float64 at p += v's float32 lanes,
// widened: the low half (vlo, v's lower-half register) through d0, the high half (extracted by
// ext into h) through d1 (h's full-width register).
#define ACC_F64(ext, w, p, vlo, v, d0, h, d1) \
	VCVTPS2PD vlo, d0; \
	ext $1, v, h; \
	VCVTPS2PD h, d1; \
	VADDPD (p), d0, d0; \
	VMOVUPD d0, (p); \
	VADDPD w(p), d1, d1; \
	VMOVUPD d1, w(p)
