/* SPDX-License-Identifier: ISC */
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
#include "output/hook.h"
#include "output/hookmail.h"
#include "config/mailmatch.h"
#include "session/mailresult.h"
#include "state/store.h"
#include "util/json.h"
#include "util/log.h"
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
/* A hook's stdin at most (its "mail" object gives way), and a mail
 * variable at most: longer ones (JMAP_MAILBOXES of many long paths) would
 * make the exec fail (E2BIG) and the run be lost; they are on stdin. */
#define HOOK_STDIN_MAX		(1024 * 1024)
#define HOOK_MAIL_ENV_MAX	(64 * 1024)

/* One pending run: the changes of one (hook, account, accountId) merged,
 * the latest state of each type winning, and for a mail-aware hook its
 * mail events merged (mailresult_merge); with per_mailbox, the mail of
 * each mailbox is a run of its own. */
struct hook_batch {
	TAILQ_ENTRY(hook_batch) entry;
	struct hook_rt *h;
	char *account;
	char *account_id;		/* NULL for an on_start run */
	char *box_id;			/* per_mailbox: its mailbox, else NULL */
	struct json_object *changed;	/* {Type: state}, filtered */
	bool has_mail;			/* mail holds events */
	struct mailresult mail;		/* filtered for the hook */
	char *push_state;
	char *reason;
	unsigned nchanges;
	uint64_t first_ms;		/* monotonic: its first change */
	bool due;			/* debounce over, waits for its turn */
	struct event *timer;
};
TAILQ_HEAD(hook_batches, hook_batch);

/* A configured hook and its runs: one at a time, batches in order. */
struct hook_rt {
	TAILQ_ENTRY(hook_rt) entry;
	struct hooks *hs;
	struct config *config;		/* referenced: cfg lives in it */
	const struct config_hook *cfg;	/* the current definition */
	struct hook_batches batches;
	struct proc *running;
	struct hook_batch *run;		/* what running runs, until it ends */
	bool removed;			/* gone by a reload; freed once idle */
	bool overflow_logged;		/* since the last run started */
};
TAILQ_HEAD(hook_rts, hook_rt);

struct hooks {
	struct event_base *base;
	struct hook_rts live;
	struct hook_rts removed;
	hook_store_fn store_of;
	void *store_arg;
	bool stopping;
	char **attached;		/* accounts whose stores were read */
	size_t nattached;
};

struct hook_type {
	const char *type;
	const char *state;
};

/*
 * A type makes JMAP_STATE_<Type> only when its name is boring enough to be
 * part of a variable name, and the pair only fits the environment when the
 * values stay small: the kernel refuses an exec whose single string passes
 * 128 KiB, and the run would be lost.  Stdin, which JSON escapes, carries
 * every type whatever its name or size.
 */
#define HOOK_TYPE_NAME_MAX	128
#define HOOK_ENV_VALUE_MAX	4096

static bool
hook_type_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n > 0 && n <= HOOK_TYPE_NAME_MAX;
}

static bool
hook_env_value_ok(const char *s)
{
	return strlen(s) <= HOOK_ENV_VALUE_MAX;
}

/* The types of urn:ietf:params:jmap:mail: a mail-aware hook sees them only
 * as mail events (a Thread change comes with every Email change). */
static bool
hook_mail_type(const char *type)
{
	return strcmp(type, "Email") == 0 || strcmp(type, "Mailbox") == 0 ||
	    strcmp(type, "EmailDelivery") == 0 || strcmp(type, "Thread") == 0;
}

/* A mail-aware hook runs for other types only when types lists them. */
static bool
hook_wants_type(const struct config_hook *h, const char *type)
{
	if (h->mail_aware && hook_mail_type(type))
		return false;
	if (h->types == NULL || h->ntypes == 0)
		return !h->mail_aware;
	for (size_t i = 0; i < h->ntypes; i++)
		if (strcmp(h->types[i], type) == 0)
			return true;
	return false;
}

static int
hook_type_cmp(const void *a, const void *b)
{
	const struct hook_type *x = a, *y = b;

	return strcmp(x->type, y->type);
}

