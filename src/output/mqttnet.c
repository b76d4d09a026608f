/* SPDX-License-Identifier: ISC */
/* How the MQTT output reaches its broker (mqtt-int.h): the name looked up
 * with an evdns base of its own (output/ does not use transport/), the
 * TLS context. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <mosquitto.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "config/config.h"
#include "output/mqtt-int.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* evdns's answer, which may come before evdns_getaddrinfo() returns:
 * the addresses as numeric strings, in the resolver's order. */
static void
mqttnet_dns_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct mqtt_lookup	*l = arg;
	struct mqtt		*m = l->m;
	char			 buf[MQTT_ADDR_LEN];

	if (m == NULL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		free(l);
		return;
	}
	m->lookup = NULL;
	m->req = NULL;
	m->naddrs = 0;
	if (l->no_server)
		m->resolve_error = xstrdup("not in /etc/hosts, and "
		    "/etc/resolv.conf names no name server");
	else if (result != 0)
		m->resolve_error = xstrdup(evutil_gai_strerror(result));
	for (struct evutil_addrinfo *a = res; a != NULL &&
	    m->naddrs < MQTT_MAX_ADDRS; a = a->ai_next) {
		const void *p;
		bool dup = false;

		if (a->ai_family == AF_INET)
			p = &((struct sockaddr_in *)a->ai_addr)->sin_addr;
		else if (a->ai_family == AF_INET6)
			p = &((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
		else
			continue;
		if (evutil_inet_ntop(a->ai_family, p, buf, sizeof(buf)) ==
		    NULL)
			continue;
		for (size_t i = 0; i < m->naddrs; i++)
			dup = dup || strcmp(m->addrs[i], buf) == 0;
		if (!dup)
			strcpy(m->addrs[m->naddrs++], buf);
	}
	if (res != NULL)
		evutil_freeaddrinfo(res);
	free(l);
	event_active(m->resolved, EV_TIMEOUT, 0);
}

/* The resolver: the system's name servers, /etc/hosts, and the hosts
 * file named by $JMAP_PUSHD_HOSTS, as for accounts (transport/net.c). */
static void
mqttnet_dns_init(struct mqtt *m)
{
	const char *hosts;

	if (m->dns != NULL)
		return;
	m->dns = evdns_base_new(m->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (m->dns == NULL) {
		if ((m->dns = evdns_base_new(m->base, 0)) == NULL)
			fatalx("libevent: cannot create a DNS resolver");
		if (evdns_base_load_hosts(m->dns, "/etc/hosts") == -1)
			log_warnx("mqtt: cannot read /etc/hosts");
	}
	if ((hosts = getenv("JMAP_PUSHD_HOSTS")) != NULL && *hosts != '\0' &&
	    evdns_base_load_hosts(m->dns, hosts) == -1)
		log_warnx("mqtt: cannot read %s (named by JMAP_PUSHD_HOSTS)",
		    hosts);
	evdns_base_set_option(m->dns, "timeout:", "3");
	evdns_base_set_option(m->dns, "attempts:", "2");
}

/* Looks the broker's name up without blocking; mqttconn_resolved() follows. */
void
mqttnet_resolve(struct mqtt *m)
{
	struct mqtt_lookup		*l = xcalloc(1, sizeof(*l));
	struct evutil_addrinfo		 hints;
	struct evdns_getaddrinfo_request *req;

	mqttnet_dns_init(m);
	m->state = MQTT_S_RESOLVING;
	l->m = m;
	m->lookup = l;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	req = evdns_getaddrinfo(m->dns, m->mc->host, NULL, &hints,
	    mqttnet_dns_cb, l);
	if (m->lookup != l)
		return;		/* answered at once, l is gone */
	m->req = req;
	/* Neither a number nor a hosts file name, and no name server:
	 * libevent would hold the request until one is added, forever. */
	if (evdns_base_count_nameservers(m->dns) == 0) {
		l->no_server = true;
		m->req = NULL;
		evdns_getaddrinfo_cancel(req);
	}
}

/* The broker's certificate: OpenSSL's verdict, kept for the message. */
static int
mqttnet_verify(int ok, X509_STORE_CTX *ctx)
{
	SSL		*ssl = X509_STORE_CTX_get_ex_data(ctx,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct mqtt	*m = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

	if (!ok && m->tls_error == NULL)
		xasprintf(&m->tls_error, "certificate of %s: %s",
		    m->mc->host, X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(ctx)));
	return ok;
}

/* The library sets the server name it connects to, our numeric
 * address; the handshake's start puts the broker's name back. */
static void
mqttnet_tls_info(const SSL *ssl, int where, int ret)
{
	struct mqtt	*m = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	unsigned char	 a[sizeof(struct in6_addr)];

	/* No name to send for an address (RFC 6066 section 3). */
	if ((where & SSL_CB_HANDSHAKE_START) &&
	    inet_pton(AF_INET6, m->mc->host, a) != 1 &&
	    inet_pton(AF_INET, m->mc->host, a) != 1)
		SSL_set_tlsext_host_name((SSL *)ssl, m->mc->host);
}

/* Our TLS context: the broker's certificate checked against ca_file (or
 * the system store) and its name, as for JMAP servers. */
int
mqttnet_tls(struct mqtt *m)
{
	X509_VERIFY_PARAM *param;

	if ((m->ssl = SSL_CTX_new(TLS_client_method())) == NULL) {
		log_warnx("mqtt: cannot make a TLS context");
		return -1;
	}
	SSL_CTX_set_min_proto_version(m->ssl, TLS1_2_VERSION);
	SSL_CTX_set_app_data(m->ssl, m);
	if ((m->mc->ca_file != NULL ? SSL_CTX_load_verify_locations(m->ssl,
	    m->mc->ca_file, NULL) : SSL_CTX_set_default_verify_paths(
	    m->ssl)) != 1) {
		log_warnx("mqtt: cannot load the CA certificates %s",
		    m->mc->ca_file != NULL ? m->mc->ca_file : "of the system");
		return -1;
	}
	SSL_CTX_set_verify(m->ssl, SSL_VERIFY_PEER, mqttnet_verify);
	param = SSL_CTX_get0_param(m->ssl);
	if (X509_VERIFY_PARAM_set1_ip_asc(param, m->mc->host) != 1) {
		X509_VERIFY_PARAM_set_hostflags(param,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		X509_VERIFY_PARAM_set1_host(param, m->mc->host, 0);
	}
	SSL_CTX_set_info_callback(m->ssl, mqttnet_tls_info);
	/* Ours is the whole check, the name included; the library's own
	 * name check would compare with the numeric address. */
	mosquitto_void_option(m->mosq, MOSQ_OPT_SSL_CTX, m->ssl);
	/* libmosquitto 2.0 applies its defaults to a context of ours unless
	 * told not to, and then wants its own cafile. */
	mosquitto_int_option(m->mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
	mosquitto_tls_insecure_set(m->mosq, true);
	return 0;
}
