/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/util.h>
#include <libwebsockets.h>

#include "transport/dial.h"
#include "transport/net.h"
#include "transport/net-int.h"
#include "transport/netconn.h"
#include "transport/netdial.h"
#include "transport/url.h"
#include "util/log.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* One connection attempt to one address: the wsi's opaque until the TCP
 * handshake completes, when the wsi passes to the dial's owner. */
struct netdial_attempt {
	struct netconn nc;		/* first */
	struct netdial *dial;		/* NULL once abandoned */
	LIST_ENTRY(netdial_attempt) entry;	/* in race->attempts */
	struct lws *wsi;
	size_t index;			/* into dial->race->addrs */
	struct timeval started;
	bool over;			/* its failure was counted */
	bool connecting;		/* in lws_client_connect_via_info() */
	bool released;			/* lws let go of it, or it won */
};

/* What a dial needs while addresses are being tried; freed when it is
 * over, so that a connection that won keeps only the small netdial. */
struct netdial_race {
	struct dial_addrs addrs;
	struct dial plan;
	LIST_HEAD(, netdial_attempt) attempts;
	size_t failures;		/* attempts over, not yet stepped */
	size_t last;			/* the address tried last */
	char why[512];			/* "ADDRESS: reason; ..." */
};

struct netdial {
	struct net *net;
	struct netdial_target t;	/* pointers borrowed */
	struct lws_vhost *vh;
	struct netdial_race *race;	/* NULL once won, given up, stopped */
	struct event *delay;		/* the connection attempt delay */
	struct event *step;		/* start, failures: off lws */
	bool begun;
};

/*
 * No lws validity timers on WebSockets: ws.c pings on shared ticks itself.
 * lws keeps every connection's validity timer in one sorted list and
 * inserts each new one by walking it, which made 10,000 WebSockets
 * quadratic.  HTTP requests and event streams keep lws's default policy:
 * without it a dropped event stream looks like a clean end of stream.
 */
static const lws_retry_bo_t netdial_no_validity = {
	.secs_since_valid_ping = 0,
	.secs_since_valid_hangup = 0,
};

/* Once lws let go of a, or a won. */
static void
netdial_attempt_free(struct netdial_attempt *a)
{
	if (a->dial != NULL)
		LIST_REMOVE(a, entry);
	free(a);
}

/* Counts a's failure once, and lets the dial try the next address from a
 * fresh loop turn (never from inside lws).  Nothing for an abandoned one. */
static void
netdial_attempt_over(struct netdial_attempt *a, const char *reason)
{
	struct netdial *d = a->dial;
	struct netdial_race *r;
	size_t used;

	if (d == NULL || a->over)
		return;
	r = d->race;
	a->over = true;
	log_debug("%s: %s: %s", d->t.log_prefix, r->addrs.addr[a->index],
	    reason);
	used = strlen(r->why);
	snprintf(r->why + used, sizeof(r->why) - used, "%s%s: %s",
	    used > 0 ? "; " : "", r->addrs.addr[a->index], reason);
	r->failures++;
	event_active(d->step, EV_TIMEOUT, 0);
}

/* Hands a's wsi, whose TCP handshake just completed, to the dial's owner,
 * and drops the other attempts. */
static void
netdial_attempt_won(struct netdial_attempt *a, struct lws *wsi)
{
	struct netdial *d = a->dial;

	log_debug("%s: reached %s", d->t.log_prefix,
	    d->race->addrs.addr[a->index]);
	LIST_REMOVE(a, entry);
	a->dial = NULL;
	a->released = true;
	lws_set_opaque_user_data(wsi, d->t.conn);
	*d->t.pwsi = wsi;
	netdial_stop(d);
	if (!a->connecting)
		free(a);
}

/* lws's callbacks for a wsi that has not connected yet: the owner hears
 * of none of them. */
