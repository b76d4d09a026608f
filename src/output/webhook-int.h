/* SPDX-License-Identifier: ISC */
/*
 * Private to the webhook output: struct webhook and its accounts, shared
 * by webhook.c (the webhooks, their sections, queues and status) and
 * webhooksend.c (the delivery: one signed POST per account and its
 * retries, and the signing key read for it).
 */
#ifndef JP_WEBHOOK_INT_H
#define JP_WEBHOOK_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stdint.h>

#include <event2/util.h>

#include "output/sockproto.h"
#include "session/backoff.h"

struct config;
struct config_webhook;
struct endpoint;
struct event;
struct event_base;
struct evqueue;
struct http_request;
struct net;
struct secret;

struct webhook;

/* One account's delivery to one webhook: at most one request. */
struct wh_acct {
	struct webhook		*w;
	char			*name;
	struct http_request	*req;
	struct event		*timer;		/* the wait before a retry */
	uint64_t		 retry_ms;	/* when it ends (monotonic) */
	struct backoff		 bo;
	TAILQ_ENTRY(wh_acct)	 entry;
};

/* A secret_command run; outlives its webhook when that goes first. */
struct wh_keyreq {
	struct webhook		*w;		/* NULL: nobody waits */
};

struct webhook {
	struct webhooks		*ws;
	char			*name;
	char			*log;		/* "webhook NAME" */
	char			*file;		/* webhook-NAME.queue */
	struct config		*cfg;		/* a reference */
	const struct config_webhook *cw;	/* in cfg */
	struct sockproto_sub	 sub;
	struct evqueue		*q;
	struct endpoint		*ep;
	struct secret		*key;		/* NULL until read */
	struct wh_keyreq	*keyreq;	/* secret_command running */
	struct event		*key_timer;	/* the next try to read it */
	char			*last_error;	/* of the last failed attempt;
						 * NULL after a delivery */
	bool			 head_warned;	/* headers too large, said */
	TAILQ_HEAD(, wh_acct)	 accts;
	TAILQ_ENTRY(webhook)	 entry;
};

struct webhooks {
	struct event_base	*base;
	struct net		*net;
	char			*state_dir;
	bool			 stopped;
	TAILQ_HEAD(, webhook)	 list;
};

/* webhooksend.c */
/* Ends the account's request in flight, if any: its event stays first
 * and will be sent again with the same id. */
void webhooksend_acct_halt(struct wh_acct *);
void webhooksend_acct_free(struct wh_acct *);
/* Sends the account's first event unless one is in flight or waits for
 * its retry, or the key is not read yet. */
void webhooksend_kick(struct webhook *, const char *account);
/* Reads the signing key from secret_file, or starts secret_command (one
 * run at a time); events wait for it, and a failure tries again later. */
void webhooksend_read_key(struct webhook *);
/* key_timer's callback: the next try to read the key. */
void webhooksend_key_timer_cb(evutil_socket_t, short, void *);

#endif
