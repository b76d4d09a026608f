/* SPDX-License-Identifier: ISC */
/*
 * The MQTT output's connection: from the broker's name and the password to
 * CONNACK, libmosquitto's socket driven by our loop (read, write, misc),
 * losing it, and the backoff before the next attempt.  mqtt.c decides
 * when to connect and what to send.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <mosquitto.h>

#include "config/config.h"
#include "output/evqueue.h"
#include "output/mqtt-int.h"
#include "output/outputs.h"
#include "session/backoff.h"
#include "session/credentials.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

void
mqttconn_arm(struct mqtt *m)
{
	if (m->mosq == NULL || m->fd == -1)
		return;
	if (mosquitto_want_write(m->mosq))
		event_add(m->wr, NULL);
}

/* The connection ended or failed (also from the library's callbacks):
 * the socket's events go now, the rest on the next loop turn. */
static void
mqttconn_lost_soon(struct mqtt *m)
{
	if (m->rd != NULL)
		event_del(m->rd);
	if (m->wr != NULL)
		event_del(m->wr);
	event_active(m->lost, EV_TIMEOUT, 0);
}

/* Frees the connection; queued events in flight are released, to go
 * again first on the next connection. */
void
mqttconn_teardown(struct mqtt *m)
{
	for (size_t i = 0; i < m->nflights; i++) {
		evqueue_release(m->q, m->flights[i].account);
		free(m->flights[i].account);
	}
	m->nflights = 0;
	m->inflight = 0;
	mqtt_wait_clear(m);
	if (m->rd != NULL) {
		event_free(m->rd);
		m->rd = NULL;
	}
	if (m->wr != NULL) {
		event_free(m->wr);
		m->wr = NULL;
	}
	event_del(m->misc);
	event_del(m->lost);
	if (m->mosq != NULL) {
		mosquitto_destroy(m->mosq);
		m->mosq = NULL;
	}
	if (m->ssl != NULL) {
		SSL_CTX_free(m->ssl);
		m->ssl = NULL;
	}
	m->fd = -1;
	m->tcp_up = false;
	free(m->tls_error);
	m->tls_error = NULL;
	if (m->lookup != NULL) {
		/* Its callback (now or later) frees it. */
		m->lookup->m = NULL;
		m->lookup = NULL;
		if (m->req != NULL)
			evdns_getaddrinfo_cancel(m->req);
		m->req = NULL;
	}
	event_del(m->resolved);
	if (m->creds != NULL) {
		credentials_cancel(m->creds);
		m->creds = NULL;
	}
}

/* Waits out the backoff (none after a long-lived connection). */
static void
mqttconn_backoff(struct mqtt *m)
{
	uint64_t	 ms = backoff_next(&m->backoff, 0);
	struct timeval	 tv = timeutil_tv_ms(ms);

	m->state = MQTT_S_BACKOFF;
	m->retry_ms = backoff_now_ms() + ms;
	log_info("mqtt: connecting to %s again in %.1f s", m->mc->broker,
	    (double)ms / 1000);
	event_add(m->retry, &tv);
}

/* The deferred end of a connection or attempt. */
static void
mqttconn_lost(evutil_socket_t fd, short what, void *arg)
{
	struct mqtt	*m = arg;
	bool		 was_up = m->state == MQTT_S_CONNECTED;
	bool		 next_addr;

	if (m->state == MQTT_S_OFF)
		return;
	if (m->failure == MQTT_FAIL_NONE)
		m->failure = MQTT_FAIL_NETWORK;
	/* An address that never answered: the next one at once. */
	next_addr = m->state == MQTT_S_CONNECTING &&
	    m->failure == MQTT_FAIL_NETWORK && m->tls_error == NULL &&
	    m->addr_i + 1 < m->naddrs;
	if (m->tls_error != NULL)
		mqtt_failed(m, LOG_WARNING, "%s: TLS: %s", m->mc->broker,
		    m->tls_error);
	mqttconn_teardown(m);
	if (next_addr) {
		m->addr_i++;
		mqttconn_attempt(m);
		return;
	}
	if (was_up && backoff_disconnected(&m->backoff, backoff_now_ms()))
		backoff_reset(&m->backoff);
	mqttconn_backoff(m);
}

static void
mqttconn_fail(struct mqtt *m, enum mqtt_failure f)
{
	m->failure = f;
	mqttconn_lost_soon(m);
}

static void
mqttconn_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct mqtt	*m = arg;
	int		 rc;

	if ((rc = mosquitto_loop_read(m->mosq, 16)) != MOSQ_ERR_SUCCESS) {
		if (m->failure == MQTT_FAIL_REFUSED)
			mqttconn_lost_soon(m);
		else {
			mqtt_failed(m, LOG_WARNING, "%s: connection lost: %s",
			    m->mc->broker, rc == MOSQ_ERR_ERRNO ?
			    strerror(errno) : mosquitto_strerror(rc));
			mqttconn_fail(m, MQTT_FAIL_NETWORK);
		}
		return;
	}
	mqttconn_arm(m);
}

