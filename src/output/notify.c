/* SPDX-License-Identifier: ISC */
/*
 * Desktop notifications.  The mail view (one per JMAP accountId, driven by
 * the account) hands every round to the outputs; [notify] announces the
 * emails new in the mailboxes its `mailboxes =` selects.  It makes no
 * request of its own, so what it announces follows the view: after a
 * restart the saved Email state makes the mail that arrived meanwhile a
 * normal round; a first start (no saved view) only learns the states; a
 * server that lost its history (cannotCalculateChanges) gives counts, never
 * new mail.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "config/config.h"
#include "config/mailmatch.h"
#include "util/busconn.h"
#include "output/newmail.h"
#include "output/notify.h"
#include "output/outputs.h"
#include "session/account.h"
#include "session/mailbox.h"
#include "session/mailresult.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/xmalloc.h"

#define NOTIFY_CALL_USEC	(10 * 1000000ULL)
/* Notifications of single emails followed until closed; the oldest is
 * forgotten (stays on screen until it expires) beyond. */
#define NOTIFY_OPEN_MAX		128

/* An action's Email/set, answered in notify_action_done(). */
#define NOTIFY_ACTION_MSEC	(30 * 1000)

/* A notification of one email, on screen as far as we know. */
struct notify_open {
	uint32_t	 id;		/* the notification server's */
	char		*account;	/* config name */
	char		*account_id;
	char		*email_id;	/* the newest of its thread */
	char		*box_id;	/* the mailbox it was announced in */
	char		*thread_id;	/* NULL when none */
	unsigned	 nthread;	/* emails of the thread it announced */
	char		*message_id;	/* NULL when none */
	char		*box_path;	/* NULL when unknown */
};

/* What a Notify call announces, for its reply. */
struct notify_pending {
	struct notify	*n;
	char		*account;
	char		*account_id;	/* NULL: a summary, not followed */
	char		*email_id;
	char		*box_id;
	char		*thread_id;
	unsigned	 nthread;
	uint32_t	 replaces;	/* 0: a new notification */
	char		*message_id;
	char		*box_path;
};

struct notify {
	struct event_base		*base;
	struct config			*config;	/* held */
	const struct config_notify	*cfg;	/* config's [notify] */
	struct mailmatch		*mm;	/* cfg->mailboxes */
	bool				*old_logged;	/* per item of mm */
	struct busconn			*conn;	/* NULL while disabled */
	bool				 no_server_logged;
	bool				 no_bus_logged;
	struct notify_open		 open[NOTIFY_OPEN_MAX];
	size_t				 nopen;
	const struct outputs_callbacks	*cb;	/* borrowed */
	bool				 has_actions;	/* the server's
							 * capabilities */
	struct notify_act		*acts;	/* Email/set under way */
};

/* An action's Email/set under way; outlives n when n goes first (n
 * NULL then). */
struct notify_act {
	struct notify		*n;
	struct notify_act	*next;
	char			*account;
	char			*email_id;
	char			*what;		/* "mark-read" */
};

static void notify_error(struct notify *, const char *, const char *);
static void notify_open_run(struct notify *, const struct notify_open *);

static void
notify_open_clear(struct notify_open *o)
{
	free(o->account);
	free(o->account_id);
	free(o->email_id);
	free(o->box_id);
	free(o->thread_id);
	free(o->message_id);
	free(o->box_path);
}

/* Forgets open[i] (closed, or gone with its server). */
static void
notify_open_drop(struct notify *n, size_t i)
{
	notify_open_clear(&n->open[i]);
	memmove(&n->open[i], &n->open[i + 1],
	    (n->nopen - i - 1) * sizeof(n->open[0]));
	n->nopen--;
}

/* The notification server closed one (expired, dismissed, or on our
 * CloseNotification): no longer ours to close. */
