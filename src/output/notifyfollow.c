/* SPDX-License-Identifier: ISC */
/*
 * The notifications of ours on screen, followed until they close: closed
 * by us (CloseNotification) when the mail view shows all their mail read,
 * moved out of the mailbox it was announced in, or destroyed elsewhere;
 * forgotten when the notification server says it closed one, or when
 * another notification server took over (their ids mean nothing to it).
 * Each account's are kept in its store, so that a restart of the daemon
 * does not forget them: the notification server keeps its ids meanwhile,
 * and is known to be the same one by its bus's id and its unique name.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "util/busconn.h"
#include "output/notify-int.h"
#include "output/outputs.h"
#include "session/account.h"
#include "session/mailresult.h"
#include "state/store.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/xmalloc.h"

void
notifyfollow_clear(struct notify_open *o)
{
	free(o->account);
	free(o->account_id);
	free(o->email_id);
	free(o->box_id);
	free(o->thread_id);
	free(o->message_id);
	free(o->box_path);
	strv_free(o->ids);
	strv_free(o->boxes);
	free(o->server);
	memset(o, 0, sizeof(*o));
}

/* A JSON string, or NULL for s NULL. */
static struct json_object *
notifyfollow_str(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static struct json_object *
notifyfollow_strv(char **v)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; v[i] != NULL; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

/* Writes the followed notifications of the account into its store (if
 * it is open; it is written again when it is attached). */
static void
notifyfollow_save(struct notify *n, const char *account)
{
	struct json_object	*list, *e;
	struct store		*st;
	const struct notify_open *o;

	if (account == NULL || n->cb->account_store == NULL ||
	    (st = n->cb->account_store(n->cb->arg, account)) == NULL)
		return;
	list = json_object_new_array();
	for (size_t i = 0; i < n->nopen; i++) {
		o = &n->open[i];
		if (o->account_id == NULL || o->account == NULL ||
		    strcmp(o->account, account) != 0)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "id", json_object_new_int64(o->id));
		json_object_object_add(e, "accountId",
		    json_object_new_string(o->account_id));
		json_object_object_add(e, "emailId",
		    notifyfollow_str(o->email_id));
		json_object_object_add(e, "mailboxId",
		    notifyfollow_str(o->box_id));
		json_object_object_add(e, "threadId",
		    notifyfollow_str(o->thread_id));
		json_object_object_add(e, "nthread",
		    json_object_new_int64(o->nthread));
		json_object_object_add(e, "messageId",
		    notifyfollow_str(o->message_id));
		json_object_object_add(e, "mailboxPath",
		    notifyfollow_str(o->box_path));
		json_object_object_add(e, "ids", notifyfollow_strv(o->ids));
		json_object_object_add(e, "mailboxIds",
		    notifyfollow_strv(o->boxes));
		json_object_object_add(e, "partial",
		    json_object_new_boolean(o->partial));
		json_object_object_add(e, "server",
		    notifyfollow_str(o->server));
		json_object_object_add(e, "closeOwed",
		    json_object_new_boolean(o->close_owed));
		json_object_array_add(list, e);
	}
	store_set_notify(st, list);
	store_save_later(st, n->base);
}

/* Forgets open[i] (closed, or gone with its server). */
void
notifyfollow_drop(struct notify *n, size_t i)
{
	char *account = n->open[i].account;

	n->open[i].account = NULL;
	notifyfollow_clear(&n->open[i]);
	memmove(&n->open[i], &n->open[i + 1],
	    (n->nopen - i - 1) * sizeof(n->open[0]));
	n->nopen--;
	notifyfollow_save(n, account);
	free(account);
}

/* "BUS-ID UNIQUE-NAME": the same on the same bus only while that
 * notification server runs (unique names are never reused by a bus, and
 * a new bus has a new id).  NULL when the bus has no id yet. */
static char *
notifyfollow_server_name(sd_bus *bus, const char *unique)
{
	sd_id128_t	 id;
	char		 s[SD_ID128_STRING_MAX], *r;

	if (unique == NULL || sd_bus_get_bus_id(bus, &id) < 0)
		return NULL;
	xasprintf(&r, "%s %s", sd_id128_to_string(id, s), unique);
	return r;
}

