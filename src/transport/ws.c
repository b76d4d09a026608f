/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <libwebsockets.h>

#include "transport/endpoint.h"
#include "transport/net.h"
#include "transport/netconn.h"
#include "transport/netround.h"
#include "transport/url.h"
#include "transport/ws.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

#define WS_SUBPROTOCOL "jmap"
/* How long our close frame may wait for the server's answer: well within
 * the daemon's stop bound (5 s), long enough for any live server. */
#define WS_CLOSE_WAIT_MS 3000

enum ws_state {
	WS_RESOLVING,
	WS_CONNECTING,
	WS_OPEN,
	WS_CLOSING,	/* our close frame is queued or sent */
	WS_DONE,	/* lws let go, wsi is NULL; finish is pending */
};

struct ws_msg {
	TAILQ_ENTRY(ws_msg) entry;
	size_t len;
	unsigned char buf[];	/* LWS_PRE bytes of headroom, then the text */
};
TAILQ_HEAD(ws_msgs, ws_msg);

struct ws_conn {
	struct netconn nc;		/* first: see netconn.h */
	struct ws_callbacks cbs;
	void *arg;
	enum ws_state state;

	struct ws_msgs out;
	int close_code;		/* what we send in our close frame; 0: none */
	bool close_started;	/* lws is sending it and awaits the answer */
	struct event *close_wait;	/* our close unanswered: drop */
	bool abort;		/* drop without a close frame */

	uint64_t ping_interval_ms;
	uint64_t ping_timeout_ms;
	struct netround_member ping_round;	/* idle: ping when it comes */
	struct event *deadline;		/* pinged and no answer yet */
	bool ping_due;			/* write a ping when writable */
	uint64_t deadline_ms;		/* of the ping in flight */

	int http_status;
	int peer_close_code;
	bool established;
};

static int ws_lws_callback(struct lws *, int, void *, void *, size_t);

static void
ws_free(struct ws_conn *c)
{
	struct ws_msg *m;

	netconn_clear(&c->nc);
	while ((m = TAILQ_FIRST(&c->out)) != NULL) {
		TAILQ_REMOVE(&c->out, m, entry);
		free(m);
	}
	netround_leave(&c->ping_round);
	event_free(c->deadline);
	event_free(c->close_wait);
	free(c);
}

static void
ws_finish(evutil_socket_t fd, short what, void *arg)
{
	struct ws_conn *c = arg;
	struct close_info info;

	if (c->nc.error == NULL && !c->established)
		netconn_set_error(&c->nc, "connection closed before the "
		    "WebSocket upgrade completed");
	if (c->nc.error == NULL && c->peer_close_code == 0 &&
	    c->close_code == 0)
		netconn_set_error(&c->nc, "connection lost without a close "
		    "frame");
	c->state = WS_DONE;
	netround_leave(&c->ping_round);
	evtimer_del(c->deadline);
	evtimer_del(c->close_wait);
	memset(&info, 0, sizeof(info));
	info.error = c->nc.error;
	/* A status only for a refused upgrade, as the channel reports. */
	info.http_status = c->http_status == 101 ? 0 : c->http_status;
	info.retry_after = c->nc.retry_after;
	info.close_code = c->peer_close_code;
	info.was_established = c->established;
	info.tls_failed = c->nc.tls_failed;
	c->cbs.closed(c, &info, c->arg);
	ws_free(c);
}

static void
ws_fail_now(struct ws_conn *c)
{
	c->state = WS_DONE;
	netconn_fail_now(&c->nc);
}

static void
ws_failed(struct netconn *nc)
{
	ws_fail_now((struct ws_conn *)nc);
}

static void
ws_dialling(struct netconn *nc)
{
	struct ws_conn *c = (struct ws_conn *)nc;

	c->state = WS_CONNECTING;
	log_debug("%s: connecting to %s", nc->log_prefix, nc->url);
}

static void
ws_timer_add(struct event *ev, uint64_t ms)
{
	struct timeval tv = timeutil_tv_ms(ms);

	evtimer_add(ev, &tv);
}

uint64_t
ws_ping_delay(uint64_t now_ms, uint64_t interval_ms)
{
	uint64_t tick = 1, due;

	while (tick * 2 <= interval_ms / 4)
		tick *= 2;
	due = now_ms + interval_ms;
	return due - due % tick - now_ms;
}

