/* SPDX-License-Identifier: ISC */
/*
 * Ping rounds: the connections that ping at the same instant share one
 * libevent timer.  With a timer each, 1,000 sessions put 1,000 events in
 * libevent's timer heap, and a round that expires pops them one by one,
 * each pop walking the heap through cache misses: half the CPU of an idle
 * 1,000-account daemon (bench/README.md, figure 3).  A round is a list.
 */
#ifndef JP_NETROUND_H
#define JP_NETROUND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/time.h>

struct net;
struct netround;

/* A connection's place in a round; embedded in the connection, zeroed
 * (in no round) by the connection's calloc. */
struct netround_member {
	TAILQ_ENTRY(netround_member) entry;
	struct netround *round;		/* NULL when in none */
	void (*cb)(void *arg);		/* the round came */
	void *arg;
};

/* Puts m in the round due at at_ms (libevent's cached clock in ms, as now
 * gives it), leaving the one it was in; now is that clock with its
 * microseconds, so that the round expires at at_ms exactly.  m->cb runs
 * once, when the round comes, out of the round. */
void netround_join(struct net *, struct netround_member *m, uint64_t at_ms,
    const struct timeval *now);
/* Takes m out of its round, if any; safe from any callback, a round's
 * included. */
void netround_leave(struct netround_member *m);
bool netround_pending(const struct netround_member *m);
/* The time (ms) of the round last joined, 0 before any: the others join it
 * where they may (ws_ping_join). */
uint64_t netround_newest(const struct net *);
/* Frees every round; no connection may be left in one (net_free). */
void netround_free_all(struct net *);

#endif
