/* SPDX-License-Identifier: ISC */
/*
 * Desktop notifications.  Per JMAP accountId a tracker remembers, in memory
 * only, the Email state it last looked from.  A round asks Email/changes
 * from there; without such a state (first round after start, or after
 * cannotCalculateChanges) it asks Email/query for mail received since the
 * account was first watched (or shortly before the last round), and ids
 * already shown are skipped.  So after a restart, mail that arrived while
 * the daemon was stopped is not announced: hooks and mail clients see it.
 *
 * A server that pushes EmailDelivery says "new mail" with it; until one is
 * seen from an accountId, an Email change starts a round too (Cyrus pushes
 * only Email).  One round runs at a time per tracker; changes during it ask
 * for one more.
 *
 * Only accountIds the account's Session lists get a tracker (a server that
 * invents accountIds made one each, without bound), at most
 * NOTIFY_MAX_TRACKERS per account; a tracker whose accountId the Session
 * no longer lists goes at the account's next change.  Mail of an account
 * shared since the last Session fetch is announced by the first round after
 * the Session lists it (an Email/query round looks back to when watching
 * began).
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "config/config.h"
#include "util/busconn.h"
#include "output/newmail.h"
#include "output/notify.h"
#include "output/outputs.h"
#include "session/account.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define NOTIFY_REQUEST_MS	30000
#define NOTIFY_CALL_USEC	(10 * 1000000ULL)
/* Mailbox names and roles rarely change: looked up again this often. */
#define NOTIFY_MAILBOX_TTL	600
/* Email/query looks back this far before the last round: clocks and
 * receivedAt need not agree to the second. */
#define NOTIFY_QUERY_SLACK	60
/* Ids shown lately, so that an Email/query round repeats none. */
#define NOTIFY_RECENT		64
/* Trackers per account: one per accountId its Session lists, which a
 * hostile Session could make many (issue 12). */
#define NOTIFY_MAX_TRACKERS	256

struct tracker {
	LIST_ENTRY(tracker)	 entry;
	struct notify		*n;
	char			*account;
	char			*account_id;
	char			*state;		/* NULL: not known */
	time_t			 last_round;
	time_t			 mailboxes_at;
	bool			 delivery_seen;
	bool			 busy;
	bool			 again;
	struct newmail_mailboxes mbx;
	char			*recent[NOTIFY_RECENT];
	size_t			 recent_next;
};

/* When notifications began for an account name. */
struct watched {
	LIST_ENTRY(watched)	 entry;
	char			*account;
	time_t			 since;
};

struct notify {
	struct event_base		*base;
	const struct outputs_callbacks	*cb;
	struct config			*config;	/* held */
	const struct config_notify	*cfg;	/* config's [notify] */
	struct busconn			*conn;	/* NULL while disabled */
	LIST_HEAD(, tracker)		 trackers;
	LIST_HEAD(, watched)		 watched;
	bool				 no_server_logged;
	bool				 no_bus_logged;
	bool				 max_logged;
};

static void tracker_round(struct tracker *);

static void
notify_on_connect(sd_bus *bus, void *arg)
{
	struct notify *n = arg;

	n->no_bus_logged = false;
}

static void
notify_watch(struct notify *n, const struct config *cfg)
{
	const struct config_account	*a;
	struct watched			*w;
	bool				 known;

	TAILQ_FOREACH(a, &cfg->accounts, entry) {
		known = false;
		LIST_FOREACH(w, &n->watched, entry)
			known = known || strcmp(w->account, a->name) == 0;
		if (known)
			continue;
		w = xcalloc(1, sizeof(*w));
		w->account = xstrdup(a->name);
		w->since = time(NULL);
		LIST_INSERT_HEAD(&n->watched, w, entry);
	}
}

void
notify_set_config(struct notify *n, struct config *cfg)
{
	config_ref(cfg);
	config_unref(n->config);
	n->config = cfg;
	n->cfg = &cfg->notify;
	notify_watch(n, cfg);
	if (n->cfg->enabled && n->conn == NULL)
		n->conn = busconn_new(n->base, BUSCONN_SESSION,
		    "notifications", notify_on_connect, n);
	else if (!n->cfg->enabled && n->conn != NULL) {
		busconn_free(n->conn);
		n->conn = NULL;
	}
}

