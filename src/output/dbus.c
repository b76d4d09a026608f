/* SPDX-License-Identifier: ISC */
/*
 * org.jmappushd.Pushd1 on the session or system bus.  The object is
 * registered again on every new connection (busconn opens one after the bus
 * came back), its introspection data comes from the vtable.  Nothing here
 * ever waits for the bus: the name is requested asynchronously and signals
 * are queued and written out by the loop.
 */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "util/busconn.h"
#include "output/dbus.h"
#include "output/dbusmsg.h"
#include "output/outputs.h"
#include "session/account.h"
#include "session/mailbox.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

#define DBUS_ERROR_UNKNOWN_ACCOUNT	DBUS_IFACE ".Error.UnknownAccount"
/* How long GetMailboxes waits for an account's first mailbox fetch. */
#define DBUS_MAILBOXES_WAIT_MS		10000

/* A GetMailboxes call waiting for the first fetch of its accounts. */
struct dbus_call {
	TAILQ_ENTRY(dbus_call)	 entry;
	struct dbus		*db;
	sd_bus_message		*call;		/* held */
	char			*account;	/* NULL: every account */
	uint64_t		 deadline;	/* timeutil_mono_ms() */
};
TAILQ_HEAD(dbus_calls, dbus_call);

struct dbus {
	struct event_base	*base;
	const struct outputs_callbacks *cb;
	enum config_dbus	 mode;		/* resolved: never AUTO */
	struct busconn		*conn;		/* NULL for none */
	struct config		*cfg;		/* held: Accounts */
	/* Once a client called GetMailboxes or read Unread, the mail view
	 * runs for as long as the daemon does. */
	bool			 mail_wanted;
	uint32_t		 unread;	/* Unread as last announced */
	struct dbus_calls	 calls;		/* oldest first */
	struct event		*calls_timer;	/* the oldest one's deadline */
};

static int dbus_get_status(sd_bus_message *, void *, sd_bus_error *);
static int dbus_reconnect_method(sd_bus_message *, void *, sd_bus_error *);
static int dbus_reload_method(sd_bus_message *, void *, sd_bus_error *);
static int dbus_get_accounts(sd_bus *, const char *, const char *,
    const char *, sd_bus_message *, void *, sd_bus_error *);
static int dbus_get_unread(sd_bus *, const char *, const char *,
    const char *, sd_bus_message *, void *, sd_bus_error *);
static int dbus_get_mailboxes(sd_bus_message *, void *, sd_bus_error *);
static int dbus_mute_method(sd_bus_message *, void *, sd_bus_error *);
static int dbus_unmute_method(sd_bus_message *, void *, sd_bus_error *);
static int dbus_get_muted(sd_bus *, const char *, const char *,
    const char *, sd_bus_message *, void *, sd_bus_error *);
static int dbus_get_muted_until(sd_bus *, const char *, const char *,
    const char *, sd_bus_message *, void *, sd_bus_error *);

static const sd_bus_vtable dbus_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Accounts", "as", dbus_get_accounts, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("GetStatus", SD_BUS_NO_ARGS,
	    SD_BUS_RESULT("a(sssx)", accounts), dbus_get_status,
	    SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Reconnect", SD_BUS_ARGS("s", account),
	    SD_BUS_NO_RESULT, dbus_reconnect_method,
	    SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Unread", "u", dbus_get_unread, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
	    dbus_reload_method, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("GetMailboxes", SD_BUS_ARGS("s", account),
	    SD_BUS_RESULT("a(ssssuu)", mailboxes), dbus_get_mailboxes,
	    SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Mute", SD_BUS_ARGS("t", seconds),
	    SD_BUS_NO_RESULT, dbus_mute_method, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Unmute", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
	    dbus_unmute_method, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Muted", "b", dbus_get_muted, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("MutedUntil", "t", dbus_get_muted_until, 0,
	    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_SIGNAL_WITH_ARGS("StateChanged",
	    SD_BUS_ARGS("s", account, "s", accountId, "a{ss}", changed,
	    "s", pushState, "s", reason), 0),
	SD_BUS_SIGNAL_WITH_ARGS("ConnectionChanged",
	    SD_BUS_ARGS("s", account, "s", status, "s", error), 0),
	SD_BUS_SIGNAL_WITH_ARGS("MailboxesChanged",
	    SD_BUS_ARGS("s", account, "s", accountId, "a(sssuu)", mailboxes),
	    0),
	SD_BUS_SIGNAL_WITH_ARGS("NewMail",
	    SD_BUS_ARGS("s", account, "s", accountId, "a(ssssssx)", emails),
	    0),
	SD_BUS_VTABLE_END
};