static int
notify_on_closed(sd_bus_message *m, void *arg, sd_bus_error *unused)
{
	struct notify	*n = arg;
	uint32_t	 id, reason;

	if (sd_bus_message_read(m, "uu", &id, &reason) < 0)
		return 0;
	for (size_t i = 0; i < n->nopen; i++)
		if (n->open[i].id == id) {
			log_debug("notifications: notification %" PRIu32
			    " closed (reason %" PRIu32 ")", id, reason);
			notify_open_drop(n, i);
			break;
		}
	return 0;
}

/* Whether the notification server shows actions: only then do
 * notifications carry "Mark as read". */
static int
notify_on_caps(sd_bus_message *m, void *arg, sd_bus_error *unused)
{
	struct notify	*n = arg;
	const char	*cap;
	int		 r;

	if (sd_bus_message_is_method_error(m, NULL) ||
	    sd_bus_message_enter_container(m, 'a', "s") < 0)
		return 0;
	while ((r = sd_bus_message_read(m, "s", &cap)) > 0)
		if (strcmp(cap, "actions") == 0)
			n->has_actions = true;
	log_debug("notifications: the notification server %s actions",
	    n->has_actions ? "shows" : "does not show");
	return 0;
}

static void
notify_act_unlink(struct notify *n, struct notify_act *a)
{
	struct notify_act **pp;

	for (pp = &n->acts; *pp != NULL; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			break;
		}
}

static void
notify_act_free(struct notify_act *a)
{
	free(a->account);
	free(a->email_id);
	free(a->what);
	free(a);
}

/* Why an Email/set answer is no success, in text for the log; NULL when
 * it is one. */
static const char *
notify_set_error(struct json_object *responses, const char *email_id)
{
	struct json_object	*r, *v, *e;
	const char		*name;

	if (!json_object_is_type(responses, json_type_array) ||
	    json_object_array_length(responses) < 1 ||
	    !json_object_is_type(r = json_object_array_get_idx(responses, 0),
	    json_type_array) || json_object_array_length(r) < 2)
		return "malformed answer";
	name = json_object_get_string(json_object_array_get_idx(r, 0));
	v = json_object_array_get_idx(r, 1);
	if (name != NULL && strcmp(name, "error") == 0)
		return json_object_object_get_ex(v, "type", &e) ?
		    json_object_get_string(e) : "error";
	if (name == NULL || strcmp(name, "Email/set") != 0)
		return "malformed answer";
	if (json_object_object_get_ex(v, "notUpdated", &e) &&
	    json_object_object_get_ex(e, email_id, &e))
		return json_object_object_get_ex(e, "type", &e) ?
		    json_object_get_string(e) : "notUpdated";
	return NULL;
}

/* The server's answer to an action: logged; a failure shown once, at low
 * urgency (never retried: the user can act again). */
static void
notify_action_done(struct json_object *responses, enum request_error why,
    const char *error, void *arg)
{
	struct notify_act	*a = arg;
	const char		*err;

	err = why == REQUEST_OK ? notify_set_error(responses, a->email_id) :
	    error;
	if (err == NULL)
		log_info("notifications: account %s: %s done", a->account,
		    a->what);
	else {
		log_warnx("notifications: account %s: %s failed: %s",
		    a->account, a->what, err);
		if (a->n != NULL)
			notify_error(a->n, a->what, err);
	}
	if (a->n != NULL)
		notify_act_unlink(a->n, a);
	notify_act_free(a);
}

/* "Mark as read" on a notification of ours: one Email/set over the
 * account's connection. */
