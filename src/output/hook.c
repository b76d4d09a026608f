/* SPDX-License-Identifier: ISC */
/*
 * Hook runs: changes and mail rounds merged into batches per (hook,
 * account, accountId), debounced, one run of a hook at a time.  What a
 * run gets is hookenv.c's; what is owed is kept by hookowed.c.
 */
#include "autoconf.h"

#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "config/config.h"
#include "output/hook-int.h"
#include "output/hook.h"
#include "output/hookenv.h"
#include "session/mailresult.h"
#include "state/store.h"
#include "util/json.h"
#include "util/log.h"
#include "util/namemap.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/timeutil.h"
#include "util/utf8.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

extern char **environ;

/* What a server's changes may queue for one hook, so that memory stays
 * bounded while a slow hook runs: runs waiting (one per accountId), types
 * in each, bytes of a type name and its state.  Beyond them changes are
 * dropped, with a warning. */
#define HOOK_MAX_BATCHES	100
#define HOOK_MAX_TYPES		100
#define HOOK_MAX_ENTRY		1024

static void
hook_batch_free(struct hook_batch *b)
{
	event_free(b->timer);
	free(b->account);
	free(b->account_id);
	free(b->box_id);
	mailresult_clear(&b->mail);
	json_object_put(b->changed);
	free(b->push_state);
	free(b->reason);
	free(b);
}

static void
hook_rt_free(struct hook_rt *h)
{
	struct hook_batch *b;

	while ((b = TAILQ_FIRST(&h->batches)) != NULL) {
		TAILQ_REMOVE(&h->batches, b, entry);
		hook_batch_free(b);
	}
	if (h->run != NULL)
		hook_batch_free(h->run);
	config_unref(h->config);
	free(h);
}


static void hook_kick(struct hook_rt *);

static void
hook_done(struct proc *p, int wstatus, bool timed_out, const char *out,
    size_t outlen, void *arg)
{
	struct hook_rt *h = arg;
	struct hook_batch *r = h->run;

	h->running = NULL;
	h->run = NULL;
	/* Ended, whatever its status: done.  Cut short by the stop: still
	 * owed, and the store keeps it. */
	if (r != NULL && !(h->hs->stopping && WIFSIGNALED(wstatus)))
		hookowed_persist(h, r->account, r->account_id);
	if (r != NULL)
		hook_batch_free(r);
	if (h->removed) {
		TAILQ_REMOVE(&h->hs->removed, h, entry);
		hook_rt_free(h);
		return;
	}
	/* A failed run is not repeated: the next change runs it again. */
	hook_kick(h);
}

static void
hook_run(struct hook_rt *h, struct hook_batch *b)
{
	const struct config_hook *c = h->cfg;
	char *shargv[] = { "/bin/sh", "-c", c->command, NULL };
	struct push_event ev = {
		.account = b->account, .account_id = b->account_id,
		.changed = b->changed, .push_state = b->push_state,
		.reason = b->reason,
	};
	struct proc_spec spec = { 0 };
	char **argv = NULL, *prog = NULL, *name, *in;
	char **env;

	h->overflow_logged = false;
	xasprintf(&name, "hook %s", c->name);
	if (c->argv != NULL) {
		if ((prog = hookenv_find_program(c->argv[0])) == NULL) {
			log_warnx("%s: program %s not found in PATH: write its "
			    "full path in exec =", name, c->argv[0]);
			free(name);
			hookowed_persist(h, b->account, b->account_id);
			hook_batch_free(b);
			return;
		}
		argv = strv_dup(c->argv);
		free(argv[0]);
		argv[0] = prog;
	}
	env = hookenv_build(c, &ev, environ);
	if (b->has_mail) {
		env = hookenv_mail(c->name, env, &b->mail);
		in = hookenv_mail_stdin(c, &ev, &b->mail);
	} else
		in = hookenv_stdin(c, &ev);
	spec.name = name;
	spec.argv = argv != NULL ? argv : shargv;
	spec.envp = env;
	spec.stdin_data = in;
	spec.stdin_len = strlen(in);
	spec.timeout_ms = c->timeout_ms;
	spec.done = hook_done;
	spec.arg = h;
	log_debug("%s: running for account %s (%s, %u change%s)", name,
	    b->account, b->reason, b->nchanges, b->nchanges == 1 ? "" : "s");
	/* A failure to start is logged by proc_spawn. */
	h->running = proc_spawn(&spec);
	free(name);
	free(in);
	strv_free(env);
	strv_free(argv);
	if (h->running != NULL) {
		h->run = b;
		return;
	}
	/* Not started (logged): not repeated, as a failed run. */
	hookowed_persist(h, b->account, b->account_id);
	hook_batch_free(b);
}