enum config_dbus
dbus_resolve(enum config_dbus mode)
{
	const char	*addr, *rt;
	char		*path;
	struct stat	 st;
	bool		 bus;

	if (mode != CONFIG_DBUS_AUTO)
		return mode;
	/* root runs the system service, which has no session bus to join
	 * and may not own names on the system bus without a policy. */
	if (geteuid() == 0)
		return CONFIG_DBUS_NONE;
	addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	bus = addr != NULL && *addr != '\0';
	if (!bus && (rt = getenv("XDG_RUNTIME_DIR")) != NULL && *rt == '/') {
		xasprintf(&path, "%s/bus", rt);
		bus = stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
		free(path);
	}
	return bus ? CONFIG_DBUS_SESSION : CONFIG_DBUS_NONE;
}

static void
dbus_append_status(struct account *acct, void *arg)
{
	sd_bus_message	*m = arg;

	sd_bus_message_append(m, "(sssx)", account_name(acct),
	    account_status_name(account_status(acct)),
	    account_transport(acct), (int64_t)account_last_push(acct));
}

static int
dbus_get_status(sd_bus_message *call, void *arg, sd_bus_error *err)
{
	struct dbus	*db = arg;
	sd_bus_message	*reply = NULL;
	int		 r;

	if ((r = sd_bus_message_new_method_return(call, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "(sssx)")) < 0)
		goto out;
	db->cb->foreach_account(db->cb->arg, dbus_append_status, reply);
	if ((r = sd_bus_message_close_container(reply)) < 0)
		goto out;
	r = sd_bus_send(NULL, reply, NULL);
out:
	sd_bus_message_unref(reply);
	return r;
}

static int
dbus_reconnect_method(sd_bus_message *call, void *arg, sd_bus_error *err)
{
	struct dbus	*db = arg;
	const char	*name;
	int		 r;

	if ((r = sd_bus_message_read(call, "s", &name)) < 0)
		return r;
	/* "" is every account, as jmap-pushctl reconnect without one. */
	if (db->cb->reconnect(db->cb->arg, *name == '\0' ? NULL : name) == -1)
		return sd_bus_error_setf(err, DBUS_ERROR_UNKNOWN_ACCOUNT,
		    "no account named '%s'", name);
	log_info("D-Bus: reconnect %s requested", *name ? name : "(all)");
	return sd_bus_reply_method_return(call, NULL);
}

static void
dbus_reload_deferred(evutil_socket_t fd, short what, void *arg)
{
	struct dbus *db = arg;
	const char *why;

	/* The caller had its answer; a refusal is logged by the daemon. */
	(void)db->cb->reload(db->cb->arg, &why);
}

/* Answered first; the reload runs on the next loop turn, outside the bus
 * callback, because it may replace this very connection. */
static int
dbus_reload_method(sd_bus_message *call, void *arg, sd_bus_error *err)
{
	struct dbus *db = arg;

	log_info("D-Bus: reload requested");
	if (event_base_once(db->base, -1, EV_TIMEOUT, dbus_reload_deferred, db,
	    NULL) == -1)
		return sd_bus_error_set_errno(err, ENOMEM);
	return sd_bus_reply_method_return(call, NULL);
}

/* Mute(t seconds): 0 means until Unmute(). */
static int
dbus_mute_method(sd_bus_message *call, void *arg, sd_bus_error *err)
{
	struct dbus	*db = arg;
	uint64_t	 seconds;
	int		 r;

	if ((r = sd_bus_message_read(call, "t", &seconds)) < 0)
		return r;
	log_info("D-Bus: mute requested");
	db->cb->mute(db->cb->arg, seconds);
	return sd_bus_reply_method_return(call, NULL);
}

