/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "config/config.h"
#include "session/account-int.h"
#include "session/mailbox.h"
#include "session/mailresult.h"
#include "session/mailsync.h"
#include "session/mailview.h"
#include "session/session.h"
#include "state/store.h"
#include "transport/net.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Each request of a round (one, or one per page when the server pages)
 * may take as long as the state comparison. */
#define MAILSYNC_TIMEOUT_MS	30000

struct mailsync_view {
	struct mailsync *ms;
	char *account_id;
	struct mailview *view;
	bool busy;		/* a round is in flight */
	bool again;		/* a change came meanwhile: one more round */
	bool push;		/* the next round follows a push (else a
				 * resync or the catch-up) */
	bool round_push;	/* push, as it was when the round (its
				 * first page) was sent: its reason */
	bool failed;		/* a failure was logged: repeats are debug
				 * until a round succeeds */
	/* The pages of one round (hasMoreChanges) merged, delivered as one
	 * event once the last page is in, so that outputs see one round. */
	struct mailresult pages;
	bool paging;
};

struct mailsync {
	struct account *a;
	struct mailsync_view **v;	/* in the order first used */
	size_t n;
	bool wanted;
};

static void mailsync_round(struct mailsync_view *);

struct mailsync *
mailsync_new(struct account *a)
{
	struct mailsync *ms = xcalloc(1, sizeof(*ms));

	ms->a = a;
	return ms;
}

void
mailsync_free(struct mailsync *ms)
{
	if (ms == NULL)
		return;
	for (size_t i = 0; i < ms->n; i++) {
		mailresult_clear(&ms->v[i]->pages);
		mailview_free(ms->v[i]->view);
		free(ms->v[i]->account_id);
		free(ms->v[i]);
	}
	free(ms->v);
	free(ms);
}

/* The view of account_id, made and restored from the store on first use:
 * a restart goes on from the states saved there. */
static struct mailsync_view *
mailsync_view(struct mailsync *ms, const char *account_id)
{
	struct mailsync_view *v;
	struct json_object *saved = NULL;

	for (size_t i = 0; i < ms->n; i++)
		if (strcmp(ms->v[i]->account_id, account_id) == 0)
			return ms->v[i];
	v = xcalloc(1, sizeof(*v));
	v->ms = ms;
	v->account_id = xstrdup(account_id);
	v->view = mailview_new();
	if (ms->a->store != NULL)
		saved = store_mail(ms->a->store, account_id);
	if (saved != NULL && mailview_restore(v->view, saved) == -1)
		log_warnx("%s: the saved mail view of %s is unusable; starting "
		    "afresh (mail that arrived meanwhile is not announced)",
		    ms->a->prefix, account_id);
	ms->v = xreallocarray(ms->v, ms->n + 1, sizeof(*ms->v));
	ms->v[ms->n++] = v;
	return v;
}

static bool
mailsync_has_mail(struct mailsync *ms, const char *account_id)
{
	const struct jmap_session *s = &ms->a->session;

	if (!ms->a->have_session)
		return false;
	for (size_t i = 0; i < s->naccounts; i++)
		if (strcmp(s->accounts[i].id, account_id) == 0)
			return s->accounts[i].has_mail;
	return false;
}

/* A failure is said once with what the user can do; it changed nothing,
 * so the next change tries again from the same states. */
static void
mailsync_fail(struct mailsync_view *v, const char *what, const char *error)
{
	struct account *a = v->ms->a;

	if (v->failed) {
		log_debug("%s: mail view of %s: %s: %s", a->prefix,
		    v->account_id, what, error);
		return;
	}
	v->failed = true;
	log_warnx("%s: mail view of %s: %s: %s; mail-aware hooks, "
	    "notifications and mailbox counts wait for the next change, which "
	    "tries again (check the server's Mailbox and Email support)",
	    a->prefix, v->account_id, what, error);
}

/* The outputs have the round first, then the store records the view:
 * the hook runs it owes reach the same save. */
