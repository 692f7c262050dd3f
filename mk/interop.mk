# Every front end on one WEDOS account at once: Python, Node and the command as separate OS processes on one state
# directory (tests/interop, run by the .venv's pytest once the wheel and the Node module are built).
#
#   test-interop   the wheel (dev) into .venv, the Node module and the C library (debug), then pytest tests/interop

INTEROP_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)

.PHONY: test-interop

test-interop: redis-server python-wheel-dev node-build-dev c-install-dev
	cd $(INTEROP_ROOT) && $(PY_BIN)/pytest -q -p no:cacheprovider tests/interop
