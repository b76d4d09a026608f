/* SPDX-License-Identifier: ISC */
/* A WebSocket client connection on libwebsockets (RFC 6455), speaking one
 * required subprotocol. */
#ifndef JP_WS_H
#define JP_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport/closeinfo.h"

struct endpoint;
struct net;
struct ws_conn;

struct ws_opts {
	/* A ws:// or wss:// URL; referenced while the connection lives. */
	struct endpoint *endpoint;
	size_t max_frame;		/* a longer message drops it */
	/* An idle connection is pinged every ping_interval_ms (0: never);
	 * silence for ping_timeout_ms after a ping means it is dead. */
	uint64_t ping_interval_ms;
	uint64_t ping_timeout_ms;
	const char *log_prefix;		/* "account personal" */
};

struct ws_callbacks {
	void (*established)(struct ws_conn *, void *arg);
	/* One whole text message; data is NUL-terminated. */
	void (*message)(struct ws_conn *, const char *data, size_t len,
	    void *arg);
	/* Exactly once, on a fresh loop turn; the connection is freed when
	 * this returns.  error is NULL after a clean close by either side;
	 * wrong_content_type and redirect_refused are never set. */
	void (*closed)(struct ws_conn *, const struct close_info *,
	    void *arg);
};

struct ws_conn *ws_connect(struct net *, const struct ws_opts *,
    const struct ws_callbacks *, void *arg);
/* Queues one text message; -1 when the connection is not open. */
int ws_send(struct ws_conn *, const char *text, size_t len);
/* Close codes we send (RFC 6455 7.4.1). */
#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_GOING_AWAY	1001

/* Sends a close frame with code (1000 normal, 1001 going away) and lets the
 * peer answer, for 3 s at most; closed() follows.  Before the upgrade it
 * just aborts. */
void ws_close(struct ws_conn *, int code);
/* Ends the connection without a close frame, as when it is found dead. */
void ws_abort(struct ws_conn *, const char *why);
bool ws_is_open(const struct ws_conn *);
/* Pings now and drops the connection unless something arrives within
 * deadline_ms: after a suspend, a connection must prove it survived. */
void ws_probe(struct ws_conn *, uint64_t deadline_ms);

/*
 * How long an idle connection waits before its next ping, given the time
 * now (ms, any fixed origin shared by all connections).  Pings land on
 * ticks shared by every connection: a power of two no longer than a quarter
 * of the interval, so that 1,000 sessions wake the daemon once per round
 * instead of 1,000 times, at the cost of pinging up to a quarter early.
 * The result is within (interval - tick, interval].
 */
uint64_t ws_ping_delay(uint64_t now_ms, uint64_t interval_ms);
/* The same, but joining the round at round_ms (the same clock) when it is
 * within [interval - interval / 4, interval] from now: a connection pinged
 * on one tick and answered after the next must not open a round of its
 * own. */
uint64_t ws_ping_join(uint64_t now_ms, uint64_t interval_ms,
    uint64_t round_ms);

#endif
