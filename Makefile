# SPDX-License-Identifier: GPL-3.0-or-later
# sockline: see README.md.  `make`, `make test`, `make demo`,
# `make install` (PREFIX, DESTDIR, BINDIR, MANDIR, ...), `make uninstall`,
# `make dist` (the release tarball), `make deb` (the Debian package).

PROG=		sockline
PREFIX?=	/usr/local
BINDIR?=	$(PREFIX)/bin
DATADIR?=	$(PREFIX)/share
MANDIR?=	$(DATADIR)/man
BASHCOMPDIR?=	$(DATADIR)/bash-completion/completions
ZSHCOMPDIR?=	$(DATADIR)/zsh/site-functions
FISHCOMPDIR?=	$(DATADIR)/fish/vendor_completions.d
INSTALL?=	install

CC?=		cc
CFLAGS?=	-O2 -g
WARNINGS=	-Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes
# CI sets WERROR=-Werror.
WERROR?=

PKG_CONFIG?=	pkg-config
RL_CFLAGS:=	$(shell $(PKG_CONFIG) --cflags readline 2>/dev/null)
RL_LIBS:=	$(shell $(PKG_CONFIG) --libs readline 2>/dev/null || echo -lreadline)
SSL_CFLAGS:=	$(shell $(PKG_CONFIG) --cflags openssl 2>/dev/null)
SSL_LIBS:=	$(shell $(PKG_CONFIG) --libs openssl 2>/dev/null || echo -lssl -lcrypto)

