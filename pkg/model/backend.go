package model

import (
	"fmt"
	"os"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// DefaultBackendConfig is the configuration of gomlx's pure-Go backend ("go", simplego) used by
// this package: DotGeneral's blocked "large" kernel (the only one that spreads a matrix product
// over several cores) and ops executed one after the other. Override it with
// $DENOTATION_BACKEND_CONFIG.
//
// simplego's "ops_parallel" mode (and its default, which runs ops in parallel when nothing else
// executes) is ~8% faster here but has data races in gomlx v0.26.0 (the race detector reports
// concurrent reads and in-place writes of the same buffers inside one execution), so it is not
// the default: results must be trustworthy and reproducible first.
const DefaultBackendConfig = "dotgeneral_large,ops_sequential"

// EnvBackendConfig names the environment variable that overrides DefaultBackendConfig.
const EnvBackendConfig = "DENOTATION_BACKEND_CONFIG"

var (
	backendMu    sync.Mutex
	backendCache = map[string]backends.Backend{}
	backendLocks = map[backends.Backend]*sync.Mutex{}
)

// execLock returns the mutex that serialises executions on backend b.
//
// simplego (gomlx v0.26.0) deadlocks when two graphs execute at the same time on one backend with
// parallel ops: each execution holds pool workers while waiting for more (workersPool.WaitToStart
// in executeParallel and execDotGeneralLarge). So this package runs one execution at a time per
// backend, whatever its configuration; on 2 cores one execution already keeps both busy.
func execLock(b backends.Backend) *sync.Mutex {
	backendMu.Lock()
	defer backendMu.Unlock()
	mu, ok := backendLocks[b]
	if !ok {
		mu = &sync.Mutex{}
		backendLocks[b] = mu
	}
	return mu
}

// backendFor returns a shared simplego backend for the given configuration ("" means the default,
// possibly overridden by $DENOTATION_BACKEND_CONFIG). XLA is never tried.
func backendFor(config string) (backends.Backend, error) {
	if config == "" {
		config = DefaultBackendConfig
		if env, ok := os.LookupEnv(EnvBackendConfig); ok {
			config = env
		}
	}
	backendMu.Lock()
	defer backendMu.Unlock()
	if b, ok := backendCache[config]; ok {
		return b, nil
	}
	b, err := simplego.New(config)
	if err != nil {
		return nil, fmt.Errorf("model: backend %q: %w", config, err)
	}
	backendCache[config] = b
	return b, nil
}