/* Runs the oldest due batch unless a run is going on. */
static void
hook_kick(struct hook_rt *h)
{
	struct hook_batch *b;

	while (h->running == NULL && !h->hs->stopping) {
		TAILQ_FOREACH(b, &h->batches, entry)
			if (b->due)
				break;
		if (b == NULL)
			return;
		TAILQ_REMOVE(&h->batches, b, entry);
		hook_run(h, b);
	}
}

static const char *
hook_batch_path(const struct hook_batch *b)
{
	return b->mail.nboxes > 0 ? b->mail.boxes[0].path : "";
}

static int
hook_batch_path_cmp(const void *x, const void *y)
{
	const struct hook_batch *a = *(struct hook_batch *const *)x;
	const struct hook_batch *b = *(struct hook_batch *const *)y;
	int d = strcmp(hook_batch_path(a), hook_batch_path(b));

	return d != 0 ? d : strcmp(a->box_id, b->box_id);
}

static void
hook_batch_timer(evutil_socket_t fd, short what, void *arg)
{
	struct hook_batch *b = arg, *c, **group;
	struct hook_rt *h = b->h;
	size_t n = 0;

	if (b->box_id == NULL) {
		b->due = true;
		/* Due batches run in the order their windows closed. */
		TAILQ_REMOVE(&h->batches, b, entry);
		TAILQ_INSERT_TAIL(&h->batches, b, entry);
		hook_kick(h);
		return;
	}
	/* per_mailbox: the mailboxes of one round (and any other of the
	 * accountId waiting) are due together and queue in path order,
	 * whichever timer fired first. */
	TAILQ_FOREACH(c, &h->batches, entry)
		n++;
	group = xcalloc(n + 1, sizeof(*group));
	n = 0;
	TAILQ_FOREACH(c, &h->batches, entry)
		if (!c->due && c->box_id != NULL &&
		    hook_batch_is(c, b->account, b->account_id))
			group[n++] = c;
	qsort(group, n, sizeof(*group), hook_batch_path_cmp);
	for (size_t i = 0; i < n; i++) {
		evtimer_del(group[i]->timer);
		group[i]->due = true;
		TAILQ_REMOVE(&h->batches, group[i], entry);
		TAILQ_INSERT_TAIL(&h->batches, group[i], entry);
	}
	free(group);
	hook_kick(h);
}

static void
hook_overflow(struct hook_rt *h, const char *what)
{
	if (h->overflow_logged)
		return;
	h->overflow_logged = true;
	log_warnx("hook %s: changes dropped: the server sent more than "
	    "the hook can queue (%s; at most %d runs waiting, %d types per "
	    "run, %d bytes per type name and state)", h->cfg->name, what,
	    HOOK_MAX_BATCHES, HOOK_MAX_TYPES, HOOK_MAX_ENTRY);
}

/* Trailing debounce, capped by max_delay from the batch's first change. */
static void
hook_batch_schedule(struct hook_batch *b)
{
	const struct config_hook *c = b->h->cfg;
	uint64_t now = timeutil_mono_ms(), at, cap;
	struct timeval tv;

	at = now + c->debounce_ms;
	cap = b->first_ms + c->max_delay_ms;
	if (at > cap)
		at = cap > now ? cap : now;
	tv = timeutil_tv_ms(at - now);
	evtimer_add(b->timer, &tv);
}

/* The existing batch for (account, accountId, per_mailbox mailbox), or a
 * new one; NULL when a server's changes would go beyond the bounds.  A
 * due batch only takes more changes while it waits for its turn. */
