package model

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/denotation-go/denotation/datasets"
	"github.com/denotation-go/denotation/internal/native"
)

// EnvCacheDir names the environment variable that sets the run cache's folder.
const EnvCacheDir = datasets.EnvCacheDir

// CacheDir returns the run cache's folder, denotation's cache folder (datasets.CacheDir):
// $DENOTATION_CACHE, or ~/.cache/denotation (the user cache folder, honouring $XDG_CACHE_HOME).
func CacheDir() (string, error) {
	d, err := datasets.CacheDir()
	if err != nil {
		return "", fmt.Errorf("model: %w", err)
	}
	return d, nil
}

// configKey is a canonical string of a configuration.
func configKey(c Config) string {
	c.Init = c.InitScheme() // "" and "he" are the same recipe
	b, _ := json.Marshal(c)
	return string(b)
}

// SplitFingerprint is a hash of a split's samples (count, size, original indices, labels and
// pixels): the identity of the data a result was computed on.
func SplitFingerprint(s *datasets.Split) string { return fingerprint(s) }

// fingerprintKey identifies a split's samples by their backing arrays: Split.Subset of the whole
// split returns a shallow copy, which shares them.
type fingerprintKey struct {
	images             *float32
	labels, index      *int
	nImg, nLab, nIndex int
	rows, cols         int
}

var (
	fingerprintMu   sync.Mutex
	fingerprintMemo = map[fingerprintKey]string{}
)

// fingerprint hashes a split's samples: count, size, original indices, labels and pixels. The
// hash of a split's arrays is remembered (a few of them, in this process): hashing MNIST's training
// pixels takes ~0.2 s, and a notebook cell hashes them for the run cache and again for the results
// cache. Splits are never modified in place (package datasets builds new arrays for every subset),
// which is what makes the memo valid.
func fingerprint(s *datasets.Split) string {
	key := fingerprintKey{nImg: len(s.Images), nLab: len(s.Labels), nIndex: len(s.Index), rows: s.Rows, cols: s.Cols}
	if len(s.Images) > 0 {
		key.images = &s.Images[0]
	}
	if len(s.Labels) > 0 {
		key.labels = &s.Labels[0]
	}
	if len(s.Index) > 0 {
		key.index = &s.Index[0]
	}
	fingerprintMu.Lock()
	fp, ok := fingerprintMemo[key]
	fingerprintMu.Unlock()
	if ok {
		return fp
	}
	fp = hashSplit(s)
	fingerprintMu.Lock()
	if len(fingerprintMemo) >= 8 {
		clear(fingerprintMemo) // a bound on what the memo keeps alive
	}
	fingerprintMemo[key] = fp
	fingerprintMu.Unlock()
	return fp
}

// hashSplit is fingerprint without the memo.
func hashSplit(s *datasets.Split) string { return hashSplitWith(s, native.LittleEndian) }