/* The changed types that pass h's filter, sorted; strings borrowed from ev. */
static struct hook_type *
hook_select_types(const struct config_hook *h, const struct push_event *ev,
    size_t *np)
{
	struct hook_type *v;
	size_t n = 0;

	*np = 0;
	if (ev->changed == NULL ||
	    !json_object_is_type(ev->changed, json_type_object))
		return NULL;
	v = xcalloc((size_t)json_object_object_length(ev->changed) + 1,
	    sizeof(*v));
	json_object_object_foreach(ev->changed, type, val) {
		if (!json_object_is_type(val, json_type_string)) {
			char q[JSONU_QUOTE_SIZE(64)];

			log_debug("hook %s: account %s: ignoring type \"%s\" "
			    "whose state is not a string", h->name, ev->account,
			    jsonu_quote(q, sizeof(q), type));
			continue;
		}
		if (!hook_wants_type(h, type))
			continue;
		v[n].type = type;
		v[n].state = json_object_get_string(val);
		n++;
	}
	qsort(v, n, sizeof(*v), hook_type_cmp);
	*np = n;
	return v;
}

bool
hook_matches(const struct config_hook *h, const struct push_event *ev)
{
	struct hook_type *types;
	size_t n;

	if (h->account != NULL && strcmp(h->account, ev->account) != 0)
		return false;
	if ((h->types == NULL || h->ntypes == 0) && !h->mail_aware)
		return true;
	types = hook_select_types(h, ev, &n);
	free(types);
	return n > 0;
}

char **
hook_build_env(const struct config_hook *h, const struct push_event *ev,
    char *const *base)
{
	struct hook_type *types;
	size_t ntypes, nenv = 0, nbase = strv_len(base), n = 0, tlen = 1;
	char **env, *joined;

	types = hook_select_types(h, ev, &ntypes);
	/* Values may hold newlines and any UTF-8: they are data, and the
	 * variable names are ours.  Only the type names and sizes are
	 * checked. */
	for (size_t i = 0; i < ntypes; i++) {
		if (!hook_type_name_ok(types[i].type) ||
		    !hook_env_value_ok(types[i].state)) {
			char q[JSONU_QUOTE_SIZE(64)];

			log_debug("hook %s: account %s: type \"%s\" only on "
			    "stdin: its name or state does not fit a variable",
			    h->name, ev->account,
			    jsonu_quote(q, sizeof(q), types[i].type));
			continue;
		}
		types[nenv++] = types[i];
	}
	/* base, 6 fixed variables, one per type, NULL */
	env = xcalloc(nbase + 6 + nenv + 1, sizeof(*env));
	for (size_t i = 0; i < nbase; i++)
		if (strncmp(base[i], "JMAP_", 5) != 0)
			env[n++] = xstrdup(base[i]);
	xasprintf(&env[n++], "JMAP_ACCOUNT=%s", ev->account);
	if (ev->account_id != NULL && hook_env_value_ok(ev->account_id))
		xasprintf(&env[n++], "JMAP_ACCOUNT_ID=%s", ev->account_id);
	for (size_t i = 0; i < nenv; i++)
		tlen += strlen(types[i].type) + 1;
	joined = xcalloc(1, tlen);
	for (size_t i = 0; i < nenv; i++) {
		if (i > 0)
			strcat(joined, " ");
		strcat(joined, types[i].type);
	}
	xasprintf(&env[n++], "JMAP_TYPES=%s", joined);
	free(joined);
	for (size_t i = 0; i < nenv; i++)
		xasprintf(&env[n++], "JMAP_STATE_%s=%s", types[i].type,
		    types[i].state);
	if (ev->push_state != NULL && hook_env_value_ok(ev->push_state))
		xasprintf(&env[n++], "JMAP_PUSH_STATE=%s", ev->push_state);
	xasprintf(&env[n++], "JMAP_REASON=%s", ev->reason);
	xasprintf(&env[n++], "JMAP_HOOK=%s", h->name);
	env[n] = NULL;
	free(types);
	return env;
}

