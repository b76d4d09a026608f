/* SPDX-License-Identifier: ISC */
/* The MQTT output's retained topics (mqtt-int.h). */
#include "autoconf.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "output/mqtt-int.h"
#include "output/mqtttopic.h"
#include "session/account.h"
#include "session/mailbox.h"
#include "util/namemap.h"
#include "util/xmalloc.h"

/* Whether the account's retained topics belong at the broker: the
 * section takes it and the config has it (one removed by a reload may
 * still be closing, and tell its status). */
static bool
mqttret_wanted(const struct mqtt *m, const char *account)
{
	return mqtt_takes(m->mc, account) &&
	    config_find_account(m->cfg, account) != NULL;
}

void
mqttret_init(struct mqtt *m)
{
	TAILQ_INIT(&m->ret);
	m->retmap = namemap_new();
	m->retboxes = namemap_new();
}

void
mqttret_free(struct mqtt *m)
{
	mqttret_forget(m);
	namemap_free(m->retmap);
	namemap_free(m->retboxes);
}

/* Frees an entry, out of the list and maps; its account's mailbox list
 * goes with its last count. */
static void
mqttret_drop(struct mqtt *m, struct mqtt_retained *r)
{
	struct mqtt_retboxes *b = r->boxes;

	TAILQ_REMOVE(&m->ret, r, entry);
	namemap_del(m->retmap, r->topic);
	if (b != NULL) {
		TAILQ_REMOVE(&b->list, r, box_entry);
		if (TAILQ_EMPTY(&b->list)) {
			namemap_del(m->retboxes, b->account);
			free(b->account);
			free(b);
		}
	}
	free(r->topic);
	free(r->payload);
	free(r->account);
	free(r->account_id);
	free(r);
}

/* Publishes one retained entry now; a cleared one is forgotten. */
static void
mqttret_send(struct mqtt *m, struct mqtt_retained *r)
{
	mqtt_publish_raw(m, r->topic, r->payload, m->mc->qos, true);
	if (*r->payload == '\0')
		mqttret_drop(m, r);
}

/* A new entry, last in m->ret (the caller has looked for the topic). */
static struct mqtt_retained *
mqttret_add(struct mqtt *m, const char *topic, const char *payload,
    const char *account, const char *account_id, bool mailbox)
{
	struct mqtt_retained	*r = xcalloc(1, sizeof(*r));
	struct mqtt_retboxes	*b;

	r->topic = xstrdup(topic);
	r->payload = xstrdup(payload);
	r->account = account != NULL ? xstrdup(account) : NULL;
	r->account_id = account_id != NULL ? xstrdup(account_id) : NULL;
	TAILQ_INSERT_TAIL(&m->ret, r, entry);
	namemap_put(m->retmap, r->topic, r);
	if (mailbox) {
		if ((b = namemap_get(m->retboxes, account)) == NULL) {
			b = xcalloc(1, sizeof(*b));
			b->account = xstrdup(account);
			TAILQ_INIT(&b->list);
			namemap_put(m->retboxes, b->account, b);
		}
		TAILQ_INSERT_TAIL(&b->list, r, box_entry);
		r->boxes = b;
	}
	return r;
}

/* Sets a retained topic; published at once when connected and changed,
 * else on the next connect.  Found by its topic in a map: with 1,000
 * accounts there are over 10,000, and a mail round sets each of its
 * account's mailboxes. */
void
mqttret_set(struct mqtt *m, const char *topic, const char *payload,
    const char *account, const char *account_id, bool mailbox)
{
	struct mqtt_retained *r;

	if ((r = namemap_get(m->retmap, topic)) != NULL) {
		r->stale = false;
		if (strcmp(r->payload, payload) == 0)
			return;
		free(r->payload);
		r->payload = xstrdup(payload);
	} else {
		if (*payload == '\0')
			return;
		r = mqttret_add(m, topic, payload, account, account_id,
		    mailbox);
	}
	if (m->state == MQTT_S_CONNECTED) {
		mqttret_send(m, r);
		mqttconn_arm(m);
	}
}

/* Kept as an entry to be cleared, sent with the others on the next
 * connect (the caller is not connected). */
void
mqttret_clear(struct mqtt *m, const char *topic)
{
	struct mqtt_retained *r;

	if ((r = namemap_get(m->retmap, topic)) == NULL)
		r = mqttret_add(m, topic, "", NULL, NULL, false);
	free(r->payload);
	r->payload = xstrdup("");
}

/* An account's status word, retained, and its binary sensor's
 * discovery (unchanged ones are not sent again). */
void
mqttret_account_status(struct mqtt *m, struct account *a)
{
	char *topic, *ha;

	if (!mqttret_wanted(m, account_name(a)))
		return;
	if (m->mc->ha_discovery) {
		ha = mqtttopic_ha_connection(m->mc->topic_prefix, m->client_id,
		    account_name(a), &topic);
		mqttret_set(m, topic, ha, account_name(a), NULL, false);
		free(topic);
		free(ha);
	}
	topic = mqtttopic_account(m->mc->topic_prefix, account_name(a),
	    "status");
	mqttret_set(m, topic, account_status_name(account_status(a)),
	    account_name(a), NULL, false);
	free(topic);
}