static void
mqttconn_on_write(evutil_socket_t fd, short what, void *arg)
{
	struct mqtt	*m = arg;
	socklen_t	 len = sizeof(int);
	int		 rc, err = 0;

	/* The first writability is the TCP handshake's end: its error is
	 * the socket's, which libmosquitto would not tell. */
	if (!m->tcp_up) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			mqtt_failed(m, LOG_WARNING, "cannot connect to %s at "
			    "%s: %s", m->mc->broker, m->addrs[m->addr_i],
			    strerror(err));
			mqttconn_fail(m, MQTT_FAIL_NETWORK);
			return;
		}
		m->tcp_up = true;
	}
	if ((rc = mosquitto_loop_write(m->mosq, 16)) != MOSQ_ERR_SUCCESS) {
		mqtt_failed(m, LOG_WARNING, "%s: %s", m->mc->broker, rc ==
		    MOSQ_ERR_ERRNO ? strerror(errno) :
		    mosquitto_strerror(rc));
		mqttconn_fail(m, MQTT_FAIL_NETWORK);
		return;
	}
	mqttconn_arm(m);
}

static void
mqttconn_on_misc(evutil_socket_t fd, short what, void *arg)
{
	struct mqtt	*m = arg;
	struct timeval	 tv = timeutil_tv_ms(MQTT_MISC_MS);

	if (m->state == MQTT_S_CONNECTING && backoff_now_ms() -
	    m->attempt_ms >= MQTT_CONNECT_TIMEOUT_MS) {
		mqtt_failed(m, LOG_WARNING, "%s: no answer within %d s",
		    m->mc->broker, MQTT_CONNECT_TIMEOUT_MS / 1000);
		mqttconn_fail(m, MQTT_FAIL_NETWORK);
		return;
	}
	if (mosquitto_loop_misc(m->mosq) != MOSQ_ERR_SUCCESS ||
	    mosquitto_socket(m->mosq) == -1) {
		mqtt_failed(m, LOG_WARNING, "%s: the broker stopped answering",
		    m->mc->broker);
		mqttconn_fail(m, MQTT_FAIL_NETWORK);
		return;
	}
	mqttconn_arm(m);
	event_add(m->misc, &tv);
}

/* The CONNACK. */
static void
mqttconn_on_connect(struct mosquitto *mosq, void *arg, int rc)
{
	struct mqtt *m = arg;

	/* The library keeps its own copy; a next attempt reads it anew. */
	mqtt_wipe(&m->password);
	if (rc != 0) {
		mqtt_failed(m, LOG_ERR, "%s refused the login: %s (CONNACK "
		    "%d); %s", m->mc->broker, mosquitto_connack_string(rc), rc,
		    rc == 4 || rc == 5 ? "check username and password_file "
		    "or password_command in [mqtt]" : "check [mqtt]");
		m->failure = MQTT_FAIL_REFUSED;
		return;
	}
	log_info("mqtt: up at %s as %s", m->mc->broker, m->client_id);
	free(m->last_error);
	m->last_error = NULL;
	/* What the accounts are now, mailbox counts restored from the
	 * state files included: a broker that lost its retained messages
	 * gets them again. */
	m->cb->foreach_account(m->cb->arg, mqttret_seed_account, m);
	m->state = MQTT_S_CONNECTED;
	m->failure = MQTT_FAIL_NONE;
	backoff_connected(&m->backoff, backoff_now_ms());
	/* The topics no longer ours cleared, the daemon, the accounts,
	 * then the queue. */
	mqttret_republish(m);
	mqtt_pump(m, NULL, true);
}

static void
mqttconn_on_disconnect(struct mosquitto *mosq, void *arg, int rc)
{
	mqttconn_lost_soon(arg);
}

/* A message was acknowledged (QoS 1, 2) or written (QoS 0). */
static void
mqttconn_on_publish(struct mosquitto *mosq, void *arg, int mid)
{
	struct mqtt *m = arg;
	char *account = NULL;

	if (m->inflight > 0)
		m->inflight--;
	for (size_t i = 0; i < m->nflights; i++)
		if (m->flights[i].mid == mid) {
			evqueue_done(m->q, m->flights[i].account);
			account = m->flights[i].account;
			m->flights[i] = m->flights[--m->nflights];
			break;
		}
	/* A retained or status message (no flight) frees room alone. */
	mqtt_pump(m, account, false);
	free(account);
}

static void
mqttconn_on_log(struct mosquitto *mosq, void *arg, int level, const char *msg)
{
	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING | MOSQ_LOG_NOTICE))
		log_debug("mqtt: libmosquitto: %s", msg);
}

