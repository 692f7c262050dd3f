# The Node front end: the native module (napi-rs, bindings/node) and the npm package (node/), its tests and demo.
#
# Included by the top Makefile. Needs Node.js 20 or newer with npm (installed from the distribution's packages
# when missing); the tools (@napi-rs/cli, TypeScript) come, pinned, from node/package-lock.json through `npm ci`.
#
#   test-node   npm ci, debug build of the native module, node --test (vectors, clients, process, pack, types)
#   demo-node   npm ci, release build, examples/node/demo.mjs

NODE_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
NODE_PKG := $(NODE_ROOT)/node
NPM ?= npm
NODE_STAMP := $(NODE_PKG)/node_modules/.hostapi-npm-ci

.PHONY: test-node demo-node node-tools node-build-dev node-build-release

node-tools: $(NODE_STAMP)

# Node.js 20+ and npm: from the distribution's packages when the machine has none.
$(NODE_STAMP): $(NODE_PKG)/package.json $(NODE_PKG)/package-lock.json
	@command -v node >/dev/null && command -v $(NPM) >/dev/null || \
		(echo "Node.js and npm are missing: installing them from the distribution's packages" && \
		 apt-get update -qq && apt-get install -y -qq nodejs npm)
	@node -e 'if (+process.versions.node.split(".")[0] < 20) { console.error("hostapi needs Node.js 20 or newer, found " + process.version); process.exit(1) }'
	cd $(NODE_PKG) && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node-build-dev: node-tools
	cd $(NODE_PKG) && $(NPM) run --silent build

node-build-release: node-tools
	cd $(NODE_PKG) && $(NPM) run --silent build:release

test-node: node-build-dev
	cd $(NODE_PKG) && node --test --test-concurrency=1 test/

demo-node: node-build-release
	node $(NODE_ROOT)/examples/node/demo.mjs
