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
/* Emails one notification follows at most; beyond, the oldest are
 * forgotten, and it is no longer closed by us (partial). */
#define NOTIFY_IDS_MAX		256

/* A notification of ours, on screen as far as we know: of one email (the
 * newest of its thread), of a summary, or test-notify's sample. */
struct notify_open {
	uint32_t	 id;		/* the notification server's */
	char		*account;	/* config name; NULL: a sample for
					 * no account */
	char		*account_id;	/* NULL: the sample */
	char		*email_id;	/* NULL: a summary or the sample */
	char		*box_id;	/* the mailbox email_id was announced
					 * in */
	char		*thread_id;	/* NULL when none */
	unsigned	 nthread;	/* emails of the thread it announced */
	char		*message_id;	/* NULL when none */
	char		*box_path;	/* NULL when unknown */
	char		**ids;		/* every email it stands for that is
					 * still unread in its mailbox;
					 * NULL-ended, NULL for the sample */
	char		**boxes;	/* the mailbox each of ids was
					 * announced in */
	bool		 partial;	/* a summary that counts emails it
					 * does not know: never closed by us */
	char		*server;	/* "BUS-ID UNIQUE-NAME" of the
					 * notification server that showed it */
	bool		 close_owed;	/* its mail all gone before its
					 * server was known to be the same */
};

/* Whether the owner of org.freedesktop.Notifications is known. */
enum notify_server_state {
	NOTIFY_SERVER_ASKING,	/* connected, GetNameOwner under way */
	NOTIFY_SERVER_KNOWN,	/* server (NULL when there is none) */
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
	enum notify_server_state	 server_state;
	char				*server;	/* "BUS-ID UNIQUE-NAME" */
	char				**attached;	/* accounts whose followed
							 * notifications were read
							 * from their stores */
};

/* notifyfollow.c: the notifications followed (n->open). */
void notifyfollow_clear(struct notify_open *);
/* Forgets open[i] (closed, or gone with its server). */
void notifyfollow_drop(struct notify *, size_t i);
/* Follows o from now on (its strings taken; o zeroed), id the one the
 * server that sent the reply m gave it; a thread's notification with
 * replaces its id follows the emails of the one it replaced too. */
void notifyfollow_add(struct notify *, sd_bus_message *m,
    struct notify_open *o, uint32_t replaces);
/* NotificationClosed, matched with n as its argument. */
int notifyfollow_on_closed(sd_bus_message *, void *n, sd_bus_error *);
/* Closes the notifications whose emails the round shows all read, moved
 * out of the mailbox they were announced in, or destroyed (ev
 * borrowed). */
void notifyfollow_close_gone(struct notify *, const struct mail_event *);
/* Connected to the bus: asks who the notification server is. */
void notifyfollow_connected(struct notify *, sd_bus *);
/* org.freedesktop.Notifications has a new owner (unique name, "" when
 * none): the notifications of the one before mean nothing to it. */
void notifyfollow_server(struct notify *, sd_bus *, const char *owner);
/* The store of the account was opened: its followed notifications are
 * read from it the first time, written to it after that. */
void notifyfollow_attach(struct notify *, const char *account);
/* Drops everything followed, n going. */
void notifyfollow_free(struct notify *);

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
