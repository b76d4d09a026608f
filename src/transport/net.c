/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/queue.h>
#include <sys/time.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <uv.h>

#include "transport/dial.h"
#include "transport/net.h"
#include "transport/netconn.h"
#include "transport/url.h"
#include "transport/uvbridge.h"
#include "util/log.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

#define NET_MAX_VHOSTS 32

struct net_vhost {
	char *ca_file;
	struct lws_vhost *vh;
};

struct net {
	struct event_base *base;
	struct uvbridge *ub;
	struct lws_context *ctx;
	struct evdns_base *dns;
	struct event *kick;
	struct net_vhost vhosts[NET_MAX_VHOSTS];
	size_t nvhosts;
	unsigned vhost_serial;
};

struct net_resolve {
	struct net *net;
	struct evdns_getaddrinfo_request *req;
	struct event *done;	/* results always arrive on a fresh loop turn */
	net_resolve_cb cb;
	void *arg;
	struct dial_addrs addrs;
	char *error;
	bool no_server;		/* cancelled by us: nobody to ask */
};

/* One connection attempt to one address: the wsi's opaque until the TCP
 * handshake completes, when the wsi passes to the dial's owner. */
struct net_attempt {
	struct netconn nc;		/* first */
	struct net_dial *dial;		/* NULL once abandoned */
	LIST_ENTRY(net_attempt) entry;	/* in race->attempts */
	struct lws *wsi;
	size_t index;			/* into dial->race->addrs */
	struct timeval started;
	bool over;			/* its failure was counted */
	bool connecting;		/* in lws_client_connect_via_info() */
	bool released;			/* lws let go of it, or it won */
};

/* What a dial needs while addresses are being tried; freed when it is
 * over, so that a connection that won keeps only the small net_dial. */
struct net_race {
	struct dial_addrs addrs;
	struct dial plan;
	LIST_HEAD(, net_attempt) attempts;
	size_t failures;		/* attempts over, not yet stepped */
	size_t last;			/* the address tried last */
	char why[512];			/* "ADDRESS: reason; ..." */
};

struct net_dial {
	struct net *net;
	struct net_target t;		/* pointers borrowed */
	struct lws_vhost *vh;
	struct net_race *race;		/* NULL once won, given up, stopped */
	struct event *delay;		/* the connection attempt delay */
	struct event *step;		/* start, failures: off lws */
	bool begun;
};

/* Where a connection's last TLS alert is kept: lws reports a failed
 * handshake only as "SSL err 1", and the alert is the one clear reason. */
static int net_alert_index = -1;

#define NET_ALERT_SENT		0x10000

static void
net_tls_info(const SSL *ssl, int where, int ret)
{
	intptr_t alert;

	if ((where & SSL_CB_ALERT) == 0 || net_alert_index < 0)
		return;
	/* The alert level is in ret's high byte, its description in the
	 * low one; +1 keeps "close notify" (0) apart from no alert. */
	alert = (ret & 0xff) + 1;
	if (where & SSL_CB_WRITE)
		alert |= NET_ALERT_SENT;
	SSL_set_ex_data((SSL *)ssl, net_alert_index, (void *)alert);
}

/* OpenSSL's floor depends on the system's openssl.cnf, which an admin or
 * a distribution may lower: the daemon states its own.  lws hands over
 * each client SSL_CTX it makes (one per vhost) through this callback. */
static int
net_tls_init(SSL_CTX *ctx)
{
	if (ctx == NULL)
		return 0;
	if (net_alert_index < 0)
		net_alert_index = SSL_get_ex_new_index(0, NULL, NULL, NULL,
		    NULL);
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		log_warnx("tls: cannot require TLS 1.2 or later");
		return -1;
	}
	SSL_CTX_set_info_callback(ctx, net_tls_info);
	return 0;
}

static int
net_lws_callback(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct netconn *nc;

	if (reason == LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS)
		return net_tls_init(user);
	if ((nc = lws_get_opaque_user_data(wsi)) == NULL)
		return 0;
	return nc->lws_cb(wsi, (int)reason, user, in, len);
}

/*
 * lws gives every WebSocket a receive buffer of rx_buffer_size: pushes are
 * a few hundred bytes, larger messages arrive in pieces that ws.c joins,
 * and 64 KiB per session cost ~4 KiB of RSS each for nothing.
 */
