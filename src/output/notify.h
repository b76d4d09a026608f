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

struct notify *notify_new(struct event_base *, const struct config *,
    const struct outputs_callbacks *);
/* cfg stays valid until the next call or notify_free. */
void notify_set_config(struct notify *, const struct config *);
void notify_free(struct notify *);
void notify_state(struct notify *, const struct push_event *);

#endif
