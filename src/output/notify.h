/* SPDX-License-Identifier: ISC */
/* Desktop notifications of new mail ([notify]): on an EmailDelivery change
 * (or Email, for servers that never push EmailDelivery) one JMAP request
 * over the account's own connection finds what is new, and
 * org.freedesktop.Notifications shows it on the session bus. */
#ifndef JP_NOTIFY_H
#define JP_NOTIFY_H

struct config;
struct event_base;
struct outputs_callbacks;
struct notify;
struct push_event;
struct mail_event;

/* Holds a reference to cfg; cb is borrowed and must outlive the object. */
struct notify *notify_new(struct event_base *, struct config *,
    const struct outputs_callbacks *);
/* Holds a reference to cfg instead of the old one. */
void notify_set_config(struct notify *, struct config *);
void notify_free(struct notify *);
void notify_state(struct notify *, const struct push_event *);
/* W3 (mailnotify) fills these two: announcing the new mail of a round,
 * and whether [notify] needs the mail view now. */
void notify_mail(struct notify *, const struct mail_event *);
bool notify_mail_wanted(const struct notify *);

#endif
