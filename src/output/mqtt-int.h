/* SPDX-License-Identifier: ISC */
/*
 * Private to the MQTT output: struct mqtt, shared by mqtt.c (the
 * connection, libmosquitto's callbacks, the queue), mqttret.c (the
 * retained topics: statuses, mailbox counts, discovery) and mqttnet.c
 * (the broker's name looked up without blocking, the TLS context).
 */
#ifndef JP_MQTT_INT_H
#define JP_MQTT_INT_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "session/backoff.h"

struct account;
struct config;
struct config_mqtt;
struct credentials_req;
struct event;
struct event_base;
struct evdns_base;
struct evdns_getaddrinfo_request;
struct evqueue;
struct mailbox_cache;
struct mosquitto;
struct outputs_callbacks;

/* Messages handed to libmosquitto and not yet acknowledged, at most:
 * beyond it queued events wait in our queue (bounded, coalescing)
 * rather than in the library's (unbounded). */
#define MQTT_INFLIGHT_MAX	256
/* How often mosquitto_loop_misc() runs: keepalive pings and their
 * timeout. */
#define MQTT_MISC_MS		1000
/* A name's addresses tried, at most. */
#define MQTT_MAX_ADDRS		8
/* A numeric IPv6 address with a scope and its NUL. */
#define MQTT_ADDR_LEN		64
/* In the state directory, at a clean stop. */
#define MQTT_QUEUE_FILE		"mqtt.queue"
/* A connection attempt, TCP to CONNACK, longer than this failed. */
#define MQTT_CONNECT_TIMEOUT_MS	30000

enum mqtt_state {
	MQTT_S_OFF,		/* no [mqtt], or stopped */
	MQTT_S_CREDENTIALS,	/* reading the password */
	MQTT_S_RESOLVING,	/* the broker's name */
	MQTT_S_CONNECTING,	/* TCP, TLS, CONNECT until the CONNACK */
	MQTT_S_CONNECTED,
	MQTT_S_BACKOFF,		/* waiting to try again */
};

/* Why the last attempt failed, for the next one's decisions. */
enum mqtt_failure {
	MQTT_FAIL_NONE,
	MQTT_FAIL_REFUSED,	/* CONNACK refused the login */
	MQTT_FAIL_NETWORK,	/* anything else */
};

/* A retained topic we keep true at the broker. */
struct mqtt_retained {
	char	*topic;		/* the key of m->retmap */
	char	*payload;	/* "": clear it, then forget the entry */
	char	*account;	/* NULL: not an account's */
	char	*account_id;	/* mailbox counts: the JMAP account */
	struct mqtt_retboxes *boxes;	/* mailbox counts: its account's;
					 * NULL: not a mailbox count */
	/* Not set again since a sweep began: cleared when it ends. */
	bool	 stale;
	TAILQ_ENTRY(mqtt_retained) entry;	/* m->ret */
	TAILQ_ENTRY(mqtt_retained) box_entry;	/* boxes->list */
};
TAILQ_HEAD(mqtt_retlist, mqtt_retained);

/* An account's mailbox counts, so that a mail round walks only those of
 * its account (m->retboxes). */
struct mqtt_retboxes {
	char			*account;	/* the key */
	struct mqtt_retlist	 list;		/* by box_entry */
};

/* A name lookup in flight; m NULL: abandoned, freed by its callback. */
struct mqtt_lookup {
	struct mqtt	*m;
	bool		 no_server;	/* cancelled: nobody to ask */
};

/* A queued event handed to the library, by message id. */
struct mqtt_flight {
	char	*account;
	int	 mid;
};

/* An account whose next event found no room (MQTT_INFLIGHT_MAX). */
struct mqtt_wait {
	char			*account;
	TAILQ_ENTRY(mqtt_wait)	 entry;
};
TAILQ_HEAD(mqtt_waits, mqtt_wait);

struct mqtt {
	struct event_base	*base;
	struct evdns_base	*dns;		/* NULL until a name is looked
						 * up */
	struct config		*cfg;		/* a reference */
	const struct config_mqtt *mc;		/* cfg->mqtt */
	const struct outputs_callbacks *cb;
	enum mqtt_state		 state;
	enum mqtt_failure	 failure;
	char			*client_id;
	char			*status_topic;	/* the daemon's */
	struct backoff		 backoff;
	struct credentials_req	*creds;
	char			*password;	/* until the CONNACK; wiped */
	struct mqtt_lookup	*lookup;
	struct evdns_getaddrinfo_request *req;	/* lookup's */
	struct event		*resolved;	/* its answer, deferred */
	char			*resolve_error;
	char			 addrs[MQTT_MAX_ADDRS][MQTT_ADDR_LEN];
	size_t			 naddrs;
	size_t			 addr_i;	/* the address tried */
	struct mosquitto	*mosq;
	SSL_CTX			*ssl;
	char			*tls_error;	/* the verify error, if any */
	int			 fd;		/* -1: none */
	bool			 tcp_up;	/* the TCP handshake is done */
	struct event		*rd, *wr;
	struct event		*misc;		/* loop_misc, connect timeout */
	uint64_t		 attempt_ms;	/* when the attempt started */
	struct event		*retry;		/* the backoff's timer */
	uint64_t		 retry_ms;	/* when it fires (monotonic) */
	struct event		*lost;		/* deferred teardown */
	struct evqueue		*q;
	/* The retained topics in the order they were first set, the order
	 * they are sent again on a connect; by topic in retmap, mailbox
	 * counts by account in retboxes. */
	struct mqtt_retlist	 ret;
	struct namemap		*retmap;
	struct namemap		*retboxes;
	struct mqtt_flight	*flights;
	size_t			 nflights;
	unsigned		 inflight;	/* every mid not acked yet */
	/* The accounts that found no room, in the order they came, each
	 * once (waitset): acknowledgements hand the room on to them first,
	 * without walking every account. */
	struct mqtt_waits	 waiting;
	struct namemap		*waitset;
	char			*last_error;	/* the last failure; NULL once
						 * connected */
};

