/* SPDX-License-Identifier: ISC */
/*
 * The hook runs owed, in the accounts' stores: what each hook still owes an
 * account is written whenever it changes, and read back once per account
 * and process, so that a stop or a crash loses no run (issue 12).
 */
#include "autoconf.h"

#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "config/config.h"
#include "output/hook-int.h"
#include "output/hookenv.h"
#include "output/hookmail.h"
#include "session/mailresult.h"
#include "state/store.h"
#include "util/log.h"
#include "util/namemap.h"
#include "util/xmalloc.h"

/* Merges b into run, the store's form of a run: b's states, pushState and
 * reason win, as a later change wins in a batch. */
static void
hookowed_merge_run(struct json_object *run, const struct hook_batch *b)
{
	struct json_object *changed;

	json_object_object_get_ex(run, "changed", &changed);
	json_object_object_foreach(b->changed, type, state)
		json_object_object_add(changed, type, json_object_get(state));
	if (b->push_state != NULL)
		json_object_object_add(run, "pushState",
		    json_object_new_string(b->push_state));
	json_object_object_add(run, "reason",
	    json_object_new_string(b->reason));
}

/* What a run owes of mail, per mailbox (per_mailbox) or in one. */
struct hookowed_mail {
	const char *box_id;		/* borrowed from a batch */
	struct mailresult mail;
};

/* Adds b (may be NULL or of another account) to the run being persisted:
 * its types into run (made on first use), its mail into *owed. */
static void
hookowed_add(struct json_object **run, struct hookowed_mail **owed,
    size_t *nowed, const struct hook_batch *b, const char *account,
    const char *account_id)
{
	size_t k;

	if (!hook_batch_is(b, account, account_id))
		return;
	if (*run == NULL) {
		*run = json_object_new_object();
		json_object_object_add(*run, "changed",
		    json_object_new_object());
	}
	hookowed_merge_run(*run, b);
	if (!b->has_mail)
		return;
	for (k = 0; k < *nowed; k++)
		if (hook_str_eq((*owed)[k].box_id, b->box_id))
			break;
	if (k == *nowed) {
		*owed = xreallocarray(*owed, *nowed + 1, sizeof(**owed));
		memset(&(*owed)[k], 0, sizeof(**owed));
		(*owed)[k].box_id = b->box_id;
		(*nowed)++;
	}
	mailresult_merge(&(*owed)[k].mail, &b->mail);
}

/*
 * Writes into the account's store what h still owes (account, account_id):
 * the running run and the batches waiting, merged as a batch merges (mail
 * data under "mail", one entry per mailbox with per_mailbox), or nothing.
 * A running run counts until it ends: a crash meanwhile runs it again
 * after the restart rather than lose it.  on_start runs (no accountId) are
 * not kept: the next start makes its own.
 */
void
hookowed_persist(struct hook_rt *h, const char *account, const char *account_id)
{
	struct hooks *hs = h->hs;
	struct hook_batch *b;
	struct json_object *run = NULL, *mail;
	struct hookowed_mail *owed = NULL;
	size_t nowed = 0;
	struct store *st;

	if (account_id == NULL || hs->store_of == NULL ||
	    (st = hs->store_of(account, hs->store_arg)) == NULL)
		return;
	hookowed_add(&run, &owed, &nowed, h->run, account, account_id);
	TAILQ_FOREACH(b, &h->batches, entry)
		hookowed_add(&run, &owed, &nowed, b, account, account_id);
	if (nowed > 0) {
		mail = json_object_new_array();
		for (size_t k = 0; k < nowed; k++) {
			json_object_array_add(mail,
			    hookmail_save(&owed[k].mail));
			mailresult_clear(&owed[k].mail);
		}
		json_object_object_add(run, "mail", mail);
	}
	free(owed);
	store_set_pending(st, h->cfg->name, account_id, run);
	store_save_later(st, hs->base);
}

/* Queues again the mail part of a kept run (mail: its "mail" array, may
 * be NULL), for a hook that is still mail-aware. */