void
notifyfollow_add(struct notify *n, sd_bus_message *m, struct notify_open *p,
    uint32_t replaces)
{
	struct notify_open	*o = NULL;
	uint32_t		 id;
	size_t			 k;

	if (sd_bus_message_read(m, "u", &id) <= 0)
		return;
	/* A thread's notification replaced: the same one, now about the
	 * newest email too (if the server has not closed it meanwhile, it
	 * is a new one). */
	for (size_t i = 0; replaces != 0 && i < n->nopen; i++)
		if (n->open[i].id == replaces)
			o = &n->open[i];
	if (o != NULL && p->ids != NULL && o->ids != NULL) {
		k = strv_len(p->ids);
		p->ids = xreallocarray(p->ids, k + strv_len(o->ids) + 1,
		    sizeof(*p->ids));
		p->boxes = xreallocarray(p->boxes, k + strv_len(o->ids) + 1,
		    sizeof(*p->boxes));
		for (size_t i = 0; o->ids[i] != NULL; i++, k++) {
			p->ids[k] = o->ids[i];
			p->boxes[k] = o->boxes[i];
			o->ids[i] = o->boxes[i] = NULL;
		}
		p->ids[k] = p->boxes[k] = NULL;
		p->partial = o->partial;
		if (k > NOTIFY_IDS_MAX) {
			for (size_t i = NOTIFY_IDS_MAX; i < k; i++) {
				free(p->ids[i]);
				free(p->boxes[i]);
			}
			p->ids[NOTIFY_IDS_MAX] = p->boxes[NOTIFY_IDS_MAX] =
			    NULL;
			p->partial = true;
		}
	}
	if (o != NULL)
		notifyfollow_clear(o);
	else {
		if (n->nopen == NOTIFY_OPEN_MAX)
			notifyfollow_drop(n, 0);
		o = &n->open[n->nopen++];
	}
	*o = *p;
	memset(p, 0, sizeof(*p));
	o->id = id;
	o->server = notifyfollow_server_name(sd_bus_message_get_bus(m),
	    sd_bus_message_get_sender(m));
	notifyfollow_save(n, o->account);
}

/* The notification server closed one (expired, dismissed, or on our
 * CloseNotification): no longer ours to close. */
int
notifyfollow_on_closed(sd_bus_message *m, void *arg, sd_bus_error *unused)
{
	struct notify	*n = arg;
	uint32_t	 id, reason;

	if (sd_bus_message_read(m, "uu", &id, &reason) < 0)
		return 0;
	for (size_t i = 0; i < n->nopen; i++)
		if (n->open[i].id == id) {
			log_debug("notifications: notification %" PRIu32
			    " closed (reason %" PRIu32 ")", id, reason);
			notifyfollow_drop(n, i);
			break;
		}
	return 0;
}

/* CloseNotification of open[j], which is forgotten. */
static void
notifyfollow_close(struct notify *n, sd_bus *bus, size_t j)
{
	int r;

	if ((r = sd_bus_call_method_async(bus, NULL,
	    "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "CloseNotification", NULL, NULL,
	    "u", n->open[j].id)) < 0)
		log_warnx("notifications: cannot call CloseNotification: %s",
		    strerror(-r));
	notifyfollow_drop(n, j);
}

/* Whether t takes its email out of o (which holds it at k): read, moved
 * out of the mailbox it was announced in, or destroyed. */
static bool
notifyfollow_gone(const struct notify_open *o, size_t k,
    const struct mailresult_touched *t)
{
	size_t b;

	for (b = 0; b < t->nbox_ids; b++)
		if (strcmp(t->box_ids[b], o->boxes[k]) == 0)
			break;
	return t->destroyed || t->seen || b == t->nbox_ids;
}