ALL_CPPFLAGS=	-D_GNU_SOURCE $(RL_CFLAGS) $(SSL_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS=	-std=c11 $(WARNINGS) $(WERROR) $(CFLAGS)

SRCS=		$(wildcard src/*.c)
HDRS=		$(wildcard src/*.h)
OBJS=		$(SRCS:.c=.o)

all: $(PROG)

# Installs missing Debian packages as root, else names the command to
# run: `build` ones for `make`, `test` ones for `make test` (a superset).
# Every object waits for it (order-only, so `make -j` too), except under
# `make install`, which builds with what is there.
# NODEPS=1 skips that (debian/rules sets it: a package build has its
# Build-Depends and must not run apt-get).
DEPS_LEVEL=	$(if $(filter test check-% demo,$(MAKECMDGOALS)),test,$(if \
		$(filter deb,$(MAKECMDGOALS)),deb,build))
deps:
	@$(if $(NODEPS),:,scripts/deps $(DEPS_LEVEL))

ifeq ($(filter install uninstall,$(MAKECMDGOALS))$(NODEPS),)
$(OBJS): | deps
endif

$(PROG): $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(RL_LIBS) $(SSL_LIBS) $(LDLIBS)

src/%.o: src/%.c $(HDRS)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

demo: all
	@scripts/demo

test: $(PROG) | deps
	bats $(BATS_FLAGS) test

# Packagers: `make install DESTDIR=/tmp/stage PREFIX=/usr`.  Builds
# with what the environment gives (CC, CFLAGS, ...), and never installs
# Debian packages, unlike `make`.
install: $(PROG)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR)
	$(INSTALL) -m 0755 $(PROG) $(DESTDIR)$(BINDIR)/$(PROG)
	$(INSTALL) -m 0644 man/$(PROG).1 $(DESTDIR)$(MANDIR)/man1/$(PROG).1
	$(INSTALL) -m 0644 completions/$(PROG).bash \
	    $(DESTDIR)$(BASHCOMPDIR)/$(PROG)
	$(INSTALL) -m 0644 completions/_$(PROG) $(DESTDIR)$(ZSHCOMPDIR)/_$(PROG)
	$(INSTALL) -m 0644 completions/$(PROG).fish \
	    $(DESTDIR)$(FISHCOMPDIR)/$(PROG).fish

# Removes the files install put there.  Directories go only inside a
# DESTDIR staging tree, and only when left empty: under a real prefix
# (/usr/local/bin, ...) they belong to the system and other packages.
INSTALLDIRS=	$(BINDIR) $(MANDIR)/man1 $(BASHCOMPDIR) $(ZSHCOMPDIR) $(FISHCOMPDIR)
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG) $(DESTDIR)$(MANDIR)/man1/$(PROG).1 \
	    $(DESTDIR)$(BASHCOMPDIR)/$(PROG) $(DESTDIR)$(ZSHCOMPDIR)/_$(PROG) \
	    $(DESTDIR)$(FISHCOMPDIR)/$(PROG).fish
	@if [ -n "$(DESTDIR)" ]; then \
	    for d in $(INSTALLDIRS); do \
	        while [ -n "$$d" ] && [ "$$d" != / ] && \
	            rmdir "$(DESTDIR)$$d" 2>/dev/null; do d=$${d%/*}; done; \
	    done; \
	fi

.PHONY: install uninstall

# The release tarball, build/sockline-VERSION.tar.gz, and its SHA-256
# beside it: every file git tracks or would add (nothing it ignores, so
# no build products), or in an unpacked tarball the files its MANIFEST
# names.  The version is SOCKLINE_VERSION in src/sockline.h.
dist:
	scripts/dist build

# The Debian package: dpkg-buildpackage -us -uc -b in a clean copy made
# from the release tarball, so nothing is built in (or left in) this
# tree; the .deb files land in build/deb/.
deb: deps
	scripts/mkdeb build/deb

.PHONY: dist deb

clean:
	rm -f $(PROG) $(OBJS)
	rm -rf build

.PHONY: all deps demo test clean

# The benchmark against nc, ncat and socat: `make bench`, or
# `make bench QUICK=1` for a run of a few minutes.  See bench/README.md.
BENCH_PROGS=	bench/loadgen bench/oneshot bench/pipebytes bench/refecho

bench: all $(BENCH_PROGS)
	QUICK=$(QUICK) bench/run

bench/%: bench/%.c
	$(CC) -D_GNU_SOURCE $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# sockline as a proxy (bench/proxy-run): RUNS, MIB, IDLE (tunnels).
bench-proxy: all bench/pipebytes bench/refecho
	RUNS=$(RUNS) bench/proxy-run

# TLS side by side (bench/tls-run): RUNS, BULK (MiB), HOLD (clients).
bench-tls: all bench/tlsload
	RUNS=$(RUNS) bench/tls-run

bench/tlsload: bench/tlsload.c
	$(CC) -D_GNU_SOURCE $(SSL_CFLAGS) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) \
	    -o $@ $< $(SSL_LIBS) -lpthread

bench-clean:
	rm -f $(BENCH_PROGS) bench/tlsload

.PHONY: bench bench-tls bench-clean

# Reliability checks (see README.md, "Reliability").  Each builds what it
# needs under build/, apart from the normal objects.

# check-asan: the whole suite against an ASan + UBSan build.  clang's
# UBSan also catches pointer arithmetic on NULL, so it is preferred.
ASAN_CC?=	$(shell command -v clang >/dev/null 2>&1 && echo clang || echo $(CC))
SAN_CFLAGS=	-O1 -g -fno-omit-frame-pointer \
		-fsanitize=address,undefined -fno-sanitize-recover=all

build/asan/sockline: $(SRCS) $(HDRS)
	@mkdir -p build/asan
	$(ASAN_CC) $(ALL_CPPFLAGS) -std=c11 $(WARNINGS) $(WERROR) $(SAN_CFLAGS) \
	    $(LDFLAGS) -o $@ $(SRCS) $(RL_LIBS) $(SSL_LIBS)

check-asan: build/asan/sockline
	@scripts/deps test
	scripts/check-asan build/asan/sockline $(BATS_FLAGS) test

.PHONY: check-asan

# check-valgrind: the batch and interactive smoke tests under memcheck.
check-valgrind: $(PROG)
	@scripts/deps test
	scripts/check-valgrind ./$(PROG) $(BATS_FLAGS)

.PHONY: check-valgrind

# fuzz: each libFuzzer target under test/fuzz/ for FUZZ_SECS seconds,
# starting from its seed corpus (test/fuzz/corpus/NAME), two at a time.
FUZZ_CC?=	clang
FUZZ_SECS?=	60
FUZZ_CFLAGS=	-g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZERS=	addr commands crlf escape frame log options proxyhdr proxyreply \
		proxyreq render replay script starttls tlsopts
FUZZ_SRC_addr=		src/addr.c src/render.c src/buf.c
FUZZ_SRC_commands=	src/commands.c src/pathquote.c src/addr.c src/render.c \
			src/buf.c src/escape.c src/starttls.c
FUZZ_SRC_crlf=		src/crlf.c
FUZZ_SRC_escape=	src/escape.c
FUZZ_SRC_frame=		src/frame.c src/buf.c
FUZZ_SRC_log=		src/log.c src/render.c src/buf.c src/msg.c src/fsafe.c \
			src/fswalk.c src/pathquote.c test/fuzz/msg-deps.c
FUZZ_SRC_options=	src/options.c src/addr.c src/escape.c src/tlsopts.c \
			src/b64.c src/starttls.c src/starttls_srv.c src/render.c \
			src/buf.c src/proxy_url.c src/script.c src/replay.c
FUZZ_SRC_proxyhdr=	src/proxyhdr.c
FUZZ_SRC_proxyreply=	src/proxy_msg.c
FUZZ_SRC_proxyreq=	src/proxy_req.c src/proxy_msg.c src/b64.c
FUZZ_SRC_render=	src/render.c src/buf.c
FUZZ_SRC_replay=	src/replay.c src/script.c src/log.c src/render.c \
			src/buf.c src/msg.c src/escape.c src/addr.c \
			src/fsafe.c src/fswalk.c src/pathquote.c \
			test/fuzz/msg-deps.c
FUZZ_SRC_script=	src/script.c src/escape.c src/addr.c src/render.c src/buf.c
FUZZ_SRC_tlsopts=	src/tlsopts.c src/b64.c
FUZZ_SRC_starttls=	src/starttls.c src/starttls_srv.c src/buf.c
# options.c exits on a usage error; its target turns exit into a longjmp.
FUZZ_EXTRA_options=	-include test/fuzz/noexit.h

build/fuzz/%: test/fuzz/%.c test/fuzz/fuzz.h test/fuzz/noexit.h $(SRCS) $(HDRS)
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(ALL_CPPFLAGS) -Isrc -std=c11 $(WARNINGS) $(WERROR) \
	    $(FUZZ_CFLAGS) $(FUZZ_EXTRA_$*) -o $@ $< $(FUZZ_SRC_$*) $(RL_LIBS)

fuzz-build: $(FUZZERS:%=build/fuzz/%)

fuzz: fuzz-build
	scripts/fuzz $(FUZZ_SECS) $(FUZZERS)

.PHONY: fuzz fuzz-build
