/* SPDX-License-Identifier: ISC */
/*
 * jmap-testserver: a small JMAP server for the integration tests. It serves
 * the Session object, RFC 8887 WebSocket push, RFC 8620 EventSource push and
 * API requests, and a control API over plain HTTP through which tests
 * simulate deliveries and inject faults.
 */
#ifndef TS_TESTSERVER_H
#define TS_TESTSERVER_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <libwebsockets.h>

#include "util/log.h"

#define ts_warnx(fmt, ...)	log_warnx("testserver: " fmt, ##__VA_ARGS__)
#define ts_info(fmt, ...)	log_info("testserver: " fmt, ##__VA_ARGS__)
#define ts_debug(fmt, ...)	log_debug("testserver: " fmt, ##__VA_ARGS__)

/* Serialisation used for every body and frame: compact, "/" unescaped. */
#define TS_JSON_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Data types that have a state; masks select them by (1u << type). */
enum ts_type {
	TS_EMAIL,
	TS_EMAIL_DELIVERY,
	TS_MAILBOX,
	TS_THREAD,
	TS_IDENTITY,
	TS_EMAIL_SUBMISSION,
	TS_VACATION_RESPONSE,
	TS_NTYPES
};
#define TS_ALL_TYPES	((1u << TS_NTYPES) - 1)
/* What one new mail changes. */
#define TS_DELIVERY_TYPES \
	((1u << TS_EMAIL) | (1u << TS_EMAIL_DELIVERY) | (1u << TS_MAILBOX) | \
	 (1u << TS_THREAD))

struct ts_account {
	char		*id;
	char		*name;
	bool		 personal;
	bool		 unlisted;	/* left out of the Session */
	unsigned long	 counter[TS_NTYPES];
};

struct ts_history {
	unsigned long	 push;		/* the pushState this change made */
	size_t		 account;
	unsigned	 types;
};

struct ts_state {
	struct ts_account	*accounts;
	size_t			 naccounts;
	unsigned long		 push;	/* current pushState is "p<push>" */
	/* Oldest pushState a client may resume from; older ones are unknown. */
	unsigned long		 base;
	struct ts_history	*history;
	size_t			 nhistory;
};

struct ts_frame {
	TAILQ_ENTRY(ts_frame)	 entry;
	size_t			 len;
	unsigned char		*buf;	/* LWS_PRE bytes of headroom, then len */
};
TAILQ_HEAD(ts_frameq, ts_frame);

/* Per-connection data of the "jmap" WebSocket protocol (zeroed by lws). */
struct ts_client {
	TAILQ_ENTRY(ts_client)	 entry;
	struct lws		*wsi;
	unsigned		 id;
	bool			 push_enabled;
	unsigned		 types;
	char			*rx;		/* message being reassembled */
	size_t			 rx_len;
	size_t			 rx_size;
	bool			 rx_open;
	bool			 rx_binary;
	struct ts_frameq	 outq;
	bool			 stalled;
	int			 close_code;	/* to send once outq is empty */
	bool			 close_sent;
	/* burst.c: stamped frames still to write, after outq. */
	unsigned long		 burst_left;
	unsigned long		 burst_seq;
	int			 burst_type;
};

/* Per-connection data of the "http" protocol (zeroed by lws). */
struct ts_http {
	TAILQ_ENTRY(ts_http)	 entry;
	struct lws		*wsi;
	bool			 waiting;	/* parked in /control/wait */
	bool			 answer;	/* ready: answer when writeable */
	bool			 timed_out;
	long			 want_push_enabled;	/* -1: no condition */
	long			 want_handshakes;
	long			 want_refused;
	long			 want_es_streams;
	long			 want_es_connects;
	long			 want_max_channels;	/* at most */
	long			 want_client_closes;
	long			 want_api_held;
	/* POST /jmap/api: the request body being gathered. */
	bool			 api;
	char			*body;
	size_t			 body_len;
	size_t			 body_size;
	/* POST /jmap/api under the holdapi fault: the answer, computed when
	 * the request came, sent on /control/release. */
	char			*held;
	bool			 released;
	TAILQ_ENTRY(ts_http)	 held_entry;
	struct ts_es		*es;		/* an event stream, or NULL */
	bool			 endless;	/* an endless body (endless.c) */
	size_t			 endless_sent;
};

/* One EventSource stream (eventsource.c), owned by its ts_http. */
struct ts_es {
	TAILQ_ENTRY(ts_es)	 entry;
	struct ts_server	*server;
	struct lws		*wsi;
	unsigned		 id;
	unsigned		 types;
	bool			 close_after_state;
	long			 ping;		/* seconds, 0: none */
	char			*out;		/* events not yet written */
	size_t			 out_len;
	size_t			 out_size;
	bool			 stalled;
	bool			 closing;	/* once out is written */
	bool			 eof_sent;	/* the last, empty chunk */
	bool			 endless;	/* a data line without end */
	lws_sorted_usec_list_t	 ping_timer;
	lws_sorted_usec_list_t	 close_timer;
};

