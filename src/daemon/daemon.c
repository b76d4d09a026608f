/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/wakeup.h"
#include "output/outputs.h"
#include "session/account.h"
#include "session/pacer.h"
#include "state/store.h"
#include "transport/net.h"
#include "util/log.h"
#include "util/namemap.h"
#include "util/proc.h"
#include "util/rlimit.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* Bounds on shutdown: close frames answered, then hooks given time to
 * finish, first by themselves (a run the stop cuts short is owed again after
 * the restart: better not to cut short one that was about to end), then
 * after SIGTERM. */
#define DAEMON_STOP_ACCOUNTS_MS	5000
#define DAEMON_STOP_HOOKS_MS	5000
#define DAEMON_STOP_GRACE_MS	2500
#define DAEMON_STOP_POLL_MS	50

/*
 * At most this many connection attempts at a time, at start-up and after a
 * server restart alike: every connection in its handshake holds an lws
 * timeout in a sorted list, so 10,000 at once made each insertion walk
 * thousands of entries (quadratic), and a server's listen backlog
 * overflows the same way.
 */
#define DAEMON_INFLIGHT		100
/* STATUS= is rebuilt at most this often. */
#define DAEMON_STATUS_MS	100

/*
 * At most one per account name, stopping or not: an account a reload
 * changed, or removed and a later one added again, starts anew from the
 * config of that moment once its old self has closed.
 */
struct daemon_account {
	TAILQ_ENTRY(daemon_account) entry;
	struct daemon *d;
	struct account *acct;
	char *name;		/* its key in account_names: the account's
				 * own name moves to each reload's config */
	bool stopping;
	bool counted_up;	/* counted in connected_accounts */
};
TAILQ_HEAD(daemon_accounts, daemon_account);

struct daemon {
	struct event_base *base;
	struct net *net;
	char *config_path;
	int cli_log_level;
	struct config *cfg;
	struct outputs *outputs;
	struct outputs_callbacks outputs_cb;	/* arg: this daemon */
	struct daemon_accounts accounts;
	/* name -> its daemon_account in accounts (a name has one at most: a
	 * closing account starts again only once it is gone) */
	struct namemap *account_names;
	unsigned stopping_accounts;
	/* For the STATUS= line, kept as accounts change: a walk of every
	 * account per status change made a reconnect storm O(n^2). */
	unsigned running_accounts;	/* in accounts, not stopping */
	unsigned connected_accounts;	/* of those, connected */
	struct pacer *pacer;
	struct event *status_ev;

	struct event *sigterm;
	struct event *sigint;
	struct event *sighup;
	struct event *watchdog;
	struct event *stop_timer;
	struct wakeup *wakeup;
	bool shutting_down;
	bool hooks_waiting;
	int hooks_wait_from_ms;		/* stop_elapsed_ms then */
	bool hooks_signalled;
	int stop_elapsed_ms;
	char *last_status;
};

static void daemon_account_start(struct daemon *,
    const struct config_account *);
static int daemon_reload(struct daemon *, const char **);
static void daemon_mail_wanted_changed(void *);

static void
daemon_notify_status(struct daemon *d)
{
	struct daemon_account *da;
	char line[1024];
	size_t off;
	unsigned up = d->connected_accounts, down = d->running_accounts - up;
	int n;

	off = (size_t)snprintf(line, sizeof(line), "%u/%u accounts connected",
	    up, d->running_accounts);
	/* The line holds a few dozen at most: stop once it is full or every
	 * account not connected is in it. */
	TAILQ_FOREACH(da, &d->accounts, entry) {
		enum account_status s;

		if (down == 0 || off >= sizeof(line))
			break;
		if (da->stopping || da->counted_up)
			continue;
		down--;
		s = account_status(da->acct);
		if (s == ACCOUNT_BACKOFF || s == ACCOUNT_AUTH_FAILED ||
		    s == ACCOUNT_DISABLED)
			n = snprintf(line + off, sizeof(line) - off,
			    "%s %s: %s %.0fs (%s)", off ? ";" : "",
			    account_name(da->acct), account_status_name(s),
			    account_retry_in(da->acct),
			    account_error(da->acct) ? account_error(da->acct) :
			    "no error");
		else
			n = snprintf(line + off, sizeof(line) - off, "; %s: %s",
			    account_name(da->acct), account_status_name(s));
		if (n > 0)
			off += (size_t)n;
	}
	if (d->last_status != NULL && strcmp(d->last_status, line) == 0)
		return;
	free(d->last_status);
	d->last_status = xstrdup(line);
	sd_notifyf(0, "STATUS=%s", line);
}

