package model

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
)

// DefaultBackend is the gomlx backend this package uses unless another is chosen: "go", gomlx's
// pure-Go backend (simplego), which needs no C library, plugin or accelerator.
const DefaultBackend = simplego.BackendName

// EnvBackend names gomlx's own environment variable for the backend choice, GOMLX_BACKEND:
// "NAME" or "NAME:CONFIG" with NAME a backend compiled into the program (see AvailableBackends).
const EnvBackend = backends.ConfigEnvVar

// DefaultBackendConfig is the configuration of gomlx's pure-Go backend ("go", simplego) used by
// this package: DotGeneral's blocked "large" kernel (the only one that spreads a matrix product
// over several cores) and ops executed one after the other. Override it with
// $DENOTATION_BACKEND_CONFIG, TrainOptions.BackendConfig or a backend choice "go:CONFIG".
//
// simplego's "ops_parallel" mode (and its default, which runs ops in parallel when nothing else
// executes) is ~8% faster here but has data races in gomlx v0.26.0 (the race detector reports
// concurrent reads and in-place writes of the same buffers inside one execution), so it is not
// the default: results must be trustworthy and reproducible first.
const DefaultBackendConfig = "dotgeneral_large,ops_sequential"

// EnvBackendConfig names the environment variable that overrides DefaultBackendConfig.
const EnvBackendConfig = "DENOTATION_BACKEND_CONFIG"

// AvailableBackends lists, sorted, the gomlx backends compiled into this program: "go" always;
// others only when the program imports them (e.g. github.com/gomlx/gomlx/backends/xla, which this
// module does not).
func AvailableBackends() []string {
	names := backends.List()
	slices.Sort(names)
	return names
}

// ResolveBackend returns the backend name and configuration that a choice selects. choice is
// "NAME" or "NAME:CONFIG"; "" means $GOMLX_BACKEND when set, else DefaultBackend. For "go" without
// a configuration the configuration is $DENOTATION_BACKEND_CONFIG when set, else
// DefaultBackendConfig. A backend that is not compiled in is an error of one line naming the
// available ones.
func ResolveBackend(choice string) (name, config string, err error) {
	return resolveBackend(choice, "")
}

// resolveBackend is ResolveBackend with goConfig, simplego's configuration when the choice gives
// none (TrainOptions.BackendConfig; "" = $DENOTATION_BACKEND_CONFIG or DefaultBackendConfig).
func resolveBackend(choice, goConfig string) (name, config string, err error) {
	from := ""
	if choice == "" {
		if env := os.Getenv(EnvBackend); env != "" {
			choice, from = env, " (from $"+EnvBackend+")"
		} else {
			choice = DefaultBackend
		}
	}
	name, config, _ = strings.Cut(choice, ":")
	if name == "" {
		return "", "", fmt.Errorf("model: backend %q%s has no name: want NAME or NAME:CONFIG (available: %s)", choice, from, strings.Join(AvailableBackends(), ", "))
	}
	if !slices.Contains(backends.List(), name) {
		hint := "the default pure-Go backend needs no setting"
		if from != "" {
			hint += ": unset " + EnvBackend
		}
		return "", "", fmt.Errorf("model: backend %q%s is not available in this build (available: %s); %s", name, from, strings.Join(AvailableBackends(), ", "), hint)
	}
	if name != DefaultBackend {
		if goConfig != "" {
			return "", "", fmt.Errorf("model: the backend configuration %q is for the %q backend, but the backend is %q%s", goConfig, DefaultBackend, name, from)
		}
		return name, config, nil
	}
	if config == "" {
		config = goConfig
	}
	if config == "" {
		config = DefaultBackendConfig
		if env, ok := os.LookupEnv(EnvBackendConfig); ok {
			config = env
		}
	}
	return name, config, nil
}

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

// backendFor returns a shared backend for a choice (see resolveBackend; both "" = the default)
// and its key "NAME:CONFIG". The "go" backend is created by simplego itself, so gomlx's automatic
// choice (which tries XLA first) is never involved.
func backendFor(choice, goConfig string) (backends.Backend, string, error) {
	name, config, err := resolveBackend(choice, goConfig)
	if err != nil {
		return nil, "", err
	}
	key := name + ":" + config
	backendMu.Lock()
	defer backendMu.Unlock()
	if b, ok := backendCache[key]; ok {
		return b, key, nil
	}
	var b backends.Backend
	if name == DefaultBackend {
		if installDotKernel(); dotKernelErr != nil {
			return nil, "", fmt.Errorf("model: %w", dotKernelErr)
		}
		b, err = simplego.New(config)
	} else {
		b, err = newRegistered(key)
	}
	if err != nil {
		return nil, "", fmt.Errorf("model: backend %q: %w", key, err)
	}
	backendCache[key] = b
	return b, key, nil
}

// newRegistered creates a registered gomlx backend, turning a panic of its constructor into an
// error.
func newRegistered(config string) (b backends.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%v", r)
		}
	}()
	return backends.NewWithConfig(config)
}

// UseBackend makes the model's later evaluations and activations run on the backend chosen by
// choice (see ResolveBackend; "" = $GOMLX_BACKEND, else DefaultBackend). Without it they run on
// the backend the model was trained on in this process, else on the default one. It returns the
// backend, "NAME:CONFIG".
func (m *Model) UseBackend(choice string) (string, error) {
	name, config, err := ResolveBackend(choice)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	rt, err := m.runtimeLocked(name+":"+config, "")
	if err != nil {
		return "", err
	}
	return rt.config, nil
}
