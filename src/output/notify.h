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

#endif
