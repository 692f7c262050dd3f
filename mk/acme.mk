# A real certificate, offline: pebble (the ACME test CA) validates DNS-01 against the emulator's DNS server, and lego
# and certbot get certificates for example.cz and *.example.cz through `hostapi wedos acme present|cleanup --wait`
# (tests/acme, run by the .venv's pytest).
#
#   acme-tools   pebble, lego, certbot and openssl from the distribution's packages, when missing
#   test-acme    the three certificate runs

ACME_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)

.PHONY: acme-tools test-acme

acme-tools:
	@(command -v pebble && command -v lego && command -v certbot && command -v openssl) >/dev/null || \
		(echo "pebble, lego, certbot or openssl is missing: installing them from the distribution's packages" && \
		 apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		 pebble lego certbot openssl >/dev/null)

test-acme: acme-tools python-wheel-dev
	cd $(ACME_ROOT) && $(PY_BIN)/pytest -q -p no:cacheprovider tests/acme
