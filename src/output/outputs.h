/* Where changes and connection events go: the one fan-out point between
 * accounts and every output (hooks now; the socket and D-Bus join here). */
#ifndef JP_OUTPUTS_H
#define JP_OUTPUTS_H

/* struct push_event: what an account hands to the outputs. */
#include "session/account.h"

struct account;
struct config;
struct daemon;
struct event_base;
struct json_object;
struct outputs;

/* d answers the commands some outputs take (status, reconnect, reload).
 * NULL when an output cannot start (logged): the socket's path is taken by
 * another daemon or unusable.  Starts the on_start hooks. */
struct outputs *outputs_new(struct event_base *, const struct config *,
    struct daemon *d);
/* After a reload; cfg stays valid until the next call or outputs_free. */
void outputs_set_config(struct outputs *, const struct config *);
void outputs_free(struct outputs *);
/* The store of account was opened (hooks_attach). */
void outputs_attach(struct outputs *, const char *account);
/* The daemon is stopping (hooks_stop). */
void outputs_stop(struct outputs *);

void outputs_state(struct outputs *, const struct push_event *);
/* The account's status, error or retry time changed. */
void outputs_connection(struct outputs *, struct account *);

#endif