/* The StateChange object of hook_build_stdin(); the caller owns it. */
static struct json_object *
hook_stdin_root(const struct config_hook *h, const struct push_event *ev)
{
	struct json_object *root, *changed, *acct;
	struct hook_type *types;
	size_t ntypes;

	types = hook_select_types(h, ev, &ntypes);
	root = json_object_new_object();
	changed = json_object_new_object();
	acct = json_object_new_object();
	/* json-c keeps insertion order, so the output is sorted too. */
	for (size_t i = 0; i < ntypes; i++)
		json_object_object_add(acct, types[i].type,
		    json_object_new_string(types[i].state));
	if (ev->account_id != NULL)
		json_object_object_add(changed, ev->account_id, acct);
	else
		json_object_put(acct);
	json_object_object_add(root, "@type",
	    json_object_new_string("StateChange"));
	json_object_object_add(root, "changed", changed);
	if (ev->push_state != NULL)
		json_object_object_add(root, "pushState",
		    json_object_new_string(ev->push_state));
	free(types);
	return root;
}

/* root as stdin text; root is freed. */
static char *
hook_stdin_text(struct json_object *root)
{
	const char *json;
	char *s;

	json = json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	/* The parser repaired server text; this keeps stdin valid UTF-8 should
	 * a string reach ev some other way (json-c writes bytes back
	 * unchecked). */
	s = utf8_valid(json, strlen(json)) ? xstrdup(json) :
	    utf8_sanitize(json, strlen(json), NULL);
	json_object_put(root);
	return s;
}

char *
hook_build_stdin(const struct config_hook *h, const struct push_event *ev)
{
	return hook_stdin_text(hook_stdin_root(h, ev));
}


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

