package denotation

import (
	"fmt"
	"math"

	"github.com/denotation-go/denotation/pkg/property"
)

// maxClasses is the largest number of classes a scan supports: label sets are uint64 bit masks.
const maxClasses = property.MaxClasses

// classTable holds the class counts of the held-out split and exact fraction tables shared by
// every neuron of a scan. A fraction is always computed as float64(count)/float64(classCount),
// here and in the reference implementations, so "at least τ" means the same thing everywhere.
type classTable struct {
	k      int
	tau    float64
	counts []int     // n_c
	off    []int     // frac[off[c]+a] = a / n_c for a = 0 … n_c
	frac   []float64 // flattened fraction tables
	vt     []float64 // vt[off[c]+a] = the fraction on c's better side (see vtab)
	half   []int     // ⌊n_c/2⌋: class c is on the high side iff a_c > half[c]
	full   uint64    // mask of all K classes
}

// newClassTable counts the labels (which must lie in [0,k)) and builds the fraction tables.
// Every class must have at least one sample: a fraction of an empty class is undefined.
func newClassTable(labels []int, k int, tau float64) (*classTable, error) {
	if err := checkTau(tau); err != nil {
		return nil, err
	}
	if k < 2 {
		return nil, fmt.Errorf("denotation: %d classes: need K ≥ 2", k)
	}
	if k > maxClasses {
		return nil, fmt.Errorf("denotation: %d classes: at most %d are supported", k, maxClasses)
	}
	counts := make([]int, k)
	for i, y := range labels {
		if y < 0 || y >= k {
			return nil, fmt.Errorf("denotation: label %d of sample %d is outside [0,%d)", y, i, k)
		}
		counts[y]++
	}
	for c, n := range counts {
		if n == 0 {
			return nil, fmt.Errorf("denotation: class %d has no samples in the held-out split (%d samples)", c, len(labels))
		}
	}
	t := &classTable{k: k, tau: tau, counts: counts, off: make([]int, k)}
	total := 0
	for c, n := range counts {
		t.off[c] = total
		total += n + 1
	}
	t.frac = make([]float64, total)
	for c, n := range counts {
		for a := 0; a <= n; a++ {
			t.frac[t.off[c]+a] = float64(a) / float64(n)
		}
	}
	t.vt = t.vtab()
	t.half = make([]int, k)
	for c, n := range counts {
		t.half[c] = n / 2
	}
	if k == 64 {
		t.full = math.MaxUint64
	} else {
		t.full = 1<<uint(k) - 1
	}
	return t, nil
}

func checkTau(tau float64) error {
	if math.IsNaN(tau) || tau <= 0.5 || tau > 1 {
		return fmt.Errorf("denotation: tau %v is outside (0.5, 1]", tau)
	}
	return nil
}

// fa is the fraction of class c above the threshold when a of its samples are above.
func (t *classTable) fa(c, a int) float64 { return t.frac[t.off[c]+a] }

// fb is the fraction of class c at or below the threshold when a of its samples are above.
func (t *classTable) fb(c, a int) float64 { return t.frac[t.off[c]+t.counts[c]-a] }

// eval returns, for one threshold (given by the per-class counts above it), the largest
// min-class fraction over all proper label sets S (0 < |S| < K), and a set achieving it.
//
// The min-class fraction of (S, t) is min(min_{c∈S} fa_c, min_{c∉S} fb_c). For a fixed t each
// class chooses its side independently, so the best S puts c on the high side iff more than half
// of its samples are above t (2a > n; an exact half goes low). When that S is all classes, the
// best proper set drops the class with the largest fraction below; when it is empty, the best
// proper set takes the class with the largest fraction above (both scores are then ≤ 0.5).
func (t *classTable) eval(above []int) (score float64, mask uint64) {
	minCorr := 2.0
	cnt := 0
	maxFa, maxFb := -1.0, -1.0
	argFa, argFb := 0, 0
	for c, a := range above {
		n := t.counts[c]
		o := t.off[c]
		fa := t.frac[o+a]
		fb := t.frac[o+n-a]
		if 2*a > n {
			mask |= 1 << uint(c)
			cnt++
			if fa < minCorr {
				minCorr = fa
			}
		} else if fb < minCorr {
			minCorr = fb
		}
		if fa > maxFa {
			maxFa, argFa = fa, c
		}
		if fb > maxFb {
			maxFb, argFb = fb, c
		}
	}
	switch cnt {
	case 0:
		return maxFa, 1 << uint(argFa)
	case t.k:
		return maxFb, t.full &^ (1 << uint(argFb))
	}
	return minCorr, mask
}

