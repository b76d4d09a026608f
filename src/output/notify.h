/* SPDX-License-Identifier: ISC */
/* Desktop notifications of new mail ([notify]): the new emails of each
 * round of the mail view, in the mailboxes `mailboxes =` selects, shown by
 * org.freedesktop.Notifications on the session bus. */
#ifndef JP_NOTIFY_H
#define JP_NOTIFY_H

#include <stdbool.h>

struct config;
struct event_base;
struct mail_event;
struct notify;
struct outputs_callbacks;

/* Holds a reference to cfg; cb (borrowed, outlives the notify) finds the
 * account an action's Email/set goes through. */
struct notify *notify_new(struct event_base *, struct config *,
    const struct outputs_callbacks *cb);
/* Holds a reference to cfg instead of the old one. */
void notify_set_config(struct notify *, struct config *);
void notify_free(struct notify *);
/* A round of the mail view (ev borrowed for the call). */
void notify_mail(struct notify *, const struct mail_event *);
/* Whether notifications need the mail view of the account named so:
 * while [notify] is enabled, for the accounts its accounts = names. */
bool notify_mail_wanted(const struct notify *, const char *account);
/* The store of the account named so was opened: the notifications
 * followed before a restart are read from it (outputs_attach()). */
void notify_attach(struct notify *, const char *account);
/* While muted, no new mail is announced, not then and not later (the
 * rounds still come, for everything else notify does with them). */
void notify_set_muted(struct notify *, bool muted);
/* A sample notification (account NULL or a name [notify] covers), muted
 * or not: 0 once Notify is sent (what the server answers is logged), or
 * -1 with *why, static text that says what to do. */
int notify_test(struct notify *, const char *account, const char **why);

#endif