/* The counts of every mailbox of one JMAP account, retained; the topics
 * of mailboxes that are gone (destroyed, renamed, or under the other
 * form since the Session's primary account changed) are cleared. */
void
mqttret_mailboxes(struct mqtt *m, const char *account, const char *account_id,
    bool primary, const struct mailbox_cache *c)
{
	const char	*prefix = m->mc->topic_prefix;
	const char	*id = primary ? NULL : account_id;
	char		*topic, *payload;

	struct mqtt_retboxes	*b;
	struct mqtt_retained	*r, *next;

	if (!mqttret_wanted(m, account))
		return;
	if ((b = namemap_get(m->retboxes, account)) != NULL)
		TAILQ_FOREACH(r, &b->list, box_entry)
			if (strcmp(r->account_id, account_id) == 0)
				r->stale = true;
	for (size_t i = 0; i < c->n; i++) {
		const struct mailbox *mb = &c->v[i];

		topic = mqtttopic_mailbox(prefix, account, id, c, mb);
		payload = mqtttopic_counts(mb->unread, mb->total);
		mqttret_set(m, topic, payload, account, account_id, true);
		if (m->mc->ha_discovery && id == NULL && mb->role != NULL &&
		    strcmp(mb->role, "inbox") == 0) {
			char *hatopic, *ha;

			ha = mqtttopic_ha_unread(prefix, m->client_id, account,
			    topic, &hatopic);
			mqttret_set(m, hatopic, ha, account, NULL, false);
			free(hatopic);
			free(ha);
		}
		free(topic);
		free(payload);
	}
	/* Clearing one may free it, and with the last one b itself: the
	 * next is taken first, and b is not looked at again. */
	if ((b = namemap_get(m->retboxes, account)) == NULL)
		return;
	for (r = TAILQ_FIRST(&b->list); r != NULL; r = next) {
		next = TAILQ_NEXT(r, box_entry);
		if (r->stale && strcmp(r->account_id, account_id) == 0) {
			topic = xstrdup(r->topic);
			mqttret_set(m, topic, "", account, account_id, true);
			free(topic);
		}
	}
}

/* account_foreach_mailboxes()'s callback: arg is {m, account}. */
struct mqttret_boxes_arg {
	struct mqtt	*m;
	struct account	*a;
};

static void
mqttret_seed_boxes(const char *account_id, const struct mailbox_cache *c,
    void *arg)
{
	struct mqttret_boxes_arg *b = arg;

	mqttret_mailboxes(b->m, account_name(b->a), account_id,
	    account_is_primary_mail(b->a, account_id), c);
}

/* What an account is now: status, mailbox counts known (from the state
 * file before the first round), discovery. */
void
mqttret_seed_account(struct account *a, void *arg)
{
	struct mqtt		*m = arg;
	struct mqttret_boxes_arg	 b = { m, a };

	if (!mqttret_wanted(m, account_name(a)))
		return;
	mqttret_account_status(m, a);
	account_foreach_mailboxes(a, mqttret_seed_boxes, &b);
}

/* Clears (empty retained messages) the topics of the accounts the config
 * no longer has or the section no longer takes: at once when connected,
 * else first thing on the next connect. */
void
mqttret_sweep(struct mqtt *m)
{
	struct mqtt_retained	*r, *next;
	bool			 sent = false;

	for (r = TAILQ_FIRST(&m->ret); r != NULL; r = next) {
		next = TAILQ_NEXT(r, entry);
		if (r->account == NULL || mqttret_wanted(m, r->account))
			continue;
		free(r->payload);
		r->payload = xstrdup("");
		if (m->state == MQTT_S_CONNECTED) {
			mqttret_send(m, r);
			sent = true;
		}
	}
	if (sent)
		mqttconn_arm(m);
}

/* Marks every topic stale (see mqtt-int.h). */
void
mqttret_stale(struct mqtt *m)
{
	struct mqtt_retained *r;

	TAILQ_FOREACH(r, &m->ret, entry)
		r->stale = true;
}

/* Two walks: the clearing first, so that a subscriber never sees the
 * old topics beside the new ones once the daemon is online. */
void
mqttret_republish(struct mqtt *m)
{
	struct mqtt_retained *r, *next;

	for (r = TAILQ_FIRST(&m->ret); r != NULL; r = next) {
		next = TAILQ_NEXT(r, entry);
		if (r->stale) {
			free(r->payload);
			r->payload = xstrdup("");
			r->stale = false;
		}
		if (*r->payload == '\0')
			mqttret_send(m, r);
	}
	mqtt_publish_raw(m, m->status_topic, "online", 1, true);
	TAILQ_FOREACH(r, &m->ret, entry)
		mqttret_send(m, r);
}

void
mqttret_forget(struct mqtt *m)
{
	while (!TAILQ_EMPTY(&m->ret))
		mqttret_drop(m, TAILQ_FIRST(&m->ret));
}
