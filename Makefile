# denotation — the two commands of the README are the contract:
#   make reproduce   set up what is missing, then run the main job (figures/ and notebooks/out/)
#   make test        go vet, go test, and every notebook executed headless in quick mode
SHELL := /bin/bash
GOPATH_BIN := $(shell go env GOPATH)/bin
export PATH := $(GOPATH_BIN):$(PATH)
export GOMLX_NO_AUTO_INSTALL := 1
export GOMLX_BACKEND ?= go
GO_TEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: all setup test unit vet nbsource notebooks-quick reproduce notebooks bench fmt clean

all: test

setup:
	bash scripts/setup.sh

vet:
	go vet ./...

# The notebooks must be what their sources in notebooks/src give (edit the source, then run scripts/mknb.py).
nbsource:
	/usr/bin/python3 scripts/mknb.py --check

unit:
	go test $(GO_TEST_FLAGS) ./...

notebooks-quick:
	bash scripts/run-notebooks.sh quick $${NOTEBOOK_OUT:-$$(mktemp -d)/out}

test: setup vet nbsource unit notebooks-quick

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
