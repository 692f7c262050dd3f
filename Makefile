# hostapi — the two commands of the README, and the steps they need.
# Everything installs from the package registries by itself; every target is idempotent.

CARGO ?= cargo
CARGO_FLAGS ?= --locked

.PHONY: all demo demo-rust test test-rust build build-release clean generate check-generated lint

all: test

include mk/cli.mk
include mk/python.mk
include mk/node.mk
include mk/c.mk
include mk/interop.mk
include mk/acme.mk
include mk/redis.mk
include mk/fuzz.mk
include mk/bench.mk
include mk/dist.mk

## make demo: build in release mode and walk through both APIs against the embedded emulator, from Rust, the
## command line, Python, Node and C.
demo: demo-rust demo-cli demo-python demo-node demo-c

demo-rust: build-release
	$(CARGO) run $(CARGO_FLAGS) --release -p hostapi --example demo

## make test: every test of every language, after checking that no generated file is stale or edited by hand.
test: check-generated lint test-rust test-python test-node test-c test-interop test-acme

# The tests keep each WEDOS client's shared account state in the client (":memory:"); a test about sharing it
# across processes gives its own directory. Users' own runs use $XDG_STATE_HOME/hostapi.
test test-rust test-python test-node test-c test-cli test-interop test-acme: export HOSTAPI_STATE_DIR := :memory:

## make generate: write every front end's typed surface (and docs/operations.*) from the operation model in
## core/src/ops/. Run it after changing the model; commit what it writes.
generate:
	$(CARGO) run $(CARGO_FLAGS) -q -p hostapi-xtask -- generate

check-generated:
	$(CARGO) run $(CARGO_FLAGS) -q -p hostapi-xtask -- check

## make lint: fail when a file imports another that imports it back, directly or through others (Rust `use`,
## Python relative imports, Node `require`).
lint:
	$(CARGO) run $(CARGO_FLAGS) -q -p hostapi-xtask -- lint

# The Node binding is built (for its own target) and tested by test-node.
test-rust: redis-server
	$(CARGO) test $(CARGO_FLAGS) --workspace --exclude hostapi-node --all-targets
	$(CARGO) test $(CARGO_FLAGS) --workspace --exclude hostapi-node --doc

build:
	$(CARGO) build $(CARGO_FLAGS) --workspace --all-targets

build-release:
	$(CARGO) build $(CARGO_FLAGS) --release -p hostapi --example demo

clean:
	$(CARGO) clean
