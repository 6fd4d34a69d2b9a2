package model

import (
	"fmt"
	"os"
	"reflect"
	"sync"
	"unsafe"

	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"

	"github.com/denotation-go/denotation/internal/linalg"
)

// The block kernel of simplego's DotGeneral.
//
// simplego (gomlx v0.26.0) multiplies large float32 matrices by cutting them into square blocks of
// 32×32 and calling a block kernel, out += lhs·rhsᵀ, written in scalar Go: ~70% of the time of
// training an object model is spent there (a CPU profile of bench/modelbench on the 6 × 128 MLP).
// This file replaces that kernel for float32 by the SIMD micro-kernels of internal/linalg (AVX2 +
// FMA, or AVX-512), chosen at run time; everything else in simplego — blocking, the order in which
// blocks are accumulated, parallelism — is unchanged, so results stay bit-reproducible run to run on
// one kernel path. The SIMD kernel fuses multiply and add (FMA) and sums a block's 32 products before
// adding them to the output, so its float32 results differ in the last bits from the scalar kernel:
// models trained with one kernel family are not bit-identical to models trained with the other, and
// the model cache keys carry the family (KernelFamily).
//
// gomlx offers no API to register a kernel from outside its package, so the registry (an exported
// type, simplego.DTypeMap, held in an unexported variable) is reached with go:linkname, and the
// kernel's unexported function type is produced with reflect. Both are pinned to gomlx v0.26.0, the
// only version this module accepts; TestDotKernelMatchesStock fails if either stops matching.

//go:linkname simplegoDotKernels github.com/gomlx/gomlx/backends/simplego.dotGeneralKernelDTypeMap
var simplegoDotKernels *simplego.DTypeMap

//go:linkname simplegoFlatToBlock github.com/gomlx/gomlx/backends/simplego.dotGeneralFlatToBlockDTypeMap
var simplegoFlatToBlock *simplego.DTypeMap

// flatToBlockFunc is the type of simplego's copy of an operand into blocks (dgCopyFlatToBlockShape).
type flatToBlockFunc = func(source, blkOutput *simplego.Buffer, contractingAxes, batchAxes []int,
	batchSize, crossSize, contractingSize, blkLog2Dim int)

// EnvDotKernel names the environment variable that chooses the training kernel family: "simd"
// (the default where the CPU has AVX2 + FMA or AVX-512) or "go" (simplego's own scalar kernel).
const EnvDotKernel = "DENOTATION_DOT_KERNEL"

var (
	dotKernelOnce   sync.Once
	dotKernelFamily = "go"
	dotKernelErr    error
	stockDotKernel  any
	stockFlatCopy   flatToBlockFunc
)

// KernelFamily returns the family of the float32 block kernel that simplego's DotGeneral uses in
// this process: "simd" (internal/linalg's AVX2/AVX-512 micro-kernels) or "go" (simplego's scalar
// kernel). It installs the SIMD kernel on first use, unless $DENOTATION_DOT_KERNEL=go or the CPU
// lacks AVX2 + FMA.
func KernelFamily() string {
	installDotKernel()
	return dotKernelFamily
}

func installDotKernel() {
	dotKernelOnce.Do(func() {
		if simplegoDotKernels == nil || simplegoFlatToBlock == nil {
			dotKernelErr = fmt.Errorf("simplego's DotGeneral kernel registry not found")
			return
		}
		stockDotKernel = simplegoDotKernels.Map[dtypes.Float32]
		copyFn, ok := simplegoFlatToBlock.Map[dtypes.Float32].(flatToBlockFunc)
		if !ok {
			dotKernelErr = fmt.Errorf("simplego's DotGeneral block copy has type %T, not the one of gomlx v0.26.0",
				simplegoFlatToBlock.Map[dtypes.Float32])
			return
		}
		stockFlatCopy = copyFn
		choice := os.Getenv(EnvDotKernel)
		switch choice {
		case "", "simd":
		case "go":
			return
		default:
			dotKernelErr = fmt.Errorf("$%s=%q: want simd or go", EnvDotKernel, choice)
			return
		}
		if linalg.Kernel() == linalg.PathGo {
			return // no SIMD path on this CPU: simplego's kernel is as good as ours
		}
		k, err := simdDotKernelBuilder(stockDotKernel)
		if err != nil {
			dotKernelErr = err
			return
		}
		simplegoDotKernels.Map[dtypes.Float32] = k
		simplegoFlatToBlock.Map[dtypes.Float32] = flatToBlockFunc(copyToBlocksKMajor)
		dotKernelFamily = "simd"
	})
}