static int
notify_on_action(sd_bus_message *m, void *arg, sd_bus_error *unused)
{
	struct notify		*n = arg;
	struct notify_open	*o = NULL;
	struct notify_act	*a;
	struct account		*acct;
	struct json_object	*using, *calls, *args, *upd, *patch;
	const char		*key;
	uint32_t		 id;

	if (sd_bus_message_read(m, "us", &id, &key) < 0)
		return 0;
	for (size_t i = 0; i < n->nopen && o == NULL; i++)
		if (n->open[i].id == id)
			o = &n->open[i];
	/* Another application's, or one replaced or closed already. */
	if (o == NULL)
		return 0;
	if ((strcmp(key, "default") == 0 || strcmp(key, "open") == 0) &&
	    (n->cfg->open_command != NULL || n->cfg->open_argv != NULL)) {
		notify_open_run(n, o);
		return 0;
	}
	if (strcmp(key, "mark-read") != 0)
		return 0;
	if ((acct = n->cb->find_account(n->cb->arg, o->account)) == NULL) {
		log_warnx("notifications: account %s is gone; mark-read not "
		    "sent", o->account);
		return 0;
	}
	using = json_object_new_array();
	json_object_array_add(using,
	    json_object_new_string("urn:ietf:params:jmap:core"));
	json_object_array_add(using,
	    json_object_new_string("urn:ietf:params:jmap:mail"));
	patch = json_object_new_object();
	json_object_object_add(patch, "keywords/$seen",
	    json_object_new_boolean(1));
	upd = json_object_new_object();
	json_object_object_add(upd, o->email_id, patch);
	args = json_object_new_object();
	json_object_object_add(args, "accountId",
	    json_object_new_string(o->account_id));
	json_object_object_add(args, "update", upd);
	calls = json_object_new_array();
	json_object_array_add(calls, json_object_new_array());
	json_object_array_add(json_object_array_get_idx(calls, 0),
	    json_object_new_string("Email/set"));
	json_object_array_add(json_object_array_get_idx(calls, 0), args);
	json_object_array_add(json_object_array_get_idx(calls, 0),
	    json_object_new_string("0"));
	a = xcalloc(1, sizeof(*a));
	a->n = n;
	a->account = xstrdup(o->account);
	a->email_id = xstrdup(o->email_id);
	a->what = xstrdup(key);
	log_info("notifications: account %s: %s of a notified email",
	    o->account, key);
	if (account_request(acct, using, calls, NOTIFY_ACTION_MSEC,
	    notify_action_done, a) < 0) {
		log_warnx("notifications: account %s: not connected; %s not "
		    "sent", a->account, a->what);
		notify_error(n, a->what, "the account is not connected");
		notify_act_free(a);
	} else {
		a->next = n->acts;
		n->acts = a;
	}
	json_object_put(using);
	json_object_put(calls);
	return 0;
}

/* Asks what the notification server can do; none of its actions until
 * it answered. */
static void
notify_ask_caps(struct notify *n, sd_bus *bus)
{
	int r;

	n->has_actions = false;
	if ((r = sd_bus_call_method_async(bus, NULL,
	    "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "GetCapabilities",
	    notify_on_caps, n, NULL)) < 0)
		log_warnx("notifications: cannot ask for the notification "
		    "server's capabilities: %s; notifications carry no "
		    "actions", strerror(-r));
}

/* Another notification server (or none): its capabilities may differ,
 * and the ids of the old one mean nothing to it. */
static int
notify_on_owner(sd_bus_message *m, void *arg, sd_bus_error *unused)
{
	struct notify	*n = arg;
	const char	*name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0)
		return 0;
	while (n->nopen > 0)
		notify_open_drop(n, n->nopen - 1);
	if (*new != '\0')
		notify_ask_caps(n, sd_bus_message_get_bus(m));
	else
		n->has_actions = false;
	return 0;
}

