/* SPDX-License-Identifier: ISC */
/* RFC 8620 7.3 push over EventSource: one long GET of the expanded
 * eventSourceUrl, its text/event-stream parsed as it arrives, watched for
 * silence. */
#ifndef JP_ESOURCE_H
#define JP_ESOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport/closeinfo.h"

struct endpoint;
struct esource;
struct net;

struct esource_opts {
	/* eventSourceUrl, expanded; referenced while the stream lives. */
	struct endpoint *endpoint;
	const char *last_event_id;	/* NULL: none to resume from */
	size_t max_event;
	uint64_t ping_interval_ms;	/* asked of the server; 0: no pings */
	const char *log_prefix;
};

struct esource_callbacks {
	void (*established)(struct esource *, void *arg);
	/* The stream's last event ID string changed ("" resets it: send no
	 * Last-Event-ID), called before the event that changed it, if any. */
	void (*last_id)(struct esource *, const char *id, void *arg);
	/* A "state" event's data; id is the stream's last event ID string
	 * ("" when none). */
	void (*state)(struct esource *, const char *data, size_t len,
	    const char *id, void *arg);
	/* Exactly once, on a fresh loop turn; freed when this returns.
	 * error is NULL when the server ended the stream; close_code is
	 * never set. */
	void (*closed)(struct esource *, const struct close_info *,
	    void *arg);
};

struct esource *esource_open(struct net *, const struct esource_opts *,
    const struct esource_callbacks *, void *arg);
/* Ends the stream: closed() follows with an error. */
void esource_close(struct esource *, const char *why);

/* A ping event's interval in milliseconds: servers send seconds, Stalwart
 * milliseconds; an interval above an hour can only be the latter.  0 when
 * the data says nothing usable. */
uint64_t esource_ping_ms(const char *data, size_t len);

#endif