void
notifyfollow_close_gone(struct notify *n, const struct mail_event *ev)
{
	const struct mailresult_touched	*t;
	struct notify_open		*o;
	sd_bus				*bus;
	size_t				 k, j;
	const char			*how = NULL;	/* the last */

	if (n->nopen == 0 || n->conn == NULL ||
	    (bus = busconn_bus(n->conn)) == NULL)
		return;
	for (j = 0; j < n->nopen; j++) {
		o = &n->open[j];
		if (o->account_id == NULL || o->ids == NULL || o->ids[0] == NULL ||
		    strcmp(o->account_id, ev->account_id) != 0)
			continue;
		how = NULL;
		for (size_t i = 0; i < ev->result->ntouched; i++) {
			t = &ev->result->touched[i];
			for (k = 0; o->ids[k] != NULL; k++)
				if (strcmp(o->ids[k], t->id) == 0)
					break;
			if (o->ids[k] == NULL || !notifyfollow_gone(o, k, t))
				continue;
			how = t->destroyed ? "destroyed" : t->seen ? "read" :
			    "moved";
			log_debug("notifications: account %s: an email of "
			    "notification %" PRIu32 " %s elsewhere",
			    ev->account, o->id, how);
			free(o->ids[k]);
			free(o->boxes[k]);
			memmove(&o->ids[k], &o->ids[k + 1],
			    (strv_len(&o->ids[k + 1]) + 1) * sizeof(*o->ids));
			memmove(&o->boxes[k], &o->boxes[k + 1],
			    (strv_len(&o->boxes[k + 1]) + 1) *
			    sizeof(*o->boxes));
		}
		if (how == NULL)
			continue;
		if (o->ids[0] != NULL || o->partial) {
			notifyfollow_save(n, o->account);
			continue;
		}
		if (n->server_state != NOTIFY_SERVER_KNOWN) {
			/* Closed once its server is known to be ours. */
			o->close_owed = true;
			notifyfollow_save(n, o->account);
			continue;
		}
		if (o->email_id != NULL && o->nthread == 1)
			log_info("notifications: account %s: closing the "
			    "notification of an email %s elsewhere",
			    ev->account, how);
		else
			log_info("notifications: account %s: closing the "
			    "notification of %s: all its emails read, moved "
			    "or destroyed elsewhere", ev->account,
			    o->email_id != NULL ? "a thread" : "a summary");
		notifyfollow_close(n, bus, j--);
	}
	busconn_kick(n->conn);
}

/* Every account whose followed notifications are read or written. */
static void
notifyfollow_save_all(struct notify *n)
{
	for (size_t i = 0; n->attached != NULL && n->attached[i] != NULL; i++)
		notifyfollow_save(n, n->attached[i]);
}

/* Forgets what another notification server than n->server showed, and
 * closes what was owed while it was not known. */
static void
notifyfollow_check(struct notify *n, sd_bus *bus)
{
	struct notify_open	*o;
	size_t			 dropped = 0;

	for (size_t j = 0; j < n->nopen; j++) {
		o = &n->open[j];
		if (o->server == NULL || n->server == NULL ||
		    strcmp(o->server, n->server) != 0) {
			notifyfollow_clear(o);
			memmove(o, o + 1, (n->nopen - j - 1) * sizeof(*o));
			n->nopen--;
			j--;
			dropped++;
		} else if (o->close_owed) {
			log_info("notifications: account %s: closing the "
			    "notification of mail read, moved or destroyed "
			    "elsewhere", o->account);
			notifyfollow_close(n, bus, j--);
		}
	}
	if (dropped > 0)
		log_info("notifications: %zu notification(s) forgotten: "
		    "another notification server runs now", dropped);
	notifyfollow_save_all(n);
	busconn_kick(n->conn);
}

void
notifyfollow_server(struct notify *n, sd_bus *bus, const char *owner)
{
	free(n->server);
	n->server = *owner != '\0' ? notifyfollow_server_name(bus, owner) :
	    NULL;
	n->server_state = NOTIFY_SERVER_KNOWN;
	notifyfollow_check(n, bus);
}

/* GetNameOwner's answer: the notification server now, or none. */
static int
notifyfollow_on_owner(sd_bus_message *m, void *arg, sd_bus_error *unused)
{
	struct notify	*n = arg;
	const char	*owner = "";

	if (!sd_bus_message_is_method_error(m, NULL) &&
	    sd_bus_message_read(m, "s", &owner) <= 0)
		owner = "";
	notifyfollow_server(n, sd_bus_message_get_bus(m), owner);
	return 0;
}

void
notifyfollow_connected(struct notify *n, sd_bus *bus)
{
	int r;

	n->server_state = NOTIFY_SERVER_ASKING;
	if ((r = sd_bus_call_method_async(bus, NULL, "org.freedesktop.DBus",
	    "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner",
	    notifyfollow_on_owner, n, "s",
	    "org.freedesktop.Notifications")) < 0) {
		log_warnx("notifications: cannot ask who the notification "
		    "server is: %s; notifications shown before are not "
		    "closed", strerror(-r));
		notifyfollow_server(n, bus, "");
	}
}

/* One entry of the store's "notify", or -1 when it is not one. */
static int
notifyfollow_restore_one(struct json_object *e, const char *account,
    struct notify_open *o)
{
	struct json_object	*v, *ids, *boxes;
	int64_t			 id;
	size_t			 nids;