static void
notify_on_connect(sd_bus *bus, void *arg)
{
	struct notify	*n = arg;
	int		 r;

	n->no_bus_logged = false;
	/* Ids of an earlier connection mean nothing to this one. */
	while (n->nopen > 0)
		notify_open_drop(n, n->nopen - 1);
	if ((r = sd_bus_match_signal_async(bus, NULL,
	    "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "NotificationClosed",
	    notify_on_closed, NULL, n)) < 0)
		log_warnx("notifications: cannot follow NotificationClosed: "
		    "%s; notifications of mail read elsewhere may be closed "
		    "twice", strerror(-r));
	if ((r = sd_bus_match_signal_async(bus, NULL,
	    "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "ActionInvoked",
	    notify_on_action, NULL, n)) < 0 ||
	    (r = sd_bus_add_match_async(bus, NULL, "type='signal',"
	    "sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
	    "member='NameOwnerChanged',arg0='org.freedesktop.Notifications'",
	    notify_on_owner, NULL, n)) < 0)
		log_warnx("notifications: cannot follow the notification "
		    "server: %s; notifications carry no actions",
		    strerror(-r));
	else
		notify_ask_caps(n, bus);
}

/* The config's mailboxes = parsed once per config, so that each round only
 * matches. */
void
notify_set_config(struct notify *n, struct config *cfg)
{
	config_ref(cfg);
	config_unref(n->config);
	n->config = cfg;
	n->cfg = &cfg->notify;
	mailmatch_free(n->mm);
	free(n->old_logged);
	n->old_logged = NULL;
	n->mm = newmail_mailmatch(n->cfg);
	n->old_logged = xcalloc(n->mm->n, sizeof(*n->old_logged));
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
	notify_set_config(n, cfg);
	return n;
}

/* Holds nothing an account could still answer to: free it any time. */
void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	busconn_free(n->conn);
	while (n->nopen > 0)
		notify_open_drop(n, n->nopen - 1);
	/* Their answers still come (or REQUEST_SHUTDOWN); n is gone. */
	for (struct notify_act *a = n->acts; a != NULL; a = a->next)
		a->n = NULL;
	mailmatch_free(n->mm);
	free(n->old_logged);
	config_unref(n->config);
	free(n);
}

/* Whether [notify] is on for that account. */
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

/* An account that accounts = leaves out pays for no mail view on behalf
 * of notifications. */
bool
notify_mail_wanted(const struct notify *n, const char *account)
{
	return notify_wants(n, account);
}

/* The notification server's answer: logged, never retried (the mail is
 * in the mailbox all the same). */
