/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What msg.c needs from signals.c and term.c, for the fuzz targets that
 * link msg.c alone: no signal is ever caught, and stderr is written as
 * it is (a fuzzer's stderr is never a terminal to open again).
 */

#include <signal.h>

#include "sockline.h"

volatile sig_atomic_t	sig_caught;

const sigset_t *
signals_waitmask(void)
{
	static sigset_t	none;

	return &none;
}

int
term_reopen(int fd)
{
	(void)fd;
	return -1;
}