/* Connects to the current address. */
static void
mqttconn_connect(struct mqtt *m)
{
	const struct config_mqtt	*mc = m->mc;
	struct timeval			 tv = timeutil_tv_ms(MQTT_MISC_MS);
	int				 rc;

	m->state = MQTT_S_CONNECTING;
	m->failure = MQTT_FAIL_NONE;
	m->attempt_ms = backoff_now_ms();
	if ((m->mosq = mosquitto_new(m->client_id, true, m)) == NULL)
		fatalx("mqtt: out of memory");
	mosquitto_threaded_set(m->mosq, true);
	mosquitto_int_option(m->mosq, MOSQ_OPT_PROTOCOL_VERSION,
	    MQTT_PROTOCOL_V311);
	mosquitto_connect_callback_set(m->mosq, mqttconn_on_connect);
	mosquitto_disconnect_callback_set(m->mosq, mqttconn_on_disconnect);
	mosquitto_publish_callback_set(m->mosq, mqttconn_on_publish);
	mosquitto_log_callback_set(m->mosq, mqttconn_on_log);
	mosquitto_will_set(m->mosq, m->status_topic, 7, "offline", 1, true);
	if (mc->username != NULL)
		mosquitto_username_pw_set(m->mosq, mc->username, m->password);
	if (mc->tls && mqttnet_tls(m) == -1) {
		mqttconn_fail(m, MQTT_FAIL_NETWORK);
		return;
	}
	log_debug("mqtt: connecting to %s at %s", mc->broker,
	    m->addrs[m->addr_i]);
	rc = mosquitto_connect_bind_async(m->mosq, m->addrs[m->addr_i],
	    (int)mc->port, (int)(mc->keepalive_ms / 1000), NULL);
	if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_CONN_PENDING) {
		mqtt_failed(m, LOG_WARNING, "cannot connect to %s at %s: %s",
		    mc->broker, m->addrs[m->addr_i], rc == MOSQ_ERR_ERRNO ?
		    strerror(errno) : mosquitto_strerror(rc));
		mqttconn_fail(m, MQTT_FAIL_NETWORK);
		return;
	}
	if ((m->fd = mosquitto_socket(m->mosq)) == -1) {
		mqttconn_fail(m, MQTT_FAIL_NETWORK);
		return;
	}
	m->rd = xevent_new(m->base, m->fd, EV_READ | EV_PERSIST, mqttconn_on_read,
	    m);
	m->wr = xevent_new(m->base, m->fd, EV_WRITE, mqttconn_on_write, m);
	event_add(m->rd, NULL);
	event_add(m->misc, &tv);
	mqttconn_arm(m);
}

/* The lookup's answer, on a loop turn of its own. */
static void
mqttconn_resolved(evutil_socket_t fd, short what, void *arg)
{
	struct mqtt *m = arg;

	if (m->naddrs == 0) {
		mqtt_failed(m, LOG_WARNING, "cannot resolve %s: %s",
		    m->mc->host, m->resolve_error != NULL ? m->resolve_error :
		    "no usable address");
		free(m->resolve_error);
		m->resolve_error = NULL;
		m->failure = MQTT_FAIL_NETWORK;
		mqttconn_backoff(m);
		return;
	}
	m->addr_i = 0;
	mqttconn_connect(m);
}

static void
mqttconn_credentials(const char *secret, const char *error, void *arg)
{
	struct mqtt *m = arg;

	m->creds = NULL;
	if (error != NULL) {
		mqtt_failed(m, LOG_ERR, "cannot read the password for %s: %s",
		    m->mc->broker, error);
		mqttconn_backoff(m);
		return;
	}
	m->password = secret != NULL ? xstrdup(secret) : NULL;
	mqttnet_resolve(m);
}

/* A connection attempt: the password, the name, then the addresses in
 * turn (a next address keeps the name and password). */
void
mqttconn_attempt(struct mqtt *m)
{
	struct config_account ca;

	if (m->addr_i > 0 && m->addr_i < m->naddrs) {
		mqttconn_connect(m);
		return;
	}
	m->addr_i = 0;
	mqtt_wipe(&m->password);
	m->state = MQTT_S_CREDENTIALS;
	memset(&ca, 0, sizeof(ca));
	ca.name = "mqtt";
	ca.username = m->mc->username;
	ca.secret_kind = m->mc->secret_kind;
	ca.secret = m->mc->secret;
	m->creds = credentials_get_raw(m->base, &ca, mqttconn_credentials, m);
}

static void
mqttconn_retry(evutil_socket_t fd, short what, void *arg)
{
	struct mqtt *m = arg;

	mqttconn_attempt(m);
}

void
mqttconn_events(struct mqtt *m)
{
	m->misc = xevtimer_new(m->base, mqttconn_on_misc, m);
	m->retry = xevtimer_new(m->base, mqttconn_retry, m);
	m->lost = xevtimer_new(m->base, mqttconn_lost, m);
	m->resolved = xevtimer_new(m->base, mqttconn_resolved, m);
}
