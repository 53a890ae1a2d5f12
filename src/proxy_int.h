/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the files of --proxy-server share (proxy_serve.c: tunnels, the
 * listener and the loop; proxy_answer.c: reading and answering a
 * client's request; proxy_dial.c: reaching its target).  Private to
 * them: the rest of the program knows only proxy_serve_main().
 */

#ifndef SOCKLINE_PROXY_INT_H
#define SOCKLINE_PROXY_INT_H

#include <netdb.h>

#include "sockline.h"

#define PS_LISTENERS	4
#define REQ_MAX		8192
#define GAI_POLL_MS	5

enum tstate {
	T_REQUEST,		/* reading the client's request */
	T_RESOLVE,		/* the target's name */
	T_CONNECT,		/* to the target */
	T_RELAY			/* joined */
};


struct pserver;
struct tunnel {
	struct pserver		*ps;
	int			 id;
	int			 fd[2];		/* client, target */
	int			 events[2];
	enum tstate		 state;
	int			 stage;
	char			 client[ADDR_STRLEN + 8];
	char			 target[PROXY_FIELD + 16];
	char			 host[PROXY_FIELD];
	char			 port[8];
	unsigned char		*in;		/* the request so far */
	size_t			 inlen;
	unsigned char		 out[256];	/* a reply not yet sent */
	size_t			 outlen;
	int			 close_after;	/* the reply refuses */
	struct gaicb		*gai;
	struct addrinfo		*res, *next;
	int			 conn_err;
	struct relay_dir	 d[2];		/* 0: to the target, 1: back */
	struct ev_timer		 limit;
	LIST_ENTRY(tunnel)	 entry;
};

struct pserver {
	const struct config	*cfg;
	struct ev		*ev;
	int			 fds[PS_LISTENERS];
	int			 nfds;
	int			 ntunnels;
	int			 next_id;
	LIST_HEAD(, tunnel)	 tunnels;
	LIST_HEAD(, tunnel)	 resolving;	/* also in tunnels, or orphans */
	struct ev_timer		 gai_timer;
};

void	pt_events(struct tunnel *, int, int);
void	pt_end(struct tunnel *, const char *);
void	pt_reply(struct tunnel *, const void *, size_t, int);
int	pt_send_out(struct tunnel *);
void	pt_refuse(struct tunnel *, int, const char *);
void	pt_read_request(struct tunnel *);
void	pt_dial(struct tunnel *);
void	pt_unreachable(struct tunnel *, int, const char *);
int	pt_connected(struct tunnel *);
void	pt_gai_timer(void *);

#endif /* SOCKLINE_PROXY_INT_H */