/* Equal strings, NULL equal only to NULL (the accountId of on_start). */
static bool
hook_str_eq(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Whether b (may be NULL) is the run of (account, accountId). */
static bool
hook_batch_is(const struct hook_batch *b, const char *account,
    const char *account_id)
{
	return b != NULL && strcmp(b->account, account) == 0 &&
	    hook_str_eq(b->account_id, account_id);
}

/* Merges b into run, the store's form of a run: b's states, pushState and
 * reason win, as a later change wins in a batch. */
static void
hook_merge_run(struct json_object *run, const struct hook_batch *b)
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
struct hook_owed_mail {
	const char *box_id;		/* borrowed from a batch */
	struct mailresult mail;
};

/* Adds b (may be NULL or of another account) to the run being persisted:
 * its types into run (made on first use), its mail into *owed. */
static void
hook_persist_add(struct json_object **run, struct hook_owed_mail **owed,
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
	hook_merge_run(*run, b);
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
static void
hook_persist(struct hook_rt *h, const char *account, const char *account_id)
{
	struct hooks *hs = h->hs;
	struct hook_batch *b;
	struct json_object *run = NULL, *mail;
	struct hook_owed_mail *owed = NULL;
	size_t nowed = 0;
	struct store *st;

	if (account_id == NULL || hs->store_of == NULL ||
	    (st = hs->store_of(account, hs->store_arg)) == NULL)
		return;
	hook_persist_add(&run, &owed, &nowed, h->run, account, account_id);
	TAILQ_FOREACH(b, &h->batches, entry)
		hook_persist_add(&run, &owed, &nowed, b, account, account_id);
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

/* exec = runs without a shell, so PATH is searched here: execve does not. */
static char *
hook_find_program(const char *prog)
{
	const char *path = getenv("PATH"), *p, *end;
	struct stat st;
	char *full;

	if (strchr(prog, '/') != NULL)
		return xstrdup(prog);
	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		xasprintf(&full, "%.*s/%s", end > p ? (int)(end - p) : 1,
		    end > p ? p : ".", prog);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(full, X_OK) == 0)
			return full;
		free(full);
		if (*end == '\0')
			return NULL;
	}
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
		hook_persist(h, r->account, r->account_id);
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

/* env plus the mail variables of r (mailresult_env), each that fits the
 * environment; env is taken, the result the caller's. */
static char **
hook_mail_env(struct hook_rt *h, char **env, const struct mailresult *r)
{
	char **mail = mailresult_env(r);
	size_t n = strv_len(env), k = strv_len(mail);

	env = xreallocarray(env, n + k + 1, sizeof(*env));
	for (size_t i = 0; i < k; i++) {
		if (strlen(mail[i]) > HOOK_MAIL_ENV_MAX) {
			log_warnx("hook %s: %.*s is too long for the "
			    "environment (%zu bytes); read it from stdin "
			    "(\"mail\")", h->cfg->name,
			    (int)strcspn(mail[i], "="), mail[i],
			    strlen(mail[i]));
			free(mail[i]);
			continue;
		}
		env[n++] = mail[i];
	}
	env[n] = NULL;
	free(mail);
	return env;
}

/* The StateChange of ev with "mail" (mailresult_json), within
 * HOOK_STDIN_MAX. */
static char *
hook_mail_stdin(const struct config_hook *c, const struct push_event *ev,
    const struct mailresult *r)
{
	struct json_object *root = hook_stdin_root(c, ev);
	size_t used = strlen(json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	/* ,"mail": and room for the closing brace */
	size_t room = HOOK_STDIN_MAX > used + 16 ? HOOK_STDIN_MAX - used - 16 :
	    0;

	json_object_object_add(root, "mail", mailresult_json(r,
	    ev->account_id, room));
	return hook_stdin_text(root);
}

/* Starts b's run; b is kept as h->run while it runs, else freed. */
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
		if ((prog = hook_find_program(c->argv[0])) == NULL) {
			log_warnx("%s: program %s not found in PATH: write its "
			    "full path in exec =", name, c->argv[0]);
			free(name);
			hook_persist(h, b->account, b->account_id);
			hook_batch_free(b);
			return;
		}
		argv = strv_dup(c->argv);
		free(argv[0]);
		argv[0] = prog;
	}
	env = hook_build_env(c, &ev, environ);
	if (b->has_mail) {
		env = hook_mail_env(h, env, &b->mail);
		in = hook_mail_stdin(c, &ev, &b->mail);
	} else
		in = hook_build_stdin(c, &ev);
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
	hook_persist(h, b->account, b->account_id);
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

static void
hook_add(struct hook_rt *h, const struct push_event *ev)
{
	struct hook_batch *b = hook_batch_get(h, ev->account, ev->account_id,
	    NULL);
	struct hook_type *types;
	size_t n;

	if (b == NULL)
		return;
	types = hook_select_types(h->cfg, ev, &n);
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
	hook_persist(h, ev->account, ev->account_id);
	/* A due batch waits for the running one: it is the queued run.  Once
	 * stopping, the store keeps it for the next start. */
	if (!b->due && !h->hs->stopping)
		hook_batch_schedule(b);
}

/* Merges the filtered mail f into the batch of (account, accountId,
 * box_id), debounced as hook_add does. */
static void
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
	hook_persist(h, account, account_id);
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
		if (hook_matches(h->cfg, ev))
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
			hook_persist(h, b->account, b->account_id);
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

/* Queues again the mail part of a kept run (mail: its "mail" array, may
 * be NULL), for a hook that is still mail-aware. */
static void
hook_restore_mail(struct hook_rt *h, const char *account,
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
hook_restore(struct hooks *hs, const char *account, const char *name,
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
	plain = h != NULL && hook_matches(h->cfg, &ev);
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
	hook_restore_mail(h, account, account_id, mail, ev.reason);
}

void
hook_attach(struct hooks *hs, const char *account)
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
	for (size_t i = 0; i < hs->nattached && !seen; i++)
		seen = strcmp(hs->attached[i], account) == 0;
	/* After a reload reopened the store, memory is the truth: runs that
	 * ended while no store was open must not come back. */
	pending = store_take_pending(st);
	if (json_object_object_length(pending) > 0)
		store_save_later(st, hs->base);
	if (!seen) {
		hs->attached = xreallocarray(hs->attached, hs->nattached + 1,
		    sizeof(*hs->attached));
		hs->attached[hs->nattached++] = xstrdup(account);
		json_object_object_foreach(pending, name, runs) {
			json_object_object_foreach(runs, id, run)
				hook_restore(hs, account, name, id, run);
		}
	}
	json_object_put(pending);
	for (size_t i = 0; i < 2; i++) {
		TAILQ_FOREACH(h, lists[i], entry) {
			if (h->run != NULL && strcmp(h->run->account,
			    account) == 0)
				hook_persist(h, account, h->run->account_id);
			TAILQ_FOREACH(b, &h->batches, entry)
				if (strcmp(b->account, account) == 0)
					hook_persist(h, account,
					    b->account_id);
		}
	}
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
	free(hs);
}