enum ts_es_style {
	TS_ES_STYLE_RFC,
	TS_ES_STYLE_FASTMAIL
};

enum ts_ws_url {
	TS_WS_URL_CYRUS,
	TS_WS_URL_ABSOLUTE,
	TS_WS_URL_RELATIVE,
	TS_WS_URL_NONE
};

/* How long the accept timeline of a reconnect storm runs. */
#define TS_ACCEPT_SECONDS	600

struct ts_server {
	/* Options. */
	const char		*port_file;
	int			 port;
	const char		*user;
	const char		*password;
	const char		*token;
	const char		*host;		/* in absolute URLs */
	const char		*tls_cert;	/* PEM; NULL: plain http */
	const char		*tls_key;
	unsigned		 well_known_status;
	enum ts_ws_url		 ws_url;
	int			 naccounts;
	bool			 verbose;
	bool			 es_ids;	/* id: lines in event streams */
	long			 es_close_after; /* seconds, 0: never */
	enum ts_es_style	 es_style;
	bool			 es_ping_ms;
	bool			 es_chunked;
	bool			 stamp_states;	/* /control/burst allowed */
	/* The Session's "state" and every Response's sessionState */
	const char		*session_state;

	struct lws_context	*ctx;
	int			 listen_port;
	bool			 stopping;	/* closing the clients */
	bool			 done;		/* leave the loop */
	lws_sorted_usec_list_t	 stop_deadline;

	struct ts_state		 state;
	TAILQ_HEAD(, ts_client)	 clients;
	unsigned long		 nclients;	/* in clients, kept by ws.c */
	unsigned long		 npush_enabled;	/* of those */
	TAILQ_HEAD(, ts_http)	 waiters;
	unsigned		 next_client_id;
	unsigned long		 handshakes;
	unsigned long		 refused;
	unsigned long		 session_gets;	/* Sessions served */
	struct json_object	*last_push_enable;	/* NULL until one came */
	TAILQ_HEAD(, ts_es)	 streams;
	unsigned long		 es_connects;
	char			*last_event_id;		/* NULL until one came */
	unsigned long		 client_closes;	/* close frames from clients */
	int			 last_client_close;	/* its code; 0: none yet */

	/* Faults armed through /control/fault. */
	unsigned long		 fault_refuse;
	long			 fault_retry_after;	/* seconds, with refuse */
	unsigned long		 fault_notfound;
	unsigned long		 fault_unauthorized;
	unsigned long		 fault_nosubprotocol;
	unsigned long		 fault_wrongtype;
	unsigned long		 fault_wsredirect;
	unsigned		 fault_wsredirect_status;
	char			 fault_wsredirect_location[256];	/* "": ours */
	bool			 stalled;
	bool			 quiet;		/* changes are not pushed */
	/* endless.c: sizes beyond any client's bounds. */
	unsigned long		 fault_huge_session;
	size_t			 fault_huge_session_len;
	unsigned long		 fault_endless_session;
	unsigned long		 fault_endless_api;
	/* holdapi: answers to hold, those held now, and held in all. */
	unsigned long		 fault_hold_api;
	/* The next N Mailbox/ and Email/ calls (state probes aside)
	 * answer serverFail. */
	unsigned long		 fault_mail_error;
	/* The next N Email/set calls update nothing: each update is
	 * notUpdated with this SetError type and description. */
	unsigned long		 fault_set_error;
	char			 fault_set_error_type[64];
	char			 fault_set_error_desc[512];
	TAILQ_HEAD(, ts_http)	 held;
	unsigned long		 api_held;

	/* /control/redirect and /control/session (control.c): a redirect
	 * answered instead of one path, and Session URLs replaced (NULL:
	 * the default). */
	char			*redirect_path;
	char			*redirect_location;
	unsigned		 redirect_status;
	char			*session_api_url;
	char			*session_es_url;
	char			*session_ws_url;
	/* Requests other than /control/ (upgrades too), and how many of
	 * them carried an Authorization header. */
	unsigned long		 jmap_requests;
	unsigned long		 authorizations;
	/* Valid JMAP Request objects, POSTed or over a WebSocket (api.c):
	 * the round trips of the API, state probes included. */
	unsigned long		 api_requests;

	/* scale.c: accepted TCP connections, per second since start. */
	uint64_t		 started_ms;
	unsigned long		 accepts;
	unsigned long		 accepts_per_second[TS_ACCEPT_SECONDS];
	size_t			 accept_seconds;	/* used entries */
};

