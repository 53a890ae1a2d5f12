/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The --replay log parser (replay_parse() in src/replay.c).  Any text
 * must be taken or refused with "NAME:LINE: why" (or "NAME: why"),
 * without a crash or leak.  And any bytes that the -o log wrote as a
 * record (log_escape() in src/log.c, with the mark of a cut record or
 * not) must read back as exactly those bytes, so a replay sends what
 * was recorded.
 */

#include "sockline.h"
#include "fuzz.h"

/*
 * One record of n bytes, sent (mark) or received, in the log of a
 * client (listen: the replay listens) or of a listener.  A listener's
 * log may label records with the peer, so there data that looks like
 * a label ("[127.0.0.1:5] ...") is taken for one: not checked.
 */
static void
check_record(const uint8_t *p, size_t n, int cut, int dir, int listen)
{
	static const char	 hdr[] = "# sockline 0.1.0 session log, "
				    "2026-11-21 12:34:56 +0000: tcp to h 1\n";
	struct chat_script	 sc;
	struct buf		 line;
	char			 err[512];

	if (!listen && n > 0 && p[0] == '[')
		return;
	memset(&line, 0, sizeof(line));
	if (listen)
		CHECK(buf_append(&line, hdr, sizeof(hdr) - 1) == 0);
	CHECK(buf_append(&line, "2026-11-21 12:34:56.789 ", 24) == 0);
	CHECK(buf_append(&line, dir ? "> " : "< ", 2) == 0);
	CHECK(log_escape(&line, (const char *)p, n) == 0);
	CHECK(buf_append(&line, cut ? "\\\n" : "\n", cut ? 2 : 1) == 0);
	CHECK(replay_parse("l", buf_head(&line), buf_used(&line), listen, 0,
	    &sc, err, sizeof(err)) == 0);
	CHECK(sc.n == 1 && sc.v[0].line == 1 + listen);
	CHECK(sc.v[0].op == (dir ? CHAT_EXACT : CHAT_SEND));
	CHECK(sc.v[0].len == n + !cut);
	CHECK(n == 0 || memcmp(sc.v[0].text, p, n) == 0);
	CHECK(cut || sc.v[0].text[n] == '\n');
	chat_script_free(&sc);
	buf_free(&line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chat_script	 sc;
	struct fdp		 f = { data, size };
	char			 err[512];
	unsigned		 ctl = fdp_byte(&f);
	int			 k, line;

	memset(err, 0, sizeof(err));
	if (replay_parse("l", (const char *)f.p, f.n, ctl & 1, ctl & 2, &sc,
	    err, sizeof(err)) == -1) {
		CHECK(sscanf(err, "l:%d:", &line) == 1 ||
		    strncmp(err, "l: ", 3) == 0);
		CHECK(sc.n == 0 && sc.v == NULL);
	} else {
		for (k = 0; k < sc.n; k++) {
			CHECK(sc.v[k].op == CHAT_SEND ||
			    sc.v[k].op == CHAT_EXACT);
			CHECK(sc.v[k].ms >= 0 && sc.v[k].text != NULL);
			CHECK(k == 0 || sc.v[k].line > sc.v[k - 1].line);
		}
		chat_script_free(&sc);
	}
	check_record(f.p, f.n > 4096 ? 4096 : f.n, ctl & 4, ctl & 8,
	    (ctl & 16) != 0);
	return 0;
}
