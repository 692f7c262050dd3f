# `make bench` (not part of `make test`): every front end against what its users would write instead, as ratios
# measured in one run — see bench/bench.py for the figures and bench/ for the workers. Included by the Makefile.
#
#   make bench [BENCH_ARGS="--rounds 5 --secs 3"]   release builds, then the table; JSON in target/bench/bench.json
#
# Builds in release mode what `make demo` builds (the command, the wheel, the Node module, the C library) plus the
# bench binary and the C worker; installs the baselines (aiohttp, httpx: bench/requirements.txt, pinned, into
# .venv) and wrk, libcurl, OpenSSL and cJSON headers from the distribution's packages when missing.

BENCH_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
BENCH_TARGET := $(or $(CARGO_TARGET_DIR),$(BENCH_ROOT)/target)
BENCH_OUT := $(BENCH_TARGET)/bench
BENCH_REQS := $(BENCH_ROOT)/bench/requirements.txt
BENCH_REQS_STAMP := $(PY_VENV)/.hostapi-bench-requirements.txt
BENCH_ARGS ?=

.PHONY: bench bench-tools

$(BENCH_REQS_STAMP): $(BENCH_REQS) $(PY_REQS_STAMP)
	$(PY_BIN)/python -m pip install --quiet --disable-pip-version-check -r $(BENCH_REQS)
	cp $(BENCH_REQS) $(BENCH_REQS_STAMP)

bench-tools: c-packages redis-server $(BENCH_REQS_STAMP)
	@command -v wrk >/dev/null && test -e /usr/include/openssl/sha.h || \
		(echo "installing wrk and libssl-dev from the distribution's packages" && \
		 apt-get update -qq && apt-get install -y -qq wrk libssl-dev >/dev/null)

bench: bench-tools build-cli-release python-wheel-release node-build-release c-install-release
	$(CARGO) build $(CARGO_FLAGS) --release -p hostapi-bench
	@mkdir -p $(BENCH_OUT)
	$(CC) -O2 -Wall -o $(BENCH_OUT)/c_worker $(BENCH_ROOT)/bench/c_worker.c \
		$$(PKG_CONFIG_PATH=$(C_DEMO_PREFIX)/lib/pkgconfig pkg-config --cflags --libs hostapi libcjson libcurl) -lcrypto \
		-Wl,-rpath,$(C_DEMO_PREFIX)/lib
	$(PY_BIN)/python $(BENCH_ROOT)/bench/bench.py $(BENCH_ARGS)