/* Unmute() when not muted is not an error. */
static int
dbus_unmute_method(sd_bus_message *call, void *arg, sd_bus_error *err)
{
	struct dbus *db = arg;

	log_info("D-Bus: unmute requested");
	db->cb->unmute(db->cb->arg);
	return sd_bus_reply_method_return(call, NULL);
}

static int
dbus_get_muted(sd_bus *bus, const char *path, const char *iface,
    const char *prop, sd_bus_message *reply, void *arg, sd_bus_error *err)
{
	struct dbus *db = arg;

	return sd_bus_message_append(reply, "b",
	    (int)db->cb->muted(db->cb->arg, NULL));
}

/* The Unix time a mute with a duration ends; 0 when not muted or muted
 * until unmuted (Muted tells which). */
static int
dbus_get_muted_until(sd_bus *bus, const char *path, const char *iface,
    const char *prop, sd_bus_message *reply, void *arg, sd_bus_error *err)
{
	struct dbus	*db = arg;
	time_t		 until = 0;

	if (!db->cb->muted(db->cb->arg, &until) || until < 0)
		until = 0;
	return sd_bus_message_append(reply, "t", (uint64_t)until);
}

static int
dbus_get_accounts(sd_bus *bus, const char *path, const char *iface,
    const char *prop, sd_bus_message *reply, void *arg, sd_bus_error *err)
{
	struct dbus			*db = arg;
	const struct config_account	*a;
	int				 r;

	if ((r = sd_bus_message_open_container(reply, 'a', "s")) < 0)
		return r;
	TAILQ_FOREACH(a, &db->cfg->accounts, entry)
		if ((r = sd_bus_message_append(reply, "s", a->name)) < 0)
			return r;
	return sd_bus_message_close_container(reply);
}

/* The mail view is needed from now on: the daemon starts it on every
 * account. */
static void
dbus_want_mail(struct dbus *db)
{
	if (db->mail_wanted)
		return;
	db->mail_wanted = true;
	log_debug("D-Bus: a client asked for mailboxes; fetching them");
	db->cb->mail_wanted_changed(db->cb->arg);
}

/* Sums the inboxes' unread counts of one JMAP account into arg. */
static void
dbus_sum_inbox(const char *account_id, const struct mailbox_cache *c,
    void *arg)
{
	uint64_t *sum = arg;

	(void)account_id;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].role != NULL && strcmp(c->v[i].role, "inbox") == 0)
			*sum += (uint64_t)c->v[i].unread;
}

/* Adds an account's inboxes' unread counts to arg (a uint64_t). */
static void
dbus_sum_account(struct account *acct, void *arg)
{
	account_foreach_mailboxes(acct, dbus_sum_inbox, arg);
}