static const struct lws_protocols net_protocols[] = {
	{ "jmap", net_lws_callback, 0, 4096, 0, NULL, 0 },
	{ "jp-http", net_lws_callback, 0, 16384, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* lws calls its own errors "ERR" for events we handle and report ourselves
 * (a refused connection, a failed handshake), so they stay below our
 * warnings; they still carry the only detail of TLS failures. */
static void
net_lws_log(int level, const char *line)
{
	size_t len = strlen(line);

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	/* Only the debug builds of lws dump headers, at levels we never
	 * enable; should one reach us anyway, the credentials stay out. */
	if (strcasestr(line, "authorization") != NULL) {
		line = "(a line about the Authorization header, not shown)";
		len = strlen(line);
	}
	if (level & LLL_ERR)
		log_info("libwebsockets: %.*s", (int)len, line);
	else
		log_debug("libwebsockets: %.*s", (int)len, line);
}

static void
net_event_log(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_ERR:
		log_warnx("libevent: %s", msg);
		break;
	case EVENT_LOG_WARN:
		log_info("libevent: %s", msg);
		break;
	default:
		log_debug("libevent: %s", msg);
		break;
	}
}

static void
net_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	net_kick(arg);
}

struct net *
net_new(struct event_base *base)
{
	struct net *net = xcalloc(1, sizeof(*net));
	struct lws_context_creation_info info;
	void *loops[1];
	const char *hosts;
	int lws_levels = LLL_ERR | LLL_WARN;

	event_set_log_callback(net_event_log);
	if (log_get_level() >= LOG_DEBUG)
		lws_levels |= LLL_NOTICE;
	lws_set_log_level(lws_levels, net_lws_log);

	net->base = base;
	net->ub = uvbridge_new(base);
	net->kick = xevent_new(base, -1, 0, net_kick_cb, net);

	net->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (net->dns == NULL) {
		/* No usable resolv.conf: host names in /etc/hosts and numeric
		 * addresses still work. */
		log_warnx("dns: cannot read /etc/resolv.conf; only numeric "
		    "addresses and /etc/hosts names will resolve");
		net->dns = evdns_base_new(base, 0);
		if (net->dns == NULL)
			fatalx("libevent: cannot create a DNS resolver");
		/* NULL would load only libevent's built-in localhost. */
		if (evdns_base_load_hosts(net->dns, "/etc/hosts") == -1)
			log_warnx("dns: cannot read /etc/hosts");
	}
	/* More names, after those of /etc/hosts: the test suite gives one
	 * name several loopback addresses this way. */
	if ((hosts = getenv("JMAP_PUSHD_HOSTS")) != NULL && *hosts != '\0' &&
	    evdns_base_load_hosts(net->dns, hosts) == -1)
		log_warnx("dns: cannot read %s (named by JMAP_PUSHD_HOSTS); "
		    "fix the path or unset the variable", hosts);

	/* libevent's defaults (5 s, 3 tries) leave an account silent for
	 * 15 s when a resolver is unreachable. */
	evdns_base_set_option(net->dns, "timeout:", "3");
	evdns_base_set_option(net->dns, "attempts:", "2");

	memset(&info, 0, sizeof(info));
	loops[0] = uvbridge_loop(net->ub);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = net_protocols;
	info.foreign_loops = loops;
	info.options = LWS_SERVER_OPTION_LIBUV |
	    LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
	    LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
	info.vhost_name = "default";
	info.timeout_secs = 20;
	info.connect_timeout_secs = 20;
	net->ctx = lws_create_context(&info);
	if (net->ctx == NULL)
		fatalx("libwebsockets: cannot create a context; is the Debian "
		    "package libwebsockets-evlib-uv installed?");
	net_kick(net);
	return net;
}

void
net_free(struct net *net)
{
	if (net == NULL)
		return;
	/* With a foreign loop lws needs the loop to run between the first
	 * destroy (which closes its handles) and the second (which frees). */
	lws_context_destroy(net->ctx);
	for (int i = 0; i < 1000 && uvbridge_alive(net->ub); i++)
		uv_run(uvbridge_loop(net->ub), UV_RUN_NOWAIT);
	lws_context_destroy(net->ctx);
	for (size_t i = 0; i < net->nvhosts; i++)
		free(net->vhosts[i].ca_file);
	evdns_base_free(net->dns, 1);
	event_free(net->kick);
	uvbridge_free(net->ub);
	free(net);
}