static struct hook_batch *
hook_batch_get(struct hook_rt *h, const char *account, const char *account_id,
    const char *box_id)
{
	struct hook_batch *b;
	size_t n = 0;

	TAILQ_FOREACH(b, &h->batches, entry) {
		if (hook_batch_is(b, account, account_id) &&
		    hook_str_eq(b->box_id, box_id))
			return b;
		n++;
	}
	if (account_id != NULL && n >= HOOK_MAX_BATCHES) {
		hook_overflow(h, "too many accounts");
		return NULL;
	}
	b = xcalloc(1, sizeof(*b));
	b->h = h;
	b->account = xstrdup(account);
	b->account_id = account_id != NULL ? xstrdup(account_id) : NULL;
	b->box_id = box_id != NULL ? xstrdup(box_id) : NULL;
	b->changed = json_object_new_object();
	b->first_ms = timeutil_mono_ms();
	b->timer = xevtimer_new(h->hs->base, hook_batch_timer, b);
	TAILQ_INSERT_TAIL(&h->batches, b, entry);
	return b;
}

void
hook_add(struct hook_rt *h, const struct push_event *ev)
{
	struct hook_batch *b = hook_batch_get(h, ev->account, ev->account_id,
	    NULL);
	struct hookenv_type *types;
	size_t n;

	if (b == NULL)
		return;
	types = hookenv_types(h->cfg, ev, &n);
	for (size_t i = 0; i < n; i++) {
		if (strlen(types[i].type) + strlen(types[i].state) >
		    HOOK_MAX_ENTRY || (json_object_object_length(b->changed) >=
		    HOOK_MAX_TYPES && !json_object_object_get_ex(b->changed,
		    types[i].type, NULL))) {
			hook_overflow(h, "too many or too long types");
			continue;
		}
		json_object_object_add(b->changed, types[i].type,
		    json_object_new_string(types[i].state));
	}
	free(types);
	if (ev->push_state != NULL) {
		free(b->push_state);
		b->push_state = xstrdup(ev->push_state);
	}
	free(b->reason);
	b->reason = xstrdup(ev->reason);
	b->nchanges++;
	hookowed_persist(h, ev->account, ev->account_id);
	/* A due batch waits for the running one: it is the queued run.  Once
	 * stopping, the store keeps it for the next start. */
	if (!b->due && !h->hs->stopping)
		hook_batch_schedule(b);
}

/* Merges the filtered mail f into the batch of (account, accountId,
 * box_id), debounced as hook_add does. */
void
hook_add_mail(struct hook_rt *h, const char *account, const char *account_id,
    const char *box_id, const struct mailresult *f, const char *reason)
{
	struct hook_batch *b = hook_batch_get(h, account, account_id, box_id);

	if (b == NULL)
		return;
	mailresult_merge(&b->mail, f);
	b->has_mail = true;
	free(b->reason);
	b->reason = xstrdup(reason);
	b->nchanges++;
	hookowed_persist(h, account, account_id);
	if (!b->due && !h->hs->stopping)
		hook_batch_schedule(b);
}

void
hook_mail(struct hooks *hs, const struct mail_event *ev)
{
	const struct config_hook *c;
	struct mailresult f, one;
	struct hook_rt *h;

	TAILQ_FOREACH(h, &hs->live, entry) {
		c = h->cfg;
		if (!c->mail_aware || (c->account != NULL &&
		    strcmp(c->account, ev->account) != 0))
			continue;
		mailresult_filter(ev->result, ev->cache, c->mailboxes,
		    c->events, NULL, &f);
		if (f.nboxes > 0 && !c->per_mailbox)
			hook_add_mail(h, ev->account, ev->account_id, NULL,
			    &f, ev->reason);
		for (size_t i = 0; c->per_mailbox && i < f.nboxes; i++) {
			mailresult_filter(ev->result, ev->cache, c->mailboxes,
			    c->events, f.boxes[i].id, &one);
			hook_add_mail(h, ev->account, ev->account_id,
			    f.boxes[i].id, &one, ev->reason);
			mailresult_clear(&one);
		}
		mailresult_clear(&f);
	}
}

bool
hook_mail_wanted(const struct hooks *hs, const char *account)
{
	const struct hook_rt *h;

	TAILQ_FOREACH(h, &hs->live, entry)
		if (h->cfg->mail_aware && (h->cfg->account == NULL ||
		    strcmp(h->cfg->account, account) == 0))
			return true;
	return false;
}

