/* SPDX-License-Identifier: ISC */
/* Which of a host's addresses to connect to, and when: Happy Eyeballs
 * (RFC 8305) without I/O.  netdial.c makes the connections; this decides
 * their order and pace, so that the rules can be tested alone. */
#ifndef JP_DIAL_H
#define JP_DIAL_H

#include <stddef.h>

struct evutil_addrinfo;

/* More addresses than this are not tried: by then 1.75 s have passed. */
#define DIAL_MAX_ADDRS		8
/* RFC 8305's recommended Connection Attempt Delay. */
#define DIAL_ATTEMPT_DELAY_MS	250
/* A numeric IPv6 address with a scope ("fe80::1%eth0") and its NUL. */
#define DIAL_ADDR_LEN		64

/* A host's addresses as numeric strings, in the order to try them. */
struct dial_addrs {
	size_t n;
	char addr[DIAL_MAX_ADDRS][DIAL_ADDR_LEN];
};

/*
 * Orders a resolver's answer (borrowed) for connecting: IPv6 and IPv4
 * interleaved, IPv6 first, each family in the resolver's order, duplicates
 * and other families left out, at most DIAL_MAX_ADDRS.  Returns how many
 * addresses out holds; 0 when res has none.
 */
size_t dial_order(const struct evutil_addrinfo *res, struct dial_addrs *out);

/* The progress of one connection through its addresses. */
struct dial {
	size_t naddrs;
	size_t next;		/* the first address not tried yet */
	size_t running;		/* attempts started, not yet failed */
};

enum dial_event {
	DIAL_BEGIN,		/* nothing tried yet */
	DIAL_DELAY_PASSED,	/* DIAL_ATTEMPT_DELAY_MS since a start */
	DIAL_ATTEMPT_FAILED,	/* one running attempt failed */
};

/* dial_step()'s answers other than an address index. */
#define DIAL_WAIT	(-1)	/* for a running attempt or the delay */
#define DIAL_GIVE_UP	(-2)	/* every address failed */

void dial_init(struct dial *, size_t naddrs);
/*
 * What to do after ev: the index of the address to try now (start it and
 * arm the delay timer afresh), DIAL_WAIT, or DIAL_GIVE_UP.  A failure
 * starts the next address at once, whatever else is still running; the
 * delay starts it alongside an attempt that has not answered.  The caller
 * stops calling once an attempt connected.
 */
int dial_step(struct dial *, enum dial_event ev);

#endif