struct event_base *
net_base(struct net *net)
{
	return net->base;
}

/* The vhost whose TLS client context trusts ca_file (and the system store);
 * NULL ca_file is the default vhost.  NULL when ca_file cannot be loaded. */
static struct lws_vhost *
net_vhost(struct net *net, const char *ca_file)
{
	struct lws_context_creation_info info;
	struct lws_vhost *vh;
	char name[32];

	if (ca_file == NULL)
		return lws_get_vhost_by_name(net->ctx, "default");
	for (size_t i = 0; i < net->nvhosts; i++)
		if (strcmp(net->vhosts[i].ca_file, ca_file) == 0)
			return net->vhosts[i].vh;
	if (net->nvhosts == NET_MAX_VHOSTS) {
		log_warnx("tls: too many different ca_file settings (at most "
		    "%d); use one bundle file for accounts that share a CA",
		    NET_MAX_VHOSTS);
		return NULL;
	}
	snprintf(name, sizeof(name), "ca%u", ++net->vhost_serial);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = net_protocols;
	info.vhost_name = name;
	info.client_ssl_ca_filepath = ca_file;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	vh = lws_create_vhost(net->ctx, &info);
	if (vh == NULL) {
		log_warnx("tls: cannot load ca_file %s; check that it exists "
		    "and holds PEM certificates", ca_file);
		return NULL;
	}
	net->vhosts[net->nvhosts].ca_file = xstrdup(ca_file);
	net->vhosts[net->nvhosts].vh = vh;
	net->nvhosts++;
	return vh;
}

/*
 * No lws validity timers on WebSockets: ws.c pings on shared ticks itself.
 * lws keeps every connection's validity timer in one sorted list and
 * inserts each new one by walking it, which made 10,000 WebSockets
 * quadratic.  HTTP requests and event streams keep lws's default policy:
 * without it a dropped event stream looks like a clean end of stream.
 */
static const lws_retry_bo_t net_no_validity = {
	.secs_since_valid_ping = 0,
	.secs_since_valid_hangup = 0,
};

/* Once lws let go of a, or a won. */
static void
net_attempt_free(struct net_attempt *a)
{
	if (a->dial != NULL)
		LIST_REMOVE(a, entry);
	free(a);
}

/* Counts a's failure once, and lets the dial try the next address from a
 * fresh loop turn (never from inside lws).  Nothing for an abandoned one. */
static void
net_attempt_over(struct net_attempt *a, const char *reason)
{
	struct net_dial *d = a->dial;
	struct net_race *r;
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
net_attempt_won(struct net_attempt *a, struct lws *wsi)
{
	struct net_dial *d = a->dial;

	log_debug("%s: reached %s", d->t.log_prefix,
	    d->race->addrs.addr[a->index]);
	LIST_REMOVE(a, entry);
	a->dial = NULL;
	a->released = true;
	lws_set_opaque_user_data(wsi, d->t.conn);
	*d->t.pwsi = wsi;
	net_dial_stop(d);
	if (!a->connecting)
		free(a);
}

/* lws's callbacks for a wsi that has not connected yet: the owner hears
 * of none of them. */
static int
net_attempt_callback(struct lws *wsi, int reason, void *user, void *in,
    size_t len)
{
	struct net_attempt *a = lws_get_opaque_user_data(wsi);

	switch (reason) {
	case LWS_CALLBACK_WSI_CREATE:
		/* lws 4.1 sends this to a client exactly when its TCP
		 * handshake completed, before any TLS. */
		if (a->dial != NULL)
			net_attempt_won(a, wsi);
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
		net_attempt_over(a, why);
		return 0;
	}
	case LWS_CALLBACK_WSI_DESTROY:
		lws_set_opaque_user_data(wsi, NULL);
		a->wsi = NULL;
		net_attempt_over(a, "connection closed");
		a->released = true;
		if (!a->connecting)
			net_attempt_free(a);
		return 0;
	default:
		return 0;
	}
}