// minClassFraction is the min-class fraction of the given set S at the given counts above.
func (t *classTable) minClassFraction(above []int, mask uint64) float64 {
	m := 2.0
	for c, a := range above {
		var v float64
		if mask&(1<<uint(c)) != 0 {
			v = t.fa(c, a)
		} else {
			v = t.fb(c, a)
		}
		if v < m {
			m = v
		}
	}
	return m
}

// classBalanced is ½(mean_{c∈S} fa_c + mean_{c∉S} fb_c): balanced accuracy with every class
// weighted equally.
func (t *classTable) classBalanced(above []int, mask uint64) float64 {
	var sIn, sOut float64
	nIn, nOut := 0, 0
	for c, a := range above {
		if mask&(1<<uint(c)) != 0 {
			sIn += t.fa(c, a)
			nIn++
		} else {
			sOut += t.fb(c, a)
			nOut++
		}
	}
	return 0.5 * (sIn/float64(nIn) + sOut/float64(nOut))
}

// sampleBalanced is ½(TPR + TNR) over samples for the binary task "label ∈ S".
func (t *classTable) sampleBalanced(above []int, mask uint64) float64 {
	tp, p, tn, n := 0, 0, 0, 0
	for c, a := range above {
		if mask&(1<<uint(c)) != 0 {
			tp += a
			p += t.counts[c]
		} else {
			tn += t.counts[c] - a
			n += t.counts[c]
		}
	}
	return 0.5 * (float64(tp)/float64(p) + float64(tn)/float64(n))
}

// floatKey maps a float32 to a uint32 whose unsigned order is the numeric order (−0 = +0).
// It is branch-free: ReLU values mix zeros and positives unpredictably.
func floatKey(v float32) uint32 {
	b := math.Float32bits(v)
	if b == 0x80000000 { // −0 → +0
		b = 0
	}
	return b ^ (uint32(int32(b)>>31) | 0x80000000)
}

// keyFloat inverts floatKey.
func keyFloat(k uint32) float32 {
	if k&0x80000000 != 0 {
		return math.Float32frombits(k &^ 0x80000000)
	}
	return math.Float32frombits(^k)
}

// radixSortHigh sorts keys stably by their upper 32 bits (LSD radix sort, 11-bit digits, the
// three histograms counted in one pass) using tmp (same length) as scratch; it returns whichever
// of the two slices holds the result.
func radixSortHigh(keys, tmp []uint64) []uint64 {
	if len(keys) < 2 {
		return keys
	}
	var count [3][2048]int
	for _, x := range keys {
		count[0][(x>>32)&2047]++
		count[1][(x>>43)&2047]++
		count[2][x>>54]++
	}
	src, dst := keys, tmp
	for pass, shift := range [3]uint{32, 43, 54} {
		cnt := &count[pass]
		if cnt[(src[0]>>shift)&2047] == len(src) {
			continue // every key has the same digit
		}
		sum := 0
		for d, c := range cnt {
			cnt[d] = sum
			sum += c
		}
		for _, x := range src {
			d := (x >> shift) & 2047
			dst[cnt[d]] = x
			cnt[d]++
		}
		src, dst = dst, src
	}
	return src
}

// sortedNeuron is one neuron's values sorted once: keys (floatKey<<32 | sample index) in
// ascending order of value, ties in sample order, and the end position of each group of equal
// values.
type sortedNeuron struct {
	keys []uint64
	ends []int32
}

// groupValue is the value of group g.
func (s *sortedNeuron) groupValue(g int) float32 {
	return keyFloat(uint32(s.keys[s.ends[g]-1] >> 32))
}

// buildEnds fills s.ends from s.keys.
func (s *sortedNeuron) buildEnds() {
	s.ends = s.ends[:0]
	n := len(s.keys)
	for p := 0; p < n; {
		v := s.keys[p] >> 32
		q := p + 1
		for q < n && s.keys[q]>>32 == v {
			q++
		}
		s.ends = append(s.ends, int32(q))
		p = q
	}
}

// record is one denoted set found by the sweep (or the best reading when used for that).
type record struct {
	mask     uint64
	gLo, gHi int     // first and last partition (group index) at which S is denoted
	g        int     // partition of the reported threshold
	score    float64 // min-class fraction at g
	cba      float64 // class-balanced accuracy at g
	above    []int   // per-class counts above the threshold at g
}

// sweeper holds a worker's scratch space.
type sweeper struct {
	t     *classTable
	above []int     // per-class counts above the threshold
	v     []float64 // per-class fraction on the class's better side: max(fa, fb)
	cls   []classState
}