/* mqtt.c */
/* Whether the section takes that account's events (mc NULL: none). */
bool	mqtt_takes(const struct config_mqtt *, const char *account);
/* Logs a failure at prio ("mqtt: " and the text) and keeps the text as
 * the status reply's lastError. */
void	mqtt_failed(struct mqtt *, int prio, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Wipes and frees *s (a password), leaving NULL. */
void	mqtt_wipe(char **s);
/* Sends what the queue holds for account (NULL and all: every account
 * with room), as far as the broker has room. */
void	mqtt_pump(struct mqtt *, const char *account, bool all);
/* Empties the list of accounts waiting for room. */
void	mqtt_wait_clear(struct mqtt *);
/* A message outside the queue (the retained ones), counted in flight
 * until its on_publish. */
void	mqtt_publish_raw(struct mqtt *, const char *topic,
	    const char *payload, int qos, bool retain);

/* mqttconn.c: the connection. */
/* Makes m's timers (misc, retry, lost, resolved); m->base is set. */
void	mqttconn_events(struct mqtt *);
/* Starts a connection attempt: the password, the broker's name, then
 * the connect; on failure the retry timer follows the backoff. */
void	mqttconn_attempt(struct mqtt *);
/* Closes the connection (if any) and frees the library's state. */
void	mqttconn_teardown(struct mqtt *);
/* Watches the socket for writing while the library has something to
 * write. */
void	mqttconn_arm(struct mqtt *);

/* mqttret.c: the retained topics, kept in m->ret and sent again on every
 * connect. */
/* m->ret and its maps, empty. */
void	mqttret_init(struct mqtt *);
/* Forgets every topic (a new broker gets them afresh) and frees the
 * maps. */
void	mqttret_free(struct mqtt *);
/* Sets a topic (payload "" clears it); sent at once when connected and
 * changed, else on the next connect.  account, account_id: whose it is
 * (NULL: none); mailbox: a mailbox count. */
void	mqttret_set(struct mqtt *, const char *topic, const char *payload,
	    const char *account, const char *account_id, bool mailbox);
/* Clears a topic the daemon set under an earlier [mqtt] (the daemon
 * status under another topic_prefix or client_id) on the next
 * connect. */
void	mqttret_clear(struct mqtt *, const char *topic);
/* The account's status word, and its binary sensor's discovery. */
void	mqttret_account_status(struct mqtt *, struct account *);
/* The counts of every mailbox of one JMAP account (cache borrowed), under
 * the short topics when primary (the Session's primary mail account);
 * the topics of those gone are cleared. */
void	mqttret_mailboxes(struct mqtt *, const char *account,
	    const char *account_id, bool primary,
	    const struct mailbox_cache *);
/* An outputs_account_fn (arg: the mqtt): status, counts, discovery of
 * the account as it is now. */
void	mqttret_seed_account(struct account *, void *arg);
/* After a reload: clears the topics of accounts removed or no longer
 * taken (at once, or on the next connect). */
void	mqttret_sweep(struct mqtt *);
/* A reload that connects again to the same broker: every topic is
 * stale until the next connect's seeding sets it again; what it does
 * not (topics under the old topic_prefix or client_id, discovery
 * switched off) is cleared then. */
void	mqttret_stale(struct mqtt *);
/* On a connect, seeded: the stale topics and those to be cleared are
 * cleared first (topics no longer ours), then the daemon status says
 * online, then every other topic is sent in the order first set. */
void	mqttret_republish(struct mqtt *);
/* Forgets every topic: a new broker is seeded afresh. */
void	mqttret_forget(struct mqtt *);

/* mqttnet.c */
/* Looks m->mc->host up without blocking: m->addrs, m->naddrs and
 * m->resolve_error are set, then m->resolved runs on a later loop turn.
 * mqtt_teardown() cancels it (m->lookup). */
void	mqttnet_resolve(struct mqtt *);
/* m->ssl for m->mosq: the broker's certificate checked against ca_file
 * (or the system's) and m->mc->host, which is also sent as the server
 * name; a verify error kept in m->tls_error.  -1 on error (logged). */
int	mqttnet_tls(struct mqtt *);

#endif
