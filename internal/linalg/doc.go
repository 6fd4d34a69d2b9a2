// Package linalg holds the float32 kernels the observers are built on: a blocked, packed matrix
// multiply (Goto/BLIS layout), dot and axpy kernels, fast vector exp/log1p for the logistic loss,
// and a parallel-for helper.
//
// The micro-kernel, Dot, Axpy and Logistic come in three paths (see Path): AVX-512 and AVX2+FMA
// assembly on amd64, and portable Go. The best path the CPU supports is chosen at start-up;
// DENOTATION_KERNEL=go|avx2|avx512 or SetKernel forces one (for comparisons).
//
// Matrices are row-major float32 slices with an explicit leading dimension (row stride).
// Bad shapes panic: callers in package observer validate user input first.
package linalg