uint64_t
ws_ping_join(uint64_t now_ms, uint64_t interval_ms, uint64_t round_ms)
{
	if (round_ms > now_ms && round_ms - now_ms <= interval_ms &&
	    round_ms - now_ms >= interval_ms - interval_ms / 4)
		return round_ms - now_ms;
	return ws_ping_delay(now_ms, interval_ms);
}

/*
 * Any frame at all proves the peer alive: only silence is suspicious.
 * Connections that compute the same tick share one timer (netround.c); a
 * connection whose tick is another joins the round others chose where it
 * may (ws_ping_join), or pongs read a tick apart would keep two rounds
 * apart for ever.
 */
static void
ws_alive(struct ws_conn *c)
{
	struct timeval now;
	uint64_t now_ms, delay;

	if (evtimer_pending(c->deadline, NULL)) {
		evtimer_del(c->deadline);
		net_ponged(c->nc.net);
	}
	if (c->ping_interval_ms == 0)
		return;
	event_base_gettimeofday_cached(net_base(c->nc.net), &now);
	now_ms = timeutil_tv_to_ms(&now);
	delay = ws_ping_join(now_ms, c->ping_interval_ms,
	    netround_newest(c->nc.net));
	netround_join(c->nc.net, &c->ping_round, now_ms + delay, &now);
}

static void
ws_ping_now(struct ws_conn *c, uint64_t deadline_ms)
{
	if (c->state != WS_OPEN || c->nc.wsi == NULL)
		return;
	c->ping_due = true;
	lws_callback_on_writable(c->nc.wsi);
	net_kick_deferred(c->nc.net);
	if (!evtimer_pending(c->deadline, NULL)) {
		c->deadline_ms = deadline_ms;
		ws_timer_add(c->deadline, deadline_ms);
		net_pinged(c->nc.net);
	}
}

static void
ws_ping_cb(void *arg)
{
	struct ws_conn *c = arg;

	ws_ping_now(c, c->ping_timeout_ms);
}

static void
ws_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ws_conn *c = arg;
	char why[128];

	snprintf(why, sizeof(why), "no answer to a ping within %.1fs; the "
	    "connection is dead", (double)c->deadline_ms / 1000);
	ws_abort(c, why);
}

/* A server that reads nothing more, or never answers our close frame,
 * must not hold up a stop or a reconnect. */
static void
ws_close_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ws_conn *c = arg;

	log_info("%s: the server did not answer our close frame within %.1fs; "
	    "dropping the connection", c->nc.log_prefix,
	    (double)WS_CLOSE_WAIT_MS / 1000);
	c->abort = true;
	net_drop(c->nc.net, c->nc.wsi);
}

void
ws_probe(struct ws_conn *c, uint64_t deadline_ms)
{
	evtimer_del(c->deadline);
	ws_ping_now(c, deadline_ms);
}

struct ws_conn *
ws_connect(struct net *net, const struct ws_opts *o,
    const struct ws_callbacks *cbs, void *arg)
{
	struct ws_conn *c = xcalloc(1, sizeof(*c));

	netconn_init(&c->nc, net, o->endpoint, o->log_prefix, "websocket");
	c->nc.lws_cb = ws_lws_callback;
	c->nc.ws_protocol = WS_SUBPROTOCOL;
	c->nc.local_protocol = WS_SUBPROTOCOL;
	c->nc.dialling = ws_dialling;
	c->nc.failed = ws_failed;
	c->nc.rx_max = o->max_frame;
	c->cbs = *cbs;
	c->arg = arg;
	c->ping_interval_ms = o->ping_interval_ms;
	c->ping_timeout_ms = o->ping_timeout_ms;
	TAILQ_INIT(&c->out);
	c->nc.finish = xevent_new(net_base(net), -1, 0, ws_finish, c);
	c->ping_round.cb = ws_ping_cb;
	c->ping_round.arg = c;
	c->deadline = xevtimer_new(net_base(net), ws_deadline_cb, c);
	c->close_wait = xevtimer_new(net_base(net), ws_close_wait_cb, c);

	c->state = WS_RESOLVING;
	if (url_parse(c->nc.url, &c->nc.u) == -1 ||
	    (strcmp(c->nc.u.scheme, "ws") != 0 &&
	    strcmp(c->nc.u.scheme, "wss") != 0)) {
		netconn_set_error(&c->nc, "not a ws or wss URL: %s", c->nc.url);
		ws_fail_now(c);
		return c;
	}
	netconn_dial(&c->nc);
	return c;
}