/* Unread: the inboxes of every JMAP account of every account. */
static uint32_t
dbus_unread(struct dbus *db)
{
	uint64_t sum = 0;

	db->cb->foreach_account(db->cb->arg, dbus_sum_account, &sum);
	return sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

/* Reading Unread makes the daemon fetch mailboxes from now on. */
static int
dbus_get_unread(sd_bus *bus, const char *path, const char *iface,
    const char *prop, sd_bus_message *reply, void *arg, sd_bus_error *err)
{
	struct dbus *db = arg;

	dbus_want_mail(db);
	db->unread = dbus_unread(db);
	return sd_bus_message_append(reply, "u", db->unread);
}

/* Whether an account's mailboxes were fetched: one of its JMAP accounts
 * has a Mailbox state. */
static void
dbus_fetched_one(const char *account_id, const struct mailbox_cache *c,
    void *arg)
{
	bool *fetched = arg;

	(void)account_id;
	*fetched = *fetched || c->state != NULL;
}

/* Clears *arg (a bool) unless the account's mailboxes were fetched. */
static void
dbus_fetched_account(struct account *acct, void *arg)
{
	bool *all = arg, one = false;

	account_foreach_mailboxes(acct, dbus_fetched_one, &one);
	*all = *all && one;
}

/* Whether every account the call asks for had its first fetch. */
static bool
dbus_call_ready(struct dbus_call *c)
{
	const struct outputs_callbacks *cb = c->db->cb;
	struct account *acct;
	bool all = true;

	if (c->account == NULL)
		cb->foreach_account(cb->arg, dbus_fetched_account, &all);
	else if ((acct = cb->find_account(cb->arg, c->account)) != NULL)
		dbus_fetched_account(acct, &all);
	return all;
}

/* Appends one JMAP account's mailboxes to the reply arg. */
static void
dbus_append_box_list(const char *account_id, const struct mailbox_cache *c,
    void *arg)
{
	dbusmsg_append_mailboxes(arg, account_id, c);
}

/* Appends every JMAP account's mailboxes of acct to the reply arg. */
static void
dbus_append_boxes(struct account *acct, void *arg)
{
	account_foreach_mailboxes(acct, dbus_append_box_list, arg);
}

/* Answers c with what is known now and forgets it. */
static void
dbus_call_answer(struct dbus_call *c)
{
	const struct outputs_callbacks *cb = c->db->cb;
	sd_bus_message *reply = NULL;
	struct account *acct = NULL;
	int r;

	if (c->account != NULL &&
	    (acct = cb->find_account(cb->arg, c->account)) == NULL)
		/* Gone with a reload while the call waited. */
		r = sd_bus_reply_method_errorf(c->call,
		    DBUS_ERROR_UNKNOWN_ACCOUNT, "no account named '%s'",
		    c->account);
	else if ((r = sd_bus_message_new_method_return(c->call, &reply)) >= 0 &&
	    (r = sd_bus_message_open_container(reply, 'a', "(ssssuu)")) >= 0) {
		if (acct != NULL)
			dbus_append_boxes(acct, reply);
		else
			cb->foreach_account(cb->arg, dbus_append_boxes, reply);
		if ((r = sd_bus_message_close_container(reply)) >= 0)
			r = sd_bus_send(NULL, reply, NULL);
	}
	if (r < 0)
		log_debug("D-Bus: cannot answer GetMailboxes: %s",
		    strerror(-r));
	sd_bus_message_unref(reply);
	if (c->db->conn != NULL)
		busconn_kick(c->db->conn);
	TAILQ_REMOVE(&c->db->calls, c, entry);
	sd_bus_message_unref(c->call);
	free(c->account);
	free(c);
}

/* Arms the calls' timer for the oldest call's deadline, if any. */
static void
dbus_calls_arm(struct dbus *db)
{
	struct dbus_call *c = TAILQ_FIRST(&db->calls);
	uint64_t now = timeutil_mono_ms();
	struct timeval tv;

	if (c == NULL) {
		evtimer_del(db->calls_timer);
		return;
	}
	tv = timeutil_tv_ms(c->deadline > now ? c->deadline - now : 0);
	evtimer_add(db->calls_timer, &tv);
}

/* The first fetch took too long (a server that is down): the calls past
 * their deadline get what is known. */
static void
dbus_calls_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct dbus *db = arg;
	struct dbus_call *c;
	uint64_t now = timeutil_mono_ms();

	while ((c = TAILQ_FIRST(&db->calls)) != NULL && c->deadline <= now)
		dbus_call_answer(c);
	dbus_calls_arm(db);
}

/* Answered at once when the accounts asked for had their first fetch,
 * else when they have it or after DBUS_MAILBOXES_WAIT_MS. */
static int
dbus_get_mailboxes(sd_bus_message *call, void *arg, sd_bus_error *err)
{
	struct dbus	*db = arg;
	struct dbus_call *c;
	const char	*name;
	int		 r;

	if ((r = sd_bus_message_read(call, "s", &name)) < 0)
		return r;
	if (*name != '\0' && db->cb->find_account(db->cb->arg, name) == NULL)
		return sd_bus_error_setf(err, DBUS_ERROR_UNKNOWN_ACCOUNT,
		    "no account named '%s'", name);
	dbus_want_mail(db);
	c = xcalloc(1, sizeof(*c));
	c->db = db;
	c->call = sd_bus_message_ref(call);
	c->account = *name != '\0' ? xstrdup(name) : NULL;
	c->deadline = timeutil_mono_ms() + DBUS_MAILBOXES_WAIT_MS;
	TAILQ_INSERT_TAIL(&db->calls, c, entry);
	if (dbus_call_ready(c))
		dbus_call_answer(c);
	else if (c == TAILQ_FIRST(&db->calls))
		dbus_calls_arm(db);
	/* Answered now or later, never by sd-bus itself. */
	return 1;
}

