package findings

import (
	"os"
	"sync"

	"github.com/denotation-go/denotation/datasets"
)

// loadFull returns the full data set name (datasets.Load), loaded once per process and data folder:
// every finding of a notebook cell, or of Reproduce, then reads the same arrays. Decoding MNIST takes
// about half a second, and a split decoded again would be fingerprinted again for the caches (the
// fingerprint is remembered per backing array, see model.CacheKey). The findings never modify data;
// the data sets they hand out (Subject.Data and the subsets of it) share these arrays and must not
// be modified either.
func loadFull(name string) (*datasets.Dataset, error) {
	key := dataKey{name, os.Getenv(datasets.EnvDataDir)}
	loaded.mu.Lock()
	defer loaded.mu.Unlock()
	if ds, ok := loaded.sets[key]; ok {
		return ds, nil
	}
	ds, err := datasets.Load(name)
	if err != nil {
		return nil, err
	}
	if loaded.sets == nil {
		loaded.sets = map[dataKey]*datasets.Dataset{}
	}
	loaded.sets[key] = ds
	return ds, nil
}

// dataKey names a data set loaded by loadFull: its name and $DENOTATION_DATA_DIR (datasets.EnvDataDir).
type dataKey struct{ name, dir string }

// loaded holds the data sets loadFull has loaded (at most one per data set and folder: MNIST and
// Fashion-MNIST take some 220 MB each as float32).
var loaded struct {
	mu   sync.Mutex
	sets map[dataKey]*datasets.Dataset
}

// loadData checks a setup (validate), loads its data set and returns the stratified subset of
// trainLimit training and testSamples test samples drawn with seed (0: the whole split).
func loadData(validate func() error, dataset string, trainLimit, testSamples int, seed uint64) (*datasets.Dataset, error) {
	if err := validate(); err != nil {
		return nil, err
	}
	full, err := loadFull(dataset)
	if err != nil {
		return nil, err
	}
	return full.Subset(trainLimit, testSamples, seed), nil
}

// loadSetupData loads the data of a setup: the stratified training subset and the observers' test
// subset.
func loadSetupData(s Setup) (*datasets.Dataset, error) {
	return loadData(s.Validate, s.Dataset, s.TrainLimit, s.ObserveTest, s.SubsetSeed)
}