bool
ws_is_open(const struct ws_conn *c)
{
	return c->state == WS_OPEN;
}

int
ws_send(struct ws_conn *c, const char *text, size_t len)
{
	struct ws_msg *m;

	if (c->state != WS_OPEN || c->nc.wsi == NULL)
		return -1;
	m = xmalloc(sizeof(*m) + LWS_PRE + len);
	m->len = len;
	memcpy(m->buf + LWS_PRE, text, len);
	TAILQ_INSERT_TAIL(&c->out, m, entry);
	lws_callback_on_writable(c->nc.wsi);
	net_kick_deferred(c->nc.net);
	return 0;
}

static void
ws_stop(struct ws_conn *c)
{
	switch (c->state) {
	case WS_RESOLVING:
		net_resolve_cancel(c->nc.resolve);
		c->nc.resolve = NULL;
		ws_fail_now(c);
		break;
	case WS_CONNECTING:
		/* lws replaces a pending timeout, our kill included, as
		 * the handshake goes on: refuse to go on below. */
		c->abort = true;
		if (c->nc.wsi != NULL)
			net_drop(c->nc.net, c->nc.wsi);
		else
			ws_fail_now(c);	/* still trying addresses */
		break;
	default:
		break;
	}
}

void
ws_close(struct ws_conn *c, int code)
{
	switch (c->state) {
	case WS_RESOLVING:
	case WS_CONNECTING:
		netconn_set_error(&c->nc, "closed by us before the connection "
		    "was up");
		ws_stop(c);
		break;
	case WS_OPEN:
		c->state = WS_CLOSING;
		c->close_code = code;
		netround_leave(&c->ping_round);
		evtimer_del(c->deadline);
		lws_callback_on_writable(c->nc.wsi);
		ws_timer_add(c->close_wait, WS_CLOSE_WAIT_MS);
		net_kick_deferred(c->nc.net);
		break;
	default:
		break;
	}
}

void
ws_abort(struct ws_conn *c, const char *why)
{
	switch (c->state) {
	case WS_RESOLVING:
	case WS_CONNECTING:
		netconn_set_error(&c->nc, "%s", why);
		ws_stop(c);
		break;
	case WS_OPEN:
	case WS_CLOSING:
		netconn_set_error(&c->nc, "%s", why);
		c->abort = true;
		net_drop(c->nc.net, c->nc.wsi);
		break;
	case WS_DONE:
		/* Already over, for the reason recorded then. */
		break;
	}
}

static int
ws_receive(struct ws_conn *c, struct lws *wsi, const char *in, size_t len)
{
	ws_alive(c);
	if (lws_frame_is_binary(wsi)) {
		log_debug("%s: ignoring a binary frame", c->nc.log_prefix);
		return 0;
	}
	if (netconn_rx_append(&c->nc, in, len) == -1) {
		log_warnx("%s: server sent a message larger than max_frame "
		    "(%zu bytes); dropping the connection", c->nc.log_prefix,
		    c->nc.rx_max);
		netconn_set_error(&c->nc, "message larger than max_frame (%zu "
		    "bytes)", c->nc.rx_max);
		/* No lws_close_reason() here: lws 4.1 builds the close frame
		 * in the buffer it is still parsing into, and crashes. */
		return -1;
	}
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return 0;
	len = c->nc.rx_len;
	c->nc.rx_len = 0;
	c->cbs.message(c, c->nc.rx, len, c->arg);
	/* The owner may have given up on the connection in its handler. */
	return c->abort ? -1 : 0;
}

static int
ws_writeable(struct ws_conn *c, struct lws *wsi)
{
	struct ws_msg *m;

	if (c->abort)
		return -1;
	/* lws asks again while it sends our close frame: nothing more. */
	if (c->close_started)
		return 0;
	if (c->ping_due && c->state == WS_OPEN) {
		unsigned char ping[LWS_PRE + 1];

		c->ping_due = false;
		if (lws_write(wsi, ping + LWS_PRE, 0, LWS_WRITE_PING) < 0) {
			netconn_set_error(&c->nc, "write failed");
			return -1;
		}
		if (!TAILQ_EMPTY(&c->out))
			lws_callback_on_writable(wsi);
		return 0;
	}
	if (c->state == WS_CLOSING && TAILQ_EMPTY(&c->out)) {
		/* The close frame leaves from the timer callback: see there. */
		lws_set_timer_usecs(wsi, 0);
		return 0;
	}
	if ((m = TAILQ_FIRST(&c->out)) == NULL)
		return 0;
	TAILQ_REMOVE(&c->out, m, entry);
	if (lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT) <
	    (int)m->len) {
		free(m);
		netconn_set_error(&c->nc, "write failed");
		return -1;
	}
	free(m);
	if (!TAILQ_EMPTY(&c->out) || c->state == WS_CLOSING)
		lws_callback_on_writable(wsi);
	return 0;
}