/* Starts the attempt to address i.  lws may run its callbacks before
 * returning: the attempt may fail or even win in here. */
static void
net_attempt_start(struct net_dial *d, size_t i)
{
	const struct net_target *t = &d->t;
	struct net_race *r = d->race;
	struct net_attempt *a = xcalloc(1, sizeof(*a));
	struct lws_client_connect_info ci;
	struct lws *wsi;
	char host[300];

	a->nc.lws_cb = net_attempt_callback;
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
		ci.retry_and_idle_policy = &net_no_validity;
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
		net_attempt_over(a, "cannot start the connection");
	else if (a->dial == NULL && !a->released)
		net_drop(d->net, wsi);
	if (wsi == NULL || a->released)
		net_attempt_free(a);
	net_kick_deferred(d->net);
}

/* Every address failed: one error for the owner, naming each. */
static void
net_dial_give_up(struct net_dial *d)
{
	char msg[sizeof(d->race->why) + 320];

	snprintf(msg, sizeof(msg), "cannot connect to %s port %d (%s)",
	    d->t.u->host, d->t.u->port, d->race->why[0] != '\0' ?
	    d->race->why : "no address");
	net_dial_stop(d);
	d->t.failed(d->t.conn, msg);
}

/* Acts on ev; false once the dial is over. */
static bool
net_dial_run(struct net_dial *d, enum dial_event ev)
{
	struct timeval tv = { 0, DIAL_ATTEMPT_DELAY_MS * 1000 };
	struct net_race *r = d->race;
	int i;

	if (r == NULL)
		return false;
	switch ((i = dial_step(&r->plan, ev))) {
	case DIAL_WAIT:
		return true;
	case DIAL_GIVE_UP:
		net_dial_give_up(d);
		return false;
	default:
		break;
	}
	if (ev == DIAL_DELAY_PASSED)
		log_debug("%s: no answer from %s within %dms; trying %s as "
		    "well", d->t.log_prefix, r->addrs.addr[r->last],
		    DIAL_ATTEMPT_DELAY_MS, r->addrs.addr[i]);
	net_attempt_start(d, (size_t)i);
	if (d->race == NULL)
		return false;
	evtimer_add(d->delay, &tv);
	return true;
}

/* The first attempt, then one step per failure, each on a loop turn of
 * its own rather than inside lws. */
static void
net_dial_step_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_dial *d = arg;

	if (!d->begun) {
		d->begun = true;
		if (!net_dial_run(d, DIAL_BEGIN))
			return;
	}
	while (d->race != NULL && d->race->failures > 0) {
		d->race->failures--;
		if (!net_dial_run(d, DIAL_ATTEMPT_FAILED))
			return;
	}
}

static void
net_dial_delay_cb(evutil_socket_t fd, short what, void *arg)
{
	net_dial_run(arg, DIAL_DELAY_PASSED);
}

struct net_dial *
net_connect(struct net *net, const struct net_target *t, char *err,
    size_t errlen)
{
	struct net_dial *d;
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
	d->delay = xevtimer_new(net->base, net_dial_delay_cb, d);
	d->step = xevent_new(net->base, -1, 0, net_dial_step_cb, d);
	/* The first attempt starts from the loop too, so that lws never
	 * calls the owner back before this returns. */
	event_active(d->step, EV_TIMEOUT, 0);
	return d;
}