// simdDotKernelBuilder returns a value of the type of stock (simplego's kernel builder for float32,
// func(lhs, rhs, output *simplego.Buffer, blockDim int) kernelFuncType) that builds SIMD kernels.
func simdDotKernelBuilder(stock any) (any, error) {
	bt := reflect.TypeOf(stock)
	if bt == nil || bt.Kind() != reflect.Func || bt.NumIn() != 4 || bt.NumOut() != 1 {
		return nil, fmt.Errorf("simplego's DotGeneral kernel builder has type %v, not the one of gomlx v0.26.0", bt)
	}
	kt := bt.Out(0)
	inner := reflect.TypeOf(func(int, int, int) {})
	if !inner.ConvertibleTo(kt) {
		return nil, fmt.Errorf("simplego's DotGeneral kernel has type %v, not func(int, int, int)", kt)
	}
	build := reflect.MakeFunc(bt, func(args []reflect.Value) []reflect.Value {
		lhs, rhs, out := bufferFloat32(args[0]), bufferFloat32(args[1]), bufferFloat32(args[2])
		bd := int(args[3].Int())
		return []reflect.Value{reflect.ValueOf(blockKernel(lhs, rhs, out, bd)).Convert(kt)}
	})
	return build.Interface(), nil
}

// blockKernel returns the kernel over blocked buffers: out block o (row-major, [lhs cross][rhs
// cross]) += Σ_k lhs block l [k][i] · rhs block r [k][j], the operand blocks being stored k-major
// by copyToBlocksKMajor.
func blockKernel(lhs, rhs, out []float32, bd int) func(l, r, o int) {
	bs := bd * bd
	return func(l, r, o int) {
		linalg.BlockMulAtB(bd, lhs[l*bs:l*bs+bs], rhs[r*bs:r*bs+bs], out[o*bs:o*bs+bs])
	}
}

// copyToBlocksKMajor replaces simplego's dgCopyFlatToBlockShape for float32: the same blocked
// shape [batch, crossBlocks, contractBlocks, bd, bd], but each block stored k-major (block[k][i],
// the transpose of simplego's [i][k]) so that the SIMD kernel reads both operands with unit
// stride. The common operands of an MLP — rank 2, no batch axis, the contracting axis first or
// last — are copied row by row; any other layout goes through simplego's copy and a transpose of
// each block. blkOutput is zeroed by the caller (padding stays zero).
func copyToBlocksKMajor(source, blkOutput *simplego.Buffer, contractingAxes, batchAxes []int,
	batchSize, crossSize, contractingSize, blkLog2Dim int) {
	src := bufferFloat32(reflect.ValueOf(source))
	dst := bufferFloat32(reflect.ValueOf(blkOutput))
	bd := 1 << blkLog2Dim
	rank := bufferRank(source)
	if len(batchAxes) == 0 && len(contractingAxes) == 1 && rank == 2 {
		crossBlocks := (crossSize + bd - 1) / bd
		contractBlocks := (contractingSize + bd - 1) / bd
		contractFirst := contractingAxes[0] == 0
		for cb := range crossBlocks {
			i0, i1 := cb*bd, min(cb*bd+bd, crossSize)
			for kb := range contractBlocks {
				k0, k1 := kb*bd, min(kb*bd+bd, contractingSize)
				blk := dst[(cb*contractBlocks+kb)*bd*bd:][:bd*bd]
				if contractFirst { // source [contract, cross]: rows of the block are rows of source
					for k := k0; k < k1; k++ {
						copy(blk[(k-k0)*bd:(k-k0)*bd+(i1-i0)], src[k*crossSize+i0:k*crossSize+i1])
					}
					continue
				}
				for i := i0; i < i1; i++ { // source [cross, contract]: transpose
					row := src[i*contractingSize+k0 : i*contractingSize+k1]
					for k, v := range row {
						blk[k*bd+i-i0] = v
					}
				}
			}
		}
		return
	}
	stockFlatCopy(source, blkOutput, contractingAxes, batchAxes, batchSize, crossSize, contractingSize, blkLog2Dim)
	for b := 0; b+bd*bd <= len(dst); b += bd * bd {
		blk := dst[b : b+bd*bd]
		for i := range bd {
			for k := i + 1; k < bd; k++ {
				blk[i*bd+k], blk[k*bd+i] = blk[k*bd+i], blk[i*bd+k]
			}
		}
	}
}

// bufferRank returns the rank of a *simplego.Buffer's shape (its unexported field shape).
func bufferRank(b *simplego.Buffer) int {
	f := reflect.ValueOf(b).Elem().FieldByName("shape")
	return (*shapes.Shape)(unsafe.Pointer(f.UnsafeAddr())).Rank()
}

// bufferFloat32 returns the float32 data of a *simplego.Buffer (its unexported field flat).
func bufferFloat32(v reflect.Value) []float32 {
	f := v.Elem().FieldByName("flat")
	return (*(*any)(unsafe.Pointer(f.UnsafeAddr()))).([]float32)
}