func newSweeper(t *classTable) *sweeper {
	return &sweeper{t: t, above: make([]int, t.k), v: make([]float64, t.k), cls: make([]classState, t.k)}
}

// vtab returns the table vt with vt[off[c]+a] = the fraction of class c on the side eval puts
// it on (high iff 2a > n_c), i.e. max(fa, fb).
func (t *classTable) vtab() []float64 {
	vt := make([]float64, len(t.frac))
	for c, n := range t.counts {
		for a := 0; a <= n; a++ {
			if 2*a > n {
				vt[t.off[c]+a] = t.fa(c, a)
			} else {
				vt[t.off[c]+a] = t.fb(c, a)
			}
		}
	}
	return vt
}

// reset puts every sample above the threshold (the state before the first partition).
func (w *sweeper) reset() {
	copy(w.above, w.t.counts)
	for c := range w.v {
		w.v[c] = 1
	}
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v[1:] {
		if x < m {
			m = x
		}
	}
	return m
}

// full runs the exact scan of one sorted neuron; lbl[i] is the label of sample i.
// It returns the denoted sets (in order of increasing threshold, hence decreasing size) and the
// best reading; ok is false for a constant neuron (one distinct value: no proper split).
//
// Threshold partitions: with the distinct values u_0 < … < u_{G−1}, partition g (0 ≤ g < G−1)
// puts u_0 … u_g at or below and u_{g+1} … above; every t in [u_g, u_{g+1}) gives it.
//
// The sweep moves one group of equal values at a time from above to below and updates, per
// class, the count a_c above, the better-side fraction v_c and the side (high while 2a_c > n_c:
// since a_c only decreases, a class switches to the low side once, when a_c reaches ⌊n_c/2⌋).
// At a partition where the sides are proper (0 < |S| < K) the best min-class fraction over all
// sets is min_c v_c, reached by the current sides (see eval). Two counters make most partitions
// O(1): the number of classes with v_c < τ (S is denoted iff it is 0 and the split is proper)
// and the number with v_c below the best score so far (the partition can only tie or beat the
// best when it is 0). Only the other partitions pay O(K).
func (w *sweeper) full(s *sortedNeuron, lbl []uint8) (recs []record, best record, ok bool) {
	t := w.t
	ng := len(s.ends)
	if ng < 2 {
		return nil, record{}, false
	}
	vt, off, half := t.vt, t.off, t.half
	w.reset()
	above, v := w.above, w.v
	k, tau := t.k, t.tau
	cnt, mask := k, t.full
	nBelowTau, nBelowBest := 0, 0
	best.score = -1
	proper := false
	start := 0
	cur := -1 // index in recs of the set denoted at the previous partition
	for g := 0; g < ng-1; g++ {
		end := int(s.ends[g])
		for _, key := range s.keys[start:end] {
			c := lbl[uint32(key)]
			a := above[c] - 1
			above[c] = a
			old := v[c]
			nv := vt[off[c]+a]
			v[c] = nv
			nBelowTau += b2i(nv < tau) - b2i(old < tau)
			nBelowBest += b2i(nv < best.score) - b2i(old < best.score)
			if a == half[c] {
				mask &^= 1 << uint(c)
				cnt--
			}
		}
		start = end
		if cnt == 0 || cnt == k {
			cur = -1
			continue
		}
		proper = true
		if nBelowTau > 0 && nBelowBest > 0 {
			cur = -1
			continue
		}
		score := minOf(v)
		cba := t.classBalanced(above, mask)
		if nBelowTau == 0 {
			if cur < 0 || recs[cur].mask != mask {
				recs = append(recs, record{mask: mask, gLo: g, gHi: g, score: -1})
				cur = len(recs) - 1
			}
			r := &recs[cur]
			r.gHi = g
			if score > r.score || (score == r.score && cba > r.cba) {
				r.g, r.score, r.cba = g, score, cba
				r.above = append(r.above[:0], above...)
			}
		} else {
			cur = -1
		}
		if score > best.score || (score == best.score && cba > best.cba) {
			if score > best.score {
				nBelowBest = 0
				for _, x := range v {
					if x < score {
						nBelowBest++
					}
				}
			}
			best.mask, best.g, best.gLo, best.gHi, best.score, best.cba = mask, g, g, g, score, cba
			best.above = append(best.above[:0], above...)
		}
	}
	// Improper partitions score at most 0.5, so they matter only when no proper partition
	// scores more (then they may win or tie).
	if !proper || best.score <= 0.5 {
		imp := w.bestImproper(s, lbl)
		if !proper || imp.score > best.score || (imp.score == best.score && (imp.cba > best.cba || (imp.cba == best.cba && imp.g < best.g))) {
			best = imp
		}
	}
	return recs, best, true
}

