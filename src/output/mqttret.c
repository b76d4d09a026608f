/* SPDX-License-Identifier: ISC */
/* The MQTT output's retained topics (mqtt-int.h). */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "output/mqtt-int.h"
#include "output/mqtttopic.h"
#include "session/account.h"
#include "session/mailbox.h"
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

/* Publishes one retained entry now; a cleared one is forgotten (true:
 * the last entry took its place). */
bool
mqttret_send(struct mqtt *m, size_t i)
{
	struct mqtt_retained *r = &m->ret[i];

	mqtt_publish_raw(m, r->topic, r->payload, m->mc->qos, true);
	if (*r->payload != '\0')
		return false;
	free(r->topic);
	free(r->payload);
	free(r->account);
	free(r->account_id);
	m->ret[i] = m->ret[--m->nret];
	return true;
}

/* Sets a retained topic; published at once when connected and changed,
 * else on the next connect. */
void
mqttret_set(struct mqtt *m, const char *topic, const char *payload,
    const char *account, const char *account_id, bool mailbox)
{
	size_t i;

	for (i = 0; i < m->nret; i++)
		if (strcmp(m->ret[i].topic, topic) == 0)
			break;
	if (i < m->nret) {
		m->ret[i].seen = true;
		if (strcmp(m->ret[i].payload, payload) == 0)
			return;
		free(m->ret[i].payload);
		m->ret[i].payload = xstrdup(payload);
	} else {
		if (*payload == '\0')
			return;
		m->ret = xreallocarray(m->ret, m->nret + 1, sizeof(*m->ret));
		m->ret[i] = (struct mqtt_retained){
			.topic = xstrdup(topic),
			.payload = xstrdup(payload),
			.account = account != NULL ? xstrdup(account) : NULL,
			.account_id = account_id != NULL ?
			    xstrdup(account_id) : NULL,
			.mailbox = mailbox,
			.seen = true,
		};
		m->nret++;
	}
	if (m->state == MQTT_S_CONNECTED) {
		mqttret_send(m, i);
		mqtt_arm(m);
	}
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

	if (!mqttret_wanted(m, account))
		return;
	for (size_t i = 0; i < m->nret; i++)
		if (m->ret[i].mailbox && strcmp(m->ret[i].account,
		    account) == 0 && strcmp(m->ret[i].account_id,
		    account_id) == 0)
			m->ret[i].seen = false;
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
	for (size_t i = m->nret; i > 0; i--)
		if (m->ret[i - 1].mailbox && !m->ret[i - 1].seen &&
		    strcmp(m->ret[i - 1].account, account) == 0 &&
		    strcmp(m->ret[i - 1].account_id, account_id) == 0) {
			topic = xstrdup(m->ret[i - 1].topic);
			mqttret_set(m, topic, "", account, account_id, true);
			free(topic);
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
	bool sent = false;

	/* From the end: a sent entry gives its place to the last one,
	 * which was looked at already. */
	for (size_t i = m->nret; i > 0; i--) {
		struct mqtt_retained *r = &m->ret[i - 1];

		if (r->account == NULL || mqttret_wanted(m, r->account))
			continue;
		free(r->payload);
		r->payload = xstrdup("");
		if (m->state == MQTT_S_CONNECTED) {
			mqttret_send(m, i - 1);
			sent = true;
		}
	}
	if (sent)
		mqtt_arm(m);
}

/* Forgets every retained topic, or every one but those to be cleared. */
void
mqttret_forget(struct mqtt *m, bool keep_cleared)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nret; i++) {
		if (keep_cleared && *m->ret[i].payload == '\0') {
			m->ret[n++] = m->ret[i];
			continue;
		}
		free(m->ret[i].topic);
		free(m->ret[i].payload);
		free(m->ret[i].account);
		free(m->ret[i].account_id);
	}
	m->nret = n;
	if (n == 0) {
		free(m->ret);
		m->ret = NULL;
	}
}