static void
mailsync_deliver(struct mailsync_view *v, const struct mailresult *r)
{
	struct account *a = v->ms->a;
	struct mail_event ev;

	log_debug("%s: mail view of %s: round done, %zu mailbox(es) with "
	    "events or new counts, %" PRIu64 " new email(s)", a->prefix,
	    v->account_id, r->nboxes, r->new_count);
	if (a->cbs.mail != NULL) {
		memset(&ev, 0, sizeof(ev));
		ev.account = a->cfg->name;
		ev.account_id = v->account_id;
		ev.result = r;
		ev.cache = mailview_cache(v->view);
		ev.reason = v->round_push ? "push" : "resync";
		ev.primary = account_is_primary_mail(a, v->account_id);
		a->cbs.mail(a, &ev, a->arg);
	}
	if (a->store != NULL) {
		store_set_mail(a->store, v->account_id,
		    mailview_save(v->view));
		store_save_later(a->store, net_base(a->net));
	}
}

/*
 * Merges the page src into dst (v->pages).  New emails beyond
 * MAILRESULT_NEW_MAX stay counted: each as grown in the first mailbox (in
 * path order) it is new in, as emails the view did not fetch are, so that
 * mailresult_filter() still counts them.
 */
static void
mailsync_merge_page(struct mailresult *dst, const struct mailresult *src)
{
	size_t room = MAILRESULT_NEW_MAX - dst->nnews;

	mailresult_merge(dst, src);
	for (size_t i = room; i < src->nnews; i++) {
		const struct mailresult_new *n = &src->news[i];

		for (size_t k = 0; k < dst->nboxes; k++) {
			size_t j;

			for (j = 0; j < n->nbox_ids; j++)
				if (strcmp(n->box_ids[j], dst->boxes[k].id) ==
				    0)
					break;
			if (j < n->nbox_ids) {
				dst->boxes[k].unfetched++;
				break;
			}
		}
	}
}

/* A page's updated and destroyed emails join the pages' (moved: src has
 * none after). */
static void
mailsync_take_touched(struct mailresult *dst, struct mailresult *src)
{
	if (src->ntouched == 0)
		return;
	dst->touched = xreallocarray(dst->touched, dst->ntouched +
	    src->ntouched, sizeof(*dst->touched));
	memcpy(dst->touched + dst->ntouched, src->touched,
	    src->ntouched * sizeof(*src->touched));
	dst->ntouched += src->ntouched;
	free(src->touched);
	src->touched = NULL;
	src->ntouched = 0;
}

/* The pages merged so far, if any, go out as the round's event. */
static void
mailsync_flush(struct mailsync_view *v)
{
	if (!v->paging)
		return;
	v->paging = false;
	mailsync_deliver(v, &v->pages);
	mailresult_clear(&v->pages);
}

static void
mailsync_done(struct json_object *responses, enum request_error why,
    const char *error, void *arg)
{
	struct mailsync_view *v = arg;
	struct mailresult r;
	enum mailview_status st;
	bool more = false;
	char err[256];

	v->busy = false;
	if (why != REQUEST_OK) {
		/* The pages in already moved the view on. */
		mailsync_flush(v);
		/* A closed connection is no failure of the view: the next
		 * one starts a round (mailsync_round() waits for it). */
		if (why != REQUEST_CLOSED && why != REQUEST_SHUTDOWN)
			mailsync_fail(v, "the request failed", error);
	} else {
		memset(&r, 0, sizeof(r));
		err[0] = '\0';
		st = mailview_parse(v->view, responses, &r, &more, err,
		    sizeof(err));
		/* A failure or a reload ends the pages: what they found goes
		 * out. */
		if (st != MAILVIEW_OK)
			mailsync_flush(v);
		switch (st) {
		case MAILVIEW_OK:
			v->failed = false;
			if (more) {
				mailsync_merge_page(&v->pages, &r);
				mailsync_take_touched(&v->pages, &r);
				v->paging = true;
			} else if (v->paging) {
				mailsync_merge_page(&v->pages, &r);
				mailsync_take_touched(&v->pages, &r);
				mailsync_flush(v);
			} else
				mailsync_deliver(v, &r);
			break;
		case MAILVIEW_RELOAD:
			log_info("%s: mail view of %s: the server cannot tell "
			    "what changed since the saved state (%s); "
			    "reloading the mailboxes, without new-mail events "
			    "for the gap", v->ms->a->prefix, v->account_id,
			    err);
			break;
		case MAILVIEW_ERROR:
		case MAILVIEW_MALFORMED:
			/* The fallback without #properties goes on at once. */
			if (more)
				log_debug("%s: mail view of %s: %s; asking "
				    "again", v->ms->a->prefix, v->account_id,
				    err);
			else
				mailsync_fail(v, st == MAILVIEW_ERROR ?
				    "the server refused a method" :
				    "the server's answer is malformed", err);
			break;
		}
		mailresult_clear(&r);
	}
	if (more || v->again) {
		v->again = false;
		mailsync_round(v);
	}
}

