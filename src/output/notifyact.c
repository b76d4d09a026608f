/* SPDX-License-Identifier: ISC */
/*
 * The actions of a notification of ours (ActionInvoked): a click or "Open"
 * runs open_command or open_exec like a hook; "Mark as read", "Archive"
 * and "Trash" send one Email/set over the account's connection, and a
 * failure is shown once as a low-urgency notification, never retried.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "config/config.h"
#include "util/busconn.h"
#include "output/newmail.h"
#include "output/notify-int.h"
#include "output/outputs.h"
#include "session/account.h"
#include "session/mailbox.h"
#include "util/json.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/xmalloc.h"

/* An action's Email/set, answered in notifyact_done(): bounded so
 * that a failure is shown within 8 s of the click. */
#define NOTIFY_ACTION_MSEC	(7 * 1000)

static void notifyact_open_run(struct notify *, const struct notify_open *);

/* An action's Email/set under way; outlives n when n goes first (n
 * NULL then). */
struct notify_act {
	struct notify		*n;
	struct notify_act	*next;
	char			*account;
	char			*what;		/* "mark-read" */
};

static void
notifyact_unlink(struct notify *n, struct notify_act *a)
{
	struct notify_act **pp;

	for (pp = &n->acts; *pp != NULL; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			break;
		}
}

static void
notifyact_free(struct notify_act *a)
{
	free(a->account);
	free(a->what);
	free(a);
}

/* A JMAP error object as text: its type (dflt when it has none), and
 * its description after a colon when it has one; in buf. */
static const char *
notifyact_why(struct json_object *err, const char *dflt, char *buf,
    size_t len)
{
	struct json_object	*t, *d;
	const char		*type = dflt;

	if (json_object_object_get_ex(err, "type", &t) &&
	    json_object_is_type(t, json_type_string))
		type = json_object_get_string(t);
	if (json_object_object_get_ex(err, "description", &d) &&
	    json_object_is_type(d, json_type_string))
		snprintf(buf, len, "%s: %s", type, json_object_get_string(d));
	else
		snprintf(buf, len, "%s", type);
	return buf;
}

/* Why an Email/set answer is no success (for any of its emails), in text
 * for the log and the error notification (the server's words, in buf);
 * NULL when it is one. */
static const char *
notifyact_set_error(struct json_object *responses, char *buf, size_t len)
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
		return notifyact_why(v, "error", buf, len);
	if (name == NULL || strcmp(name, "Email/set") != 0)
		return "malformed answer";
	/* The first email that was not updated says why. */
	if (json_object_object_get_ex(v, "notUpdated", &e) &&
	    json_object_is_type(e, json_type_object)) {
		json_object_object_foreach(e, id, why) {
			(void)id;
			return notifyact_why(why, "notUpdated", buf, len);
		}
	}
	return NULL;
}

/* The server's answer to an action: logged; a failure shown once, at low
 * urgency (never retried: the user can act again). */
static void
notifyact_done(struct json_object *responses, enum request_error why,
    const char *error, void *arg)
{
	struct notify_act	*a = arg;
	const char		*err;
	char			 buf[512];

	err = why == REQUEST_OK ? notifyact_set_error(responses, buf,
	    sizeof(buf)) : error;
	if (err == NULL)
		log_info("notifications: account %s: %s done", a->account,
		    a->what);
	else {
		char q[JSONU_QUOTE_SIZE(256)];

		/* The server's words: made safe for one log line. */
		log_warnx("notifications: account %s: %s failed: %s",
		    a->account, a->what, jsonu_quote(q, sizeof(q), err));
		if (a->n != NULL)
			notifyact_error(a->n, a->what, err);
	}
	if (a->n != NULL)
		notifyact_unlink(a->n, a);
	notifyact_free(a);
}

/* Finding the mailbox of a role in the mail view of one accountId. */
struct notifyact_role_find {
	const char	*account_id;
	const char	*role;
	char		*id;		/* found; the caller frees */
};