	memset(o, 0, sizeof(*o));
	if (!json_object_is_type(e, json_type_object) ||
	    !json_object_object_get_ex(e, "id", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (id = json_object_get_int64(v)) <= 0 || id > UINT32_MAX ||
	    !json_object_object_get_ex(e, "ids", &ids) ||
	    !json_object_is_type(ids, json_type_array) ||
	    !json_object_object_get_ex(e, "mailboxIds", &boxes) ||
	    !json_object_is_type(boxes, json_type_array) ||
	    (nids = json_object_array_length(ids)) !=
	    json_object_array_length(boxes) || nids > NOTIFY_IDS_MAX ||
	    !json_object_object_get_ex(e, "accountId", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    !json_object_object_get_ex(e, "server", &v) ||
	    !json_object_is_type(v, json_type_string))
		return -1;
	for (size_t i = 0; i < nids; i++)
		if (!json_object_is_type(json_object_array_get_idx(ids, i),
		    json_type_string) || !json_object_is_type(
		    json_object_array_get_idx(boxes, i), json_type_string))
			return -1;
	o->id = (uint32_t)id;
	o->account = xstrdup(account);
	o->ids = xcalloc(nids + 1, sizeof(*o->ids));
	o->boxes = xcalloc(nids + 1, sizeof(*o->boxes));
	for (size_t i = 0; i < nids; i++) {
		o->ids[i] = xstrdup(json_object_get_string(
		    json_object_array_get_idx(ids, i)));
		o->boxes[i] = xstrdup(json_object_get_string(
		    json_object_array_get_idx(boxes, i)));
	}
#define STR(key, field) do {						\
	if (json_object_object_get_ex(e, key, &v) &&			\
	    json_object_is_type(v, json_type_string))			\
		o->field = xstrdup(json_object_get_string(v));		\
} while (0)
	STR("accountId", account_id);
	STR("server", server);
	STR("emailId", email_id);
	STR("mailboxId", box_id);
	STR("threadId", thread_id);
	STR("messageId", message_id);
	STR("mailboxPath", box_path);
#undef STR
	if ((o->email_id == NULL) != (o->box_id == NULL)) {
		notifyfollow_clear(o);
		return -1;
	}
	if (json_object_object_get_ex(e, "nthread", &v) &&
	    json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) > 0 && json_object_get_int64(v) < 100000)
		o->nthread = (unsigned)json_object_get_int64(v);
	else
		o->nthread = 1;
	o->partial = json_object_object_get_ex(e, "partial", &v) &&
	    json_object_get_boolean(v);
	o->close_owed = json_object_object_get_ex(e, "closeOwed", &v) &&
	    json_object_get_boolean(v);
	return 0;
}

void
notifyfollow_attach(struct notify *n, const char *account)
{
	struct json_object	*list;
	struct notify_open	 o;
	struct store		*st;
	size_t			 k = 0, bad = 0;

	for (; n->attached != NULL && n->attached[k] != NULL; k++)
		if (strcmp(n->attached[k], account) == 0) {
			/* A reload reopened the store: memory is the
			 * truth. */
			notifyfollow_save(n, account);
			return;
		}
	n->attached = xreallocarray(n->attached, k + 2, sizeof(*n->attached));
	n->attached[k] = xstrdup(account);
	n->attached[k + 1] = NULL;
	if (n->cb->account_store == NULL ||
	    (st = n->cb->account_store(n->cb->arg, account)) == NULL ||
	    (list = store_notify(st)) == NULL)
		return;
	/* Held: dropping the oldest beyond NOTIFY_OPEN_MAX writes the
	 * store's list anew. */
	json_object_get(list);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		if (notifyfollow_restore_one(json_object_array_get_idx(list,
		    i), account, &o) < 0) {
			bad++;
			continue;
		}
		if (n->nopen == NOTIFY_OPEN_MAX)
			notifyfollow_drop(n, 0);
		n->open[n->nopen++] = o;
	}
	if (bad > 0)
		log_warnx("notifications: account %s: %zu followed "
		    "notification(s) in %s unreadable; they are not closed "
		    "when their mail is read", account, bad, store_path(st));
	log_debug("notifications: account %s: %zu notification(s) followed "
	    "from before", account, json_object_array_length(list) - bad);
	json_object_put(list);
	/* Those of another notification server than today's forgotten,
	 * owed closes done, and the store written; else once the server is
	 * known. */
	if (n->server_state == NOTIFY_SERVER_KNOWN &&
	    n->conn != NULL && busconn_bus(n->conn) != NULL)
		notifyfollow_check(n, busconn_bus(n->conn));
	else
		notifyfollow_save(n, account);
}

void
notifyfollow_free(struct notify *n)
{
	while (n->nopen > 0)
		notifyfollow_clear(&n->open[--n->nopen]);
	free(n->server);
	strv_free(n->attached);
}
