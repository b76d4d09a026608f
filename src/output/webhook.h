/* SPDX-License-Identifier: ISC */
/*
 * [webhook NAME]: the socket's events POSTed, one per request, signed
 * (webhooksign.h), to an HTTP(S) receiver.  At least once and in order
 * per account: one request in flight per (webhook, account), the next
 * only after a 2xx or a drop; failures retried with the backoff, events
 * held meanwhile in a bounded, coalescing queue (evqueue.h) that survives
 * a reload and, through the state directory, a clean stop.  Nothing here
 * blocks: a slow or dead receiver holds up only its own queue.
 */
#ifndef JP_WEBHOOK_H
#define JP_WEBHOOK_H

#include <stdbool.h>

struct account;
struct config;
struct event_base;
struct json_object;
struct mail_event;
struct net;
struct push_event;
struct webhooks;

/* Every [webhook] of cfg (a reference held), each with the events a
 * previous run saved; base and net borrowed, must outlive the webhooks. */
struct webhooks *webhook_new(struct event_base *, struct net *,
    struct config *cfg);
/* A reload: a webhook of the same name keeps its queue and the requests
 * in flight and takes its new section; a new one starts; one gone drops
 * its queue (logged). */
void webhook_set_config(struct webhooks *, struct config *cfg);
/* A clean stop: requests in flight are cancelled (their events stay
 * first, ids unchanged) and every queue is saved to
 * STATE_DIR/webhook-NAME.queue; events after this are not taken. */
void webhook_stop(struct webhooks *);
void webhook_free(struct webhooks *);

void webhook_state(struct webhooks *, const struct push_event *);
void webhook_connection(struct webhooks *, struct account *);
void webhook_mail(struct webhooks *, const struct mail_event *);
/* Whether a webhook takes mailbox or mail events of the account. */
bool webhook_mail_wanted(const struct webhooks *, const char *account);
/* For the status reply: [{"name","queued","inFlight","lastError",
 * "retryIn"}] in config order (lastError: the last failed attempt's
 * reason, null after a delivery; retryIn: seconds to the soonest retry,
 * null when none waits); a new reference, NULL without any webhook. */
struct json_object *webhook_status(const struct webhooks *);

#endif
