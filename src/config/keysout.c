/* SPDX-License-Identifier: ISC */
/*
 * The keys of the local outputs: [hook NAME] (command or exec, filters,
 * debounce, the mail-aware keys) and [notify].  See keys.c.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "config/config-int.h"
#include "config/config.h"
#include "config/mailmatch.h"
#include "config/values.h"
#include "util/xmalloc.h"

/* The mail-aware keys: mailboxes =, events = (mailmatch's syntax and
 * messages) and per_mailbox =, which needs one of them. */
static void
keysout_hook_mail(struct parser *p, struct config_hook *h,
    const struct section *s, struct keyset *ks)
{
	enum mailmatch_error	 e;
	char			 err[256];

	h->events = MAILMATCH_ALL_EVENTS;
	h->mail_aware = ks->val[K_MAILBOXES] != NULL ||
	    ks->val[K_EVENTS] != NULL;
	if (ks->val[K_MAILBOXES] != NULL &&
	    mailmatch_parse(ks->val[K_MAILBOXES], &h->mailboxes, &e, err,
	    sizeof(err)) == -1)
		parser_error(p, ks->line[K_MAILBOXES], "%s: %s", s->label, err);
	if (ks->val[K_EVENTS] != NULL &&
	    mailmatch_events(ks->val[K_EVENTS], &h->events, &e, err,
	    sizeof(err)) == -1)
		parser_error(p, ks->line[K_EVENTS], "%s: %s", s->label, err);
	keys_bool(p, ks, K_PER_MAILBOX, &h->per_mailbox);
	if (h->per_mailbox && !h->mail_aware)
		parser_error(p, ks->line[K_PER_MAILBOX], "%s has per_mailbox "
		    "but neither mailboxes nor events: add mailboxes = (such "
		    "as inbox, Work/*) or events = new changed deleted",
		    s->label);
}

void
keysout_hook(struct parser *p, struct config *cfg, const struct section *s)
{
	struct config_hook	*h;
	struct keyset		 ks;
	int			 line;

	keys_fill(p, s, &ks);
	h = xcalloc(1, sizeof(*h));
	h->name = xstrdup(s->name);
	h->file = xstrdup(p->file);
	h->line = s->line;
	TAILQ_INSERT_TAIL(&cfg->hooks, h, entry);

	h->debounce_ms = 1000;
	h->max_delay_ms = 30 * 1000;
	h->timeout_ms = 10 * 60 * 1000;
	if (ks.line[K_COMMAND] != 0 && ks.line[K_EXEC] != 0)
		parser_error(p, ks.line[K_COMMAND] > ks.line[K_EXEC] ?
		    ks.line[K_COMMAND] : ks.line[K_EXEC], "%s has both command "
		    "and exec: keep only one", s->label);
	else if (ks.val[K_COMMAND] != NULL)
		h->command = xstrdup(ks.val[K_COMMAND]);
	else if (ks.val[K_EXEC] != NULL) {
		char err[128];

		if (value_split_argv(ks.val[K_EXEC], &h->argv, err,
		    sizeof(err)) == -1)
			parser_error(p, ks.line[K_EXEC], "invalid exec: %s",
			    err);
	} else if (ks.line[K_COMMAND] == 0 && ks.line[K_EXEC] == 0)
		parser_error(p, s->line, "%s needs command = (a shell command "
		    "to run on changes) or exec = (a program and its "
		    "arguments, run without a shell)", s->label);
	keys_duration(p, &ks, K_DEBOUNCE, &h->debounce_ms);
	keys_duration(p, &ks, K_MAX_DELAY, &h->max_delay_ms);
	keys_duration(p, &ks, K_TIMEOUT, &h->timeout_ms);
	keys_bool(p, &ks, K_ON_START, &h->on_start);
	if (h->max_delay_ms < h->debounce_ms &&
	    (line = keys_pair_line(&ks, K_DEBOUNCE, K_MAX_DELAY)) != 0)
		parser_error(p, line, "%s: max_delay is shorter than "
		    "debounce: raise max_delay or lower debounce", s->label);
	if (ks.val[K_ACCOUNT] != NULL) {
		h->account = xstrdup(ks.val[K_ACCOUNT]);
		keys_check_account(p, cfg, s, ks.line[K_ACCOUNT], h->account);
	}
	if (ks.val[K_TYPES] != NULL)
		keys_types(p, ks.line[K_TYPES], ks.val[K_TYPES], &h->types,
		    &h->ntypes);
	keysout_hook_mail(p, h, s, &ks);
}

void
keysout_notify_defaults(struct config_notify *n)
{
	n->enabled = false;
	n->mailboxes = xreallocarray(NULL, 1, sizeof(*n->mailboxes));
	n->mailboxes[0] = xstrdup("inbox");
	n->nmailboxes = 1;
	n->max_per_burst = 3;
	n->urgency = URGENCY_NORMAL;
	n->timeout_ms = -1;
}

/* actions = open, mark-read, archive, trash (each once; open only with
 * something to open), else the default. */
