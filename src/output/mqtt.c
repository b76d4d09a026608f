/* SPDX-License-Identifier: ISC */
/*
 * The MQTT output (its connection in mqttconn.c).  One connection at a time, each with a fresh struct
 * mosquitto, so that nothing the library kept of an earlier connection
 * (packets in flight) is sent again behind our back: what was not
 * acknowledged stays in our queue and goes again, in order, after the
 * retained topics.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <json-c/json.h>
#include <mosquitto.h>

#include "config/config.h"
#include "output/evqueue.h"
#include "output/mqtt-int.h"
#include "output/mqtt.h"
#include "output/mqtttopic.h"
#include "output/outputs.h"
#include "output/sockproto.h"
#include "session/account.h"
#include "state/queuefile.h"
#include "util/log.h"
#include "util/namemap.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"


bool
mqtt_takes(const struct config_mqtt *mc, const char *account)
{
	if (mc == NULL)
		return false;
	if (mc->accounts == NULL)
		return true;
	for (size_t i = 0; i < mc->naccounts; i++)
		if (strcmp(mc->accounts[i], account) == 0)
			return true;
	return false;
}

/* Logs a failure at prio ("mqtt: " and the text) and keeps the text as
 * the status reply's lastError. */
void
mqtt_failed(struct mqtt *m, int prio, const char *fmt, ...)
{
	va_list ap;

	free(m->last_error);
	va_start(ap, fmt);
	xvasprintf(&m->last_error, fmt, ap);
	va_end(ap);
	log_msg(prio, "mqtt: %s", m->last_error);
}

void
mqtt_wipe(char **s)
{
	if (*s != NULL) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

/* A clean stop's queue comes back at start, once (queuefile.h). */
static void
mqtt_load_queue(struct mqtt *m)
{
	struct json_object *o;

	if ((o = queuefile_take(m->cfg->state_dir, MQTT_QUEUE_FILE)) == NULL)
		return;
	if (evqueue_from_json(m->q, o) == -1)
		log_warnx("mqtt: %s/%s is not a saved queue; its events are "
		    "lost", m->cfg->state_dir, MQTT_QUEUE_FILE);
	else
		log_info("mqtt: %zu event(s) of the last run queued again",
		    evqueue_len(m->q));
	json_object_put(o);
}

/* What was not delivered, for the next start. */
static void
mqtt_save_queue(struct mqtt *m)
{
	struct json_object *o;

	if (evqueue_len(m->q) == 0)
		return;
	o = evqueue_to_json(m->q);
	if (queuefile_save(m->cfg->state_dir, MQTT_QUEUE_FILE, o) == 0)
		log_info("mqtt: %zu event(s) saved in %s/%s for the next "
		    "start", evqueue_len(m->q), m->cfg->state_dir,
		    MQTT_QUEUE_FILE);
	json_object_put(o);
}

void
mqtt_publish_raw(struct mqtt *m, const char *topic, const char *payload,
    int qos, bool retain)
{
	int rc;

	rc = mosquitto_publish(m->mosq, NULL, topic, (int)strlen(payload),
	    payload, qos, retain);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_warnx("mqtt: cannot publish to %s: %s", topic,
		    mosquitto_strerror(rc));
		return;
	}
	m->inflight++;
}

/* Takes a new [mqtt] (NULL: none); the client id and topics follow. */
static void
mqtt_configure(struct mqtt *m)
{
	char host[256];

	free(m->client_id);
	free(m->status_topic);
	m->client_id = m->status_topic = NULL;
	if (m->mc == NULL)
		return;
	if (m->mc->client_id != NULL)
		m->client_id = xstrdup(m->mc->client_id);
	else {
		if (gethostname(host, sizeof(host)) == -1)
			strcpy(host, "localhost");
		host[sizeof(host) - 1] = '\0';
		m->client_id = mqtttopic_client_id(host, m->cfg->path);
	}
	m->status_topic = mqtttopic_daemon_status(m->mc->topic_prefix,
	    m->client_id);
	backoff_init(&m->backoff, m->mc->backoff_initial_ms,
	    m->mc->backoff_max_ms, m->cfg->defaults.backoff_reset_ms,
	    backoff_seed("mqtt"));
}