struct notify *
notify_new(struct event_base *base, struct config *cfg,
    const struct outputs_callbacks *cb)
{
	struct notify *n = xcalloc(1, sizeof(*n));

	n->base = base;
	n->cb = cb;
	LIST_INIT(&n->trackers);
	LIST_INIT(&n->watched);
	notify_set_config(n, cfg);
	return n;
}

static void
tracker_free(struct tracker *t)
{
	free(t->account);
	free(t->account_id);
	free(t->state);
	newmail_mailboxes_clear(&t->mbx);
	for (size_t i = 0; i < NOTIFY_RECENT; i++)
		free(t->recent[i]);
	free(t);
}

/* Called once every account is freed: no request can answer any more. */
void
notify_free(struct notify *n)
{
	struct tracker *t;
	struct watched *w;

	if (n == NULL)
		return;
	busconn_free(n->conn);
	while ((t = LIST_FIRST(&n->trackers)) != NULL) {
		LIST_REMOVE(t, entry);
		tracker_free(t);
	}
	while ((w = LIST_FIRST(&n->watched)) != NULL) {
		LIST_REMOVE(w, entry);
		free(w->account);
		free(w);
	}
	config_unref(n->config);
	free(n);
}

static bool
notify_wants(const struct notify *n, const char *account)
{
	if (!n->cfg->enabled)
		return false;
	if (n->cfg->accounts == NULL)
		return true;
	for (size_t i = 0; i < n->cfg->naccounts; i++)
		if (strcmp(n->cfg->accounts[i], account) == 0)
			return true;
	return false;
}

/* The tracker of a listed accountId, made if need be; NULL when acct's
 * Session does not list it or acct has too many.  Drops, on the way, the
 * trackers of acct whose accountId the Session no longer lists (a busy one
 * waits for its answer and the next change: its request holds it). */