static void
daemon_on_change(struct account *acct, const struct push_event *ev, void *arg)
{
	struct daemon_account *da = arg;

	outputs_state(da->d->outputs, ev);
}

static void
daemon_on_mail(struct account *acct, const struct mail_event *ev, void *arg)
{
	struct daemon_account *da = arg;

	outputs_mail(da->d->outputs, ev);
}

static void
daemon_status_cb(evutil_socket_t fd, short what, void *arg)
{
	daemon_notify_status(arg);
}

static void
daemon_on_status(struct account *acct, void *arg)
{
	struct daemon_account *da = arg;
	struct daemon *d = da->d;
	struct timeval tv = { 0, DAEMON_STATUS_MS * 1000 };
	bool up = account_status(acct) == ACCOUNT_CONNECTED;

	if (!da->stopping && up != da->counted_up) {
		da->counted_up = up;
		if (up)
			d->connected_accounts++;
		else
			d->connected_accounts--;
	}
	if (!evtimer_pending(d->status_ev, NULL))
		evtimer_add(d->status_ev, &tv);
	outputs_connection(d->outputs, acct);
}

/* Freed on a fresh loop turn: the account is still inside its own
 * callback when it reports being stopped.  The current config says whether
 * it runs again: however many reloads came while it was closing, the last
 * one counts. */
static void
daemon_account_reap(evutil_socket_t fd, short what, void *arg)
{
	struct daemon_account *da = arg;
	struct daemon *d = da->d;
	const struct config_account *ca = NULL;

	if (!d->shutting_down)
		ca = config_find_account(d->cfg, account_name(da->acct));
	account_free(da->acct);
	free(da->name);
	free(da);
	if (ca != NULL)
		daemon_account_start(d, ca);
	daemon_notify_status(d);
}

static void
daemon_on_stopped(struct account *acct, void *arg)
{
	struct daemon_account *da = arg;
	struct daemon *d = da->d;

	d->stopping_accounts--;
	/* At shutdown it stays until daemon_free: a hook run that ends
	 * meanwhile must still reach its state file. */
	if (d->shutting_down)
		return;
	if (namemap_get(d->account_names, da->name) == da)
		namemap_del(d->account_names, da->name);
	TAILQ_REMOVE(&d->accounts, da, entry);
	if (event_base_once(d->base, -1, EV_TIMEOUT, daemon_account_reap, da,
	    NULL) == -1)
		fatalx("libevent: cannot schedule an account's release");
}

static void
daemon_account_start(struct daemon *d, const struct config_account *ca)
{
	struct daemon_account *da = xcalloc(1, sizeof(*da));
	struct account_callbacks cbs = {
		.change = daemon_on_change,
		.status = daemon_on_status,
		.stopped = daemon_on_stopped,
		.mail = daemon_on_mail,
	};

	da->d = d;
	d->running_accounts++;
	da->acct = account_new(d->net, d->pacer, ca, d->cfg->state_dir, &cbs,
	    da);
	TAILQ_INSERT_TAIL(&d->accounts, da, entry);
	da->name = xstrdup(ca->name);
	namemap_put(d->account_names, da->name, da);
	account_set_mail_wanted(da->acct, outputs_mail_wanted(d->outputs,
	    ca->name));
	account_start(da->acct);
	/* Its store is open now: hook runs owed from before come back. */
	outputs_attach(d->outputs, ca->name);
}

static void
daemon_account_stop(struct daemon_account *da)
{
	if (da->stopping)
		return;
	da->stopping = true;
	da->d->stopping_accounts++;
	da->d->running_accounts--;
	if (da->counted_up) {
		da->counted_up = false;
		da->d->connected_accounts--;
	}
	account_stop(da->acct, da->d->shutting_down ? ACCOUNT_STOP_SHUTDOWN :
	    ACCOUNT_STOP_RECONFIGURED);
}