static int
dbus_name_acquired(sd_bus_message *reply, void *arg, sd_bus_error *unused)
{
	const sd_bus_error *e = sd_bus_message_get_error(reply);

	if (e != NULL)
		log_warnx("D-Bus: cannot own the name %s: %s (is another "
		    "jmap-pushd running on this bus?)", DBUS_NAME,
		    e->message != NULL ? e->message : e->name);
	else
		log_debug("D-Bus: owning %s", DBUS_NAME);
	return 0;
}

static void
dbus_on_connect(sd_bus *bus, void *arg)
{
	struct dbus	*db = arg;
	int		 r;

	if ((r = sd_bus_add_object_vtable(bus, NULL, DBUS_PATH, DBUS_IFACE,
	    dbus_vtable, db)) < 0 ||
	    (r = sd_bus_request_name_async(bus, NULL, DBUS_NAME, 0,
	    dbus_name_acquired, db)) < 0)
		log_warnx("D-Bus: cannot publish %s: %s", DBUS_NAME,
		    strerror(-r));
}

/* Whether two configs name the same accounts in the same order. */
static bool
dbus_accounts_same(const struct config *old, const struct config *cfg)
{
	const struct config_account	*a, *b;

	for (a = TAILQ_FIRST(&old->accounts), b = TAILQ_FIRST(&cfg->accounts);
	    a != NULL && b != NULL;
	    a = TAILQ_NEXT(a, entry), b = TAILQ_NEXT(b, entry))
		if (strcmp(a->name, b->name) != 0)
			return false;
	return a == NULL && b == NULL;
}

static void
dbus_open(struct dbus *db)
{
	if (db->mode == CONFIG_DBUS_NONE)
		return;
	db->conn = busconn_new(db->base, db->mode == CONFIG_DBUS_SYSTEM ?
	    BUSCONN_SYSTEM : BUSCONN_SESSION, "D-Bus service",
	    dbus_on_connect, db);
}

struct dbus *
dbus_new(struct event_base *base, struct config *cfg,
    const struct outputs_callbacks *cb)
{
	struct dbus *db = xcalloc(1, sizeof(*db));

	db->base = base;
	db->cb = cb;
	db->mode = dbus_resolve(cfg->dbus);
	db->cfg = config_ref(cfg);
	TAILQ_INIT(&db->calls);
	db->calls_timer = xevtimer_new(base, dbus_calls_timeout, db);
	if (db->mode == CONFIG_DBUS_NONE)
		log_debug("D-Bus: off (dbus = session or system turns it on)");
	dbus_open(db);
	return db;
}

void
dbus_set_config(struct dbus *db, struct config *cfg)
{
	enum config_dbus	 mode = dbus_resolve(cfg->dbus);
	struct config		*old = db->cfg;
	sd_bus			*bus;

	db->cfg = config_ref(cfg);
	if (!dbus_accounts_same(old, cfg)) {
		if (db->conn != NULL && (bus = busconn_bus(db->conn)) != NULL) {
			sd_bus_emit_properties_changed(bus, DBUS_PATH,
			    DBUS_IFACE, "Accounts", NULL);
			busconn_kick(db->conn);
		}
	}
	config_unref(old);
	if (mode == db->mode)
		return;
	busconn_free(db->conn);
	db->conn = NULL;
	db->mode = mode;
	dbus_open(db);
}