static void
notifyact_role_find(const char *account_id, const struct mailbox_cache *c,
    void *arg)
{
	struct notifyact_role_find *f = arg;

	if (strcmp(account_id, f->account_id) != 0 || f->id != NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].role != NULL &&
		    strcmp(c->v[i].role, f->role) == 0) {
			f->id = xstrdup(c->v[i].id);
			return;
		}
}

/* Whether notifications offer that action (an old one may come from a
 * notification shown before a reload). */
static bool
notifyact_offers(const struct notify *n, const char *key)
{
	static const char *const keys[] = {
		[NOTIFY_ACTION_OPEN] = "open",
		[NOTIFY_ACTION_MARK_READ] = "mark-read",
		[NOTIFY_ACTION_ARCHIVE] = "archive",
		[NOTIFY_ACTION_TRASH] = "trash",
	};

	for (size_t i = 0; i < n->cfg->nactions; i++)
		if (strcmp(keys[n->cfg->actions[i]], key) == 0)
			return true;
	return false;
}

/* "Mark as read", "Archive" or "Trash" on a notification of ours: one
 * Email/set over the account's connection. */
int
notifyact_on_action(sd_bus_message *m, void *arg, sd_bus_error *unused)
{
	struct notify		*n = arg;
	struct notify_open	*o = NULL;
	struct notify_act	*a;
	struct account		*acct;
	struct json_object	*using, *calls, *args, *upd, *patch;
	const char		*key, *role;
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
		notifyact_open_run(n, o);
		return 0;
	}
	/* test-notify's sample: no mail to change, only the click works. */
	if (o->account_id == NULL) {
		if (notifyact_offers(n, key))
			log_info("notifications: test notification: action "
			    "'%s' received", key);
		return 0;
	}
	if (strcmp(key, "mark-read") == 0)
		role = NULL;
	else if (o->email_id != NULL && (strcmp(key, "archive") == 0 ||
	    strcmp(key, "trash") == 0))
		role = key;
	else
		return 0;
	if (!notifyact_offers(n, key))
		return 0;
	if (role == NULL && o->ids[0] == NULL) {
		log_info("notifications: account %s: %s: the emails of that "
		    "notification are read or gone already", o->account, key);
		return 0;
	}
	if ((acct = n->cb->find_account(n->cb->arg, o->account)) == NULL) {
		log_warnx("notifications: account %s is gone; %s not sent",
		    o->account, key);
		return 0;
	}
	patch = json_object_new_object();
	if (role == NULL)
		json_object_object_add(patch, "keywords/$seen",
		    json_object_new_boolean(1));
	else {
		struct notifyact_role_find f = { o->account_id, role, NULL };
		char *k;

		/* A missing role is known before asking the server. */
		account_foreach_mailboxes(acct, notifyact_role_find, &f);
		if (f.id == NULL) {
			log_warnx("notifications: account %s: %s not sent: no "
			    "mailbox has the role %s", o->account, key, role);
			notifyact_error(n, key, role[0] == 'a' ?
			    "no mailbox has the role archive" :
			    "no mailbox has the role trash");
			json_object_put(patch);
			return 0;
		}
		xasprintf(&k, "mailboxIds/%s", o->box_id);
		json_object_object_add(patch, k, NULL);
		free(k);
		xasprintf(&k, "mailboxIds/%s", f.id);
		json_object_object_add(patch, k, json_object_new_boolean(1));
		free(k);
		free(f.id);
	}
	using = json_object_new_array();
	json_object_array_add(using,
	    json_object_new_string("urn:ietf:params:jmap:core"));
	json_object_array_add(using,
	    json_object_new_string("urn:ietf:params:jmap:mail"));
	upd = json_object_new_object();
	if (role != NULL)
		json_object_object_add(upd, o->email_id, patch);
	else {
		/* Every email the notification still stands for (one, a
		 * thread's or a summary's): the same patch for each, so
		 * that it closes. */
		for (size_t i = 0; o->ids[i] != NULL; i++)
			json_object_object_add(upd, o->ids[i],
			    json_object_get(patch));
		json_object_put(patch);
	}
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

	a->what = xstrdup(key);
	log_info("notifications: account %s: %s of a notified email",
	    o->account, key);
	if (account_request(acct, using, calls, NOTIFY_ACTION_MSEC,
	    notifyact_done, a) < 0) {
		log_warnx("notifications: account %s: not connected; %s not "
		    "sent", a->account, a->what);
		notifyact_error(n, a->what, "the account is not connected");
		notifyact_free(a);
	} else {
		a->next = n->acts;
		n->acts = a;
	}
	json_object_put(using);
	json_object_put(calls);
	return 0;
}

