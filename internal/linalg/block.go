package linalg

// BlockMulAtB adds Aᵀ·B to C for square bd×bd blocks: C[i][j] += Σ_k A[k][i]·B[k][j], with A and B
// stored k-major (row k holds bd values) and C row-major. Each C element receives one addition:
// the bd products summed in k order (with fused multiply-adds on the SIMD paths) and then added to
// C, so the result does not depend on the path among the SIMD ones. It is the block kernel of the
// object models' matrix products (pkg/model replaces simplego's scalar one with it).
func BlockMulAtB(bd int, a, b, c []float32) {
	if n := bd * bd; len(a) < n || len(b) < n || len(c) < n {
		panic("linalg.BlockMulAtB: block shorter than bd×bd")
	}
	if path != PathGo && bd >= 16 && bd%16 == 0 {
		blockMulAtBAsm(bd, a, b, c)
		return
	}
	blockMulAtBGo(bd, a, b, c)
}

// blockMulAtBGo is BlockMulAtB through the portable Sgemm (Aᵀ is A stored k×m).
func blockMulAtBGo(bd int, a, b, c []float32) {
	Sgemm(true, false, bd, bd, bd, 1, a, bd, b, bd, 1, c, bd, 1)
}
