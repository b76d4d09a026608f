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
#include <systemd/sd-bus.h>

#include "config/config.h"
#include "config/mailmatch.h"
#include "util/busconn.h"
#include "output/newmail.h"
#include "output/notify.h"
#include "output/notify-int.h"
#include "output/outputs.h"
#include "session/account.h"
#include "session/mailbox.h"
#include "session/mailresult.h"
#include "util/log.h"
#include "util/strv.h"
#include "util/xmalloc.h"

#define NOTIFY_CALL_USEC	(10 * 1000000ULL)

/* What a Notify call announces, for its reply. */
struct notify_pending {
	struct notify		*n;
	bool			 follow;	/* o, once it has an id */
	struct notify_open	 o;
	uint32_t		 replaces;	/* 0: a new notification */
};

/* Whether the notification server shows actions: only then do
 * notifications carry them. */
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
	notifyfollow_server(n, sd_bus_message_get_bus(m), new);
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
	/* Ids of an earlier connection may mean nothing to this one. */
	notifyfollow_connected(n, bus);
	if ((r = sd_bus_match_signal_async(bus, NULL,
	    "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "NotificationClosed",
	    notifyfollow_on_closed, NULL, n)) < 0)
		log_warnx("notifications: cannot follow NotificationClosed: "
		    "%s; notifications of mail read elsewhere may be closed "
		    "twice", strerror(-r));
	if ((r = sd_bus_match_signal_async(bus, NULL,
	    "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "ActionInvoked",
	    notifyact_on_action, NULL, n)) < 0 ||
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
	notifyfollow_free(n);
	notifyact_detach(n);
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
	const sd_bus_error	*e = sd_bus_message_get_error(m);

	if (e == NULL) {
		n->no_server_logged = false;
		log_debug("notifications: shown");
		if (p->follow)
			notifyfollow_add(n, m, &p->o, p->replaces);
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

/* Freed with the call's slot: answered, timed out or the bus gone. */
static void
notify_pending_free(void *arg)
{
	struct notify_pending *p = arg;

	notifyfollow_clear(&p->o);
	free(p);
}

/* One Notify call, answered in notify_reply(); the notification of the
 * email mail, or else the summary of the known emails of a burst (partial
 * when it counts others), is followed until it closes; account_id NULL:
 * test-notify's sample, followed for its actions. */
static int
notify_call(struct notify *n, sd_bus *bus, const struct newmail_note *note,
    const char *account, const char *account_id, const struct newmail *mail,
    const struct newmail *burst, size_t nburst, bool partial)
{
	struct newmail_notify_args	 a;
	struct notify_pending		*p;
	struct notify_open		*thread = NULL, *o;
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
		    n->open[i].account_id != NULL &&
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
	    (r = notifyact_append(n, m, mail != NULL || account_id == NULL,
	    mail == NULL && nburst > 0)) < 0 ||
	    (r = sd_bus_message_append(m, "a{sv}", 4,
	    "category", "s", a.category,
	    "desktop-entry", "s", a.desktop_entry,
	    "sound-name", "s", a.sound_name,
	    "urgency", "y", a.urgency)) < 0 ||
	    (r = sd_bus_message_append(m, "i", a.expire_timeout)) < 0)
		goto out;
	p = xcalloc(1, sizeof(*p));
	p->n = n;
	o = &p->o;
	if (mail != NULL && mail->box_id != NULL) {
		p->follow = true;
		o->account = xstrdup(account);
		o->account_id = xstrdup(account_id);
		o->email_id = xstrdup(mail->id);
		o->box_id = xstrdup(mail->box_id);
		o->thread_id = mail->thread_id != NULL ?
		    xstrdup(mail->thread_id) : NULL;
		o->nthread = thread != NULL ? thread->nthread + 1 : 1;
		o->message_id = mail->message_id != NULL ?
		    xstrdup(mail->message_id) : NULL;
		o->box_path = mail->box_path != NULL ?
		    xstrdup(mail->box_path) : NULL;
		o->ids = xcalloc(2, sizeof(*o->ids));
		o->boxes = xcalloc(2, sizeof(*o->boxes));
		o->ids[0] = xstrdup(mail->id);
		o->boxes[0] = xstrdup(mail->box_id);
		p->replaces = thread != NULL ? thread->id : 0;
	} else if (mail == NULL && nburst > 0) {
		p->follow = true;
		if (nburst > NOTIFY_IDS_MAX) {
			burst += nburst - NOTIFY_IDS_MAX;
			nburst = NOTIFY_IDS_MAX;
			partial = true;
		}
		o->account = xstrdup(account);
		o->account_id = xstrdup(account_id);
		o->ids = xcalloc(nburst + 1, sizeof(*o->ids));
		o->boxes = xcalloc(nburst + 1, sizeof(*o->boxes));
		for (size_t i = 0; i < nburst; i++) {
			o->ids[i] = xstrdup(burst[i].id);
			o->boxes[i] = xstrdup(burst[i].box_id != NULL ?
			    burst[i].box_id : "");
		}
		o->partial = partial;
	} else if (account_id == NULL) {
		p->follow = true;
		o->account = account != NULL ? xstrdup(account) : NULL;
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
		    NULL, mails, nmails, count > nmails)) < 0)
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
		notify_show(n, ev->account, ev->account_id, mails, nmails,
		    count);
	free(mails);
	notifyfollow_close_gone(n, ev);
}

void
notify_attach(struct notify *n, const char *account)
{
	notifyfollow_attach(n, account);
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
	/* A sample: no email behind it; its actions change no mail. */
	r = notify_call(n, bus, &note, account, NULL, NULL, NULL, 0, false);
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