static struct tracker *
notify_tracker(struct notify *n, struct account *acct, const char *account,
    const char *account_id)
{
	struct tracker *t, *next, *found = NULL;
	size_t count = 0;

	for (t = LIST_FIRST(&n->trackers); t != NULL; t = next) {
		next = LIST_NEXT(t, entry);
		if (strcmp(t->account, account) != 0)
			continue;
		if (!t->busy && !account_lists_id(acct, t->account_id)) {
			log_debug("notifications: account %s: forgetting "
			    "accountId %s, which the Session no longer lists",
			    account, t->account_id);
			LIST_REMOVE(t, entry);
			tracker_free(t);
			continue;
		}
		count++;
		if (strcmp(t->account_id, account_id) == 0)
			found = t;
	}
	if (found != NULL)
		return found;
	if (!account_lists_id(acct, account_id)) {
		log_debug("notifications: account %s: not watching accountId "
		    "%s, which the Session does not list", account, account_id);
		return NULL;
	}
	if (count >= NOTIFY_MAX_TRACKERS) {
		if (!n->max_logged)
			log_warnx("notifications: account %s: its Session "
			    "lists more than %d accounts; new mail in the "
			    "others is not announced", account,
			    NOTIFY_MAX_TRACKERS);
		n->max_logged = true;
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->n = n;
	t->account = xstrdup(account);
	t->account_id = xstrdup(account_id);
	LIST_INSERT_HEAD(&n->trackers, t, entry);
	log_debug("notifications: account %s: watching accountId %s (%zu "
	    "tracked)", account, account_id, count + 1);
	return t;
}

static time_t
notify_since(const struct notify *n, const char *account)
{
	const struct watched *w;

	LIST_FOREACH(w, &n->watched, entry)
		if (strcmp(w->account, account) == 0)
			return w->since;
	return time(NULL);
}

static int
notify_reply(sd_bus_message *m, void *arg, sd_bus_error *unused)
{
	struct notify		*n = arg;
	const sd_bus_error	*e = sd_bus_message_get_error(m);

	if (e == NULL) {
		n->no_server_logged = false;
		log_debug("notifications: shown");
		return 0;
	}
	if (sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
	    sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
		if (!n->no_server_logged)
			log_info("notifications: no notification server on "
			    "the session bus; new mail is not shown until "
			    "one runs");
		n->no_server_logged = true;
	} else
		log_warnx("notifications: the notification server refused "
		    "Notify: %s", e->message != NULL ? e->message : e->name);
	return 0;
}

static int
notify_call(struct notify *n, sd_bus *bus, const struct newmail_note *note)
{
	struct newmail_notify_args	 a;
	sd_bus_message			*m = NULL;
	int				 r;

	newmail_notify_args(n->cfg, &a);
	if ((r = sd_bus_message_new_method_call(bus, &m,
	    "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "Notify")) < 0 ||
	    (r = sd_bus_message_append(m, "susss", a.app_name, 0u, a.app_icon,
	    note->summary, note->body)) < 0 ||
	    (r = sd_bus_message_append(m, "as", 0)) < 0 ||
	    (r = sd_bus_message_append(m, "a{sv}", 3,
	    "category", "s", a.category,
	    "desktop-entry", "s", a.desktop_entry,
	    "urgency", "y", a.urgency)) < 0 ||
	    (r = sd_bus_message_append(m, "i", a.expire_timeout)) < 0)
		goto out;
	r = sd_bus_call_async(bus, NULL, m, notify_reply, n, NOTIFY_CALL_USEC);
out:
	sd_bus_message_unref(m);
	return r;
}

static void
notify_show(struct notify *n, const struct tracker *t,
    const struct newmail *mails, size_t nmails)
{
	struct newmail_note	*notes;
	sd_bus			*bus;
	size_t			 nnotes;
	int			 r;

	if (n->conn == NULL || (bus = busconn_bus(n->conn)) == NULL) {
		if (!n->no_bus_logged)
			log_info("notifications: account %s: %zu new "
			    "message(s) but no session bus to show them on",
			    t->account, nmails);
		n->no_bus_logged = true;
		return;
	}
	nnotes = newmail_notes(mails, nmails, n->cfg->max_per_burst, &notes);
	for (size_t i = 0; i < nnotes; i++)
		if ((r = notify_call(n, bus, &notes[i])) < 0)
			log_warnx("notifications: cannot call Notify: %s",
			    strerror(-r));
	newmail_notes_free(notes, nnotes);
	busconn_kick(n->conn);
	log_info("notifications: account %s: %zu new message(s)", t->account,
	    nmails);
}

static bool
tracker_recent(const struct tracker *t, const char *id)
{
	for (size_t i = 0; i < NOTIFY_RECENT; i++)
		if (t->recent[i] != NULL && strcmp(t->recent[i], id) == 0)
			return true;
	return false;
}

static void
tracker_remember(struct tracker *t, const char *id)
{
	free(t->recent[t->recent_next]);
	t->recent[t->recent_next] = xstrdup(id);
	t->recent_next = (t->recent_next + 1) % NOTIFY_RECENT;
}

/* Drops the mails shown already (an Email/query round overlaps the last
 * one) and remembers the rest. */
static size_t
tracker_fresh(struct tracker *t, struct newmail *mails, size_t n)
{
	size_t keep = 0;

	for (size_t i = 0; i < n; i++) {
		if (mails[i].id == NULL || tracker_recent(t, mails[i].id))
			continue;
		tracker_remember(t, mails[i].id);
		if (keep != i) {
			struct newmail tmp = mails[keep];

			mails[keep] = mails[i];
			mails[i] = tmp;
		}
		keep++;
	}
	return keep;
}

static void
tracker_done(struct json_object *responses, enum request_error why,
    const char *error, void *arg)
{
	struct tracker		*t = arg;
	struct notify		*n = t->n;
	struct newmail_result	 res;
	size_t			 fresh;
	bool			 again = t->again;

	t->busy = false;
	t->again = false;
	if (error != NULL) {
		log_warnx("notifications: account %s: cannot fetch new mail: "
		    "%s", t->account, error);
		return;
	}
	newmail_parse(responses, n->cfg, &t->mbx, &res);
	switch (res.status) {
	case NEWMAIL_CANNOT_CALCULATE:
		log_info("notifications: account %s: the server cannot list "
		    "changes since Email state %s; looking at recent mail "
		    "instead", t->account, t->state);
		free(t->state);
		t->state = NULL;
		again = true;
		break;
	case NEWMAIL_ERROR:
		log_warnx("notifications: account %s: unexpected answer to "
		    "the new mail request: %s", t->account, res.error);
		newmail_mailboxes_clear(&t->mbx);
		again = false;
		break;
	case NEWMAIL_OK:
		if (t->mbx.valid && t->mailboxes_at == 0)
			t->mailboxes_at = time(NULL);
		free(t->state);
		t->state = res.state;
		res.state = NULL;
		t->last_round = time(NULL);
		fresh = tracker_fresh(t, res.mails, res.nmails);
		log_debug("notifications: account %s: Email state %s, %zu "
		    "new message(s)", t->account, t->state, fresh);
		if (fresh > 0 && notify_wants(n, t->account))
			notify_show(n, t, res.mails, fresh);
		again = again || res.more;
		break;
	}
	newmail_result_clear(&res);
	if (again)
		tracker_round(t);
}

static void
tracker_round(struct tracker *t)
{
	struct json_object	*using, *calls;
	struct account		*acct;
	char			 after[32];
	time_t			 from;
	int			 r;

	if (t->busy) {
		t->again = true;
		return;
	}
	if ((acct = t->n->cb->find_account(t->n->cb->arg, t->account)) == NULL)
		return;
	if (t->mbx.valid && time(NULL) - t->mailboxes_at > NOTIFY_MAILBOX_TTL)
		newmail_mailboxes_clear(&t->mbx);
	if (!t->mbx.valid)
		t->mailboxes_at = 0;
	/* A second back: receivedAt has whole seconds and "after" is
	 * strict. */
	from = notify_since(t->n, t->account) - 1;
	if (t->last_round - NOTIFY_QUERY_SLACK > from)
		from = t->last_round - NOTIFY_QUERY_SLACK;
	newmail_utcdate(from, after, sizeof(after));
	using = newmail_using();
	calls = newmail_request(t->account_id, t->state, after, !t->mbx.valid);
	r = account_request(acct, using, calls, NOTIFY_REQUEST_MS,
	    tracker_done, t);
	json_object_put(using);
	json_object_put(calls);
	if (r == -1) {
		log_debug("notifications: account %s: not connected; new mail "
		    "is looked for after the next change", t->account);
		return;
	}
	t->busy = true;
}

void
notify_state(struct notify *n, const struct push_event *ev)
{
	struct tracker	*t;
	struct account	*acct;
	bool		 delivery, email;

	if (!notify_wants(n, ev->account) || ev->changed == NULL ||
	    !json_object_is_type(ev->changed, json_type_object))
		return;
	delivery = json_object_object_get_ex(ev->changed, "EmailDelivery",
	    NULL);
	email = json_object_object_get_ex(ev->changed, "Email", NULL);
	if (!delivery && !email)
		return;
	if ((acct = n->cb->find_account(n->cb->arg, ev->account)) == NULL ||
	    (t = notify_tracker(n, acct, ev->account, ev->account_id)) == NULL)
		return;
	if (delivery)
		t->delivery_seen = true;
	if (delivery || !t->delivery_seen)
		tracker_round(t);
}

/* Placeholder for W3 (mailnotify): [notify] still fetches its own mail. */
void
notify_mail(struct notify *n, const struct mail_event *ev)
{
	(void)n;
	(void)ev;
}

/* Placeholder for W3 (mailnotify): true whenever [notify] is enabled
 * once it takes its mail from the view. */
bool
notify_mail_wanted(const struct notify *n)
{
	(void)n;
	return false;
}