static int
netdial_attempt_callback(struct lws *wsi, int reason, void *user, void *in,
    size_t len)
{
	struct netdial_attempt *a = lws_get_opaque_user_data(wsi);

	switch (reason) {
	case LWS_CALLBACK_WSI_CREATE:
		/* lws 4.1 sends this to a client exactly when its TCP
		 * handshake completed, before any TLS. */
		if (a->dial != NULL)
			netdial_attempt_won(a, wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		/* A loser that connected before its drop took effect: it
		 * must not send a request, least of all without the owner's
		 * headers. */
		return -1;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
		const char *lws_why = in != NULL ? in : "connection failed";
		int lws_len = (int)strnlen(lws_why, in != NULL ? len : 32);
		struct timeval now, took;
		char why[160];
		int fd = lws_get_socket_fd(wsi), e = 0;
		socklen_t elen = sizeof(e);

		if (a->dial == NULL)
			return 0;
		/* lws says "closed before established" for an address that
		 * refused, is unreachable, or never answered: the socket
		 * knows the first two, the time tells the last. */
		event_base_gettimeofday_cached(a->dial->net->base, &now);
		timersub(&now, &a->started, &took);
		if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e,
		    &elen) == 0 && e != 0)
			snprintf(why, sizeof(why), "%s", strerror(e));
		else
			snprintf(why, sizeof(why), "%.*s after %lld.%lds",
			    lws_len, lws_why, (long long)took.tv_sec,
			    (long)took.tv_usec / 100000);
		netdial_attempt_over(a, why);
		return 0;
	}
	case LWS_CALLBACK_WSI_DESTROY:
		lws_set_opaque_user_data(wsi, NULL);
		a->wsi = NULL;
		netdial_attempt_over(a, "connection closed");
		a->released = true;
		if (!a->connecting)
			netdial_attempt_free(a);
		return 0;
	default:
		return 0;
	}
}

/* Starts the attempt to address i.  lws may run its callbacks before
 * returning: the attempt may fail or even win in here. */
static void
netdial_attempt_start(struct netdial *d, size_t i)
{
	const struct netdial_target *t = &d->t;
	struct netdial_race *r = d->race;
	struct netdial_attempt *a = xcalloc(1, sizeof(*a));
	struct lws_client_connect_info ci;
	struct lws *wsi;
	char host[300];

	a->nc.lws_cb = netdial_attempt_callback;
	a->dial = d;
	a->index = i;
	event_base_gettimeofday_cached(d->net->base, &a->started);
	LIST_INSERT_HEAD(&r->attempts, a, entry);
	r->last = i;

	if (t->u->port == (t->u->tls ? 443 : 80))
		snprintf(host, sizeof(host), "%s", t->u->host);
	else
		snprintf(host, sizeof(host), "%s:%d", t->u->host, t->u->port);
	memset(&ci, 0, sizeof(ci));
	ci.context = d->net->ctx;
	ci.vhost = d->vh;
	ci.address = r->addrs.addr[i];
	ci.port = t->u->port;
	ci.path = t->u->path;
	ci.host = host;
	ci.origin = host;
	ci.alpn = "http/1.1";
	ci.local_protocol_name = t->local_protocol;
	ci.opaque_user_data = a;
	ci.pwsi = &a->wsi;
	if (t->ws_protocol != NULL) {
		ci.retry_and_idle_policy = &netdial_no_validity;
		ci.protocol = t->ws_protocol;
		ci.ietf_version_or_minus_one = -1;
	} else {
		ci.method = t->method != NULL ? t->method : "GET";
		ci.ssl_connection = LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
	}
	if (t->u->tls) {
		ci.ssl_connection |= LCCSCF_USE_SSL;
		if (t->insecure)
			ci.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
			    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
			    LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
	}

	log_debug("%s: trying %s (address %zu of %zu)", t->log_prefix,
	    r->addrs.addr[i], i + 1, r->addrs.n);
	a->connecting = true;
	wsi = lws_client_connect_via_info(&ci);
	a->connecting = false;
	/* lws returns NULL having run the error callback, or not. */
	if (wsi == NULL)
		netdial_attempt_over(a, "cannot start the connection");
	else if (a->dial == NULL && !a->released)
		net_drop(d->net, wsi);
	if (wsi == NULL || a->released)
		netdial_attempt_free(a);
	net_kick_deferred(d->net);
}