static void
daemon_apply_log_level(struct daemon *d)
{
	if (d->cli_log_level != -1)
		log_set_level(d->cli_log_level);
	else if (d->cfg->log_level != -1)
		log_set_level(d->cfg->log_level);
	else
		log_set_level(LOG_INFO);
}

static struct config *
daemon_load(const char *path)
{
	struct config_errors errs = { 0 };
	struct config *cfg = config_load(path, &errs);

	for (size_t i = 0; i < errs.n; i++)
		log_errx("%s", errs.msgs[i]);
	config_errors_clear(&errs);
	return cfg;
}

/* Re-reads the config file (SIGHUP, and a command on an output); -1 when
 * the new one has errors (logged) and the running one stays, or when the
 * daemon is stopping: accounts a reload started then would hold the stop
 * up.  *why says which, for a command's reply. */
static int
daemon_reload(struct daemon *d, const char **why)
{
	struct config *cfg, *old_cfg;
	struct daemon_account *da, *next;
	const struct config_account *ca, *old;
	bool same_dir;

	if (d->shutting_down) {
		*why = "jmap-pushd is stopping; reload after it has started "
		    "again";
		log_info("not reloading: the daemon is stopping");
		return -1;
	}
	log_reload_tz();
	log_info("reloading %s", d->config_path);
	sd_notify(0, "RELOADING=1");
	if ((cfg = daemon_load(d->config_path)) == NULL) {
		log_errx("the new configuration has errors; keeping the "
		    "running one");
		sd_notify(0, "READY=1");
		*why = "the new configuration has errors (see the log, or "
		    "jmap-pushd --check-config); the running one stays";
		return -1;
	}
	old_cfg = d->cfg;
	d->cfg = cfg;
	same_dir = strcmp(old_cfg->state_dir, cfg->state_dir) == 0;
	daemon_apply_log_level(d);
	outputs_set_config(d->outputs, cfg);
	/* Mail-aware hooks may have come or gone. */
	daemon_mail_wanted_changed(d);

	for (da = TAILQ_FIRST(&d->accounts); da != NULL; da = next) {
		next = TAILQ_NEXT(da, entry);
		if (da->stopping) {
			if (config_find_account(cfg, account_name(da->acct)) !=
			    NULL)
				log_info("account %s: still closing; starts "
				    "again once closed",
				    account_name(da->acct));
			continue;
		}
		old = account_config(da->acct);
		ca = config_find_account(cfg, old->name);
		if (ca != NULL && same_dir && config_account_equal(old, ca)) {
			/* Unchanged: keep the connection, no change missed.
			 * A reload is also how a user says "I fixed the
			 * password" (or the server): retry those at once. */
			account_set_config(da->acct, ca);
			if (account_status(da->acct) == ACCOUNT_AUTH_FAILED ||
			    account_status(da->acct) == ACCOUNT_DISABLED)
				account_reconnect(da->acct);
			continue;
		}
		log_info("account %s: %s", old->name, ca == NULL ?
		    "removed from the configuration; closing" :
		    "configuration changed; reconnecting");
		daemon_account_stop(da);
	}
	TAILQ_FOREACH(ca, &cfg->accounts, entry) {
		/* A closing one starts again once closed. */
		if (namemap_get(d->account_names, ca->name) == NULL) {
			log_info("account %s: added", ca->name);
			daemon_account_start(d, ca);
		}
	}
	config_unref(old_cfg);
	log_info("configuration reloaded");
	sd_notify(0, "READY=1");
	daemon_notify_status(d);
	return 0;
}

/* The outputs' callbacks (output/outputs.h): arg is the daemon. */
static void
daemon_foreach_account(void *arg, outputs_account_fn fn, void *fnarg)
{
	struct daemon *d = arg;
	struct daemon_account *da;

	TAILQ_FOREACH(da, &d->accounts, entry)
		if (!da->stopping)
			fn(da->acct, fnarg);
}

static struct account *
daemon_find_account(void *arg, const char *name)
{
	struct daemon *d = arg;
	struct daemon_account *da = namemap_get(d->account_names, name);

	return da != NULL && !da->stopping ? da->acct : NULL;
}

/* A closing account's store still serves: a hook run may end while its
 * account closes, and its end must reach the file. */
static struct store *
daemon_account_store(void *arg, const char *name)
{
	struct daemon *d = arg;
	struct daemon_account *da = namemap_get(d->account_names, name);

	return da != NULL ? account_store(da->acct) : NULL;
}