static void
hookowed_restore_mail(struct hook_rt *h, const char *account,
    const char *account_id, struct json_object *mail, const char *reason)
{
	struct mailresult r;
	const char *box_id;

	if (!h->cfg->mail_aware || !json_object_is_type(mail,
	    json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(mail); i++) {
		if (hookmail_restore(json_object_array_get_idx(mail, i),
		    &r) == -1) {
			log_warnx("hook %s: account %s: the mail data of the "
			    "run owed for %s is damaged; dropping it",
			    h->cfg->name, account, account_id);
			continue;
		}
		box_id = h->cfg->per_mailbox && r.nboxes == 1 ?
		    r.boxes[0].id : NULL;
		hook_add_mail(h, account, account_id, box_id, &r, reason);
		mailresult_clear(&r);
	}
}

/* Queues again one run kept in a store (debounced anew), unless its hook
 * is gone or no longer matches: that is logged and the run dropped. */
static void
hookowed_restore(struct hooks *hs, const char *account, const char *name,
    const char *account_id, struct json_object *run)
{
	struct json_object *changed, *v, *mail = NULL;
	struct push_event ev = {
		.account = account, .account_id = account_id,
	};
	struct hook_rt *h;
	bool plain;

	json_object_object_get_ex(run, "changed", &changed);
	ev.changed = changed;
	if (json_object_object_get_ex(run, "pushState", &v))
		ev.push_state = json_object_get_string(v);
	json_object_object_get_ex(run, "reason", &v);
	ev.reason = json_object_get_string(v);
	json_object_object_get_ex(run, "mail", &mail);
	TAILQ_FOREACH(h, &hs->live, entry)
		if (strcmp(h->cfg->name, name) == 0)
			break;
	plain = h != NULL && hookenv_matches(h->cfg, &ev);
	if (h == NULL || (!plain && (!h->cfg->mail_aware || mail == NULL))) {
		log_info("hook %s: account %s: dropping the run owed for %s "
		    "from before the restart: the hook %s", name, account,
		    account_id, h == NULL ? "is no longer configured" :
		    "no longer matches these changes");
		return;
	}
	log_info("hook %s: account %s: queueing again the run owed for %s "
	    "from before the restart (%s)", name, account, account_id,
	    ev.reason);
	if (plain)
		hook_add(h, &ev);
	hookowed_restore_mail(h, account, account_id, mail, ev.reason);
}

/* hook_attach(): the runs of account's store queued again the first time,
 * then the store made to hold what memory holds. */
void
hookowed_attach(struct hooks *hs, const char *account)
{
	struct json_object *pending = NULL;
	struct hook_rts *lists[] = { &hs->live, &hs->removed };
	struct hook_batch *b;
	struct hook_rt *h;
	struct store *st;
	bool seen = false;

	if (hs->store_of == NULL ||
	    (st = hs->store_of(account, hs->store_arg)) == NULL)
		return;
	seen = namemap_get(hs->attached_map, account) != NULL;
	/* After a reload reopened the store, memory is the truth: runs that
	 * ended while no store was open must not come back. */
	pending = store_take_pending(st);
	if (pending != NULL && json_object_object_length(pending) > 0)
		store_save_later(st, hs->base);
	if (!seen) {
		hs->attached = xreallocarray(hs->attached, hs->nattached + 1,
		    sizeof(*hs->attached));
		hs->attached[hs->nattached] = xstrdup(account);
		namemap_put(hs->attached_map, hs->attached[hs->nattached],
		    hs->attached[hs->nattached]);
		hs->nattached++;
	}
	if (!seen && pending != NULL) {
		json_object_object_foreach(pending, name, runs) {
			json_object_object_foreach(runs, id, run)
				hookowed_restore(hs, account, name, id, run);
		}
	}
	json_object_put(pending);
	for (size_t i = 0; i < 2; i++) {
		TAILQ_FOREACH(h, lists[i], entry) {
			if (h->run != NULL && strcmp(h->run->account,
			    account) == 0)
				hookowed_persist(h, account, h->run->account_id);
			TAILQ_FOREACH(b, &h->batches, entry)
				if (strcmp(b->account, account) == 0)
					hookowed_persist(h, account,
					    b->account_id);
		}
	}
}
