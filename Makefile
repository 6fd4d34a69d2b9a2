# denotation — the two commands of the README are the contract:
#   make reproduce   set up what is missing, then run the main job (figures/ and notebooks/out/)
#   make test        go vet, go test, every notebook executed headless in quick mode, then the UI test
#                    (headless Chromium driving the Jupyter UI: notebook 03's neuron browser, and the
#                    executed notebooks' figures)
SHELL := /bin/bash
GOPATH_BIN := $(shell go env GOPATH)/bin
export PATH := $(GOPATH_BIN):$(PATH)
export GOMLX_NO_AUTO_INSTALL := 1
export GOMLX_BACKEND ?= go
GO_TEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: all setup test unit vet nbsource notebooks-quick uitest reproduce notebooks bench fmt clean

all: test

setup:
	bash scripts/setup.sh

vet:
	go vet ./...

# The notebooks must be what their sources in notebooks/src give (edit the source, then run scripts/mknb.py).
nbsource:
	/usr/bin/python3 scripts/mknb.py --check

unit:
	DENOTATION_UITEST= go test $(GO_TEST_FLAGS) ./...

notebooks-quick:
	bash scripts/run-notebooks.sh quick $${NOTEBOOK_OUT:-$$(mktemp -d)/out}

# The UI test (internal/uitest): a Jupyter server and headless Chromium, about 1.5 minutes. $(1): the
# executed notebooks it opens (empty: notebooks/out, when present). Without chromium it installs it
# (root) or skips with one line. A shell snippet rather than a sub-make, so that `make -n test` runs nothing.
uitest_run = ( if [ -z "$${DENOTATION_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then bash scripts/setup.sh; \
	  else echo "uitest: SKIPPED: no chromium, and installing it needs root (apt-get install chromium)"; exit 0; fi; \
	fi; \
	DENOTATION_UITEST=1 DENOTATION_UITEST_NOTEBOOKS="$(1)" \
	  go test -count=1 -timeout 8m -v -run '^TestNotebookUI$$' ./internal/uitest/ )

# The UI test opens the notebooks the quick run executed.
test: setup vet nbsource unit
	@out=$${NOTEBOOK_OUT:-$$(mktemp -d)/out}; rc=0; \
	bash scripts/run-notebooks.sh quick "$$out" || rc=1; \
	$(call uitest_run,$$out) || rc=1; \
	exit $$rc

uitest:
	@$(call uitest_run,$(UITEST_NOTEBOOKS))

notebooks:
	bash scripts/run-notebooks.sh full notebooks/out

reproduce: setup
	go run ./cmd/denote reproduce --out figures
	bash scripts/run-notebooks.sh full notebooks/out
	@echo "reproduce: report in figures/report.md, figures in figures/, executed notebooks in notebooks/out/"

bench:
	SETUP_BENCH=1 bash scripts/setup.sh
	bash bench/run.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf notebooks/out
