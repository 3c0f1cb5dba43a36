# Makefile: hand-written; ./configure finds the libraries and takes the
# install directories and the compiler and linker flags (config.mk).
#
#   make              build ./cofetch; from a clean checkout this first runs
#                     autoreconf -fi && ./configure (no arguments: run
#                     ./configure yourself to give it some)
#   make WERROR=1     the same with -Werror (CI and developer builds)
#   make check        unit tests, man page lint, the end-to-end tests, and
#                     the same e2e tests on an ASan+UBSan build; builds
#                     with WERROR=1
#   make check-full   check, plus valgrind (the unit tests and an e2e
#                     subset), the slow memory test and a short fuzzing
#                     pass (.ci/run runs this)
#   make fuzz         libFuzzer targets for a bounded time (FUZZ_SECONDS)
#   make bench        cofetch side by side with its peers; BENCH_ARGS=
#                     passes options to tests/bench/run (--quick)
#   make deps         install build and test dependencies (apt-get)
#   make install      DESTDIR=; PREFIX, BINDIR, MANDIR default to what
#                     ./configure was given (--prefix=/usr/local)

PYTHON ?= /usr/bin/python3

# Goals that need no config.mk (and must not run ./configure).
NOCONFIG_GOALS = configure clean distclean deps lint-man lint-includes
ifneq ($(filter-out $(NOCONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
include config.mk
endif

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions

# CFLAGS, CPPFLAGS and LDFLAGS are the user's (./configure, or make
# VAR=...); what cofetch itself needs goes in the ALL_ variables around
# them, so that overriding CFLAGS never drops a library's -I.
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wno-unused-parameter \
       -Wno-unknown-warning-option -Wno-format-truncation \
       $(if $(filter 1,$(WERROR)),-Werror)
CFLAGS ?= -O2 -g
LIB_CFLAGS = $(CURL_CFLAGS) $(CJSON_CFLAGS) $(SQLITE_CFLAGS) \
             $(CRYPTO_CFLAGS) $(SSL_CFLAGS) $(ZLIB_CFLAGS) $(BROTLI_CFLAGS) $(ZSTD_CFLAGS)
ALL_CPPFLAGS = -D_GNU_SOURCE -DCOFETCH_VERSION='"$(VERSION)"' $(CPPFLAGS)
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(LIB_CFLAGS)
LIBS = $(CURL_LIBS) $(CJSON_LIBS) $(EV_LIBS) $(SQLITE_LIBS) $(CRYPTO_LIBS) \
       $(ZLIB_LIBS) $(BROTLI_LIBS) $(ZSTD_LIBS) $(SSL_LIBS) -lm
COMPILE = $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS)

SRCS = $(wildcard src/*.c)
OBJS = $(SRCS:src/%.c=build/%.o)
LIBOBJS = $(filter-out build/main.o,$(OBJS))
ASAN_OBJS = $(SRCS:src/%.c=build/asan/%.o)
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=build/unit/%)

all: cofetch

# config.mk is made only when it is missing: a make never re-runs
# ./configure behind the user's back with their arguments lost. When
# configure.ac or config.mk.in changed since, it says how to re-run it.
config.mk: configure.ac config.mk.in
	@if [ -f config.mk ]; then \
	    echo "make: configure.ac or config.mk.in is newer than config.mk;"; \
	    echo "make: run ./configure again, as before:"; \
	    args=$$(./config.status --config 2>/dev/null); \
	    echo "    autoreconf -fi && ./configure $$args"; \
	    exit 1; \
	fi
	@if [ ! -x configure ] || [ configure.ac -nt configure ]; then \
	    echo autoreconf -fi; autoreconf -fi; fi
	./configure

configure: configure.ac
	autoreconf -fi

# mimalloc first, so it is the malloc libcurl's calls bind to as well. Not
# in the sanitizer, unit and fuzz builds: ASan brings its own allocator.
cofetch: config.mk $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(MALLOC_LIBS) $(LIBS)

build/%.o: src/%.c src/*.h config.mk
	@mkdir -p build
	$(COMPILE) -DCOFETCH_MALLOC='"$(MALLOC_NAME)"' -c -o $@ $<

cofetch-asan: config.mk $(ASAN_OBJS)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $(ASAN_OBJS) $(LIBS)

build/asan/%.o: src/%.c src/*.h config.mk
	@mkdir -p build/asan
	$(COMPILE) $(ASAN_FLAGS) -DCOFETCH_MALLOC='"libc (ASan)"' -c -o $@ $<

build/unit/%: tests/unit/%.c tests/unit/unit.h $(LIBOBJS)
	@mkdir -p build/unit
	$(COMPILE) -Isrc $(LDFLAGS) -o $@ $< $(LIBOBJS) $(LIBS)

# The test targets build with -Werror (make check WERROR=0 to not).
check check-full check-unit check-e2e check-asan check-valgrind \
check-slow: WERROR = 1

check-unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

# Most of the e2e tests' time is waiting (delays, rates, timeouts), so
# they run in E2E_JOBS processes when pytest-xdist is there (make deps);
# E2E_JOBS=0 runs them in one. Valgrind and the slow memory test are
# check-full's.
E2E_JOBS ?= 3
E2E_PAR = $(shell $(PYTHON) -c 'import xdist' 2>/dev/null && \
              echo "-n $(E2E_JOBS)")
E2E = $(PYTHON) -m pytest -q $(E2E_PAR) -m "not slow and not valgrind" \
      tests/e2e

check-e2e: cofetch
	COFETCH=$(CURDIR)/cofetch $(E2E)

check-asan: cofetch-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	COFETCH=$(CURDIR)/cofetch-asan COFETCH_ASAN=1 $(E2E)

# The unit tests too: an uninitialised read there makes a test flaky.
check-valgrind: cofetch $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do \
	    valgrind -q --error-exitcode=99 --leak-check=full \
	        --errors-for-leak-kinds=definite,indirect $$t || fail=1; \
	done; exit $$fail
	COFETCH=$(CURDIR)/cofetch COFETCH_VALGRIND=1 \
	    $(PYTHON) -m pytest -q -m valgrind tests/e2e

check-slow: cofetch
	COFETCH=$(CURDIR)/cofetch $(PYTHON) -m pytest -q -m slow tests/e2e

check: check-unit lint-man lint-includes check-e2e check-asan

check-full: check check-valgrind check-slow
	FUZZ_SECONDS=$${FUZZ_SECONDS:-15} tests/fuzz/run

deps:
	@SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    build-essential pkg-config autoconf automake \
	    libcurl4-openssl-dev libev-dev libcjson-dev libmimalloc-dev \
	    libsqlite3-dev sqlite3 libssl-dev zlib1g-dev libbrotli-dev \
	    libzstd-dev zstd python3-brotli \
	    python3-pytest python3-pytest-xdist python3-httpbin \
	    python3-aiohttp python3-h2 \
	    nginx-light jq curl libcurl4-doc mandoc tmux valgrind clang \
	    libclang-rt-14-dev wget2 nghttp2-client openssl time parallel \
	    stress-ng

install: cofetch
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 cofetch $(DESTDIR)$(BINDIR)/cofetch
	install -m 644 man/cofetch.1 $(DESTDIR)$(MANDIR)/man1/cofetch.1
	install -m 644 completions/cofetch.bash $(DESTDIR)$(BASHCOMPDIR)/cofetch
	install -m 644 completions/_cofetch $(DESTDIR)$(ZSHCOMPDIR)/_cofetch

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cofetch $(DESTDIR)$(MANDIR)/man1/cofetch.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/cofetch $(DESTDIR)$(ZSHCOMPDIR)/_cofetch

bench: cofetch
	tests/bench/run $(BENCH_ARGS)

fuzz: config.mk
	tests/fuzz/run

lint-man:
	mandoc -Tlint -W warning man/cofetch.1

# No two files in src/ include each other, directly or around a circle.
lint-includes:
	/usr/bin/python3 tests/lint/includes.py src

clean:
	rm -rf build cofetch cofetch-asan

distclean: clean
	rm -rf config.mk config.log config.status configure aclocal.m4 \
	    autom4te.cache

.PHONY: all check check-full check-unit check-e2e check-asan \
        check-valgrind check-slow deps install uninstall lint-man lint-includes bench \
        fuzz clean distclean