struct mqtt *
mqtt_new(struct event_base *base, struct config *cfg,
    const struct outputs_callbacks *cb)
{
	struct mqtt *m = xcalloc(1, sizeof(*m));

	mosquitto_lib_init();
	m->base = base;
	m->cb = cb;
	m->fd = -1;
	m->cfg = config_ref(cfg);
	m->mc = cfg->mqtt;
	mqttconn_events(m);
	m->q = evqueue_new(m->mc != NULL ? m->mc->queue : 1);
	TAILQ_INIT(&m->waiting);
	m->waitset = namemap_new();
	mqttret_init(m);
	mqtt_configure(m);
	if (m->mc != NULL) {
		mqtt_load_queue(m);
		mqttconn_attempt(m);
	}
	return m;
}

/* Whether two [mqtt] connect the same way and publish the same topics. */
static bool
mqtt_same(const struct config_mqtt *a, const struct config_mqtt *b)
{
#define SAME_STR(x) ((a->x == NULL && b->x == NULL) || (a->x != NULL && \
	b->x != NULL && strcmp(a->x, b->x) == 0))
	return SAME_STR(broker) && SAME_STR(ca_file) && SAME_STR(username) &&
	    a->secret_kind == b->secret_kind && SAME_STR(secret) &&
	    SAME_STR(client_id) && SAME_STR(topic_prefix) &&
	    a->qos == b->qos && a->keepalive_ms == b->keepalive_ms &&
	    a->ha_discovery == b->ha_discovery;
#undef SAME_STR
}

/* Ends the connection or attempt: "offline" said first when connected
 * (a clean DISCONNECT makes the broker drop the Last Will).  The queue
 * stays. */
static void
mqtt_close(struct mqtt *m)
{
	if (m->mosq != NULL && m->state == MQTT_S_CONNECTED) {
		mosquitto_publish(m->mosq, NULL, m->status_topic, 7, "offline",
		    1, true);
		mosquitto_disconnect(m->mosq);
		/* One non-blocking try: what does not fit now is lost, and
		 * the broker publishes the Last Will instead. */
		mosquitto_loop_write(m->mosq, 4);
	}
	event_del(m->retry);
	mqttconn_teardown(m);
	mqtt_wipe(&m->password);
	m->state = MQTT_S_OFF;
}

void
mqtt_set_config(struct mqtt *m, struct config *cfg)
{
	const struct config_mqtt	*old = m->mc;
	struct config			*oldcfg = m->cfg;
	char				*old_status;
	bool				 same;

	if (cfg->mqtt == NULL) {
		if (old != NULL) {
			if (evqueue_len(m->q) > 0)
				log_warnx("mqtt: [mqtt] was removed: %zu "
				    "queued event(s) dropped",
				    evqueue_len(m->q));
			mqtt_close(m);
			evqueue_free(m->q);
			m->q = evqueue_new(1);
			mqttret_forget(m);
		}
		m->cfg = config_ref(cfg);
		m->mc = NULL;
		mqtt_configure(m);
		config_unref(oldcfg);
		return;
	}
	if (old != NULL && mqtt_same(old, cfg->mqtt) &&
	    m->failure != MQTT_FAIL_REFUSED) {
		m->cfg = config_ref(cfg);
		m->mc = cfg->mqtt;
		evqueue_set_max(m->q, m->mc->queue);
		config_unref(oldcfg);
		mqttret_sweep(m);
		return;
	}
	/* A new broker, login or topics (or a refused login to try again
	 * now): a new connection, seeded afresh from the accounts.  On the
	 * same broker, what the old [mqtt] published and the new one does
	 * not (the accounts gone, topics under the old topic_prefix or
	 * client_id, discovery switched off) is cleared first on it. */
	same = old != NULL && strcmp(old->broker, cfg->mqtt->broker) == 0;
	if (old != NULL)
		mqtt_close(m);
	old_status = m->status_topic;
	m->status_topic = NULL;
	m->cfg = config_ref(cfg);
	m->mc = cfg->mqtt;
	if (same) {
		mqttret_sweep(m);
		mqttret_stale(m);
	} else
		mqttret_forget(m);
	evqueue_set_max(m->q, m->mc->queue);
	mqtt_configure(m);
	if (same && strcmp(old_status, m->status_topic) != 0)
		mqttret_clear(m, old_status);
	free(old_status);
	config_unref(oldcfg);
	log_info("mqtt: connecting to %s", m->mc->broker);
	mqttconn_attempt(m);
}

