/* SPDX-License-Identifier: ISC */
/* Where changes and connection events go: the one fan-out point between
 * accounts and every output (hooks, the socket, D-Bus, notifications). */
#ifndef JP_OUTPUTS_H
#define JP_OUTPUTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* struct push_event: what an account hands to the outputs. */
#include "session/account.h"

struct account;
struct config;
struct event_base;
struct json_object;
struct net;
struct outputs;
struct store;

/* What the outputs ask of the daemon: the accounts running, and the
 * commands some outputs take (status, reconnect, reload).  Each gets arg. */
typedef void (*outputs_account_fn)(struct account *, void *fnarg);
struct outputs_callbacks {
	/* Every account that is not closing, in config order. */
	void (*foreach_account)(void *arg, outputs_account_fn, void *fnarg);
	/* The account of that name that is not closing, NULL when none. */
	struct account *(*find_account)(void *arg, const char *name);
	/* The durable store of the account named so, a closing one too (a
	 * reload or the stop); NULL when none is open.  For the hooks'
	 * pending runs. */
	struct store *(*account_store)(void *arg, const char *name);
	/* name NULL: every account.  -1 when no account has that name. */
	int (*reconnect)(void *arg, const char *name);
	/* Re-reads the config file, as SIGHUP does; -1 when the new one has
	 * errors (logged) and the running one stays, or the daemon is
	 * stopping, with *why (static) saying which.  Replaces the outputs'
	 * config (outputs_set_config) but not the outputs. */
	int (*reload)(void *arg, const char **why);
	/* An output's need of the mail view changed (outputs_mail_wanted);
	 * the daemon tells every account (account_set_mail_wanted). */
	void (*mail_wanted_changed)(void *arg);
	/* Mute notifications for seconds (0: until unmuted), or unmute;
	 * outputs_mute() and outputs_unmute() of the daemon's outputs. */
	void (*mute)(void *arg, uint64_t seconds);
	void (*unmute)(void *arg);
	/* Whether notifications are muted; *until the Unix time the mute
	 * ends, 0 when it lasts until unmuted. */
	bool (*muted)(void *arg, time_t *until);
	/* outputs_remote_status() of the daemon's outputs. */
	struct json_object *(*remote_status)(void *arg);
	/* outputs_test_notify() of the daemon's outputs. */
	int (*test_notify)(void *arg, const char *account, const char **why);
	void *arg;
};

/* cb and net (for the webhooks' requests) are borrowed and must outlive
 * the outputs; each output keeps cb.  The socket, D-Bus, notifications,
 * each hook and each webhook hold a reference to cfg (config_ref).  NULL when an output cannot start
 * (logged): the socket's path is taken by another daemon or unusable.
 * Starts the on_start hooks. */
struct outputs *outputs_new(struct event_base *, struct net *net,
    struct config *, const struct outputs_callbacks *cb);
/* After a reload: each output takes cfg as outputs_new does, and drops
 * the old one. */
void outputs_set_config(struct outputs *, struct config *);
void outputs_free(struct outputs *);
/* The store of account was opened (hook_attach, notify_attach). */
void outputs_attach(struct outputs *, const char *account);
/* The daemon is stopping (hook_stop, webhook_stop). */
void outputs_stop(struct outputs *);

void outputs_state(struct outputs *, const struct push_event *);
/* The account's status, error or retry time changed. */
void outputs_connection(struct outputs *, struct account *);
/* A round of an account's mail view: to the mail-aware hooks, the socket,
 * D-Bus, notifications and webhooks. */
void outputs_mail(struct outputs *, const struct mail_event *);
/* Whether any output needs mail data of the account named so now: a
 * mail-aware hook of that account (or of every account), [notify] for
 * it, a socket client subscribed to mailbox/mail of that account, D-Bus
 * after GetMailboxes or an Unread read, a webhook whose events name
 * mailbox or mail. */
bool outputs_mail_wanted(const struct outputs *, const char *account);

/* Mute: no desktop notification until it ends (hooks, the socket and
 * D-Bus go on), and the mail that arrives meanwhile is never announced.
 * seconds 0: until outputs_unmute(); a new mute replaces the old one.
 * Kept across a reload (the outputs stay), not across a restart. */
void outputs_mute(struct outputs *, uint64_t seconds);
/* Not muted is not an error. */
void outputs_unmute(struct outputs *);
/* As outputs_callbacks' muted. */
bool outputs_muted(const struct outputs *, time_t *until);
/* The status reply's "outputs": {"webhooks": webhook_status(), "mqtt":
 * mqtt_status()}, each member only when configured; a new reference,
 * NULL when neither is. */
struct json_object *outputs_remote_status(const struct outputs *);
/* A sample desktop notification (notify_test()). */
int outputs_test_notify(struct outputs *, const char *account,
    const char **why);

#endif
