/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output/mqtttopic.h"
#include "session/mailbox.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define MQTTTOPIC_JSON \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

char *
mqtttopic_escape(const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char	*out = xmalloc(3 * n + 1), *o = out;
	size_t	 i = 0, len;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 && (len = utf8_seqlen(s + i, n - i)) > 0) {
			memcpy(o, s + i, len);
			o += len;
			i += len;
			continue;
		}
		if (c >= 0x80 || c == '\0' || c == '+' || c == '#' ||
		    c == '/' || c == '%') {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		} else
			*o++ = (char)c;
		i++;
	}
	*o = '\0';
	return out;
}

char *
mqtttopic_account(const char *prefix, const char *account, const char *leaf)
{
	char *a = mqtttopic_escape(account, strlen(account)), *t;

	xasprintf(&t, "%s/%s/%s", prefix, a, leaf);
	free(a);
	return t;
}

char *
mqtttopic_daemon_status(const char *prefix, const char *client_id)
{
	char *c = mqtttopic_escape(client_id, strlen(client_id)), *t;

	xasprintf(&t, "%s/daemon/%s/status", prefix, c);
	free(c);
	return t;
}

/* Appends "/" and the escaped name to *buf. */
static void
mqtttopic_append(char **buf, const char *name)
{
	char *e = mqtttopic_escape(name, strlen(name)), *t;

	xasprintf(&t, "%s/%s", *buf, e);
	free(e);
	free(*buf);
	*buf = t;
}

char *
mqtttopic_mailbox(const char *prefix, const char *account,
    const char *account_id, const struct mailbox_cache *cache,
    const struct mailbox *m)
{
	const struct mailbox	*chain[MAILBOX_DEPTH_MAX];
	const struct mailbox	*p = m;
	size_t			 n = 0;
	char			*t, *a, *id;

	/* Bottom up, stopping at the top, a missing parent or a cycle. */
	while (p != NULL && n < MAILBOX_DEPTH_MAX) {
		bool seen = false;

		for (size_t i = 0; i < n; i++)
			seen = seen || chain[i] == p;
		if (seen)
			break;
		chain[n++] = p;
		p = p->parent_id != NULL ? mailbox_find(cache, p->parent_id) :
		    NULL;
	}
	a = mqtttopic_escape(account, strlen(account));
	if (account_id != NULL) {
		id = mqtttopic_escape(account_id, strlen(account_id));
		xasprintf(&t, "%s/%s/%s/mailbox", prefix, a, id);
		free(id);
	} else
		xasprintf(&t, "%s/%s/mailbox", prefix, a);
	free(a);
	while (n > 0)
		mqtttopic_append(&t, chain[--n]->name);
	return t;
}

char *
mqtttopic_counts(int64_t unread, int64_t total)
{
	char *s;

	xasprintf(&s, "{\"unread\":%lld,\"total\":%lld}", (long long)unread,
	    (long long)total);
	return s;
}

/* FNV-1a, 32 bits: short, stable across builds and machines. */
static uint32_t
mqtttopic_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

char *
mqtttopic_client_id(const char *hostname, const char *config_path)
{
	char *s;

	xasprintf(&s, "jmap-pushd-%s-%08x", hostname,
	    (unsigned)mqtttopic_hash(config_path));
	return s;
}

/* What Home Assistant accepts in a node or object id. */
static char *
mqtttopic_ha_id(const char *s)
{
	char *out = xstrdup(s);

	for (char *p = out; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '_' && *p != '-')
			*p = '_';
	return out;
}

/* What both sensors share: the device, availability and unique id; the
 * topic of the config. */
static struct json_object *
mqtttopic_ha_base(const char *prefix, const char *client_id,
    const char *account, const char *component, const char *what,
    char **topic)
{
	struct json_object	*o = json_object_new_object(), *dev, *ids;
	char			*node = mqtttopic_ha_id(client_id);
	char			*obj = mqtttopic_ha_id(account);
	char			*s;

	xasprintf(topic, "%s/%s/%s/%s_%s/config", MQTTTOPIC_HA_PREFIX,
	    component, node, obj, what);
	xasprintf(&s, "%s_%s_%s", client_id, account, what);
	json_object_object_add(o, "unique_id", json_object_new_string(s));
	free(s);
	xasprintf(&s, "%s_%s_%s", node, obj, what);
	json_object_object_add(o, "object_id", json_object_new_string(s));
	free(s);
	s = mqtttopic_daemon_status(prefix, client_id);
	json_object_object_add(o, "availability_topic",
	    json_object_new_string(s));
	free(s);
	json_object_object_add(o, "payload_available",
	    json_object_new_string("online"));
	json_object_object_add(o, "payload_not_available",
	    json_object_new_string("offline"));
	dev = json_object_new_object();
	ids = json_object_new_array();
	json_object_array_add(ids, json_object_new_string(client_id));
	json_object_object_add(dev, "identifiers", ids);
	xasprintf(&s, "jmap-pushd %s", client_id);
	json_object_object_add(dev, "name", json_object_new_string(s));
	free(s);
	json_object_object_add(dev, "model", json_object_new_string(
	    "jmap-pushd"));
	json_object_object_add(o, "device", dev);
	free(node);
	free(obj);
	return o;
}

static char *
mqtttopic_json(struct json_object *o)
{
	char *s = xstrdup(json_object_to_json_string_ext(o, MQTTTOPIC_JSON));

	json_object_put(o);
	return s;
}

char *
mqtttopic_ha_unread(const char *prefix, const char *client_id,
    const char *account, const char *inbox_topic, char **topic)
{
	struct json_object	*o;
	char			*s;

	o = mqtttopic_ha_base(prefix, client_id, account, "sensor", "unread",
	    topic);
	xasprintf(&s, "%s unread", account);
	json_object_object_add(o, "name", json_object_new_string(s));
	free(s);
	json_object_object_add(o, "state_topic",
	    json_object_new_string(inbox_topic));
	json_object_object_add(o, "value_template",
	    json_object_new_string("{{ value_json.unread }}"));
	json_object_object_add(o, "state_class",
	    json_object_new_string("measurement"));
	json_object_object_add(o, "icon", json_object_new_string("mdi:email"));
	return mqtttopic_json(o);
}

char *
mqtttopic_ha_connection(const char *prefix, const char *client_id,
    const char *account, char **topic)
{
	struct json_object	*o;
	char			*s;

	o = mqtttopic_ha_base(prefix, client_id, account, "binary_sensor",
	    "connection", topic);
	xasprintf(&s, "%s connection", account);
	json_object_object_add(o, "name", json_object_new_string(s));
	free(s);
	s = mqtttopic_account(prefix, account, "status");
	json_object_object_add(o, "state_topic", json_object_new_string(s));
	free(s);
	/* Every other status (connecting, backoff...) is OFF. */
	json_object_object_add(o, "value_template", json_object_new_string(
	    "{{ 'ON' if value == 'connected' else 'OFF' }}"));
	json_object_object_add(o, "device_class",
	    json_object_new_string("connectivity"));
	return mqtttopic_json(o);
}