void
mqtt_stop(struct mqtt *m)
{
	if (m->mc == NULL || m->state == MQTT_S_OFF)
		return;
	mqtt_close(m);
	mqtt_save_queue(m);
}

void
mqtt_free(struct mqtt *m)
{
	if (m == NULL)
		return;
	mqttconn_teardown(m);
	mqtt_wipe(&m->password);
	event_free(m->misc);
	event_free(m->retry);
	event_free(m->lost);
	event_free(m->resolved);
	free(m->resolve_error);
	if (m->dns != NULL)
		evdns_base_free(m->dns, 0);
	evqueue_free(m->q);
	mqtt_wait_clear(m);
	namemap_free(m->waitset);
	mqttret_free(m);
	for (size_t i = 0; i < m->nflights; i++)
		free(m->flights[i].account);
	free(m->flights);
	free(m->client_id);
	free(m->status_topic);
	free(m->last_error);
	config_unref(m->cfg);
	free(m);
	mosquitto_lib_cleanup();
}

/* The topic of a queued event. */
static char *
mqtt_event_topic(struct mqtt *m, const char *account, struct json_object *ev)
{
	struct json_object *kind;

	if (json_object_object_get_ex(ev, "event", &kind) &&
	    json_object_is_type(kind, json_type_string) &&
	    strcmp(json_object_get_string(kind), "state") == 0)
		return mqtttopic_account(m->mc->topic_prefix, account, "state");
	/* mail, and the overflow that stands for dropped mail events */
	return mqtttopic_account(m->mc->topic_prefix, account, "mail");
}

/* The account waits for room, once. */
static void
mqtt_wait_add(struct mqtt *m, const char *account)
{
	struct mqtt_wait *w;

	if (namemap_get(m->waitset, account) != NULL)
		return;
	w = xcalloc(1, sizeof(*w));
	w->account = xstrdup(account);
	TAILQ_INSERT_TAIL(&m->waiting, w, entry);
	namemap_put(m->waitset, w->account, w);
}

/* No account waits (a connect walks them all; a lost connection has no
 * room to wait for). */
void
mqtt_wait_clear(struct mqtt *m)
{
	struct mqtt_wait *w;

	while ((w = TAILQ_FIRST(&m->waiting)) != NULL) {
		TAILQ_REMOVE(&m->waiting, w, entry);
		namemap_del(m->waitset, w->account);
		free(w->account);
		free(w);
	}
}

/* pump's walk: hands the account's first event to the library unless
 * one is in flight already. */
static void
mqtt_pump_account(const char *account, void *arg)
{
	struct mqtt			*m = arg;
	const struct evqueue_item	*it;
	char				*topic, *payload;
	int				 mid = 0, rc;

	if (m->inflight >= MQTT_INFLIGHT_MAX) {
		mqtt_wait_add(m, account);
		return;
	}
	if (evqueue_in_flight(m->q, account) ||
	    (it = evqueue_peek(m->q, account)) == NULL)
		return;
	topic = mqtt_event_topic(m, account, it->event);
	/* The socket's line byte for byte, without its newline. */
	payload = sockproto_line(json_object_get(it->event));
	rc = mosquitto_publish(m->mosq, &mid, topic,
	    (int)strlen(payload) - 1, payload, m->mc->qos, false);
	free(payload);
	if (rc != MOSQ_ERR_SUCCESS) {
		/* Sent again with the next event or acknowledgement. */
		log_warnx("mqtt: cannot publish to %s: %s", topic,
		    mosquitto_strerror(rc));
		free(topic);
		evqueue_release(m->q, account);
		return;
	}
	free(topic);
	m->inflight++;
	m->flights = xreallocarray(m->flights, m->nflights + 1,
	    sizeof(*m->flights));
	m->flights[m->nflights].account = xstrdup(account);
	m->flights[m->nflights++].mid = mid;
}

