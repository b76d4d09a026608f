/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "config/mailmatch.h"
#include "output/dbus.h"
#include "output/dbusmsg.h"
#include "output/outputs.h"
#include "session/mailbox.h"
#include "session/mailresult.h"
#include "util/utf8.h"

/* The a{ss} of a change: each type whose state is a string. */
static int
dbusmsg_append_changed(sd_bus_message *m, struct json_object *changed)
{
	int r;

	if ((r = sd_bus_message_open_container(m, 'a', "{ss}")) < 0)
		return r;
	if (changed != NULL && json_object_is_type(changed, json_type_object)) {
		json_object_object_foreach(changed, type, state) {
			if (!json_object_is_type(state, json_type_string))
				continue;
			if ((r = sd_bus_message_append(m, "{ss}", type,
			    json_object_get_string(state))) < 0)
				return r;
		}
	}
	return sd_bus_message_close_container(m);
}

int
dbusmsg_state(sd_bus *bus, const struct push_event *ev, sd_bus_message **m)
{
	int r;

	*m = NULL;
	if ((r = sd_bus_message_new_signal(bus, m, DBUS_PATH, DBUS_IFACE,
	    "StateChanged")) < 0 ||
	    (r = sd_bus_message_append(*m, "ss", ev->account,
	    ev->account_id)) < 0 ||
	    (r = dbusmsg_append_changed(*m, ev->changed)) < 0 ||
	    (r = sd_bus_message_append(*m, "ss", ev->push_state != NULL ?
	    ev->push_state : "", ev->reason)) < 0) {
		*m = sd_bus_message_unref(*m);
		return r;
	}
	return 0;
}

int
dbusmsg_connection(sd_bus *bus, const char *account, const char *status,
    const char *error, sd_bus_message **m)
{
	char *fixed;
	int r;

	*m = NULL;
	fixed = utf8_sanitize(error != NULL ? error : "",
	    error != NULL ? strlen(error) : 0, NULL);
	if ((r = sd_bus_message_new_signal(bus, m, DBUS_PATH, DBUS_IFACE,
	    "ConnectionChanged")) < 0 ||
	    (r = sd_bus_message_append(*m, "sss", account, status, fixed)) < 0)
		*m = sd_bus_message_unref(*m);
	free(fixed);
	return r < 0 ? r : 0;
}

/* A count for a "u": JMAP counts are below 2^53, D-Bus's below 2^32. */
static uint32_t
dbusmsg_count(int64_t n)
{
	return n < 0 ? 0 : n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* The mailbox in path order position i of c. */
static const struct mailbox *
dbusmsg_by_path(const struct mailbox_cache *c, size_t i)
{
	return &c->v[c->by_path != NULL ? c->by_path[i] : i];
}

int
dbusmsg_mailboxes_changed(sd_bus *bus, const char *account,
    const char *account_id, const struct mailresult *r,
    const struct mailbox_cache *cache, sd_bus_message **m)
{
	size_t n = 0;
	int ret;

	*m = NULL;
	for (size_t i = 0; i < r->nboxes; i++)
		n += r->boxes[i].props_changed;
	if (n == 0 && !r->list_changed)
		return 0;
	if ((ret = sd_bus_message_new_signal(bus, m, DBUS_PATH, DBUS_IFACE,
	    "MailboxesChanged")) < 0 ||
	    (ret = sd_bus_message_append(*m, "ss", account, account_id)) < 0 ||
	    (ret = sd_bus_message_open_container(*m, 'a', "(sssuu)")) < 0)
		goto fail;
	if (r->list_changed)
		for (size_t i = 0; i < cache->n; i++) {
			const struct mailbox *b = dbusmsg_by_path(cache, i);

			if ((ret = sd_bus_message_append(*m, "(sssuu)", b->id,
			    b->path, b->role != NULL ? b->role : "",
			    dbusmsg_count(b->unread),
			    dbusmsg_count(b->total))) < 0)
				goto fail;
		}
	else
		for (size_t i = 0; i < r->nboxes; i++) {
			const struct mailresult_box *b = &r->boxes[i];

			if (b->props_changed && (ret = sd_bus_message_append(
			    *m, "(sssuu)", b->id, b->path, b->role != NULL ?
			    b->role : "", dbusmsg_count(b->unread),
			    dbusmsg_count(b->total))) < 0)
				goto fail;
		}
	if ((ret = sd_bus_message_close_container(*m)) < 0)
		goto fail;
	return 0;
fail:
	*m = sd_bus_message_unref(*m);
	return ret;
}

int64_t
dbusmsg_unix_time(const char *s)
{
	struct tm tm;
	const char *p;
	int off = 0, n = 0, oh, om;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
	    &n) != 6 || n != 19)
		return 0;
	p = s + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		off = 0;
	else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d%n", &oh,
	    &om, &n) == 2 && n == 5 && p[6] == '\0')
		off = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	else
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return 0;
	return (int64_t)t - off;
}

int
dbusmsg_new_mail(sd_bus *bus, const char *account, const char *account_id,
    const struct mailresult *r, const struct mailbox_cache *cache,
    sd_bus_message **m)
{
	struct mailresult f;
	int ret = 0;

	*m = NULL;
	mailresult_filter(r, cache, NULL, MAILMATCH_NEW, NULL, &f);
	if (f.nnews == 0)
		goto out;
	if ((ret = sd_bus_message_new_signal(bus, m, DBUS_PATH, DBUS_IFACE,
	    "NewMail")) < 0 ||
	    (ret = sd_bus_message_append(*m, "ss", account, account_id)) < 0 ||
	    (ret = sd_bus_message_open_container(*m, 'a', "(ssssssx)")) < 0)
		goto fail;
	for (size_t i = 0; i < f.nnews; i++) {
		const struct mailresult_new *e = &f.news[i];
		const struct mailresult_addr *a = e->nfrom > 0 ? &e->from[0] :
		    NULL;

		if ((ret = sd_bus_message_append(*m, "(ssssssx)", e->id,
		    e->mailbox != NULL ? e->mailbox : "",
		    a != NULL && a->name != NULL ? a->name : "",
		    a != NULL && a->email != NULL ? a->email : "",
		    e->subject != NULL ? e->subject : "",
		    e->thread_id != NULL ? e->thread_id : "",
		    dbusmsg_unix_time(e->received_at))) < 0)
			goto fail;
	}
	if ((ret = sd_bus_message_close_container(*m)) < 0)
		goto fail;
	goto out;
fail:
	*m = sd_bus_message_unref(*m);
out:
	mailresult_clear(&f);
	return ret < 0 ? ret : 0;
}

int
dbusmsg_append_mailboxes(sd_bus_message *m, const char *account_id,
    const struct mailbox_cache *cache)
{
	int r;

	for (size_t i = 0; i < cache->n; i++) {
		const struct mailbox *b = dbusmsg_by_path(cache, i);

		if ((r = sd_bus_message_append(m, "(ssssuu)", account_id,
		    b->id, b->path, b->role != NULL ? b->role : "",
		    dbusmsg_count(b->unread), dbusmsg_count(b->total))) < 0)
			return r;
	}
	return 0;
}
