/*
 * --interactive reading a pipe or a file.  Readline reads a byte per
 * system call, after a select(2): that made a megabyte take ten
 * seconds.  Here it reads through a small buffer instead; on_stdin()
 * in front_repl.c hands readline what one read brought before it
 * returns, so the work of a round stays bounded and nothing waits in
 * the buffer that the loop does not know of.  A terminal keeps
 * readline's own reading, byte by byte, as keys come.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include <readline/readline.h>

#include "repl.h"

/* Readline's hooks take no argument. */
static struct repl	*piped_repl;

static int
piped_getc(FILE *f)
{
	struct repl	*r = piped_repl;
	struct pollfd	 pfd;
	ssize_t		 n;

	while (r->in_off == r->in_len) {
		n = read(fileno(f), r->in_buf, sizeof(r->in_buf));
		if (n > 0) {
			r->in_off = 0;
			r->in_len = (size_t)n;
		} else if (n == -1 && errno == EAGAIN && !sig_caught) {
			/* Someone else's non-blocking pipe: wait for it. */
			pfd.fd = fileno(f);
			pfd.events = POLLIN;
			ppoll(&pfd, 1, NULL, signals_waitmask());
		} else if (n == 0 || errno != EINTR || sig_caught)
			return EOF;
	}
	return (unsigned char)r->in_buf[r->in_off++];
}

/* Readline asks before it waits for more of a key sequence. */
static int
piped_available(void)
{
	return piped_repl->in_off < piped_repl->in_len;
}

void
piped_setup(struct repl *r)
{
	piped_repl = r;
	rl_getc_function = piped_getc;
	rl_input_available_hook = piped_available;
}