/* Hands queued events to the library while connected: every account's
 * after a connect (all), else the account's named so (NULL: none), then
 * those of the accounts that waited for room while there is room.  One
 * account's event or acknowledgement walks no other account: with a
 * thousand accounts a walk per event was most of the daemon's time
 * (bench figure 8). */
void
mqtt_pump(struct mqtt *m, const char *account, bool all)
{
	struct mqtt_wait *w;

	if (m->state != MQTT_S_CONNECTED || m->mosq == NULL)
		return;
	if (all) {
		mqtt_wait_clear(m);
		evqueue_foreach_account(m->q, mqtt_pump_account, m);
	} else if (account != NULL)
		mqtt_pump_account(account, m);
	while (m->inflight < MQTT_INFLIGHT_MAX &&
	    (w = TAILQ_FIRST(&m->waiting)) != NULL) {
		TAILQ_REMOVE(&m->waiting, w, entry);
		namemap_del(m->waitset, w->account);
		mqtt_pump_account(w->account, m);
		free(w->account);
		free(w);
	}
	mqttconn_arm(m);
}

/* Queues a socket event object (taken; NULL: none) and sends what it
 * can. */
static void
mqtt_push(struct mqtt *m, const char *account, struct json_object *o)
{
	if (o == NULL)
		return;
	evqueue_push(m->q, account, o);
	mqtt_pump(m, account, false);
}

void
mqtt_state(struct mqtt *m, const struct push_event *ev)
{
	if (!mqtt_takes(m->mc, ev->account))
		return;
	mqtt_push(m, ev->account, sockproto_state_json(ev, time(NULL)));
}

void
mqtt_connection(struct mqtt *m, struct account *a)
{
	if (mqtt_takes(m->mc, account_name(a)))
		mqttret_account_status(m, a);
}

void
mqtt_mail(struct mqtt *m, const struct mail_event *ev)
{
	if (!mqtt_takes(m->mc, ev->account))
		return;
	mqttret_mailboxes(m, ev->account, ev->account_id, ev->primary,
	    ev->cache);
	mqtt_push(m, ev->account, sockproto_mail_json(ev->account,
	    ev->account_id, ev->result, ev->cache, NULL));
}

bool
mqtt_mail_wanted(const struct mqtt *m, const char *account)
{
	return mqtt_takes(m->mc, account);
}

/* The state's word in the status reply. */
static const char *
mqtt_state_name(enum mqtt_state s)
{
	switch (s) {
	case MQTT_S_OFF:
		return "off";
	case MQTT_S_CREDENTIALS:
	case MQTT_S_RESOLVING:
	case MQTT_S_CONNECTING:
		return "connecting";
	case MQTT_S_CONNECTED:
		return "connected";
	case MQTT_S_BACKOFF:
		return "backoff";
	}
	return "?";
}

struct json_object *
mqtt_status(const struct mqtt *m)
{
	struct json_object	*o;
	uint64_t		 now = backoff_now_ms();

	if (m->mc == NULL)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "status",
	    json_object_new_string(mqtt_state_name(m->state)));
	json_object_object_add(o, "broker",
	    json_object_new_string(m->mc->broker));
	json_object_object_add(o, "queued",
	    json_object_new_int64((int64_t)evqueue_len(m->q)));
	json_object_object_add(o, "lastError", m->last_error != NULL ?
	    json_object_new_string(m->last_error) : NULL);
	if (m->state == MQTT_S_BACKOFF)
		json_object_object_add(o, "retryIn", sockproto_seconds_json(
		    m->retry_ms > now ? (double)(m->retry_ms - now) / 1000 :
		    0));
	return o;
}
