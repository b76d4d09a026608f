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
#include "session/mailresult.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define NOTIFY_CALL_USEC	(10 * 1000000ULL)
/* Notifications of single emails followed until closed; the oldest is
 * forgotten (stays on screen until it expires) beyond. */
#define NOTIFY_OPEN_MAX		128

/* A notification of one email, on screen as far as we know. */
struct notify_open {
	uint32_t	 id;		/* the notification server's */
	char		*account_id;
	char		*email_id;
	char		*box_id;	/* the mailbox it was announced in */
};

/* What a Notify call announces, for its reply. */
struct notify_pending {
	struct notify	*n;
	char		*account_id;	/* NULL: a summary, not followed */
	char		*email_id;
	char		*box_id;
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
};

static void
notify_open_clear(struct notify_open *o)
{
	free(o->account_id);
	free(o->email_id);
	free(o->box_id);
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
	while (n->nopen > 0)
		notify_open_drop(n, n->nopen - 1);
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
		if (n->nopen == NOTIFY_OPEN_MAX)
			notify_open_drop(n, 0);
		o = &n->open[n->nopen++];
		o->id = id;
		o->account_id = p->account_id;
		o->email_id = p->email_id;
		o->box_id = p->box_id;
		p->account_id = p->email_id = p->box_id = NULL;
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

	free(p->account_id);
	free(p->email_id);
	free(p->box_id);
	free(p);
}

/* One Notify call, answered in notify_reply(); the notification of the
 * email mail (NULL: a summary) is followed until it closes. */
static int
notify_call(struct notify *n, sd_bus *bus, const struct newmail_note *note,
    const char *account_id, const struct newmail *mail)
{
	struct newmail_notify_args	 a;
	struct notify_pending		*p;
	sd_bus_message			*m = NULL;
	sd_bus_slot			*slot = NULL;
	int				 r;

	newmail_notify_args(n->cfg, &a);
	if ((r = sd_bus_message_new_method_call(bus, &m,
	    "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
	    "org.freedesktop.Notifications", "Notify")) < 0 ||
	    (r = sd_bus_message_append(m, "susss", a.app_name, 0u, a.app_icon,
	    note->summary, note->body)) < 0 ||
	    (r = sd_bus_message_append(m, "as", 0)) < 0 ||
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
		p->account_id = xstrdup(account_id);
		p->email_id = xstrdup(mail->id);
		p->box_id = xstrdup(mail->box_id);
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
		if ((r = notify_call(n, bus, &notes[i], account_id,
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