static int
daemon_reconnect(void *arg, const char *name)
{
	struct daemon *d = arg;
	struct daemon_account *da;
	int found = 0;

	TAILQ_FOREACH(da, &d->accounts, entry) {
		if (da->stopping || (name != NULL &&
		    strcmp(account_name(da->acct), name) != 0))
			continue;
		found = 1;
		account_reconnect(da->acct);
	}
	return found || name == NULL ? 0 : -1;
}

static int
daemon_reload_cb(void *arg, const char **why)
{
	return daemon_reload(arg, why);
}

/* The mute lives in the outputs, which a reload keeps. */
static void
daemon_mute(void *arg, uint64_t seconds)
{
	struct daemon *d = arg;

	outputs_mute(d->outputs, seconds);
}

static void
daemon_unmute(void *arg)
{
	struct daemon *d = arg;

	outputs_unmute(d->outputs);
}

static int
daemon_test_notify(void *arg, const char *account, const char **why)
{
	struct daemon *d = arg;

	return outputs_test_notify(d->outputs, account, why);
}

static bool
daemon_muted(void *arg, time_t *until)
{
	struct daemon *d = arg;

	return outputs_muted(d->outputs, until);
}

/* The webhooks' and MQTT's part of the status reply. */
static struct json_object *
daemon_remote_status(void *arg)
{
	struct daemon *d = arg;

	return outputs_remote_status(d->outputs);
}

/* An output's need of the mail view changed: every account follows
 * (accounts whose outputs need none make no Mailbox or Email request). */
static void
daemon_mail_wanted_changed(void *arg)
{
	struct daemon *d = arg;
	struct daemon_account *da;

	TAILQ_FOREACH(da, &d->accounts, entry)
		account_set_mail_wanted(da->acct, outputs_mail_wanted(
		    d->outputs, account_name(da->acct)));
}

static void
daemon_stop_poll(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval tv = { 0, DAEMON_STOP_POLL_MS * 1000 };
	bool accounts_done;

	d->stop_elapsed_ms += DAEMON_STOP_POLL_MS;
	accounts_done = d->stopping_accounts == 0 ||
	    d->stop_elapsed_ms >= DAEMON_STOP_ACCOUNTS_MS;
	if (accounts_done && !d->hooks_waiting) {
		d->hooks_waiting = true;
		d->hooks_wait_from_ms = d->stop_elapsed_ms;
		if (proc_count() > 0)
			log_info("waiting for %zu running hook(s) to end",
			    proc_count());
	}
	if (accounts_done && !d->hooks_signalled && d->stop_elapsed_ms -
	    d->hooks_wait_from_ms >= DAEMON_STOP_GRACE_MS) {
		d->hooks_signalled = true;
		proc_terminate_all((DAEMON_STOP_HOOKS_MS - DAEMON_STOP_GRACE_MS)
		    / 2);
	}
	if (accounts_done && (proc_count() == 0 || d->stop_elapsed_ms >=
	    DAEMON_STOP_ACCOUNTS_MS + DAEMON_STOP_HOOKS_MS)) {
		event_base_loopexit(d->base, NULL);
		return;
	}
	evtimer_add(d->stop_timer, &tv);
}

static void
daemon_shutdown(struct daemon *d)
{
	struct daemon_account *da;
	struct timeval tv = { 0, 0 };

	if (d->shutting_down)
		return;
	d->shutting_down = true;
	log_info("shutting down");
	sd_notify(0, "STOPPING=1");
	/* Hook runs not started yet stay in the state files. */
	outputs_stop(d->outputs);
	TAILQ_FOREACH(da, &d->accounts, entry)
		daemon_account_stop(da);
	evtimer_add(d->stop_timer, &tv);
}

static void
daemon_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	const char *why;

	switch (sig) {
	case SIGHUP:
		(void)daemon_reload(d, &why);
		break;
	default:
		daemon_shutdown(d);
		break;
	}
}

static void
daemon_wakeup(enum wakeup_reason reason, void *arg)
{
	struct daemon *d = arg;
	struct daemon_account *da;

	TAILQ_FOREACH(da, &d->accounts, entry)
		if (!da->stopping)
			account_revalidate(da->acct);
}