/* lws's callbacks for the connection's wsi, through net.c, which calls
 * this only for a wsi whose opaque user data is the connection: never
 * NULL here. */
static int
ws_lws_callback(struct lws *wsi, int reason, void *user, void *in,
    size_t len)
{
	struct ws_conn *c = lws_get_opaque_user_data(wsi);
	char *proto;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (c->abort)
			return -1;
		return net_add_header(wsi, in, len,
		    WSI_TOKEN_HTTP_AUTHORIZATION,
		    endpoint_authorization(c->nc.ep));
	case LWS_CALLBACK_CLIENT_HTTP_REDIRECT:
		/*
		 * Left alone, lws follows it itself (lws_client_reset): a
		 * blocking getaddrinfo() on our loop, the credentials sent
		 * to wherever the server says, and a connection that can
		 * wedge or vanish under us.  The WebSocket URL comes from
		 * the Session: a redirect means that URL is wrong.
		 */
		c->http_status = (int)len;
		netconn_set_error(&c->nc, "the server answered the WebSocket "
		    "upgrade with a redirect (HTTP %d to %.200s); redirects "
		    "are not followed there: the server's Session must give "
		    "the final WebSocket URL (or set transport = eventsource)",
		    (int)len, in != NULL ? (const char *)in : "nowhere");
		return -1;
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		/* lws shows us the upgrade response before judging it. */
		c->http_status = (int)lws_http_client_http_response(wsi);
		if (c->http_status != 101) {
			free(c->nc.retry_after);
			c->nc.retry_after = net_header(wsi,
			    WSI_TOKEN_HTTP_RETRY_AFTER);
			netconn_set_error(&c->nc, "server refused the "
			    "WebSocket upgrade with HTTP %d", c->http_status);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH:
		if (c->abort)
			return -1;
		proto = net_header(wsi, WSI_TOKEN_PROTOCOL);
		if (proto == NULL || strcmp(proto, WS_SUBPROTOCOL) != 0) {
			netconn_set_error(&c->nc, "server did not select the "
			    "WebSocket subprotocol \"jmap\" (it answered "
			    "%s%s%s); is the URL a JMAP WebSocket endpoint?",
			    proto ? "\"" : "", proto ? proto : "none",
			    proto ? "\"" : "");
			free(proto);
			return -1;
		}
		free(proto);
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->state = WS_OPEN;
		c->established = true;
		c->http_status = 101;
		ws_alive(c);
		c->cbs.established(c, c->arg);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return ws_receive(c, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return ws_writeable(c, wsi);
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		ws_alive(c);
		return 0;
	case LWS_CALLBACK_TIMER:
		/*
		 * lws sends the close frame set by lws_close_reason() when a
		 * callback returns -1, but Debian's lws 4.1 (built with
		 * _DEBUG, on libuv) closes a second time at once when that
		 * callback came from socket service (WRITEABLE, RECEIVE), and
		 * the second close drops the connection before the frame is
		 * written.  A timer callback closes once: the frame is sent
		 * and lws waits for the server's answer.
		 */
		if (c->state != WS_CLOSING || c->close_started)
			return 0;
		c->close_started = true;
		lws_close_reason(wsi, c->close_code, NULL, 0);
		return -1;
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		netconn_tls_verify(&c->nc, user, len);
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *b = in;

			c->peer_close_code = (b[0] << 8) | b[1];
		} else {
			c->peer_close_code = LWS_CLOSE_STATUS_NO_STATUS;
		}
		log_debug("%s: server closed the connection with code %d",
		    c->nc.log_prefix, c->peer_close_code);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		netconn_connection_error(&c->nc, wsi, in);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		/* Until finish runs, a ping deadline, a reload or a reconnect
		 * may still close or abort: the state tells them that there
		 * is nothing left to call lws with. */
		c->state = WS_DONE;
		netround_leave(&c->ping_round);
		evtimer_del(c->deadline);
		evtimer_del(c->close_wait);
		netconn_destroyed(&c->nc, wsi);
		return 0;
	default:
		return 0;
	}
}
