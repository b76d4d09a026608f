/* SPDX-License-Identifier: ISC */
/* An account's push channel, whichever the transport: a JMAP WebSocket
 * (RFC 8887) or an EventSource stream with requests over apiUrl (RFC 8620
 * 7.3).  The account sees StateChanges, a request path and one close. */
#ifndef JP_CHANNEL_H
#define JP_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session/request.h"
#include "transport/closeinfo.h"

struct channel;
struct endpoint;
struct frame;
struct json_object;
struct net;

enum channel_kind {
	CHANNEL_WEBSOCKET,
	CHANNEL_EVENTSOURCE,
};

struct channel_opts {
	enum channel_kind kind;
	/* The WebSocket URL, or eventSourceUrl expanded, with the
	 * credential and TLS options; referenced while the channel uses it. */
	struct endpoint *endpoint;
	const char *api_url;		/* EventSource: where requests go */
	/* pushState, or Last-Event-ID; NULL: none */
	const char *resume;
	char *const *types;		/* WebSocketPushEnable dataTypes */
	size_t ntypes;
	size_t max_frame;
	uint64_t ping_interval_ms;
	uint64_t ping_timeout_ms;
	const char *log_prefix;
};

struct channel_callbacks {
	void (*established)(struct channel *, void *arg);
	/* A validated StateChange; resume is the token to keep for the next
	 * connection (the EventSource event id; NULL over WebSocket, where it
	 * is the frame's pushState). */
	void (*state)(struct channel *, const struct frame *,
	    const char *resume, void *arg);
	/* Event streams: the token to resume from changed (NULL: none), at
	 * or before the StateChange that carries it. */
	void (*resume)(struct channel *, const char *resume, void *arg);
	/* A Response's sessionState (RFC 8620 section 3.4), borrowed for
	 * the call, before the request's own callback; may be NULL. */
	void (*session)(struct channel *, const char *session_state,
	    void *arg);
	/* Exactly once, on a fresh loop turn, with the transport's
	 * close_info unchanged; freed when this returns. */
	void (*closed)(struct channel *, const struct close_info *,
	    void *arg);
};

struct channel *channel_open(struct net *, const struct channel_opts *,
    const struct channel_callbacks *, void *arg);
/* What a close tells the server: over a WebSocket, the close code. */
enum channel_close_why {
	CHANNEL_CLOSE_NORMAL,		/* 1000: done with this connection */
	CHANNEL_CLOSE_GOING_AWAY,	/* 1001: the daemon is stopping */
};

/* A clean close: a WebSocket sends a close frame and waits a few seconds
 * at most for the server's answer.  closed() follows. */
void channel_close(struct channel *, enum channel_close_why);
/* After a resume: a WebSocket must answer a ping within deadline_ms; an
 * event stream, which cannot be pinged, is replaced. */
void channel_probe(struct channel *, uint64_t deadline_ms);
bool channel_is_open(const struct channel *);
const char *channel_kind_name(enum channel_kind);
/* A JMAP request: using and method_calls are referenced, not taken.  -1
 * (no callback) when the channel is not open. */
int channel_request(struct channel *, struct json_object *using,
    struct json_object *method_calls, uint64_t timeout_ms, request_cb cb,
    void *arg);

#endif