/* Every address failed: one error for the owner, naming each. */
static void
netdial_give_up(struct netdial *d)
{
	char msg[sizeof(d->race->why) + 320];

	snprintf(msg, sizeof(msg), "cannot connect to %s port %d (%s)",
	    d->t.u->host, d->t.u->port, d->race->why[0] != '\0' ?
	    d->race->why : "no address");
	netdial_stop(d);
	d->t.failed(d->t.conn, msg);
}

/* Acts on ev; false once the dial is over. */
static bool
netdial_run(struct netdial *d, enum dial_event ev)
{
	struct timeval tv = { 0, DIAL_ATTEMPT_DELAY_MS * 1000 };
	struct netdial_race *r = d->race;
	int i;

	if (r == NULL)
		return false;
	switch ((i = dial_step(&r->plan, ev))) {
	case DIAL_WAIT:
		return true;
	case DIAL_GIVE_UP:
		netdial_give_up(d);
		return false;
	default:
		break;
	}
	if (ev == DIAL_DELAY_PASSED)
		log_debug("%s: no answer from %s within %dms; trying %s as "
		    "well", d->t.log_prefix, r->addrs.addr[r->last],
		    DIAL_ATTEMPT_DELAY_MS, r->addrs.addr[i]);
	netdial_attempt_start(d, (size_t)i);
	if (d->race == NULL)
		return false;
	evtimer_add(d->delay, &tv);
	return true;
}

/* The first attempt, then one step per failure, each on a loop turn of
 * its own rather than inside lws. */
static void
netdial_step_cb(evutil_socket_t fd, short what, void *arg)
{
	struct netdial *d = arg;

	if (!d->begun) {
		d->begun = true;
		if (!netdial_run(d, DIAL_BEGIN))
			return;
	}
	while (d->race != NULL && d->race->failures > 0) {
		d->race->failures--;
		if (!netdial_run(d, DIAL_ATTEMPT_FAILED))
			return;
	}
}

static void
netdial_delay_cb(evutil_socket_t fd, short what, void *arg)
{
	netdial_run(arg, DIAL_DELAY_PASSED);
}

struct netdial *
netdial_connect(struct net *net, const struct netdial_target *t, char *err,
    size_t errlen)
{
	struct netdial *d;
	struct lws_vhost *vh;

	if ((vh = net_vhost(net, t->ca_file)) == NULL) {
		snprintf(err, errlen, "cannot use ca_file %s", t->ca_file);
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->net = net;
	d->t = *t;
	d->t.addrs = NULL;
	d->vh = vh;
	d->race = xcalloc(1, sizeof(*d->race));
	d->race->addrs = *t->addrs;
	dial_init(&d->race->plan, d->race->addrs.n);
	LIST_INIT(&d->race->attempts);
	d->delay = xevtimer_new(net->base, netdial_delay_cb, d);
	d->step = xevent_new(net->base, -1, 0, netdial_step_cb, d);
	/* The first attempt starts from the loop too, so that lws never
	 * calls the owner back before this returns. */
	event_active(d->step, EV_TIMEOUT, 0);
	return d;
}

void
netdial_stop(struct netdial *d)
{
	struct netdial_attempt *a;

	if (d == NULL || d->race == NULL)
		return;
	evtimer_del(d->delay);
	event_del(d->step);
	while ((a = LIST_FIRST(&d->race->attempts)) != NULL) {
		LIST_REMOVE(a, entry);
		a->dial = NULL;
		/* Its WSI_DESTROY frees it. */
		if (a->wsi != NULL && !a->released)
			net_drop(d->net, a->wsi);
	}
	free(d->race);
	d->race = NULL;
}

void
netdial_free(struct netdial *d)
{
	if (d == NULL)
		return;
	netdial_stop(d);
	event_free(d->delay);
	event_free(d->step);
	free(d);
}
