/* SPDX-License-Identifier: ISC */
/*
 * Private to the network context: struct net, shared by net.c (the lws
 * context, TLS, logs, DNS) and netdial.c (the connections made on it),
 * and the vhost that a connection's ca_file needs.
 */
#ifndef JP_NET_INT_H
#define JP_NET_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/time.h>

struct event;
struct event_base;
struct evdns_base;
struct lws_context;
struct lws_vhost;
struct netround;
struct uvbridge;

#define NET_MAX_VHOSTS 32

struct net_vhost {
	char *ca_file;
	struct lws_vhost *vh;
};

struct net {
	struct event_base *base;
	struct uvbridge *ub;
	struct lws_context *ctx;
	struct evdns_base *dns;
	struct event *kick;
	TAILQ_HEAD(netround_list, netround) rounds;	/* netround.c */
	uint64_t ping_round;		/* netround_newest() */
	/* Pong reads held together (net_pinged()): */
	struct timeval ping_turn;	/* libevent's time of the last ping */
	unsigned turn_pings;		/* sent at that time */
	struct event *hold;		/* armed while reads are held */
	unsigned hold_pings;		/* sent in the held round */
	unsigned hold_pongs;		/* answered so far */
	unsigned step_pongs;		/* answered in the current step */
	unsigned first_ms;		/* the round's first wait */
	unsigned held_ms;		/* waited so far in the round */
	unsigned answered_ms;		/* when its last answers were read */
	unsigned round_ms;		/* what the last round took, or 0 */
	struct net_vhost vhosts[NET_MAX_VHOSTS];
	size_t nvhosts;
	unsigned vhost_serial;
};

/* The vhost whose TLS client context trusts ca_file (and the system store);
 * NULL ca_file is the default vhost.  NULL when ca_file cannot be loaded. */
struct lws_vhost *net_vhost(struct net *, const char *ca_file);

#endif
