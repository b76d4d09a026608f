/* SPDX-License-Identifier: ISC */
/* Caps how many connection attempts (credentials, Session, handshake) are
 * in flight at once, whatever started them: start-up, a backoff retry, a
 * reconnect.  Attempts beyond the cap wait their turn in arrival order. */
#ifndef JP_PACER_H
#define JP_PACER_H

#include <stdbool.h>

struct event_base;
struct pacer;
struct pacer_ticket;

typedef void (*pacer_cb)(void *arg);

struct pacer *pacer_new(struct event_base *, unsigned max_inflight);
/* Every ticket must be freed first. */
void pacer_free(struct pacer *);

/* One per connecting object: go runs its attempt once it has a slot. */
struct pacer_ticket *pacer_ticket_new(struct pacer *, pacer_cb go,
    void *arg);
/* Gives up the slot or the place in the queue. */
void pacer_ticket_free(struct pacer_ticket *);

/* Runs go now when a slot is free and nobody waits (or the ticket already
 * holds one), else queues it: go then runs from the pacer's own event.
 * Nothing when already queued. */
void pacer_acquire(struct pacer_ticket *);
/* A queued ticket goes to the head of the queue (the user asked for this
 * attempt); nothing otherwise. */
void pacer_hurry(struct pacer_ticket *);
/* The attempt ended (connected, failed, abandoned): frees its slot or
 * leaves the queue.  Nothing when the ticket holds neither. */
void pacer_release(struct pacer_ticket *);
bool pacer_holding(const struct pacer_ticket *);
bool pacer_waiting(const struct pacer_ticket *);

unsigned pacer_inflight(const struct pacer *);
unsigned pacer_queued(const struct pacer *);

#endif
