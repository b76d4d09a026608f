/* SPDX-License-Identifier: ISC */
/*
 * What the parts of [notify] share, private to src/output/notify*.c:
 * notify.c shows new mail (the bus, the Notify calls, the rounds of the
 * mail view), notifyfollow.c follows the notifications on screen until
 * they close, notifyact.c carries out their actions.
 */
#ifndef JP_NOTIFY_INT_H
#define JP_NOTIFY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-bus.h>

struct busconn;
struct config;
struct config_notify;
struct event_base;
struct mail_event;
struct mailmatch;
struct notify_act;
struct outputs_callbacks;

/* Notifications of single emails followed until closed; the oldest is
 * forgotten (stays on screen until it expires) beyond. */
#define NOTIFY_OPEN_MAX		128

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
	char		**ids;		/* a summary's emails (email_id and
					 * the rest NULL); NULL-ended */
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
	bool				 muted;
};

/* notifyfollow.c: the notifications followed (n->open). */
void notifyfollow_clear(struct notify_open *);
/* Forgets open[i] (closed, or gone with its server). */
void notifyfollow_drop(struct notify *, size_t i);
/* NotificationClosed, matched with n as its argument. */
int notifyfollow_on_closed(sd_bus_message *, void *n, sd_bus_error *);
/* Closes the notifications whose email the round shows read, moved out
 * of the mailbox it was announced in, or destroyed (ev borrowed). */
void notifyfollow_close_gone(struct notify *, const struct mail_event *);

/* notifyact.c: the actions. */
/* ActionInvoked, matched with n as its argument. */
int notifyact_on_action(sd_bus_message *, void *n, sd_bus_error *);
/* Appends a Notify call's actions (as) to m: those of one email (one),
 * of a summary (summary), or none. */
int notifyact_append(struct notify *, sd_bus_message *m, bool one,
    bool summary);
/* A failed action shown at low urgency; what and why borrowed. */
void notifyact_error(struct notify *, const char *what, const char *why);
/* n goes: the Email/set still under way answer to nobody. */
void notifyact_detach(struct notify *);

#endif