static int
notify_reply(sd_bus_message *m, void *arg, sd_bus_error *unused)
{
	struct notify_pending	*p = arg;
	struct notify		*n = p->n;
	struct notify_open	*o;
	const sd_bus_error	*e = sd_bus_message_get_error(m);
	uint32_t		 id;

	if (e == NULL) {
		n->no_server_logged = false;
		log_debug("notifications: shown");
		if (p->account_id == NULL ||
		    sd_bus_message_read(m, "u", &id) <= 0)
			return 0;
		/* A thread's notification replaced: the same one, now
		 * about the newest email (if the server has not closed
		 * it meanwhile, it is a new one). */
		o = NULL;
		for (size_t i = 0; i < n->nopen; i++)
			if (p->replaces != 0 && n->open[i].id == p->replaces)
				o = &n->open[i];
		if (o != NULL)
			notify_open_clear(o);
		else {
			if (n->nopen == NOTIFY_OPEN_MAX)
				notify_open_drop(n, 0);
			o = &n->open[n->nopen++];
		}
		o->id = id;
		o->account = p->account;
		o->account_id = p->account_id;
		o->email_id = p->email_id;
		o->box_id = p->box_id;
		o->thread_id = p->thread_id;
		o->nthread = p->nthread;
		o->message_id = p->message_id;
		o->box_path = p->box_path;
		p->account = p->account_id = p->email_id = p->box_id = NULL;
		p->thread_id = p->message_id = p->box_path = NULL;
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

/* A failed action, shown once at low urgency, without actions: the user
 * learns that the mail was not changed.  Not followed. */
static void
notify_error(struct notify *n, const char *what, const char *why)
{
	struct newmail_notify_args	 a;
	sd_bus				*bus;
	char				*body, *text;
	int				 r;

	if (n->conn == NULL || (bus = busconn_bus(n->conn)) == NULL)
		return;
	newmail_notify_args(n->cfg, &a);
	xasprintf(&text, "%s failed: %s", what, why);
	body = newmail_text(text, 1024, true);
	if ((r = sd_bus_call_method_async(bus, NULL,
	    "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "Notify", NULL, NULL,
	    "susssasa{sv}i", a.app_name, 0u, "dialog-error",
	    "jmap-pushd: the mail was not changed", body, 0, 3,
	    "category", "s", "email", "desktop-entry", "s", a.desktop_entry,
	    "urgency", "y", (uint8_t)0, a.expire_timeout)) < 0)
		log_warnx("notifications: cannot call Notify: %s",
		    strerror(-r));
	busconn_kick(n->conn);
	free(body);
	free(text);
}

/* The actions of a notification of one email, when the server shows
 * them: a click (default) and "Open" run open_command, if set; "Mark as
 * read". */
static int
notify_append_actions(struct notify *n, sd_bus_message *m, bool one)
{
	bool open = n->cfg->open_command != NULL || n->cfg->open_argv != NULL;

	if (!one || !n->has_actions)
		return sd_bus_message_append(m, "as", 0);
	if (open)
		return sd_bus_message_append(m, "as", 6, "default", "Open",
		    "open", "Open", "mark-read", "Mark as read");
	return sd_bus_message_append(m, "as", 2, "mark-read", "Mark as read");
}

/* The user clicked: open_command runs like a hook, with the email's
 * JMAP_* variables (values only) in its environment. */
static void
notify_open_run(struct notify *n, const struct notify_open *o)
{
	extern char	**environ;
	struct proc_spec spec;
	char		*sh[] = { "/bin/sh", "-c", n->cfg->open_command, NULL };
	char		**env;
	size_t		 k = 0, nbase = strv_len(environ);

	env = xcalloc(nbase + 7, sizeof(*env));
	for (size_t i = 0; i < nbase; i++)
		if (strncmp(environ[i], "JMAP_", 5) != 0)
			env[k++] = xstrdup(environ[i]);
	xasprintf(&env[k++], "JMAP_ACCOUNT=%s", o->account);
	xasprintf(&env[k++], "JMAP_ACCOUNT_ID=%s", o->account_id);
	xasprintf(&env[k++], "JMAP_EMAIL_ID=%s", o->email_id);
	if (o->thread_id != NULL)
		xasprintf(&env[k++], "JMAP_THREAD_ID=%s", o->thread_id);
	if (o->message_id != NULL)
		xasprintf(&env[k++], "JMAP_MESSAGE_ID=%s", o->message_id);
	if (o->box_path != NULL)
		xasprintf(&env[k++], "JMAP_MAILBOX=%s", o->box_path);
	memset(&spec, 0, sizeof(spec));
	spec.name = "open_command of [notify]";
	spec.argv = n->cfg->open_argv != NULL ? n->cfg->open_argv : sh;
	spec.envp = env;
	log_info("notifications: account %s: running open_command",
	    o->account);
	/* Failures are logged by proc_spawn(). */
	(void)proc_spawn(&spec);
	strv_free(env);
}

/* Freed with the call's slot: answered, timed out or the bus gone. */
static void
notify_pending_free(void *arg)
{
	struct notify_pending *p = arg;

	free(p->account);
	free(p->account_id);
	free(p->email_id);
	free(p->box_id);
	free(p->thread_id);
	free(p->message_id);
	free(p->box_path);
	free(p);
}

/* One Notify call, answered in notify_reply(); the notification of the
 * email mail (NULL: a summary) is followed until it closes. */
static int
notify_call(struct notify *n, sd_bus *bus, const struct newmail_note *note,
    const char *account, const char *account_id, const struct newmail *mail)
{
	struct newmail_notify_args	 a;
	struct notify_pending		*p;
	struct notify_open		*thread = NULL;
	sd_bus_message			*m = NULL;
	sd_bus_slot			*slot = NULL;
	char				*summary = NULL;
	int				 r;

	/* New mail in a thread whose notification is still open replaces
	 * it instead of stacking. */
	for (size_t i = 0; mail != NULL && mail->thread_id != NULL &&
	    i < n->nopen; i++)
		if (n->open[i].thread_id != NULL &&
		    strcmp(n->open[i].thread_id, mail->thread_id) == 0 &&
		    strcmp(n->open[i].account_id, account_id) == 0)
			thread = &n->open[i];
	if (thread != NULL)
		summary = newmail_thread_summary(mail, thread->nthread + 1);
	newmail_notify_args(n->cfg, &a);
	if ((r = sd_bus_message_new_method_call(bus, &m,
	    "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "Notify")) < 0 ||
	    (r = sd_bus_message_append(m, "susss", a.app_name,
	    thread != NULL ? thread->id : 0u, a.app_icon,
	    summary != NULL ? summary : note->summary, note->body)) < 0 ||
	    (r = notify_append_actions(n, m, mail != NULL)) < 0 ||
	    (r = sd_bus_message_append(m, "a{sv}", 4,
	    "category", "s", a.category,
	    "desktop-entry", "s", a.desktop_entry,
	    "sound-name", "s", a.sound_name,
	    "urgency", "y", a.urgency)) < 0 ||
	    (r = sd_bus_message_append(m, "i", a.expire_timeout)) < 0)
		goto out;
	p = xcalloc(1, sizeof(*p));
	p->n = n;
	if (mail != NULL && mail->box_id != NULL) {
		p->account = xstrdup(account);
		p->account_id = xstrdup(account_id);
		p->email_id = xstrdup(mail->id);
		p->box_id = xstrdup(mail->box_id);
		p->thread_id = mail->thread_id != NULL ?
		    xstrdup(mail->thread_id) : NULL;
		p->nthread = thread != NULL ? thread->nthread + 1 : 1;
		p->replaces = thread != NULL ? thread->id : 0;
		p->message_id = mail->message_id != NULL ?
		    xstrdup(mail->message_id) : NULL;
		p->box_path = mail->box_path != NULL ?
		    xstrdup(mail->box_path) : NULL;
	}
	if ((r = sd_bus_call_async(bus, &slot, m, notify_reply, p,
	    NOTIFY_CALL_USEC)) < 0) {
		notify_pending_free(p);
		goto out;
	}
	/* The bus holds the slot; p goes with it. */
	sd_bus_slot_set_destroy_callback(slot, notify_pending_free);
	sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
out:
	free(summary);
	sd_bus_message_unref(m);
	return r;
}

/* One notification round: a note per email, or one summary. */
static void
notify_show(struct notify *n, const char *account, const char *account_id,
    const struct newmail *mails, size_t nmails, uint64_t count)
{
	struct newmail_note	*notes;
	sd_bus			*bus;
	size_t			 nnotes;
	int			 r;

	if (n->conn == NULL || (bus = busconn_bus(n->conn)) == NULL) {
		if (!n->no_bus_logged)
			log_info("notifications: account %s: %" PRIu64 " new "
			    "message(s) but no session bus to show them on",
			    account, count);
		n->no_bus_logged = true;
		return;
	}
	nnotes = newmail_notes(mails, nmails, count, n->cfg->max_per_burst,
	    &notes);
	for (size_t i = 0; i < nnotes; i++)
		if ((r = notify_call(n, bus, &notes[i], account, account_id,
		    nnotes == nmails && nnotes == count ? &mails[i] :
		    NULL)) < 0)
			log_warnx("notifications: cannot call Notify: %s",
			    strerror(-r));
	newmail_notes_free(notes, nnotes);
	busconn_kick(n->conn);
	log_info("notifications: account %s: %" PRIu64 " new message(s)",
	    account, count);
}

/* Configs written before `mailboxes =` meant the same in every output
 * still work; the user learns, once per item, how to write it now. */
static void
notify_log_old(struct notify *n, const enum newmail_match *old)
{
	const char	*item;

	for (size_t i = 0; i < n->mm->n; i++) {
		if (old[i] == NEWMAIL_NO || n->old_logged[i])
			continue;
		n->old_logged[i] = true;
		item = n->mm->items[i];
		if (old[i] == NEWMAIL_OLD_ROLE)
			log_info("notifications: [notify] mailboxes item '%s' "
			    "matched a mailbox by its role in other letter "
			    "case (the older meaning, still honoured here); "
			    "write the role in lower case, as hooks read it",
			    item);
		else
			log_info("notifications: [notify] mailboxes item '%s' "
			    "matched a mailbox by its name below another one "
			    "(the older meaning, still honoured here); write "
			    "its path, or '*/%s' for that name anywhere below "
			    "another, as hooks read it", item, item);
	}
}

/* Closes the notifications whose email the round shows read, moved out
 * of the mailbox it was announced in, or destroyed: the notification
 * says what is true now. */
static void
notify_close_gone(struct notify *n, const struct mail_event *ev)
{
	const struct mailresult_touched	*t;
	struct notify_open		*o;
	sd_bus				*bus;
	size_t				 k;
	bool				 gone;
	int				 r;

	if (n->nopen == 0 || n->conn == NULL ||
	    (bus = busconn_bus(n->conn)) == NULL)
		return;
	for (size_t i = 0; i < ev->result->ntouched; i++) {
		t = &ev->result->touched[i];
		for (size_t j = 0; j < n->nopen; j++) {
			o = &n->open[j];
			if (strcmp(o->email_id, t->id) != 0 ||
			    strcmp(o->account_id, ev->account_id) != 0)
				continue;
			for (k = 0; k < t->nbox_ids; k++)
				if (strcmp(t->box_ids[k], o->box_id) == 0)
					break;
			gone = t->destroyed || t->seen || k == t->nbox_ids;
			if (!gone)
				break;
			log_info("notifications: account %s: closing the "
			    "notification of an email %s elsewhere",
			    ev->account, t->destroyed ? "destroyed" : t->seen ?
			    "read" : "moved");
			if ((r = sd_bus_call_method_async(bus, NULL,
			    "org.freedesktop.Notifications",
			    "/org/freedesktop/Notifications",
			    "org.freedesktop.Notifications",
			    "CloseNotification", NULL, NULL, "u", o->id)) < 0)
				log_warnx("notifications: cannot call "
				    "CloseNotification: %s", strerror(-r));
			notify_open_drop(n, j);
			break;
		}
	}
	busconn_kick(n->conn);
}

/* A round of the mail view of one JMAP accountId: its new emails in the
 * selected mailboxes, if any, make one notification round. */
void
notify_mail(struct notify *n, const struct mail_event *ev)
{
	struct newmail	*mails;
	uint64_t	 count;
	size_t		 nmails;
	enum newmail_match *old;

	if (!notify_wants(n, ev->account))
		return;
	old = xcalloc(n->mm->n, sizeof(*old));
	nmails = newmail_collect(ev->result, ev->cache, n->mm, &mails, &count,
	    old);
	notify_log_old(n, old);
	free(old);
	log_debug("notifications: account %s: accountId %s at Email state "
	    "%s: %" PRIu64 " new message(s) to announce", ev->account,
	    ev->account_id, ev->cache->email_state != NULL ?
	    ev->cache->email_state : "(none)", count);
	if (count > 0)
		notify_show(n, ev->account, ev->account_id, mails, nmails,
		    count);
	free(mails);
	notify_close_gone(n, ev);
}