void
net_dial_stop(struct net_dial *d)
{
	struct net_attempt *a;

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
net_dial_free(struct net_dial *d)
{
	if (d == NULL)
		return;
	net_dial_stop(d);
	event_free(d->delay);
	event_free(d->step);
	free(d);
}

void
net_drop(struct net *net, struct lws *wsi)
{
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	net_kick_deferred(net);
}

int
net_add_header(struct lws *wsi, void *in, size_t len, int token,
    const char *value)
{
	unsigned char **p = in, *end = *p + len;

	if (value == NULL)
		return 0;
	return lws_add_http_header_by_token(wsi, token,
	    (const unsigned char *)value, (int)strlen(value), p, end) ? -1 : 0;
}

char *
net_header(struct lws *wsi, int token)
{
	int len = lws_hdr_total_length(wsi, token);
	char *v;

	if (len <= 0)
		return NULL;
	v = xmalloc((size_t)len + 1);
	if (lws_hdr_copy(wsi, v, len + 1, token) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

char *
net_tls_verify_error(void *x509_store_ctx, size_t preverify_ok)
{
	X509_STORE_CTX *ctx = x509_store_ctx;
	X509 *cert;
	char subject[256] = "unknown";
	char *msg;
	int err;

	if (preverify_ok || ctx == NULL)
		return NULL;
	err = X509_STORE_CTX_get_error(ctx);
	if ((cert = X509_STORE_CTX_get_current_cert(ctx)) != NULL)
		X509_NAME_oneline(X509_get_subject_name(cert), subject,
		    sizeof(subject));
	xasprintf(&msg, "TLS certificate rejected: %s (subject %s); fix the "
	    "server's certificate, or set ca_file to the CA that signed it",
	    X509_verify_cert_error_string(err), subject);
	return msg;
}

char *
net_tls_handshake_error(struct lws *wsi)
{
	SSL *ssl = lws_get_ssl(wsi);
	intptr_t alert;
	int desc;
	char *msg;

	if (ssl == NULL || net_alert_index < 0 || SSL_is_init_finished(ssl) ||
	    (alert = (intptr_t)SSL_get_ex_data(ssl, net_alert_index)) == 0)
		return NULL;
	desc = (int)(alert & 0xff) - 1;
	if (desc == SSL_AD_PROTOCOL_VERSION)
		xasprintf(&msg, "TLS handshake failed: the server offers no "
		    "TLS version this daemon accepts (TLS 1.2 or later); "
		    "upgrade the server's TLS configuration");
	else
		xasprintf(&msg, "TLS handshake failed: %s (alert %s)",
		    SSL_alert_desc_string_long(desc),
		    (alert & NET_ALERT_SENT) ? "sent to the server" :
		    "from the server");
	return msg;
}

void
net_kick(struct net *net)
{
	lws_cancel_service(net->ctx);
	uvbridge_pump(net->ub);
}

void
net_kick_deferred(struct net *net)
{
	event_active(net->kick, EV_TIMEOUT, 0);
}

static void
net_resolve_done(evutil_socket_t fd, short what, void *arg)
{
	struct net_resolve *r = arg;

	r->cb(r->error ? NULL : &r->addrs, r->error, r->arg);
	event_free(r->done);
	free(r->error);
	free(r);
}

static void
net_resolve_cb_dns(int result, struct evutil_addrinfo *res, void *arg)
{
	struct net_resolve *r = arg;

	r->req = NULL;
	if (result == EVUTIL_EAI_CANCEL && !r->no_server) {
		event_free(r->done);
		free(r);
		return;
	}
	if (r->no_server)
		r->error = xstrdup("not in /etc/hosts, and /etc/resolv.conf "
		    "names no name server");
	else if (result != 0)
		r->error = xstrdup(evutil_gai_strerror(result));
	else if (dial_order(res, &r->addrs) == 0)
		r->error = xstrdup("no usable address");
	if (res != NULL)
		evutil_freeaddrinfo(res);
	event_active(r->done, EV_TIMEOUT, 0);
}

struct net_resolve *
net_resolve(struct net *net, const char *host, net_resolve_cb cb, void *arg)
{
	struct net_resolve *r = xcalloc(1, sizeof(*r));
	struct evutil_addrinfo hints;

	r->net = net;
	r->cb = cb;
	r->arg = arg;
	r->done = xevent_new(net->base, -1, 0, net_resolve_done, r);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	r->req = evdns_getaddrinfo(net->dns, host, NULL, &hints,
	    net_resolve_cb_dns, r);
	/* Neither a number nor a hosts file name, and no name server:
	 * libevent would hold the request until one is added, forever. */
	if (r->req != NULL && evdns_base_count_nameservers(net->dns) == 0) {
		r->no_server = true;
		evdns_getaddrinfo_cancel(r->req);
	}
	return r;
}

void
net_resolve_cancel(struct net_resolve *r)
{
	if (r == NULL)
		return;
	if (r->req != NULL) {
		if (!r->no_server)
			evdns_getaddrinfo_cancel(r->req);
		/* Now its cancellation only frees it. */
		r->no_server = false;
		return;
	}
	event_free(r->done);
	free(r->error);
	free(r);
}
