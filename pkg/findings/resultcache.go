package findings

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/denotation-go/denotation/internal/atomicfile"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/pkg/model"
)

// The results cache keeps the result of an expensive finding (a study over many networks, F1's
// observers) on disk, so that `denote reproduce` fills it and the notebooks run afterwards, or a
// notebook cell run again, read it instead of recomputing. An entry is keyed by a hash of
// everything that determines the result: the finding, its setup and options, a fingerprint of the
// data, and the code versions. It is written atomically (a temporary file renamed into place, so
// two processes filling the same entry leave one valid entry) and carries the SHA-256 of its
// content: a corrupt or truncated entry is reported in one line and recomputed, never used.

// ResultsCodeVersion identifies the code of the findings: part of every results-cache key. Bump
// it whenever a change alters what the findings compute; a change to one finding may instead add
// or change a method name in that finding's own key parts (as ablationMethod does).
const ResultsCodeVersion = "findings-v4"

// resultsCodeVersion is what the keys use (a variable so that a test can change it).
var resultsCodeVersion = ResultsCodeVersion

// EnvNoCache set to 1 makes every finding recompute instead of reading or writing the results
// cache (`denote reproduce --no-cache` sets it).
const EnvNoCache = "DENOTATION_NO_CACHE"

// CacheWarnings receives the one-line reports of corrupt cache entries (default os.Stderr).
var CacheWarnings io.Writer = os.Stderr

// resultsCacheOff reports whether $DENOTATION_NO_CACHE asks to bypass the results cache.
func resultsCacheOff() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv(EnvNoCache)))
	return v == "1" || v == "true" || v == "yes"
}

// dataFingerprint identifies the samples of a data set: its name, class names and the
// fingerprints of its training and test splits.
func dataFingerprint(ds *datasets.Dataset) string {
	return fmt.Sprintf("%s|%d|%s|%s", ds.Name, ds.NumClasses(), model.SplitFingerprint(ds.Train), model.SplitFingerprint(ds.Test))
}

// resultKey hashes what determines a result.
func resultKey(kind string, parts ...any) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", kind, resultsCodeVersion, model.TrainingVersion())
	for _, p := range parts {
		b, err := json.Marshal(p)
		if err != nil {
			return "", fmt.Errorf("results cache key of %s: %w", kind, err)
		}
		h.Write(b)
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// resultPath is the file of an entry under cacheDir ("" = model.CacheDir()).
func resultPath(cacheDir, kind, key string) (string, error) {
	if cacheDir == "" {
		var err error
		if cacheDir, err = model.CacheDir(); err != nil {
			return "", err
		}
	}
	return filepath.Join(cacheDir, "results", kind+"-"+key[:24]+".json"), nil
}

// entryHeader is the format of every entry: an atomicfile checked file (the payload's length and
// SHA-256 on its first line).
const entryHeader = "denotation-result v1"

// readEntry reads and verifies an entry; ok is false when there is none. A damaged entry is an
// error.
func readEntry(path string) (payload []byte, ok bool, err error) {
	return atomicfile.ReadChecked(path, entryHeader)
}

// writeEntry writes an entry atomically.
func writeEntry(path string, payload []byte) error {
	return atomicfile.WriteChecked(path, entryHeader, payload)
}

// cachedResult returns the result of kind for the key parts from the results cache, or computes
// it with compute and stores it (as JSON). redraw rebuilds the figures of a result read from the
// cache from its stored fields; fields that are not marshalled (timings, cache states, raw scans)
// are absent from it.
func cachedResult[T any](cacheDir, kind string, parts []any, compute func() (*T, error), redraw func(*T) error) (*T, error) {
	decode := func(b []byte) (*T, error) {
		var r T
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, err
		}
		return &r, redraw(&r)
	}
	return cachedEntry(cacheDir, kind, parts, compute, func(r *T) ([]byte, error) { return json.Marshal(r) }, decode)
}

// cachedEntry is the results cache for any encoding: the value of kind for the key parts is read
// back with decode, or computed with compute and stored with encode. A damaged entry, or one that
// does not decode, is reported in one line on CacheWarnings and recomputed.
func cachedEntry[T any](cacheDir, kind string, parts []any, compute func() (*T, error),
	encode func(*T) ([]byte, error), decode func([]byte) (*T, error)) (*T, error) {
	if resultsCacheOff() {
		return compute()
	}
	key, err := resultKey(kind, parts...)
	if err != nil {
		return nil, err
	}
	path, err := resultPath(cacheDir, kind, key)
	if err != nil {
		return compute()
	}
	payload, ok, err := readEntry(path)
	if err != nil {
		fmt.Fprintf(CacheWarnings, "results cache: %s is damaged (%v); recomputing\n", path, err)
	}
	if ok {
		r, err := decode(payload)
		if err == nil {
			return r, nil
		}
		fmt.Fprintf(CacheWarnings, "results cache: %s does not decode (%v); recomputing\n", path, err)
	}
	r, err := compute()
	if err != nil {
		return nil, err
	}
	if payload, err = encode(r); err != nil {
		fmt.Fprintf(CacheWarnings, "results cache: %s cannot be stored (%v); the result is not cached\n", kind, err)
		return r, nil
	}
	if err := writeEntry(path, payload); err != nil {
		fmt.Fprintf(CacheWarnings, "results cache: cannot write %s (%v); the result is not cached\n", path, err)
	}
	return r, nil
}
