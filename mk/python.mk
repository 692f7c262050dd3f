# The Python front end: the wheel (maturin, bindings/python + python/), its tests and its demo.
#
# Included by the top Makefile; also usable alone: `make -f mk/python.mk test-python`.
# Needs only Rust and a Python 3.9+ with venv and pip (3.11 preferred): the tools come, pinned, from
# python/requirements-dev.txt into .venv, which is created when missing. Every target is idempotent.
#
#   test-python   build the wheel (dev profile), install it into .venv, run pytest and mypy --strict
#   demo-python   build the wheel (release), install it into .venv, run examples/python/demo.py

PY_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
PY_PYTHON ?= $(shell command -v python3.11 || command -v python3)
PY_VENV := $(PY_ROOT)/.venv
PY_BIN := $(PY_VENV)/bin
PY_REQS := $(PY_ROOT)/python/requirements-dev.txt
PY_REQS_STAMP := $(PY_VENV)/.hostapi-requirements-dev.txt
# Wheels go under the cargo target directory (CARGO_TARGET_DIR when set, else target/).
PY_WHEEL_DIR ?= $(or $(CARGO_TARGET_DIR),$(PY_ROOT)/target)/python-wheels
# manylinux2014 (glibc 2.17: RHEL 7/8, Debian 10+, Ubuntu 18.04+), linked with zig from .venv.
PY_MATURIN_FLAGS ?= --locked --strip --zig --compatibility manylinux2014
PY_MYPY := $(PY_BIN)/mypy --strict --cache-dir $(PY_VENV)/.mypy_cache

.PHONY: test-python demo-python python-tools python-wheel-dev python-wheel-release

python-tools: $(PY_REQS_STAMP)

$(PY_BIN)/python:
	$(PY_PYTHON) -m venv $(PY_VENV)

$(PY_REQS_STAMP): $(PY_REQS) | $(PY_BIN)/python
	$(PY_BIN)/python -m pip install --quiet --disable-pip-version-check -r $(PY_REQS)
	cp $(PY_REQS) $(PY_REQS_STAMP)

# $(call py_wheel,<profile flags>,<subdir>): build one wheel into $(PY_WHEEL_DIR)/<subdir> and install it.
define py_wheel
	rm -f $(PY_WHEEL_DIR)/$(2)/hostapi-*.whl
	cd $(PY_ROOT)/python && PATH="$(PY_BIN):$$PATH" $(PY_BIN)/maturin build --quiet $(1) $(PY_MATURIN_FLAGS) \
		--interpreter $(PY_BIN)/python --out $(PY_WHEEL_DIR)/$(2)
	$(PY_BIN)/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
		$(PY_WHEEL_DIR)/$(2)/hostapi-*.whl
endef

python-wheel-dev: python-tools
	$(call py_wheel,--profile dev,dev)

python-wheel-release: python-tools
	$(call py_wheel,--release,release)

test-python: python-wheel-dev
	cd $(PY_ROOT)/python && HOSTAPI_WHEEL="$$(ls $(PY_WHEEL_DIR)/dev/hostapi-*.whl)" $(PY_BIN)/pytest -q
	cd $(PY_ROOT) && $(PY_MYPY) examples/python python/tests/test_typed_api.py
	cd $(PY_ROOT)/python && $(PY_MYPY) hostapi

demo-python: python-wheel-release
	cd $(PY_ROOT) && $(PY_BIN)/python examples/python/demo.py