void
hook_dispatch(struct hooks *hs, const struct push_event *ev)
{
	struct hook_rt *h;

	TAILQ_FOREACH(h, &hs->live, entry)
		if (hookenv_matches(h->cfg, ev))
			hook_add(h, ev);
}

void
hook_start(struct hooks *hs, const struct config *cfg)
{
	const struct config_account *a;
	struct hook_rt *h;

	TAILQ_FOREACH(h, &hs->live, entry) {
		if (!h->cfg->on_start)
			continue;
		TAILQ_FOREACH(a, &cfg->accounts, entry) {
			struct push_event ev = {
				.account = a->name, .reason = "start",
			};
			struct hook_batch *b;

			if (h->cfg->account != NULL &&
			    strcmp(h->cfg->account, a->name) != 0)
				continue;
			b = hook_batch_get(h, ev.account, NULL, NULL);
			free(b->reason);
			b->reason = xstrdup(ev.reason);
			b->nchanges = 0;
			b->due = true;
		}
		hook_kick(h);
	}
}

void
hook_set_config(struct hooks *hs, struct config *cfg)
{
	struct hook_rts old;
	const struct config_hook *src;
	struct hook_rt *h;

	TAILQ_INIT(&old);
	TAILQ_CONCAT(&old, &hs->live, entry);
	TAILQ_FOREACH(src, &cfg->hooks, entry) {
		TAILQ_FOREACH(h, &old, entry)
			if (strcmp(h->cfg->name, src->name) == 0)
				break;
		if (h != NULL) {
			/* Same name: pending changes and a running run carry
			 * over to the new definition. */
			TAILQ_REMOVE(&old, h, entry);
		} else {
			h = xcalloc(1, sizeof(*h));
			h->hs = hs;
			TAILQ_INIT(&h->batches);
		}
		config_ref(cfg);
		config_unref(h->config);
		h->config = cfg;
		h->cfg = src;
		TAILQ_INSERT_TAIL(&hs->live, h, entry);
	}
	while ((h = TAILQ_FIRST(&old)) != NULL) {
		struct hook_batch *b;

		TAILQ_REMOVE(&old, h, entry);
		while ((b = TAILQ_FIRST(&h->batches)) != NULL) {
			TAILQ_REMOVE(&h->batches, b, entry);
			hookowed_persist(h, b->account, b->account_id);
			hook_batch_free(b);
		}
		if (h->running == NULL) {
			hook_rt_free(h);
			continue;
		}
		h->removed = true;
		TAILQ_INSERT_TAIL(&hs->removed, h, entry);
	}
}

void
hook_attach(struct hooks *hs, const char *account)
{
	hookowed_attach(hs, account);
}

void
hook_stop(struct hooks *hs)
{
	struct hook_batch *b;
	struct hook_rt *h;

	hs->stopping = true;
	TAILQ_FOREACH(h, &hs->live, entry)
		TAILQ_FOREACH(b, &h->batches, entry)
			evtimer_del(b->timer);
}

struct hooks *
hook_new(struct event_base *base, struct config *cfg,
    hook_store_fn store_of, void *arg)
{
	struct hooks *hs = xcalloc(1, sizeof(*hs));

	hs->base = base;
	hs->store_of = store_of;
	hs->store_arg = arg;
	TAILQ_INIT(&hs->live);
	TAILQ_INIT(&hs->removed);
	hs->attached_map = namemap_new();
	hook_set_config(hs, cfg);
	return hs;
}

/* Running procs outlive this only when the loop is gone, and then their
 * done callbacks never run.  The stores are closed by then: what is
 * pending here is in them already. */
void
hook_free(struct hooks *hs)
{
	struct hook_rt *h;

	if (hs == NULL)
		return;
	while ((h = TAILQ_FIRST(&hs->live)) != NULL) {
		TAILQ_REMOVE(&hs->live, h, entry);
		hook_rt_free(h);
	}
	while ((h = TAILQ_FIRST(&hs->removed)) != NULL) {
		TAILQ_REMOVE(&hs->removed, h, entry);
		hook_rt_free(h);
	}
	for (size_t i = 0; i < hs->nattached; i++)
		free(hs->attached[i]);
	free(hs->attached);
	namemap_free(hs->attached_map);
	free(hs);
}