// hashSplitWith is hashSplit; inPlace hashes the pixels' bytes as they lie in memory, which only a
// little-endian machine may do (the digest is defined on little-endian float32 bytes).
func hashSplitWith(s *datasets.Split, inPlace bool) string {
	h := sha256.New()
	var b [8]byte
	put := func(v int) {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	put(s.Len())
	put(s.Rows)
	put(s.Cols)
	for _, i := range s.Index {
		put(i)
	}
	for _, y := range s.Labels {
		put(y)
	}
	if len(s.Images) > 0 && inPlace {
		// The pixels' little-endian bytes are their bytes in memory: hash them in place.
		h.Write(native.Float32Bytes(s.Images))
		return hex.EncodeToString(h.Sum(nil))
	}
	buf := make([]byte, 0, 1<<16)
	for _, v := range s.Images {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		if len(buf) == cap(buf) {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

// CacheKey is the run-cache key of training cfg on ds: a hash of the code version, the data set's
// name, class count and training samples (which identifies a subset's size and seed), the
// architecture and the training recipe (optimiser, learning rate, batch size, epochs, seed).
func CacheKey(ds *datasets.Dataset, cfg Config) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%d\n%s\n%s\n", TrainingVersion(), ds.Name, ds.NumClasses(), fingerprint(ds.Train), configKey(cfg))
	return hex.EncodeToString(h.Sum(nil))
}

// CachePath returns the folder of the run-cache entry for training cfg on ds under cacheDir
// ("" = CacheDir()), e.g. ~/.cache/denotation/models/mnist-784-128-128-10-relu-he-e5-s1-0123456789abcdef.
func CachePath(cacheDir string, ds *datasets.Dataset, cfg Config) (string, error) {
	if cacheDir == "" {
		var err error
		if cacheDir, err = CacheDir(); err != nil {
			return "", err
		}
	}
	name := fmt.Sprintf("%s-%s-%s-e%d-s%d-%s", strings.NewReplacer("/", "_", string(filepath.Separator), "_").Replace(ds.Name),
		strings.ReplaceAll(cfg.Architecture(ds.Train.Features(), ds.NumClasses()), " ", "-"), cfg.InitScheme(),
		cfg.Epochs, cfg.Seed, CacheKey(ds, cfg)[:16])
	return filepath.Join(cacheDir, "models", name), nil
}

// TrainCached returns the model of training cfg on ds from the run cache, training (and caching) it
// if needed; cached tells which. Each entry of the cache is a folder (see CachePath) that holds a
// model saved by Save. A training run checkpoints every epoch
// into its entry, so an interrupted run resumes where it stopped. Entries are written atomically:
// two processes training the same entry at once both succeed (their results are identical) and
// never leave a corrupt entry; a corrupt or partial entry is never returned.
//
// The cache folder is opts.CacheDir ("" = CacheDir()); opts.CheckpointDir is ignored (the entry is
// the checkpoint folder; the model of every earlier epoch is kept too, see LoadEpoch); opts may be nil.
func TrainCached(ds *datasets.Dataset, cfg Config, opts *TrainOptions) (m *Model, cached bool, err error) {
	cacheDir := opts.orDefault().CacheDir
	if ds == nil || ds.Train == nil {
		return nil, false, errors.New("model: no training data")
	}
	if err := cfg.Validate(); err != nil {
		return nil, false, err
	}
	dir, err := CachePath(cacheDir, ds, cfg)
	if err != nil {
		return nil, false, err
	}
	testN := 0
	if ds.Test != nil {
		testN = ds.Test.Len()
	}
	if c, err := Load(dir); err == nil && c.Config.Epochs == cfg.Epochs && sameRunData(c, ds, cfg) &&
		c.Info.EpochsDone == cfg.Epochs && c.Info.TestSamples == testN {
		return c, true, nil
	}
	// Fail now, not after the first epoch, when the cache cannot be written.
	if err := checkWritable(dir); err != nil {
		root := cacheDir
		if root == "" {
			root, _ = CacheDir()
		}
		return nil, false, fmt.Errorf("model: the run cache %s is not writable (set $%s to a writable folder): %w", root, EnvCacheDir, err)
	}
	o := TrainOptions{}
	if opts != nil {
		o = *opts
	}
	o.CheckpointDir, o.EpochSnapshots = dir, true
	m, err = Train(ds, cfg, &o)
	if err != nil {
		return nil, false, err
	}
	return m, false, nil
}

// sameRunData reports whether a loaded model belongs to training cfg on ds.
func sameRunData(c *Model, ds *datasets.Dataset, cfg Config) bool {
	return configKey(c.Config) == configKey(cfg) && c.NumFeatures == ds.Train.Features() &&
		c.NumClasses == ds.NumClasses() && c.Info.Dataset == ds.Name
}

// checkWritable creates dir if needed and checks that a file can be created in it.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".probe-*.tmp")
	if err != nil {
		return err
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(name)
}
