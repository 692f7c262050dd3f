# Fuzzing (not part of `make test`): cargo-fuzz targets for both protocols' response parsers, the gateway's request
# parsers, the notification
# parser and the emulator's request handling (fuzz/). Included by the top Makefile.
#
#   make fuzz [FUZZ_SECONDS=60]   build, then run each target FUZZ_SECONDS seconds; prints executions and crashes
#                                  per target; fails on a crash (its input is kept under fuzz/artifacts/<target>/)
#
# cargo-fuzz is installed, pinned, into target/tools; it runs on the machine's stable toolchain with
# RUSTC_BOOTSTRAP=1 (its flags are nightly-only). libFuzzer is built from source by libfuzzer-sys (needs a C++
# compiler).

FUZZ_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
FUZZ_TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(FUZZ_ROOT)/target)
CARGO_FUZZ_VERSION := 0.13.1
CARGO_FUZZ := $(FUZZ_TARGET_DIR)/tools/bin/cargo-fuzz
FUZZ_SECONDS ?= 60

.PHONY: fuzz

$(CARGO_FUZZ):
	$(CARGO) install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked --root $(FUZZ_TARGET_DIR)/tools --quiet

fuzz: $(CARGO_FUZZ)
	@command -v c++ >/dev/null || (echo "installing g++ from the distribution's packages" && apt-get update -qq && apt-get install -y -qq g++)
	CARGO_FUZZ=$(CARGO_FUZZ) FUZZ_SECONDS=$(FUZZ_SECONDS) sh $(FUZZ_ROOT)/fuzz/run.sh