// bestImproper is the best reading of a neuron none of whose partitions splits the classes
// properly at one half (at every threshold every class has the same side): it evaluates every
// partition with eval, which handles those cases.
func (w *sweeper) bestImproper(s *sortedNeuron, lbl []uint8) record {
	t := w.t
	above := w.above
	copy(above, t.counts)
	best := record{score: -1}
	start := 0
	for g := 0; g < len(s.ends)-1; g++ {
		end := int(s.ends[g])
		for _, key := range s.keys[start:end] {
			above[lbl[uint32(key)]]--
		}
		start = end
		score, mask := t.eval(above)
		if score >= best.score {
			cba := t.classBalanced(above, mask)
			if score > best.score || cba > best.cba {
				best.mask, best.g, best.gLo, best.gHi, best.score, best.cba = mask, g, g, g, score, cba
				best.above = append(best.above[:0], above...)
			}
		}
	}
	return best
}

// classState is one class's running state in bestScore, packed for locality.
type classState struct {
	a, half, off int32 // count above, ⌊n/2⌋, offset into the fraction tables
	_            int32
	v            float64 // fraction on the better side
}

// bestScore is the permutation statistic: the largest min-class fraction over all proper sets
// and thresholds (the same number as full's best.score) when sample i has label lbl[i]. It keeps
// the number of classes with v_c at or below the best so far; a partition can only beat the
// best when that number is 0, so most partitions cost O(1). One flat loop over the sorted
// samples; a partition ends where the next value differs.
func (w *sweeper) bestScore(s *sortedNeuron, lbl []uint8) float64 {
	t := w.t
	ng := len(s.ends)
	if ng < 2 {
		return -1
	}
	keys := s.keys
	last := int(s.ends[ng-2]) // the samples of the last group never go below
	vt := t.vt
	cls := w.cls
	for c := range cls {
		cls[c] = classState{a: int32(t.counts[c]), half: int32(t.half[c]), off: int32(t.off[c]), v: 1}
	}
	k := t.k
	cnt := k
	best := -1.0
	nBlock := 0
	proper := false
	for p := 0; p < last; p++ {
		key := keys[p]
		st := &cls[lbl[uint32(key)]]
		st.a--
		nv := vt[st.off+st.a]
		old := st.v
		st.v = nv
		nBlock += b2i(nv <= best) - b2i(old <= best)
		if st.a == st.half {
			cnt--
		}
		if keys[p+1]>>32 == key>>32 || cnt == 0 || cnt == k {
			continue
		}
		proper = true
		if nBlock > 0 {
			continue
		}
		m := cls[0].v
		for i := 1; i < len(cls); i++ {
			m = min(m, cls[i].v)
		}
		best = m
		nBlock = 0
		for i := range cls {
			nBlock += b2i(cls[i].v <= best)
		}
	}
	if !proper {
		return w.improperScore(s, lbl)
	}
	return best
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// improperScore is bestImproper's score in O(N): when no partition splits the classes
// properly, the partitions before the first one with a class on the low side have every class
// high, and the others every class low (a class never returns to the high side). Among the
// all-high partitions the score (the largest fraction below) grows with the threshold; among
// the all-low ones the score (the largest fraction above) shrinks. So only the last all-high and
// the first all-low partitions need evaluating.
func (w *sweeper) improperScore(s *sortedNeuron, lbl []uint8) float64 {
	t := w.t
	above := w.above
	copy(above, t.counts)
	ng := len(s.ends)
	g1 := ng - 1 // first all-low partition (ng−1: none)
	start, cnt := 0, t.k
	for g := 0; g < ng-1 && g1 == ng-1; g++ {
		end := int(s.ends[g])
		for _, key := range s.keys[start:end] {
			c := lbl[uint32(key)]
			above[c]--
			if above[c] == t.half[c] {
				cnt--
			}
		}
		start = end
		if cnt < t.k {
			g1 = g
		}
	}
	best := -1.0
	copy(above, t.counts)
	start = 0
	for g := 0; g <= min(g1, ng-2); g++ {
		end := int(s.ends[g])
		for _, key := range s.keys[start:end] {
			above[lbl[uint32(key)]]--
		}
		start = end
		if g >= g1-1 {
			score, _ := t.eval(above)
			best = max(best, score)
		}
	}
	return best
}
