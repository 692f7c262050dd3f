# The `hostapi` command (crate hostapi-cli). Included from the Makefile, which defines CARGO and CARGO_FLAGS.
#
#   make demo-cli   release build, then `hostapi emulator` in the background and a few commands against it
#   make test-cli   the command's tests alone (`cargo test --workspace` runs them too)

CARGO ?= cargo
CARGO_FLAGS ?= --locked
# Where cargo puts the release binary: the default target/, or CARGO_TARGET_DIR when the caller set it.
CLI_TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),target)
HOSTAPI_BIN ?= $(CLI_TARGET_DIR)/release/hostapi

.PHONY: build-cli-release demo-cli test-cli

build-cli-release:
	$(CARGO) build $(CARGO_FLAGS) --release -p hostapi-cli

demo-cli: build-cli-release
	bash examples/shell/demo.sh "$(HOSTAPI_BIN)"

test-cli:
	$(CARGO) test $(CARGO_FLAGS) -p hostapi-cli