/* The notification server's answer to an error notification: logged
 * only. */
static int
notifyact_error_reply(sd_bus_message *m, void *unused, sd_bus_error *e)
{
	const sd_bus_error *err = sd_bus_message_get_error(m);

	if (err == NULL)
		log_debug("notifications: error notification shown");
	else
		log_warnx("notifications: the notification server refused "
		    "the error notification: %s", err->message != NULL ?
		    err->message : err->name);
	return 0;
}

/* A failed action, shown once at low urgency, without actions: the user
 * learns that the mail was not changed.  Not followed. */
void
notifyact_error(struct notify *n, const char *what, const char *why)
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
	    "org.freedesktop.Notifications", "Notify", notifyact_error_reply,
	    NULL, "susssasa{sv}i", a.app_name, 0u, "dialog-error",
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
 * them: a click (default) runs open_command, if set; then actions = in
 * its order.  A summary's: the click and mark-read. */
int
notifyact_append(struct notify *n, sd_bus_message *m, bool one,
    bool summary)
{
	static const char *const labels[][2] = {
		[NOTIFY_ACTION_OPEN] = { "open", "Open" },
		[NOTIFY_ACTION_MARK_READ] = { "mark-read", "Mark as read" },
		[NOTIFY_ACTION_ARCHIVE] = { "archive", "Archive" },
		[NOTIFY_ACTION_TRASH] = { "trash", "Trash" },
	};
	int r;

	if ((!one && !summary) || !n->has_actions)
		return sd_bus_message_append(m, "as", 0);
	if ((r = sd_bus_message_open_container(m, 'a', "s")) < 0)
		return r;
	if ((n->cfg->open_command != NULL || n->cfg->open_argv != NULL) &&
	    (r = sd_bus_message_append(m, "ss", "default", "Open")) < 0)
		return r;
	/* A summary: mark-read (all of them), if offered. */
	for (size_t i = 0; i < n->cfg->nactions; i++)
		if ((one || n->cfg->actions[i] == NOTIFY_ACTION_MARK_READ) &&
		    (r = sd_bus_message_append(m, "ss",
		    labels[n->cfg->actions[i]][0],
		    labels[n->cfg->actions[i]][1])) < 0)
			return r;
	return sd_bus_message_close_container(m);
}

/* The user clicked: open_command runs like a hook, with the email's
 * JMAP_* variables (values only) in its environment. */
static void
notifyact_open_run(struct notify *n, const struct notify_open *o)
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
	if (o->account != NULL)
		xasprintf(&env[k++], "JMAP_ACCOUNT=%s", o->account);
	if (o->account_id != NULL)
		xasprintf(&env[k++], "JMAP_ACCOUNT_ID=%s", o->account_id);
	if (o->email_id != NULL)
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
	if (o->account != NULL)
		log_info("notifications: account %s: running open_command",
		    o->account);
	else
		log_info("notifications: test notification: running "
		    "open_command");
	/* Failures are logged by proc_spawn(). */
	(void)proc_spawn(&spec);
	strv_free(env);
}

void
notifyact_detach(struct notify *n)
{
	/* Their answers still come (or REQUEST_SHUTDOWN); n is gone. */
	for (struct notify_act *a = n->acts; a != NULL; a = a->next)
		a->n = NULL;
	n->acts = NULL;
}
