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
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "config/config.h"
#include "config/mailmatch.h"
#include "util/busconn.h"
#include "output/newmail.h"
#include "output/notify.h"
#include "session/account.h"
#include "session/mailbox.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define NOTIFY_CALL_USEC	(10 * 1000000ULL)

struct notify {
	struct event_base		*base;
	struct config			*config;	/* held */
	const struct config_notify	*cfg;	/* config's [notify] */
	struct mailmatch		*mm;	/* cfg->mailboxes */
	bool				*old_logged;	/* per item of mm */
	struct busconn			*conn;	/* NULL while disabled */
	bool				 no_server_logged;
	bool				 no_bus_logged;
	bool				 muted;
};

static void
notify_on_connect(sd_bus *bus, void *arg)
{
	struct notify *n = arg;

	n->no_bus_logged = false;
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
notify_new(struct event_base *base, struct config *cfg)
{
	struct notify *n = xcalloc(1, sizeof(*n));

	n->base = base;
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

/* One Notify call, answered in notify_reply(). */
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

/* One notification round: a note per email, or one summary. */
static void
notify_show(struct notify *n, const char *account,
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
		if ((r = notify_call(n, bus, &notes[i])) < 0)
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
	/* Dropped for good: the view moves on past them. */
	if (count > 0 && n->muted) {
		log_info("notifications: account %s: %" PRIu64 " new "
		    "message(s), not announced: muted", ev->account, count);
		count = 0;
	}
	log_debug("notifications: account %s: accountId %s at Email state "
	    "%s: %" PRIu64 " new message(s) to announce", ev->account,
	    ev->account_id, ev->cache->email_state != NULL ?
	    ev->cache->email_state : "(none)", count);
	if (count > 0)
		notify_show(n, ev->account, mails, nmails, count);
	free(mails);
}

void
notify_set_muted(struct notify *n, bool muted)
{
	n->muted = muted;
}

int
notify_test(struct notify *n, const char *account, const char **why)
{
	struct newmail_note	 note;
	sd_bus			*bus;
	char			*name;
	int			 r;

	if (!n->cfg->enabled) {
		*why = "notifications are off: add a [notify] section to the "
		    "configuration and reload";
		return -1;
	}
	if (account != NULL && !notify_wants(n, account)) {
		*why = "[notify] accounts = leaves that account out: add it "
		    "there and reload, or test without an account";
		return -1;
	}
	if (n->conn == NULL || (bus = busconn_bus(n->conn)) == NULL) {
		*why = "the daemon has no D-Bus session bus to show "
		    "notifications on: start it in the graphical session "
		    "(systemctl --user), or with DBUS_SESSION_BUS_ADDRESS set";
		return -1;
	}
	note.summary = xstrdup("jmap-pushd: test notification");
	if (account != NULL) {
		name = newmail_text(account, 256, true);
		xasprintf(&note.body, "New mail of account %s is shown like "
		    "this.", name);
		free(name);
	} else
		note.body = xstrdup("New mail is shown like this.");
	r = notify_call(n, bus, &note);
	free(note.summary);
	free(note.body);
	if (r < 0) {
		log_warnx("notifications: cannot call Notify: %s",
		    strerror(-r));
		*why = "the Notify call could not be sent (see the log)";
		return -1;
	}
	busconn_kick(n->conn);
	log_info("notifications: test notification%s%s sent",
	    account != NULL ? " for account " : "",
	    account != NULL ? account : "");
	return 0;
}
