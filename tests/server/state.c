/* SPDX-License-Identifier: ISC */
/*
 * Accounts, their per-type states and the change history behind pushState.
 *
 * A state string is a per-type prefix and a counter ("e3"), a pushState is a
 * global counter ("p7"); every change appends one history entry, which lets
 * a client resume from any pushState the history still covers.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#include "testserver.h"

/* Enough for any test; older entries go and their pushStates become unknown. */
#define HISTORY_MAX	4096

static const struct {
	const char	*name;
	const char	*prefix;
} state_types[TS_NTYPES] = {
	[TS_EMAIL] =		{ "Email", "e" },
	[TS_EMAIL_DELIVERY] =	{ "EmailDelivery", "d" },
	[TS_MAILBOX] =		{ "Mailbox", "m" },
	[TS_THREAD] =		{ "Thread", "t" },
	[TS_IDENTITY] =		{ "Identity", "i" },
	[TS_EMAIL_SUBMISSION] =	{ "EmailSubmission", "s" },
	[TS_VACATION_RESPONSE] = { "VacationResponse", "v" },
};

void
state_init(struct ts_state *st, const char *user, int naccounts)
{
	memset(st, 0, sizeof(*st));
	st->naccounts = naccounts;
	st->accounts = xcalloc(naccounts, sizeof(*st->accounts));
	st->accounts[0].id = xstrdup("u1");
	st->accounts[0].name = xstrdup(user);
	st->accounts[0].personal = true;
	for (int i = 1; i < naccounts; i++) {
		xasprintf(&st->accounts[i].id, "s%d", i + 1);
		xasprintf(&st->accounts[i].name, "shared%d@example.com", i + 1);
	}
}

void
state_free(struct ts_state *st)
{
	for (size_t i = 0; i < st->naccounts; i++) {
		free(st->accounts[i].id);
		free(st->accounts[i].name);
	}
	free(st->accounts);
	free(st->history);
	memset(st, 0, sizeof(*st));
}

int
state_type_parse(const char *name)
{
	for (int i = 0; i < TS_NTYPES; i++)
		if (strcmp(name, state_types[i].name) == 0)
			return i;
	return -1;
}

const char *
state_type_name(int type)
{
	return state_types[type].name;
}

int
state_account_find(const struct ts_state *st, const char *id)
{
	for (size_t i = 0; i < st->naccounts; i++)
		if (strcmp(st->accounts[i].id, id) == 0)
			return (int)i;
	return -1;
}

void
state_string(const struct ts_state *st, size_t account, int type, char *buf,
    size_t size)
{
	snprintf(buf, size, "%s%lu", state_types[type].prefix,
	    st->accounts[account].counter[type]);
}

void
state_push_string(unsigned long push, char *buf, size_t size)
{
	snprintf(buf, size, "p%lu", push);
}

void
state_bump(struct ts_state *st, size_t account, unsigned types)
{
	struct ts_history *h;

	for (int i = 0; i < TS_NTYPES; i++)
		if (types & (1u << i))
			st->accounts[account].counter[i]++;
	st->push++;
	if (st->nhistory == HISTORY_MAX) {
		size_t drop = HISTORY_MAX / 2;

		memmove(st->history, st->history + drop,
		    (st->nhistory - drop) * sizeof(*st->history));
		st->nhistory -= drop;
		/* Resuming from the base means "everything still recorded". */
		st->base = st->history[0].push - 1;
	}
	if (st->history == NULL)
		st->history = xreallocarray(NULL, HISTORY_MAX,
		    sizeof(*st->history));
	h = &st->history[st->nhistory++];
	h->push = st->push;
	h->account = account;
	h->types = types;
}

/*
 * Like a server restarted without its history: the states stay, but no
 * pushState handed out so far can be resumed from. A new pushState is taken
 * so that even the current one is forgotten.
 */
void
state_forget(struct ts_state *st)
{
	st->push++;
	st->base = st->push;
	st->nhistory = 0;
}

/* "p<digits>" without sign, spaces or leading zeros, else -1. */
static int
state_push_parse(const char *s, unsigned long *push)
{
	char *end;

	if (s[0] != 'p' || s[1] < '0' || s[1] > '9' ||
	    (s[1] == '0' && s[2] != '\0'))
		return -1;
	errno = 0;
	*push = strtoul(s + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

/*
 * Fills masks[account] with the types changed after pushState `push`.
 * Returns -1 when that pushState is unknown (never issued, or forgotten).
 */
int
state_since(const struct ts_state *st, const char *push, unsigned *masks)
{
	unsigned long from;

	if (state_push_parse(push, &from) == -1 || from < st->base ||
	    from > st->push)
		return -1;
	memset(masks, 0, st->naccounts * sizeof(*masks));
	for (size_t i = 0; i < st->nhistory; i++)
		if (st->history[i].push > from)
			masks[st->history[i].account] |= st->history[i].types;
	return 0;
}

static struct json_object *
state_account_json(const struct ts_state *st, size_t account, unsigned types)
{
	struct json_object *obj = json_object_new_object();
	char buf[32];

	for (int i = 0; i < TS_NTYPES; i++) {
		if (!(types & (1u << i)))
			continue;
		state_string(st, account, i, buf, sizeof(buf));
		json_object_object_add(obj, state_types[i].name,
		    json_object_new_string(buf));
	}
	return obj;
}

/* {"u1": {"Email": "e3", ...}, ...}: every state of every account. */
struct json_object *
state_states_json(const struct ts_state *st)
{
	struct json_object *obj = json_object_new_object();

	for (size_t i = 0; i < st->naccounts; i++)
		json_object_object_add(obj, st->accounts[i].id,
		    state_account_json(st, i, TS_ALL_TYPES));
	return obj;
}

/*
 * A StateChange with the current state of the types in masks[account], and
 * the current pushState; NULL when the masks select nothing.
 */
struct json_object *
state_change_json(const struct ts_state *st, const unsigned *masks)
{
	struct json_object *msg, *changed;
	char buf[32];
	bool any = false;

	changed = json_object_new_object();
	for (size_t i = 0; i < st->naccounts; i++) {
		if (masks[i] == 0)
			continue;
		json_object_object_add(changed, st->accounts[i].id,
		    state_account_json(st, i, masks[i]));
		any = true;
	}
	if (!any) {
		json_object_put(changed);
		return NULL;
	}
	msg = json_object_new_object();
	json_object_object_add(msg, "@type",
	    json_object_new_string("StateChange"));
	json_object_object_add(msg, "changed", changed);
	state_push_string(st->push, buf, sizeof(buf));
	json_object_object_add(msg, "pushState", json_object_new_string(buf));
	return msg;
}