static void
daemon_watchdog(evutil_socket_t fd, short what, void *arg)
{
	sd_notify(0, "WATCHDOG=1");
}

static void
daemon_events(struct daemon *d)
{
	uint64_t usec;

	d->sigterm = xevsignal_new(d->base, SIGTERM, daemon_signal, d);
	d->sigint = xevsignal_new(d->base, SIGINT, daemon_signal, d);
	d->sighup = xevsignal_new(d->base, SIGHUP, daemon_signal, d);
	d->stop_timer = xevtimer_new(d->base, daemon_stop_poll, d);
	d->status_ev = xevtimer_new(d->base, daemon_status_cb, d);
	evsignal_add(d->sigterm, NULL);
	evsignal_add(d->sigint, NULL);
	evsignal_add(d->sighup, NULL);
	d->wakeup = wakeup_new(d->base, d->cfg->defaults.ping_interval_ms ?
	    d->cfg->defaults.ping_interval_ms : 30000, daemon_wakeup, d);

	/* Half the watchdog period leaves room for a busy moment. */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		struct timeval tv = timeutil_tv_us(usec / 2);

		d->watchdog = xevent_new(d->base, -1, EV_PERSIST,
		    daemon_watchdog, d);
		event_add(d->watchdog, &tv);
	}
}

static void
daemon_free(struct daemon *d)
{
	struct daemon_account *da;

	namemap_free(d->account_names);
	store_flush();
	while ((da = TAILQ_FIRST(&d->accounts)) != NULL) {
		TAILQ_REMOVE(&d->accounts, da, entry);
		account_free(da->acct);
		free(da->name);
		free(da);
	}
	pacer_free(d->pacer);
	wakeup_free(d->wakeup);
	outputs_free(d->outputs);
	net_free(d->net);
	if (d->sigterm != NULL) {
		event_free(d->sigterm);
		event_free(d->sigint);
		event_free(d->sighup);
		event_free(d->stop_timer);
		event_free(d->status_ev);
	}
	if (d->watchdog != NULL)
		event_free(d->watchdog);
	config_unref(d->cfg);
	free(d->config_path);
	free(d->last_status);
	event_base_free(d->base);
	free(d);
}

int
daemon_run(const char *config_path, int log_level)
{
	struct daemon *d = xcalloc(1, sizeof(*d));
	const struct config_account *ca;

	d->config_path = xstrdup(config_path);
	d->cli_log_level = log_level;
	TAILQ_INIT(&d->accounts);
	if ((d->cfg = daemon_load(config_path)) == NULL) {
		log_errx("cannot start: fix the errors in %s (jmap-pushd "
		    "--check-config shows them)", config_path);
		free(d->config_path);
		free(d);
		return 1;
	}
	d->account_names = namemap_new();
	daemon_apply_log_level(d);
	rlimit_raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	if ((d->base = event_base_new()) == NULL)
		fatalx("libevent: cannot create the event loop");
	proc_init(d->base);
	d->net = net_new(d->base);
	d->pacer = pacer_new(d->base, DAEMON_INFLIGHT);
	d->outputs_cb = (struct outputs_callbacks){
		.foreach_account = daemon_foreach_account,
		.find_account = daemon_find_account,
		.account_store = daemon_account_store,
		.reconnect = daemon_reconnect,
		.reload = daemon_reload_cb,
		.mail_wanted_changed = daemon_mail_wanted_changed,
		.mute = daemon_mute,
		.unmute = daemon_unmute,
		.muted = daemon_muted,
		.remote_status = daemon_remote_status,
		.test_notify = daemon_test_notify,
		.arg = d,
	};
	if ((d->outputs = outputs_new(d->base, d->net, d->cfg,
	    &d->outputs_cb)) == NULL) {
		log_errx("cannot start: see the socket error above");
		daemon_free(d);
		return 1;
	}
	daemon_events(d);

	log_info("jmap-pushd %s starting with %s", PACKAGE_VERSION,
	    config_path);
	TAILQ_FOREACH(ca, &d->cfg->accounts, entry)
		daemon_account_start(d, ca);
	/* Ready means configured and listening, not connected: servers may
	 * be down for hours and systemd must not wait for them. */
	sd_notify(0, "READY=1");
	daemon_notify_status(d);

	event_base_dispatch(d->base);
	log_info("stopped");
	daemon_free(d);
	return 0;
}
