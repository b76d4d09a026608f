/* SPDX-License-Identifier: ISC */
/*
 * The mail view's driver for one account: one struct mailview per JMAP
 * accountId with the mail capability, made on first use and restored from
 * the account's store, and its rounds (mailview_request, account_request,
 * mailview_parse).  A round starts, while the view is wanted and the
 * account connected, after connecting, when it becomes wanted, and when
 * a change reports Email, Mailbox or EmailDelivery for that accountId; at
 * most one is in flight per view, a change meanwhile asks for one more.
 * Each successful round goes to the account's mail callback, then the
 * view is recorded in the store (account.h, struct mail_event).  Part of
 * the account (account-int.h); nothing outside src/session/ uses it.
 */
#ifndef JP_MAILSYNC_H
#define JP_MAILSYNC_H

#include <stdbool.h>

struct account;
struct json_object;
struct mailbox_cache;
struct mailsync;

/* a is borrowed and outlives the driver. */
struct mailsync *mailsync_new(struct account *a);
/* No round may be in flight (the channel failed them when it closed). */
void mailsync_free(struct mailsync *);
void mailsync_set_wanted(struct mailsync *, bool);
/* The channel opened: a round for each JMAP account with mail. */
void mailsync_connected(struct mailsync *);
/* A change (types: {Type: state}, borrowed) for account_id was
 * delivered; reason is "push" or "resync". */
void mailsync_changed(struct mailsync *, const char *account_id,
    struct json_object *types, const char *reason);
/* Every view whose mailboxes are known (fetched, or restored from the
 * store for each JMAP account with mail the Session lists), in the order
 * first used. */
void mailsync_foreach(struct mailsync *,
    void (*fn)(const char *account_id, const struct mailbox_cache *,
    void *arg), void *arg);

#endif
