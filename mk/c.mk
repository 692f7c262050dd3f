# The C front end: libhostapi (bindings/c), include/hostapi.h (cbindgen) and hostapi.hpp, install, tests, demo.
#
#   make header                 regenerate include/hostapi.h with the pinned cbindgen
#   make install PREFIX=/usr/local   release build; installs lib/libhostapi.{a,so*}, include/hostapi.{h,hpp}, hostapi.pc
#   make test-c                 header check, debug build installed into target/c/prefix, every C/C++ test through
#                               pkg-config (shared and static), the suite under valgrind and with ASan+UBSan
#   make demo-c                 release build, examples/c/demo.c and examples/c/curl_wedos.c (libcurl)
#
# Distribution packages it needs (cJSON and libcurl for tests and examples, valgrind, pkg-config) are installed
# when missing.

C_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
C_TARGET := $(or $(CARGO_TARGET_DIR),$(C_ROOT)/target)
C_WORK := $(C_TARGET)/c
CBINDGEN_VERSION := 0.29.4
CBINDGEN := $(C_TARGET)/tools/bin/cbindgen
HOSTAPI_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' $(C_ROOT)/Cargo.toml | head -1)
HOSTAPI_MAJOR := $(firstword $(subst ., ,$(HOSTAPI_VERSION)))
PREFIX ?= /usr/local
CC ?= cc
CXX ?= c++
C_WARN := -Wall -Wextra -Werror -std=c11 -D_DEFAULT_SOURCE
# What a static link of libhostapi needs besides it: rustc's --print native-static-libs, less libc (every link of a
# C program has it); -lgcc_s is the unwinder (a zig cc link takes its own libunwind for it).
C_STATIC_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl

.PHONY: header check-header install test-c demo-c c-packages c-build-dev c-build-release c-install-dev c-install-release

$(CBINDGEN):
	$(CARGO) install cbindgen --version $(CBINDGEN_VERSION) --locked --root $(C_TARGET)/tools --quiet

header: $(CBINDGEN)
	$(CBINDGEN) --config $(C_ROOT)/bindings/c/cbindgen.toml --crate hostapi-c --output $(C_ROOT)/include/hostapi.h $(C_ROOT)/bindings/c

check-header: $(CBINDGEN)
	@$(CBINDGEN) --config $(C_ROOT)/bindings/c/cbindgen.toml --crate hostapi-c --output $(C_ROOT)/include/hostapi.h --verify $(C_ROOT)/bindings/c \
		|| (echo "include/hostapi.h is stale: run 'make header' and commit it" && exit 1)

c-packages:
	@pkg-config --exists libcjson libcurl 2>/dev/null && command -v valgrind >/dev/null && command -v pkg-config >/dev/null || \
		(echo "installing libcjson-dev libcurl4-openssl-dev valgrind pkg-config from the distribution's packages" && \
		 apt-get update -qq && apt-get install -y -qq libcjson-dev libcurl4-openssl-dev valgrind pkg-config >/dev/null)

c-build-dev:
	$(CARGO) build $(CARGO_FLAGS) -p hostapi-c

c-build-release:
	$(CARGO) build $(CARGO_FLAGS) --release -p hostapi-c

# $(call c_install,<profile dir>,<prefix>[,<prefix as the .pc files say it>]): the library files, headers and
# pkg-config files under <prefix>.
define c_install
	install -d $(2)/lib/pkgconfig $(2)/include
	install -m 644 $(C_TARGET)/$(1)/libhostapi_c.a $(2)/lib/libhostapi.a
	install -m 755 $(C_TARGET)/$(1)/libhostapi_c.so $(2)/lib/libhostapi.so.$(HOSTAPI_VERSION)
	ln -sf libhostapi.so.$(HOSTAPI_VERSION) $(2)/lib/libhostapi.so.$(HOSTAPI_MAJOR)
	ln -sf libhostapi.so.$(HOSTAPI_MAJOR) $(2)/lib/libhostapi.so
	install -m 644 $(C_ROOT)/include/hostapi.h $(C_ROOT)/include/hostapi.hpp $(2)/include/
	install -d $(2)/share/doc/hostapi && install -m 644 $(C_ROOT)/include/README.md $(2)/share/doc/hostapi/README.md
	printf '%s\n' 'prefix=$(or $(3),$(2))' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
		'Name: hostapi' 'Description: Clients of the Velneo Cloud API and WEDOS WAPI, and their emulator' \
		'Version: $(HOSTAPI_VERSION)' 'Libs: -L$${libdir} -lhostapi' 'Libs.private: $(C_STATIC_LIBS)' \
		'Cflags: -I$${includedir}' > $(2)/lib/pkgconfig/hostapi.pc
	printf '%s\n' 'prefix=$(or $(3),$(2))' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
		'Name: hostapi-static' 'Description: libhostapi linked statically (the C library stays dynamic on glibc; with -static on musl, nothing does)' \
		'Version: $(HOSTAPI_VERSION)' 'Libs: $${libdir}/libhostapi.a $(C_STATIC_LIBS)' \
		'Cflags: -I$${includedir}' > $(2)/lib/pkgconfig/hostapi-static.pc
endef

install: c-build-release
	$(call c_install,release,$(PREFIX))

C_TEST_PREFIX := $(C_WORK)/prefix
C_BIN := $(C_WORK)/bin
C_PC := PKG_CONFIG_PATH=$(C_TEST_PREFIX)/lib/pkgconfig
C_TESTS := test_vectors test_clients test_null test_faults

c-install-dev: c-build-dev
	$(call c_install,debug,$(C_TEST_PREFIX))

