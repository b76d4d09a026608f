/* SPDX-License-Identifier: ISC */
/*
 * The notifications of ours on screen, followed until they close: closed
 * by us (CloseNotification) when the mail view shows their mail read,
 * moved out of the mailbox it was announced in, or destroyed elsewhere;
 * forgotten when the notification server says it closed one.
 */
#include "autoconf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "util/busconn.h"
#include "output/notify-int.h"
#include "session/account.h"
#include "session/mailresult.h"
#include "util/log.h"
#include "util/strv.h"

void
notifyfollow_clear(struct notify_open *o)
{
	free(o->account);
	free(o->account_id);
	free(o->email_id);
	free(o->box_id);
	free(o->thread_id);
	free(o->message_id);
	free(o->box_path);
	strv_free(o->ids);
}

/* Forgets open[i] (closed, or gone with its server). */
void
notifyfollow_drop(struct notify *n, size_t i)
{
	notifyfollow_clear(&n->open[i]);
	memmove(&n->open[i], &n->open[i + 1],
	    (n->nopen - i - 1) * sizeof(n->open[0]));
	n->nopen--;
}

/* The notification server closed one (expired, dismissed, or on our
 * CloseNotification): no longer ours to close. */
int
notifyfollow_on_closed(sd_bus_message *m, void *arg, sd_bus_error *unused)
{
	struct notify	*n = arg;
	uint32_t	 id, reason;

	if (sd_bus_message_read(m, "uu", &id, &reason) < 0)
		return 0;
	for (size_t i = 0; i < n->nopen; i++)
		if (n->open[i].id == id) {
			log_debug("notifications: notification %" PRIu32
			    " closed (reason %" PRIu32 ")", id, reason);
			notifyfollow_drop(n, i);
			break;
		}
	return 0;
}

/* Closes the notifications whose email the round shows read, moved out
 * of the mailbox it was announced in, or destroyed: the notification
 * says what is true now. */
void
notifyfollow_close_gone(struct notify *n, const struct mail_event *ev)
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
			if (o->email_id == NULL ||
			    strcmp(o->email_id, t->id) != 0 ||
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
			notifyfollow_drop(n, j);
			break;
		}
	}
	busconn_kick(n->conn);
}
