package observer

import (
	"fmt"
	"math"
	"slices"
)

// Metrics are the scores of a binary classifier on one split.
type Metrics struct {
	// Accuracy is the fraction of samples classified correctly.
	Accuracy float64 `json:"accuracy"`
	// BalancedAccuracy is the mean of the true-positive and true-negative rates.
	BalancedAccuracy float64 `json:"balanced_accuracy"`
	// AUC is the area under the ROC curve of the scores (ties count one half).
	AUC float64 `json:"auc"`
}

// Score computes accuracy and balanced accuracy of the predictions score > 0, and the AUC of the
// scores, against targets. It fails when the lengths differ or one class is absent.
func Score(scores []float64, targets []bool) (Metrics, error) {
	m, err := scoreNoAUC(scores, targets)
	if err != nil {
		return Metrics{}, err
	}
	if m.AUC, err = AUC(scores, targets); err != nil {
		return Metrics{}, err
	}
	return m, nil
}

// Accuracy is the fraction of predictions equal to the targets.
func Accuracy(pred, targets []bool) (float64, error) {
	if len(pred) != len(targets) || len(pred) == 0 {
		return 0, fmt.Errorf("accuracy: %d predictions for %d targets", len(pred), len(targets))
	}
	ok := 0
	for i := range pred {
		if pred[i] == targets[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(pred)), nil
}

// BalancedAccuracy is (TPR + TNR) / 2. It fails when one class is absent from the targets.
func BalancedAccuracy(pred, targets []bool) (float64, error) {
	if len(pred) != len(targets) {
		return 0, fmt.Errorf("balanced accuracy: %d predictions for %d targets", len(pred), len(targets))
	}
	var tp, tn, p, n int
	for i, t := range targets {
		if t {
			p++
			if pred[i] {
				tp++
			}
		} else {
			n++
			if !pred[i] {
				tn++
			}
		}
	}
	if p == 0 || n == 0 {
		return 0, fmt.Errorf("balanced accuracy: %d positive and %d negative targets: both classes are needed", p, n)
	}
	return (float64(tp)/float64(p) + float64(tn)/float64(n)) / 2, nil
}

// AUC is the probability that a random positive scores above a random negative (ties count one
// half): the Mann–Whitney U statistic over P·N, computed exactly in O(n log n) by sorting the
// positives' and the negatives' scores and merging. It fails when one class is absent or a score is NaN.
func AUC(scores []float64, targets []bool) (float64, error) {
	if len(scores) != len(targets) {
		return 0, fmt.Errorf("auc: %d scores for %d targets", len(scores), len(targets))
	}
	var pos, neg []float64
	for i, s := range scores {
		if math.IsNaN(s) {
			return 0, fmt.Errorf("auc: score %d is NaN", i)
		}
		if targets[i] {
			pos = append(pos, s)
		} else {
			neg = append(neg, s)
		}
	}
	if len(pos) == 0 || len(neg) == 0 {
		return 0, fmt.Errorf("auc: %d positive and %d negative targets: both classes are needed", len(pos), len(neg))
	}
	slices.Sort(pos)
	slices.Sort(neg)
	// For each positive s (ascending): lt = #negatives < s, le = #negatives ≤ s.
	u, lt, le := 0.0, 0, 0
	for _, s := range pos {
		for lt < len(neg) && neg[lt] < s {
			lt++
		}
		if le < lt {
			le = lt
		}
		for le < len(neg) && neg[le] <= s {
			le++
		}
		u += float64(lt) + 0.5*float64(le-lt)
	}
	return u / (float64(len(pos)) * float64(len(neg))), nil
}

// scoreNoAUC is Score without the AUC (left at 0).
func scoreNoAUC(scores []float64, targets []bool) (Metrics, error) {
	if len(scores) != len(targets) {
		return Metrics{}, fmt.Errorf("score: %d scores for %d targets", len(scores), len(targets))
	}
	pred := make([]bool, len(scores))
	for i, s := range scores {
		pred[i] = s > 0
	}
	ba, err := BalancedAccuracy(pred, targets)
	if err != nil {
		return Metrics{}, err
	}
	acc, _ := Accuracy(pred, targets)
	return Metrics{Accuracy: acc, BalancedAccuracy: ba}, nil
}
