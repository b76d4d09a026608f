/* SPDX-License-Identifier: ISC */
/* Session discovery shared by an account's connection attempts and its
 * background Session refresh: the Session GET with the account's options,
 * the check that a Session fetched over TLS names no plain URL, and the
 * refresh itself (rate-limited, with the credentials the server last
 * accepted). */
#ifndef JP_DISCOVERY_H
#define JP_DISCOVERY_H

#include "transport/http.h"

struct config_account;
struct discovery;
struct jmap_session;
struct net;
struct secret;

/* The Session GET for account cfg (borrowed for the call): redirects,
 * size and time limits, TLS options; the request references
 * authorization (NULL: none).  done as http_get's. */
struct http_request *discovery_get(struct net *,
    const struct config_account *cfg, const char *log_prefix,
    const char *url, struct secret *authorization, http_done_cb done,
    void *arg);
/*
 * A Session fetched over TLS must not send the account to plain http or ws:
 * its requests carry the credentials.  -1 with an allocated message saying
 * what to do, unless the user accepted it with insecure = yes (then a
 * warning).
 */
int discovery_check_plain(const struct config_account *cfg,
    const char *log_prefix, const struct jmap_session *s,
    const char *session_url, char **err);

/* A fresh Session, taken by the callee (session_clear it). */
typedef void (*discovery_fresh_cb)(struct jmap_session *fresh, void *arg);

/* The background refresh of one account.  cfg is borrowed until the next
 * discovery_set_config or discovery_free; log_prefix is copied. */
struct discovery *discovery_new(struct net *,
    const struct config_account *cfg, const char *log_prefix,
    discovery_fresh_cb fresh, void *arg);
/* Cancels the refresh in flight and drops the credentials (wiped with
 * their last holder, util/secret.h). */
void discovery_free(struct discovery *);
void discovery_set_config(struct discovery *,
    const struct config_account *cfg);
/* Where the account's Session came from last, after redirects (copied). */
void discovery_set_url(struct discovery *, const char *session_url);
/* Fetches that Session again in the background: at most once a minute (a
 * later ask waits for the minute to end), with the credentials the server
 * accepted last, read again only when there are none.  Nothing before
 * discovery_set_url, nor while a refresh is in flight or waits. */
void discovery_refresh(struct discovery *);
/* The credentials a connection was accepted with (a reference, taken;
 * NULL: none): refreshes reuse them until the server rejects them. */
void discovery_keep_auth(struct discovery *, struct secret *authorization);
/* The server rejected the credentials: the next refresh reads them. */
void discovery_forget_auth(struct discovery *);
/* The account stops: the refresh in flight or waiting is given up and the
 * credentials dropped. */
void discovery_cancel(struct discovery *);

#endif