/* scale.c */
void scale_init(struct ts_server *);
void scale_context(struct lws_context_creation_info *);
void scale_accepted(struct ts_server *);
void scale_status(const struct ts_server *, struct json_object *);

/* The "jmap" subprotocol, the only one a WebSocket client may select. */
#define TS_SUBPROTOCOL	"jmap"
#define TS_SESSION_STATE "s1"

/* state.c */
void state_init(struct ts_state *, const char *, int);
void state_free(struct ts_state *);
int state_type_parse(const char *);
const char *state_type_name(int);
int state_account_find(const struct ts_state *, const char *);
void state_string(const struct ts_state *, size_t, int, char *, size_t);
void state_push_string(unsigned long, char *, size_t);
void state_bump(struct ts_state *, size_t, unsigned);
void state_forget(struct ts_state *);
int state_since(const struct ts_state *, const char *, unsigned *);
struct json_object *state_states_json(const struct ts_state *);
struct json_object *state_change_json(const struct ts_state *,
    const unsigned *);

/* http.c */
int http_callback(struct lws *, enum lws_callback_reasons, void *, void *,
    size_t);
struct http_header {
	const char	*name;	/* lower case, with the colon: "location:" */
	const char	*value;
};
int http_send(struct lws *, unsigned, const char *,
    const struct http_header *, size_t);
int http_send_typed(struct lws *, unsigned, const char *, const char *);
int http_send_json(struct lws *, unsigned, struct json_object *);
int http_send_error(struct lws *, unsigned, const char *);
int http_send_problem(struct lws *, unsigned, const char *, const char *);
bool http_authorized(struct ts_server *, struct lws *, const char *);
int http_send_unauthorized(struct lws *);

/* api.c */
struct json_object *api_method_calls(struct ts_server *, struct json_object *,
    const char **);
int api_begin(struct lws *, struct ts_http *);
int api_body(struct lws *, struct ts_http *, const char *, size_t);
int api_complete(struct ts_server *, struct lws *, struct ts_http *);
void api_reset(struct ts_http *);
unsigned long api_release(struct ts_server *);
int api_held_writeable(struct ts_http *);
void api_unhold(struct ts_server *, struct ts_http *);

/* eventsource.c */
const char *es_url(const struct ts_server *);
int es_open(struct ts_server *, struct lws *, struct ts_http *);
int es_writeable(struct ts_es *);
void es_free(struct ts_server *, struct ts_http *);
void es_push(struct ts_server *, size_t, unsigned);
void es_send_all(struct ts_server *, const char *, size_t);
void es_send_all_id(struct ts_server *, const char *, size_t, const char *);
size_t es_drop_all(struct ts_server *);
void es_stall_all(struct ts_server *, bool);
size_t es_close_all(struct ts_server *);
size_t es_endless_all(struct ts_server *);

/* endless.c */
struct json_object *endless_pad_session(struct json_object *, size_t);
int endless_begin(struct lws *, struct ts_http *, const char *);
int endless_writeable(struct lws *, struct ts_http *);
void endless_free(struct ts_http *);
char *endless_many_accounts(const struct ts_server *, const char *, long,
    const char *);

/* control.c */
const char *control_arg(struct lws *, const char *, char *, size_t);
int control_arg_long(struct lws *, const char *, long, long, long, long *,
    int *);
int control_status(struct ts_server *, struct lws *);
void control_bump(struct ts_server *, size_t, unsigned);
int control_handle(struct ts_server *, struct lws *, struct ts_http *,
    const char *);
void control_wake(struct ts_server *);
void control_unpark(struct ts_server *, struct ts_http *);
int control_writeable(struct ts_server *, struct ts_http *);
void control_timer(struct ts_server *, struct ts_http *);

/* fault.c */
int fault_control(struct ts_server *, struct lws *);

/* mail.c (mailboxes and emails: mail.h) */
struct json_object *mail_method(struct ts_server *, const char *,
    struct json_object *, const char *, struct json_object *);
void mail_status(struct ts_server *, struct json_object *);

/* mailctl.c */
void mailctl_deliver(struct ts_server *, size_t);
int mailctl_handle(struct ts_server *, struct lws *, const char *);

/* burst.c */
int burst_control(struct ts_server *, struct lws *);
int burst_writeable(struct ts_client *);

/* ws.c */
int ws_callback(struct lws *, enum lws_callback_reasons, void *, void *,
    size_t);
void ws_push(struct ts_server *, size_t, unsigned);
void ws_send_all(struct ts_server *, const char *, size_t);
size_t ws_drop_all(struct ts_server *);
void ws_stall_all(struct ts_server *, bool);
size_t ws_close_all(struct ts_server *, int);
void ws_counts(const struct ts_server *, unsigned long *, unsigned long *);

#endif
