# Makefile: hand-written; ./configure only finds the libraries (config.mk).
#
#   make            build ./cofetch
#   make check      unit tests, man page lint, end-to-end tests, the same
#                   e2e tests on an ASan+UBSan build, a valgrind subset,
#                   and the e2e tests again with worker threads on a
#                   ThreadSanitizer build
#   make fuzz       libFuzzer targets for a bounded time (FUZZ_SECONDS)
#   make bench      cofetch side by side with its peers
#   make deps       install build and test dependencies (apt-get)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
PYTHON ?= /usr/bin/python3

-include config.mk

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wno-unused-parameter \
       -Wno-unknown-warning-option -Wno-format-truncation
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -pthread \
             -DCOFETCH_VERSION='"$(VERSION)"' $(CURL_CFLAGS) $(CJSON_CFLAGS)
LIBS = $(CURL_LIBS) $(CJSON_LIBS) $(EV_LIBS) -lsqlite3 -lcrypto -lz -lbrotlidec \
       -lzstd -lssl -lm -pthread

SRCS = $(wildcard src/*.c)
OBJS = $(SRCS:src/%.c=build/%.o)
LIBOBJS = $(filter-out build/main.o,$(OBJS))
ASAN_OBJS = $(SRCS:src/%.c=build/asan/%.o)
TSAN_OBJS = $(SRCS:src/%.c=build/tsan/%.o)
TSAN_FLAGS = -O1 -g -fsanitize=thread
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=build/unit/%)

all: cofetch

config.mk: configure.ac config.mk.in
	autoreconf -fi
	./configure

# mimalloc first, so it is the malloc libcurl's calls bind to as well. Not
# in the sanitizer, unit and fuzz builds: ASan brings its own allocator.
cofetch: config.mk $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJS) $(MALLOC_LIBS) $(LIBS)

build/%.o: src/%.c src/*.h config.mk
	@mkdir -p build
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

cofetch-asan: config.mk $(ASAN_OBJS)
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -o $@ $(ASAN_OBJS) $(LIBS)

build/asan/%.o: src/%.c src/*.h config.mk
	@mkdir -p build/asan
	$(CC) $(ALL_CFLAGS) $(ASAN_FLAGS) -c -o $@ $<

cofetch-tsan: config.mk $(TSAN_OBJS)
	$(CC) $(ALL_CFLAGS) $(TSAN_FLAGS) -o $@ $(TSAN_OBJS) $(LIBS)

build/tsan/%.o: src/%.c src/*.h config.mk
	@mkdir -p build/tsan
	$(CC) $(ALL_CFLAGS) $(TSAN_FLAGS) -c -o $@ $<

build/unit/%: tests/unit/%.c tests/unit/unit.h $(LIBOBJS)
	@mkdir -p build/unit
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(LIBOBJS) $(LIBS)

check-unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

check-e2e: cofetch
	COFETCH=$(CURDIR)/cofetch $(PYTHON) -m pytest -q tests/e2e

check-asan: cofetch-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	COFETCH=$(CURDIR)/cofetch-asan COFETCH_ASAN=1 \
	    $(PYTHON) -m pytest -q -m "not slow" tests/e2e

check-valgrind: cofetch
	COFETCH=$(CURDIR)/cofetch COFETCH_VALGRIND=1 \
	    $(PYTHON) -m pytest -q tests/e2e/test_valgrind.py

# The same end-to-end tests with transfers on worker threads
# (COFETCH_WORKERS, off by default), on a ThreadSanitizer build: a race
# makes that run exit 66, and every report is kept in build/tsan-logs and
# fails the target even where a test did not look at the exit status.
check-workers: cofetch-tsan
	@rm -rf build/tsan-logs && mkdir -p build/tsan-logs
	TSAN_OPTIONS=exitcode=66:log_path=$(CURDIR)/build/tsan-logs/race \
	COFETCH=$(CURDIR)/cofetch-tsan COFETCH_WORKERS=2 \
	    $(PYTHON) -m pytest -q -m "not slow" tests/e2e
	@if ls build/tsan-logs/race.* >/dev/null 2>&1; then \
	    cat build/tsan-logs/race.*; \
	    echo "check-workers: ThreadSanitizer reports above"; exit 1; fi

check: check-unit lint-man check-e2e check-asan check-valgrind check-workers

deps:
	@SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    build-essential pkg-config autoconf automake \
	    libcurl4-openssl-dev libev-dev libcjson-dev libmimalloc-dev \
	    python3-pytest python3-httpbin python3-aiohttp nginx-light \
	    jq curl mandoc tmux valgrind clang libclang-rt-14-dev \
	    wget2 nghttp2-client openssl time \
	    zlib1g-dev libbrotli-dev libzstd-dev zstd python3-brotli python3-h2

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
	tests/bench/run

fuzz: config.mk
	tests/fuzz/run

lint-man:
	mandoc -Tlint -W warning man/cofetch.1

clean:
	rm -rf build cofetch cofetch-asan cofetch-tsan

distclean: clean
	rm -rf config.mk config.log config.status configure aclocal.m4 autom4te.cache

.PHONY: all check check-unit check-e2e check-asan check-valgrind check-workers deps install uninstall \
        lint-man bench fuzz clean distclean
