/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Key logs (design item 19): --tls-keylog FILE, or SSLKEYLOGFILE when
 * set, gets one NSS key log line per secret, so Wireshark can decrypt a
 * capture of the session.  The file holds keys: it is opened under the
 * rules of item 15 (fsafe_open), created 0600, and only appended to, as
 * browsers and curl do, so several runs share one file.
 */

#include <openssl/ssl.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockline.h"
#include "tls_int.h"

static int	keylog_fd = -1;

/* One write per line, so lines of concurrent runs never interleave. */
static void
on_keylog(const SSL *ssl, const char *line)
{
	char	buf[1024];
	size_t	n;

	(void)ssl;
	n = strlen(line);
	if (keylog_fd == -1 || n + 1 > sizeof(buf))
		return;
	memcpy(buf, line, n);
	buf[n++] = '\n';
	if (write(keylog_fd, buf, n) == -1) {
		/* Said once; the session goes on without a log. */
		msg_warn("key log: %s", strerror(errno));
		close(keylog_fd);
		keylog_fd = -1;
	}
}

/*
 * Turns the key log on for ctx when asked.  --tls-keylog failing is an
 * error; a bad SSLKEYLOGFILE is a warning, as it is for curl, since it
 * may have been set for another program.  -1 with a message in err.
 */
int
tls_keylog(SSL_CTX *ctx, const struct config *cfg, char *err, size_t errlen)
{
	const char	*path = cfg->tls_keylog;
	char		 why[FSAFE_ERRLEN];

	if (path == NULL && (path = getenv("SSLKEYLOGFILE")) != NULL &&
	    *path == '\0')
		path = NULL;
	if (path == NULL)
		return 0;
	if (keylog_fd == -1 && (keylog_fd = fsafe_open(path,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600, why,
	    sizeof(why))) == -1) {
		if (cfg->tls_keylog == NULL) {
			msg_warn("SSLKEYLOGFILE: cannot write key log %s", why);
			return 0;
		}
		snprintf(err, errlen, "cannot write key log %s", why);
		return -1;
	}
	SSL_CTX_set_keylog_callback(ctx, on_keylog);
	return 0;
}
