# sockline: see README.md.  `make`, `make test`, `make demo`,
# `make install` (PREFIX, DESTDIR, BINDIR, MANDIR, ...), `make uninstall`.

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

ALL_CPPFLAGS=	-D_GNU_SOURCE $(RL_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS=	-std=c11 $(WARNINGS) $(WERROR) $(CFLAGS)

SRCS=		$(wildcard src/*.c)
HDRS=		$(wildcard src/*.h)
OBJS=		$(SRCS:.c=.o)

all: deps $(PROG)

# Installs missing Debian packages as root, else names the command to run.
deps:
	@scripts/deps build

$(PROG): $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(RL_LIBS) $(LDLIBS)

src/%.o: src/%.c $(HDRS)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

demo: all
	@scripts/demo

test: $(PROG)
	@scripts/deps test
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

# Removes the files install put there; the directories may be shared.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG) $(DESTDIR)$(MANDIR)/man1/$(PROG).1 \
	    $(DESTDIR)$(BASHCOMPDIR)/$(PROG) $(DESTDIR)$(ZSHCOMPDIR)/_$(PROG) \
	    $(DESTDIR)$(FISHCOMPDIR)/$(PROG).fish

.PHONY: install uninstall

clean:
	rm -f $(PROG) $(OBJS)

.PHONY: all deps demo test clean

# The benchmark against nc, ncat and socat: `make bench`, or
# `make bench QUICK=1` for a run of a few minutes.  See bench/README.md.
BENCH_PROGS=	bench/loadgen bench/oneshot bench/pipebytes bench/refecho

bench: all $(BENCH_PROGS)
	QUICK=$(QUICK) bench/run

bench/%: bench/%.c
	$(CC) -D_GNU_SOURCE $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

bench-clean:
	rm -f $(BENCH_PROGS)

.PHONY: bench bench-clean
