/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The command line parser (src/options.c) on any argv: the input's
 * NUL-separated strings are the arguments.  A usage error must say so
 * and come back with status 2 (exit is a longjmp here, see noexit.h),
 * never crash or leak; an accepted command line must be one the modes
 * can run: the checks below are the rules options.c promises to keep.
 */

#include <getopt.h>
#include <setjmp.h>

#include "sockline.h"
#include "fuzz.h"

#define ARGS_MAX	24

static jmp_buf		 back;
static volatile int	 exit_status;
static struct config	 cfg;

void
fuzz_exit(int status)
{
	exit_status = status;
	longjmp(back, 1);
}

static void
check_config(const struct config *c)
{
	CHECK(!(c->send_only && c->recv_only));
	CHECK(!(c->interactive && c->batch));
	CHECK(c->max_conns >= 1);
	CHECK(c->port_hi >= c->port);
	if (c->unix_sock) {
		CHECK(c->path != NULL && c->path[0] != '\0');
		CHECK(strlen(c->path) <= addr_unix_max(c->path));
		CHECK(c->family == AF_UNSPEC);
	} else {
		CHECK(c->port_arg != NULL);
		CHECK(c->host == NULL || c->host[0] != '\0');
		CHECK(c->listen || c->host != NULL);
		CHECK(c->listen || c->zero || c->port != 0);
		CHECK(c->zero || c->port_hi == c->port);
	}
	if (!c->listen) {
		CHECK(c->responder == RESP_NONE || RESP_SCRIPTED(c->responder));
		CHECK(!c->keep_open && c->allow.n == 0 && c->deny.n == 0);
		CHECK(c->port_file == NULL);
	}
	if (c->responder == RESP_REPLY)
		CHECK(c->reply != NULL);
	if (c->responder == RESP_EXEC || c->responder == RESP_SHELL)
		CHECK(c->exec_argv != NULL && c->exec_argv[0] != NULL &&
		    c->exec_argv[0][0] != '\0');
	/* -C changes what is sent: not where nothing is. */
	if (c->crlf)
		CHECK(!c->zero && !c->recv_only);
	if (c->lockstep)
		CHECK(!c->listen && !c->zero);
	/* --script and --replay: a conversation on a stream, read at once. */
	if (RESP_SCRIPTED(c->responder))
		CHECK(!c->udp && !c->zero && !c->lockstep &&
		    c->chat_path != NULL && c->chat.name == c->chat_path);
	else
		CHECK(c->chat.n == 0 && c->chat.v == NULL);
	if (c->replay_timing)
		CHECK(c->responder == RESP_REPLAY);
	/* TLS: only on streams, its options only with it, versions 1.2-1.3
	 * in order, a -U client with something to verify against. */
	if (c->tls) {
		CHECK(!c->udp && !c->zero);
		CHECK(c->tls_min == 0 || c->tls_min == 0x0303 ||
		    c->tls_min == 0x0304);
		CHECK(c->tls_max == 0 || c->tls_max >= (c->tls_min != 0 ?
		    c->tls_min : 0x0303));
		CHECK(c->tls_key == NULL || c->tls_cert != NULL);
		CHECK(!(c->insecure && c->tls_pin != NULL));
		if (c->unix_sock && !c->listen)
			CHECK(c->tls_name != NULL || c->tls_pin != NULL ||
			    c->insecure);
	} else if (!c->interactive || c->batch || c->zero || c->udp)
		/* Without --tls they wait for /starttls: at the prompt only
		 * (the fuzzer's stdin is never a terminal). */
		CHECK(c->tls_name == NULL && c->tls_ca == NULL &&
		    c->tls_pin == NULL && !c->insecure && c->tls_min == 0 &&
		    c->tls_max == 0 && c->tls_cert == NULL &&
		    c->tls_alpn == NULL && c->tls_cert_out == NULL &&
		    c->tls_keylog == NULL);
	if (c->starttls > 0)
		CHECK(c->tls && !c->udp && !c->zero);
	if (c->starttls > 0 && c->listen)
		CHECK(stls_srv_proto(c->starttls));
	if (c->listen)
		CHECK(c->tls_name == NULL && c->tls_pin == NULL &&
		    !c->insecure);
	else
		CHECK(c->tls_client_ca == NULL && c->tls_cert_out == NULL);
	/* -w on a listener bounds a TLS handshake, a PROXY header, a
	 * proxy client's request or a script's waits. */
	if (c->listen && !c->tls && !c->accept_proxy &&
	    c->proxy_server_arg == NULL && !RESP_SCRIPTED(c->responder))
		CHECK(c->wait_ms < 0);
	/* Relays: stream listeners that serve many; PROXY headers: TCP,
	 * sent by a client, required by a listener. */
	if (c->responder == RESP_BROKER || c->responder == RESP_CHAT)
		CHECK(c->listen && !c->udp && c->keep_open);
	CHECK(c->proxy_protocol >= 0 && c->proxy_protocol <= 2);
	if (c->proxy_protocol != 0)
		CHECK(!c->listen && !c->udp && !c->unix_sock && !c->zero);
	if (c->accept_proxy)
		CHECK(c->listen && !c->udp && !c->unix_sock);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp	 f = { data, size };
	char		*argv[ARGS_MAX + 2];
	int		 argc = 0, i;

	argv[argc++] = strdup("sockline");
	while (f.n > 0 && argc <= ARGS_MAX)
		argv[argc++] = fdp_string(&f);
	argv[argc] = NULL;

	/* glibc's getopt starts afresh when optind is 0. */
	optind = 0;
	exit_status = -1;
	if (setjmp(back) == 0) {
		options_parse(argc, argv, &cfg);
		check_config(&cfg);
	} else
		CHECK(exit_status == 0 || exit_status == 2);
	options_free(&cfg);
	for (i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
