/* SPDX-License-Identifier: ISC */
/* The control socket: a UNIX stream socket speaking newline-delimited JSON
 * (output/sockproto.h) to any number of local clients, jmap-pushctl among
 * them.  Events go out to every subscribed client; commands are answered
 * through the daemon's callbacks (output/outputs.h).  Only the daemon's
 * user, root and the members of socket_group are served
 * (output/sockauth.h), at most max_clients at once; others get one error
 * line and are closed. */
#ifndef JP_SOCKET_H
#define JP_SOCKET_H

#include <stdbool.h>
#include <time.h>

struct account;
struct config;
struct event_base;
struct mail_event;
struct outputs_callbacks;
struct push_event;
struct sock;

/* Listens on the socket systemd passed (LISTEN_FDS), else on
 * cfg->socket_path, replacing a stale socket file but refusing (NULL) when
 * another daemon answers there, the path cannot be used, or socket_group
 * does not exist or cannot be given the file (logged).  With no socket
 * configured, an object that does nothing.  Holds a reference to cfg. */
struct sock *sock_new(struct event_base *, struct config *,
    const struct outputs_callbacks *);
/* After a reload: the queue bound, socket_stall and max_clients apply at
 * once, a new path, socket_mode or socket_group only after a restart
 * (logged).  Holds a reference to cfg (and to the one it was made with). */
void sock_set_config(struct sock *, struct config *);
/* Closes every client and removes the socket file it created. */
void sock_free(struct sock *);

/* To every client subscribed; for a client that has fallen behind, merged
 * with the state event waiting for the same account and accountId. */
void sock_state(struct sock *, const struct push_event *);
void sock_connection(struct sock *, struct account *);
/* The mute changed: the mute event to the clients that subscribed to it. */
void sock_muted(struct sock *, bool muted, time_t until);
/* A round of an account's mail view: its mailbox and mail events to the
 * clients subscribed to them, each through its own mailboxes filter. */
void sock_mail(struct sock *, const struct mail_event *);
/* Whether a client is subscribed to mailbox or mail events of the account
 * named so. */
bool sock_mail_wanted(const struct sock *, const char *account);

#endif