test-c: c-packages check-header c-install-dev
	@mkdir -p $(C_BIN)
	@# Shared: every test, linked through pkg-config against the installed copy.
	for t in $(C_TESTS); do \
		$(CC) $(C_WARN) -g -o $(C_BIN)/$$t $(C_ROOT)/tests/c/$$t.c $$($(C_PC) pkg-config --cflags --libs hostapi libcjson) -lpthread \
			-Wl,-rpath,$(C_TEST_PREFIX)/lib || exit 1; \
	done
	$(CXX) -std=c++17 -Wall -Wextra -Werror -g -o $(C_BIN)/test_wrapper $(C_ROOT)/tests/c/test_wrapper.cpp \
		$$($(C_PC) pkg-config --cflags --libs hostapi) -Wl,-rpath,$(C_TEST_PREFIX)/lib
	@# Static: the same program against libhostapi.a, through hostapi-static.pc (no rpath: it needs no libhostapi.so).
	$(CC) $(C_WARN) -o $(C_BIN)/test_null_static $(C_ROOT)/tests/c/test_null.c $$($(C_PC) pkg-config --cflags --libs hostapi-static libcjson)
	! ldd $(C_BIN)/test_null_static | grep -q libhostapi
	@# ASan + UBSan builds of the C tests (the Rust library itself is not instrumented).
	for t in $(C_TESTS); do \
		$(CC) $(C_WARN) -g -fsanitize=address,undefined -fno-omit-frame-pointer -o $(C_BIN)/$$t.asan $(C_ROOT)/tests/c/$$t.c \
			$$($(C_PC) pkg-config --cflags --libs hostapi libcjson) -lpthread -Wl,-rpath,$(C_TEST_PREFIX)/lib || exit 1; \
	done
	$(C_BIN)/test_vectors $(C_ROOT)/tests/vectors
	$(C_BIN)/test_clients
	$(C_BIN)/test_faults $(C_ROOT)/tests/vectors
	$(C_BIN)/test_null
	$(C_BIN)/test_null_static
	$(C_BIN)/test_wrapper
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 $(C_BIN)/test_vectors.asan $(C_ROOT)/tests/vectors
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 $(C_BIN)/test_clients.asan
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 $(C_BIN)/test_faults.asan $(C_ROOT)/tests/vectors
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 $(C_BIN)/test_null.asan
	@# The headers in the compilers' default (GNU) modes too, where e.g. `unix` is a predefined macro.
	$(CC) -Wall -Wextra -Werror -fsyntax-only $$($(C_PC) pkg-config --cflags hostapi libcjson) $(C_ROOT)/tests/c/test_null.c
	$(CXX) -Wall -Wextra -Werror -fsyntax-only $$($(C_PC) pkg-config --cflags hostapi) $(C_ROOT)/tests/c/test_wrapper.cpp
	@# The README's C example as tool.c, built and run by the README's own commands (dynamic and static) from the
	@# installed prefix, in an empty directory, without LD_LIBRARY_PATH.
	rm -rf $(C_WORK)/readme && mkdir -p $(C_WORK)/readme
	awk '/^## C quick start/{on=1} on&&/^```c$$/{code=1;next} code&&/^```$$/{exit} code{print}' $(C_ROOT)/README.md > $(C_WORK)/readme/tool.c
	awk '/^## C quick start/{on=1} on&&/^```sh$$/{code=1;next} code&&/^```$$/{exit} code{print}' $(C_ROOT)/README.md > $(C_WORK)/readme/build.sh
	grep -q 'hostapi-static' $(C_WORK)/readme/build.sh
	cd $(C_WORK)/readme && env -u LD_LIBRARY_PATH PREFIX=$(C_TEST_PREFIX) CC=$(CC) bash -e build.sh
	@# The README's C++ example, the same way.
	awk '/^## C quick start/{on=1} on&&/^```cpp$$/{code=1;next} code&&/^```$$/{exit} code{print}' $(C_ROOT)/README.md > $(C_WORK)/readme/tool.cpp
	cd $(C_WORK)/readme && $(CXX) -std=c++17 -Wall -Wextra -Werror -o tool-cpp tool.cpp $$($(C_PC) pkg-config --cflags --libs hostapi) \
		-Wl,-rpath,$(C_TEST_PREFIX)/lib && ./tool-cpp
	@# The whole suite under valgrind: no error, nothing definitely lost.
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite $(C_BIN)/test_vectors $(C_ROOT)/tests/vectors
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite $(C_BIN)/test_null
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite $(C_BIN)/test_clients
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite $(C_BIN)/test_wrapper

C_DEMO_PREFIX := $(C_WORK)/demo-prefix
c-install-release: c-build-release
	$(call c_install,release,$(C_DEMO_PREFIX))

demo-c: c-packages c-install-release
	@mkdir -p $(C_BIN)
	$(CC) $(C_WARN) -O2 -o $(C_BIN)/demo $(C_ROOT)/examples/c/demo.c \
		$$(PKG_CONFIG_PATH=$(C_DEMO_PREFIX)/lib/pkgconfig pkg-config --cflags --libs hostapi libcjson) -Wl,-rpath,$(C_DEMO_PREFIX)/lib
	$(CC) $(C_WARN) -O2 -o $(C_BIN)/curl_wedos $(C_ROOT)/examples/c/curl_wedos.c \
		$$(PKG_CONFIG_PATH=$(C_DEMO_PREFIX)/lib/pkgconfig pkg-config --cflags --libs hostapi libcjson libcurl) -Wl,-rpath,$(C_DEMO_PREFIX)/lib
	$(C_BIN)/demo
	$(C_BIN)/curl_wedos
