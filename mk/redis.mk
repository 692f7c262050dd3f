# A real redis-server for the tests of the shared account store (each test starts its own on a free loopback port,
# with a password and no persistence, and stops it): installed from the distribution's packages when missing.

.PHONY: redis-server

redis-server:
	@command -v redis-server >/dev/null || (echo "redis-server is missing: installing it from the distribution's packages" && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null)