/* Starts a round unless the view is unwanted (nothing is asked then; the
 * next wanted round goes on from the saved states), one is in flight
 * (one more follows it) or the account is not connected (the next
 * connection starts one). */
static void
mailsync_round(struct mailsync_view *v)
{
	struct account *a = v->ms->a;
	struct json_object *using, *calls;

	if (!v->ms->wanted || a->state != ACCOUNT_S_CONNECTED)
		return;
	if (v->busy) {
		v->again = true;
		return;
	}
	if (!v->paging)
		v->round_push = v->push;
	mailview_request(v->view, v->account_id, &using, &calls);
	if (account_request(a, using, calls, MAILSYNC_TIMEOUT_MS,
	    mailsync_done, v) == -1)
		log_warnx("%s: mail view of %s: cannot send the request; the "
		    "next change tries again", a->prefix, v->account_id);
	else
		v->busy = true;
	json_object_put(using);
	json_object_put(calls);
}

/* Every JMAP account with mail, to catch up from the saved states. */
static void
mailsync_round_all(struct mailsync *ms)
{
	const struct jmap_session *s = &ms->a->session;
	struct mailsync_view *v;

	if (!ms->wanted || !ms->a->have_session)
		return;
	for (size_t i = 0; i < s->naccounts; i++) {
		if (!s->accounts[i].has_mail)
			continue;
		v = mailsync_view(ms, s->accounts[i].id);
		v->push = false;
		mailsync_round(v);
	}
}

void
mailsync_set_wanted(struct mailsync *ms, bool wanted)
{
	if (ms->wanted == wanted)
		return;
	ms->wanted = wanted;
	log_debug("%s: the mail view is %s", ms->a->prefix, wanted ?
	    "wanted" : "not wanted");
	mailsync_round_all(ms);
}

void
mailsync_connected(struct mailsync *ms)
{
	mailsync_round_all(ms);
}

void
mailsync_changed(struct mailsync *ms, const char *account_id,
    struct json_object *types, const char *reason)
{
	struct mailsync_view *v;

	if (!ms->wanted || !mailsync_has_mail(ms, account_id))
		return;
	if (!json_object_object_get_ex(types, "Email", NULL) &&
	    !json_object_object_get_ex(types, "Mailbox", NULL) &&
	    !json_object_object_get_ex(types, "EmailDelivery", NULL))
		return;
	v = mailsync_view(ms, account_id);
	v->push = strcmp(reason, "push") == 0;
	mailsync_round(v);
}

void
mailsync_foreach(struct mailsync *ms,
    void (*fn)(const char *account_id, const struct mailbox_cache *,
    void *arg), void *arg)
{
	const struct jmap_session *s = &ms->a->session;
	const struct mailbox_cache *c;

	/* What was saved counts as known before the first round. */
	for (size_t i = 0; ms->a->have_session && i < s->naccounts; i++)
		if (s->accounts[i].has_mail)
			(void)mailsync_view(ms, s->accounts[i].id);
	for (size_t i = 0; i < ms->n; i++) {
		c = mailview_cache(ms->v[i]->view);
		if (c->state != NULL || c->n > 0)
			fn(ms->v[i]->account_id, c, arg);
	}
}