void
dbus_free(struct dbus *db)
{
	struct dbus_call *c;

	if (db == NULL)
		return;
	/* Unanswered calls get an error from the bus when we leave it. */
	while ((c = TAILQ_FIRST(&db->calls)) != NULL) {
		TAILQ_REMOVE(&db->calls, c, entry);
		sd_bus_message_unref(c->call);
		free(c->account);
		free(c);
	}
	event_free(db->calls_timer);
	busconn_free(db->conn);
	config_unref(db->cfg);
	free(db);
}

static void
dbus_send(struct dbus *db, sd_bus_message *m, const char *what)
{
	int r;

	if ((r = sd_bus_send(NULL, m, NULL)) < 0)
		log_debug("D-Bus: cannot send %s: %s", what, strerror(-r));
	busconn_kick(db->conn);
}

void
dbus_state(struct dbus *db, const struct push_event *ev)
{
	sd_bus_message	*m;
	sd_bus		*bus;
	int		 r;

	if (db->conn == NULL || (bus = busconn_bus(db->conn)) == NULL)
		return;
	if ((r = dbusmsg_state(bus, ev, &m)) < 0)
		/* Only a server's strings that are not UTF-8 get here. */
		log_debug("D-Bus: account %s: cannot build StateChanged: %s",
		    ev->account, strerror(-r));
	else
		dbus_send(db, m, "StateChanged");
	sd_bus_message_unref(m);
}

void
dbus_connection(struct dbus *db, struct account *acct)
{
	sd_bus_message	*m;
	sd_bus		*bus;
	int		 r;

	if (db->conn == NULL || (bus = busconn_bus(db->conn)) == NULL)
		return;
	if ((r = dbusmsg_connection(bus, account_name(acct),
	    account_status_name(account_status(acct)), account_error(acct),
	    &m)) < 0)
		log_debug("D-Bus: account %s: cannot build ConnectionChanged: "
		    "%s", account_name(acct), strerror(-r));
	else
		dbus_send(db, m, "ConnectionChanged");
	sd_bus_message_unref(m);
}

bool
dbus_mail_wanted(const struct dbus *db)
{
	return db->mail_wanted;
}

void
dbus_mail(struct dbus *db, const struct mail_event *ev)
{
	struct dbus_call	*c, *next;
	sd_bus_message		*m;
	sd_bus			*bus;
	uint32_t		 unread;
	int			 r;

	for (c = TAILQ_FIRST(&db->calls); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (dbus_call_ready(c))
			dbus_call_answer(c);
	}
	dbus_calls_arm(db);
	if (db->conn == NULL || (bus = busconn_bus(db->conn)) == NULL)
		return;
	if ((r = dbusmsg_mailboxes_changed(bus, ev->account, ev->account_id,
	    ev->result, ev->cache, &m)) < 0)
		log_debug("D-Bus: account %s: cannot build MailboxesChanged: "
		    "%s", ev->account, strerror(-r));
	else if (m != NULL)
		dbus_send(db, m, "MailboxesChanged");
	sd_bus_message_unref(m);
	if ((r = dbusmsg_new_mail(bus, ev->account, ev->account_id,
	    ev->result, ev->cache, &m)) < 0)
		log_debug("D-Bus: account %s: cannot build NewMail: %s",
		    ev->account, strerror(-r));
	else if (m != NULL)
		dbus_send(db, m, "NewMail");
	sd_bus_message_unref(m);
	/* Announced only once a client asked for it. */
	if (db->mail_wanted && (unread = dbus_unread(db)) != db->unread) {
		db->unread = unread;
		if ((r = sd_bus_emit_properties_changed(bus, DBUS_PATH,
		    DBUS_IFACE, "Unread", NULL)) < 0)
			log_debug("D-Bus: cannot announce Unread: %s",
			    strerror(-r));
		busconn_kick(db->conn);
	}
}

void
dbus_muted_changed(struct dbus *db)
{
	sd_bus	*bus;
	int	 r;

	if (db->conn == NULL || (bus = busconn_bus(db->conn)) == NULL)
		return;
	if ((r = sd_bus_emit_properties_changed(bus, DBUS_PATH, DBUS_IFACE,
	    "Muted", "MutedUntil", NULL)) < 0)
		log_debug("D-Bus: cannot announce Muted: %s", strerror(-r));
	busconn_kick(db->conn);
}
