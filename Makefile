# sockline: see README.md.  `make`, `make test`, `make demo`.

PROG=		sockline
PREFIX?=	/usr/local
BINDIR?=	$(PREFIX)/bin
MANDIR?=	$(PREFIX)/share/man

CC?=		cc
CFLAGS?=	-O2 -g
WARNINGS=	-Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes
# CI sets WERROR=-Werror.
WERROR?=

RL_CFLAGS:=	$(shell pkg-config --cflags readline 2>/dev/null)
RL_LIBS:=	$(shell pkg-config --libs readline 2>/dev/null || echo -lreadline)

ALL_CPPFLAGS=	-D_GNU_SOURCE $(RL_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS=	-std=c11 $(WARNINGS) $(WERROR) $(CFLAGS)

SRCS=		$(wildcard src/*.c)
OBJS=		$(SRCS:.c=.o)

all: deps $(PROG)

# Installs missing Debian packages as root, else names the command to run.
deps:
	@scripts/deps build

$(PROG): $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(RL_LIBS)

src/%.o: src/%.c src/sockline.h
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

demo: all
	@scripts/demo

test: $(PROG)
	@scripts/deps test
	bats $(BATS_FLAGS) test

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
