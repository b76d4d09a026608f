/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdbool.h>
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
#include "transport/net-int.h"
#include "transport/netconn.h"
#include "transport/netround.h"
#include "transport/tlsstore.h"
#include "transport/uvbridge.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

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

/* Where a connection's last TLS alert is kept: lws reports a failed
 * handshake only as "SSL err 1", and the alert is the one clear reason. */
static int net_alert_index = -1;

#define NET_ALERT_SENT		0x10000

/* Pong reads held together: net_pinged(). */
#define NET_HOLD_PINGS		16
#define NET_HOLD_STEP_MS	25
#define NET_HOLD_MAX_MS		200

static void net_hold_cb(evutil_socket_t, short, void *);

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
 * each client SSL_CTX it makes (one per vhost) through this callback;
 * system: the default vhost's, which trusts the system's CAs (tlsstore.h). */
static int
net_tls_init(SSL_CTX *ctx, bool system)
{
	if (ctx == NULL)
		return 0;
	if (system)
		(void)tlsstore_system(ctx);
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
	struct lws_vhost *vh;

	if (reason == LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS) {
		vh = lws_get_vhost(wsi);
		return net_tls_init(user, vh != NULL &&
		    strcmp(lws_get_vhost_name(vh), "default") == 0);
	}
	if ((nc = lws_get_opaque_user_data(wsi)) == NULL)
		return 0;
	return nc->lws_cb(wsi, (int)reason, user, in, len);
}

/*
 * lws gives every WebSocket a receive buffer of rx_buffer_size, kept for the
 * connection's life: pushes are a few hundred bytes, larger messages arrive
 * in pieces that ws.c joins, and each KiB here is a KiB of RSS per session
 * (64 KiB cost ~4 KiB of RSS each; 4 KiB, 3 KiB more than 1 KiB; bench
 * figure 2).  tx_packet_size, which lws otherwise takes from
 * rx_buffer_size, stays what it was.
 */
static const struct lws_protocols net_protocols[] = {
	{ "jmap", net_lws_callback, 0, 1024, 0, NULL, 4096 },
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
	net->hold = xevtimer_new(base, net_hold_cb, net);
	TAILQ_INIT(&net->rounds);

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
	/* The system's CAs: net_tls_init() (tlsstore.h). */
	info.options = LWS_SERVER_OPTION_LIBUV |
	    LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
	    LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS |
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
	event_free(net->hold);
	netround_free_all(net);
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
struct lws_vhost *
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

/*
 * How long the first read of a held round waits: as long as the last
 * round took, within [NET_HOLD_STEP_MS, NET_HOLD_MAX_MS].  A round answered
 * in full by its first read recorded three quarters of its wait (set in
 * net_hold_cb), so the wait shrinks again when the server gets faster.
 */
static unsigned
net_hold_first(unsigned round_ms)
{
	if (round_ms < NET_HOLD_STEP_MS)
		return NET_HOLD_STEP_MS;
	if (round_ms > NET_HOLD_MAX_MS)
		return NET_HOLD_MAX_MS;
	return round_ms;
}

/*
 * Every session's ping goes out on the same tick (ws_ping_delay), and the
 * pongs come back over the next tens or hundreds of milliseconds; a server
 * slower than we are answers a few at a time, and each few cost a wakeup
 * (bench/README.md, figure 3, 1,000 accounts).  Once one loop turn has sent
 * NET_HOLD_PINGS pings, the sockets are not read for as long as the last
 * held round took to be answered (NET_HOLD_STEP_MS to NET_HOLD_MAX_MS), so
 * that a round usually costs one read; then every NET_HOLD_STEP_MS until
 * every ping of the round is answered, a step brought no answer after
 * earlier ones did, or NET_HOLD_MAX_MS passed.  A push arriving meanwhile
 * waits for the read.  A daemon with few sessions never holds: its pong is
 * one wakeup anyway.
 */
void
net_pinged(struct net *net)
{
	struct timeval now, tv;

	event_base_gettimeofday_cached(net->base, &now);
	if (!timercmp(&now, &net->ping_turn, ==)) {
		net->ping_turn = now;
		net->turn_pings = 0;
	}
	net->turn_pings++;
	if (evtimer_pending(net->hold, NULL)) {
		net->hold_pings++;
		return;
	}
	if (net->turn_pings < NET_HOLD_PINGS)
		return;
	net->hold_pings = net->turn_pings;
	net->hold_pongs = net->step_pongs = 0;
	net->held_ms = net_hold_first(net->round_ms);
	net->first_ms = net->held_ms;
	net->answered_ms = 0;
	uvbridge_hold(net->ub);
	tv = timeutil_tv_ms(net->held_ms);
	evtimer_add(net->hold, &tv);
}

/*
 * Pongs read before the held read (by the pump that sent the pings, or by
 * one a libuv timer or a kick ran) answering the whole round end the hold
 * at once: the read it waits for would find nothing.
 */
void
net_ponged(struct net *net)
{
	net->hold_pongs++;
	net->step_pongs++;
	if (!evtimer_pending(net->hold, NULL) ||
	    net->hold_pongs < net->hold_pings)
		return;
	evtimer_del(net->hold);
	net->round_ms = net->first_ms * 3 / 4;
	uvbridge_release(net->ub);
}

static void
net_hold_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net *net = arg;
	struct timeval tv = timeutil_tv_ms(NET_HOLD_STEP_MS);

	net->step_pongs = 0;
	uvbridge_release(net->ub);
	if (net->step_pongs > 0)
		net->answered_ms = net->held_ms;
	if (net->hold_pongs >= net->hold_pings) {
		net->round_ms = net->held_ms == net->first_ms ?
		    net->held_ms * 3 / 4 : net->held_ms;
		return;
	}
	/* A session that never answers must not make every later round
	 * wait the longest: the round took until its last answer. */
	if (net->held_ms + NET_HOLD_STEP_MS > NET_HOLD_MAX_MS ||
	    (net->step_pongs == 0 && net->hold_pongs > 0)) {
		net->round_ms = net->answered_ms;
		return;
	}
	net->held_ms += NET_HOLD_STEP_MS;
	uvbridge_hold(net->ub);
	evtimer_add(net->hold, &tv);
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