static void
keysout_notify_actions(struct parser *p, struct config_notify *n,
    const struct keyset *ks)
{
	static const char *const names[] = {
		[NOTIFY_ACTION_OPEN] = "open",
		[NOTIFY_ACTION_MARK_READ] = "mark-read",
		[NOTIFY_ACTION_ARCHIVE] = "archive",
		[NOTIFY_ACTION_TRASH] = "trash",
	};
	bool	 open = n->open_command != NULL || n->open_argv != NULL;
	bool	 seen[NOTIFY_ACTION_COUNT] = { false };
	char	**items;
	size_t	 count, i, k;

	n->nactions = 0;
	if (ks->val[K_ACTIONS] == NULL) {
		if (open)
			n->actions[n->nactions++] = NOTIFY_ACTION_OPEN;
		n->actions[n->nactions++] = NOTIFY_ACTION_MARK_READ;
		return;
	}
	count = value_split_list(ks->val[K_ACTIONS], " \t,", &items);
	for (i = 0; i < count; i++) {
		if ((k = value_find(items[i], names, NOTIFY_ACTION_COUNT)) ==
		    NOTIFY_ACTION_COUNT)
			parser_error(p, ks->line[K_ACTIONS], "unknown action "
			    "'%s' in [notify]: use open, mark-read, archive or "
			    "trash", items[i]);
		else if (k == NOTIFY_ACTION_OPEN && !open)
			parser_error(p, ks->line[K_ACTIONS], "the action open "
			    "needs open_command or open_exec in [notify]");
		else if (!seen[k]) {
			seen[k] = true;
			n->actions[n->nactions++] =
			    (enum config_notify_action)k;
		}
	}
	value_list_free(items, count);
}

void
keysout_notify(struct parser *p, struct config *cfg, const struct section *s)
{
	static const char *const urgencies[] = {
		[URGENCY_LOW] = "low", [URGENCY_NORMAL] = "normal",
		[URGENCY_CRITICAL] = "critical",
	};
	const size_t		 nurgencies = sizeof(urgencies) /
	    sizeof(urgencies[0]);
	struct config_notify	*n = &cfg->notify;
	struct keyset		 ks;
	const char		*v;
	char			**items;
	const char		*end;
	size_t			 count, i;
	uint64_t		 ms, u;

	keys_fill(p, s, &ks);
	n->enabled = true;
	keys_bool(p, &ks, K_ENABLED, &n->enabled);
	if ((v = ks.val[K_ACCOUNTS]) != NULL) {
		count = value_split_list(v, " \t,", &items);
		for (i = 0; i < count; i++)
			keys_check_account(p, cfg, s, ks.line[K_ACCOUNTS], items[i]);
		n->accounts = items;
		n->naccounts = count;
		if (count == 0)
			parser_error(p, ks.line[K_ACCOUNTS], "accounts lists "
			    "no account: name some, or remove the line");
	}
	if ((v = ks.val[K_MAILBOXES]) != NULL) {
		if ((count = value_split_list(v, ",", &items)) == 0)
			parser_error(p, ks.line[K_MAILBOXES], "mailboxes lists "
			    "no mailbox: name some (roles such as inbox, or "
			    "names), separated by commas");
		else {
			value_list_free(n->mailboxes, n->nmailboxes);
			n->mailboxes = items;
			n->nmailboxes = count;
		}
	}
	if ((v = ks.val[K_MAX_PER_BURST]) != NULL) {
		if ((end = value_digits(v, 100, &u)) == NULL || *end != '\0' ||
		    u < 1)
			parser_error(p, ks.line[K_MAX_PER_BURST], "invalid "
			    "max_per_burst '%s': use a number from 1 to 100",
			    v);
		else
			n->max_per_burst = (unsigned)u;
	}
	if ((v = ks.val[K_URGENCY]) != NULL) {
		if ((i = value_find(v, urgencies, nurgencies)) == nurgencies)
			parser_error(p, ks.line[K_URGENCY], "invalid urgency "
			    "'%s': use low, normal or critical", v);
		else
			n->urgency = (enum config_urgency)i;
	}
	if ((v = ks.val[K_TIMEOUT]) != NULL) {
		if (strcmp(v, "default") == 0)
			n->timeout_ms = -1;
		else if (strcmp(v, "never") == 0)
			n->timeout_ms = 0;
		else if (value_parse_duration(v, &ms) == -1 || ms == 0 ||
		    ms > INT32_MAX)
			parser_error(p, ks.line[K_TIMEOUT], "invalid timeout "
			    "'%s' in [notify]: use default, never or a "
			    "duration such as 10s", v);
		else
			n->timeout_ms = (int32_t)ms;
	}
	if (ks.line[K_OPEN_COMMAND] != 0 && ks.line[K_OPEN_EXEC] != 0)
		parser_error(p, ks.line[K_OPEN_COMMAND] > ks.line[K_OPEN_EXEC] ?
		    ks.line[K_OPEN_COMMAND] : ks.line[K_OPEN_EXEC], "[notify] "
		    "has both open_command and open_exec: keep only one");
	else if (ks.val[K_OPEN_COMMAND] != NULL)
		n->open_command = xstrdup(ks.val[K_OPEN_COMMAND]);
	else if (ks.val[K_OPEN_EXEC] != NULL) {
		char err[128];

		if (value_split_argv(ks.val[K_OPEN_EXEC], &n->open_argv, err,
		    sizeof(err)) == -1)
			parser_error(p, ks.line[K_OPEN_EXEC], "invalid "
			    "open_exec: %s", err);
	}
	keysout_notify_actions(p, n, &ks);
}
