/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "config/config.h"
#include "config/values.h"
#include "output/hook.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/xmalloc.h"
#include "unit.h"

static struct json_object *
changed_new(const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	ck_assert_ptr_nonnull(o);
	return o;
}

/* dispatch really runs the commands */

static struct event_base *base;
static char dir[64];

static void
safety_cb(evutil_socket_t fd, short what, void *arg)
{
	ck_abort_msg("hooks did not finish within 20 s");
}

static void
idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = arg;
	struct timeval tv = { 0, 5000 };

	if (proc_count() == 0)
		event_base_loopbreak(base);
	else
		evtimer_add(self, &tv);
}

static unsigned long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000 + (unsigned long)ts.tv_nsec / 1000000;
}

static int wait_runs;

static void
runs_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = arg;
	struct timeval tv = { 0, 5000 };
	char path[128];
	struct stat st;
	int n = 0;

	snprintf(path, sizeof(path), "%s/runs", dir);
	if (stat(path, &st) == 0) {
		FILE *f = fopen(path, "r");
		int ch;

		while ((ch = fgetc(f)) != EOF)
			n += ch == '\n';
		fclose(f);
	}
	if (n >= wait_runs && proc_count() == 0)
		event_base_loopbreak(base);
	else
		evtimer_add(self, &tv);
}

/* Runs the loop until the file "runs" has n lines and no hook runs. */
static void
run_until(int n)
{
	struct timeval tv = { 20, 0 }, zero = { 0, 0 };
	struct event *safety, *poll;

	wait_runs = n;
	safety = evtimer_new(base, safety_cb, NULL);
	poll = event_new(base, -1, 0, runs_cb, event_self_cbarg());
	evtimer_add(safety, &tv);
	evtimer_add(poll, &zero);
	event_base_dispatch(base);
	event_free(safety);
	event_free(poll);
}

/* Runs the loop until every hook process is done. */
static void
run_hooks(void)
{
	struct timeval tv = { 20, 0 }, zero = { 0, 0 };
	struct event *safety, *idle;

	safety = evtimer_new(base, safety_cb, NULL);
	idle = event_new(base, -1, 0, idle_cb, event_self_cbarg());
	evtimer_add(safety, &tv);
	evtimer_add(idle, &zero);
	event_base_dispatch(base);
	event_free(safety);
	event_free(idle);
}

static char *
slurp(const char *name)
{
	char path[128];
	char *buf = xcalloc(1, 65536);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool
exists(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

static void
dispatch_setup(void)
{
	log_init(LOG_INFO);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	proc_init(base);
	strcpy(dir, "/tmp/check_hook-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
dispatch_teardown(void)
{
	char *cmd;

	xasprintf(&cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	event_base_free(base);
}

static struct config_hook *
cfg_add(struct config *cfg, const char *name, const char *account,
    char **types, size_t ntypes, const char *cmd)
{
	struct config_hook *h = xcalloc(1, sizeof(*h));

	h->name = xstrdup(name);
	h->file = xstrdup("test.conf");
	h->line = 7;
	h->account = account != NULL ? xstrdup(account) : NULL;
	if (types != NULL)
		h->types = strv_dup(types);
	h->ntypes = ntypes;
	xasprintf(&h->command, "cd '%s' && %s", dir, cmd);
	TAILQ_INSERT_TAIL(&cfg->hooks, h, entry);
	return h;
}

/* A config as config_load makes one: on the heap, one reference. */
static struct config *
cfg_new(void)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));

	cfg->refs = 1;
	TAILQ_INIT(&cfg->hooks);
	TAILQ_INIT(&cfg->accounts);
	return cfg;
}

START_TEST(test_dispatch)
{
	char *email[] = { "Email", NULL };
	char *cal[] = { "CalendarEvent", NULL };
	struct push_event ev = {
		.account = "personal", .account_id = "u1",
		.changed = changed_new("{\"Mailbox\":\"m1\",\"Email\":\"e1\"}"),
		.push_state = "p1", .reason = "push",
	};
	struct config *cfg = cfg_new();
	struct hooks *hs;
	char *s;

	cfg_add(cfg, "all", NULL, NULL, 0,
	    "env | grep ^JMAP_ | LC_ALL=C sort > all.env; cat > all.in");
	cfg_add(cfg, "mail", "personal", email, 1,
	    "env | grep ^JMAP_ | LC_ALL=C sort > mail.env; cat > mail.in");
	cfg_add(cfg, "other", "work", NULL, 0, "touch other");
	cfg_add(cfg, "cal", NULL, cal, 1, "touch cal");
	hs = hook_new(base, cfg, NULL, NULL);
	/* hooks keep a reference */
	config_unref(cfg);
	setenv("JMAP_INHERITED", "leak", 1);

	hook_dispatch(hs, &ev);
	/* Never from inside dispatch: the debounce timer starts them. */
	ck_assert_int_eq(proc_count(), 0);
	event_base_loop(base, EVLOOP_ONCE);
	ck_assert_int_eq(proc_count(), 2);
	run_hooks();

	s = slurp("all.env");
	ck_assert_str_eq(s, "JMAP_ACCOUNT=personal\nJMAP_ACCOUNT_ID=u1\n"
	    "JMAP_HOOK=all\nJMAP_PUSH_STATE=p1\nJMAP_REASON=push\n"
	    "JMAP_STATE_Email=e1\nJMAP_STATE_Mailbox=m1\n"
	    "JMAP_TYPES=Email Mailbox\n");
	free(s);
	s = slurp("all.in");
	ck_assert_str_eq(s, "{\"@type\":\"StateChange\",\"changed\":{\"u1\":"
	    "{\"Email\":\"e1\",\"Mailbox\":\"m1\"}},\"pushState\":\"p1\"}");
	free(s);
	s = slurp("mail.env");
	ck_assert_str_eq(s, "JMAP_ACCOUNT=personal\nJMAP_ACCOUNT_ID=u1\n"
	    "JMAP_HOOK=mail\nJMAP_PUSH_STATE=p1\nJMAP_REASON=push\n"
	    "JMAP_STATE_Email=e1\nJMAP_TYPES=Email\n");
	free(s);
	s = slurp("mail.in");
	ck_assert_str_eq(s, "{\"@type\":\"StateChange\",\"changed\":{\"u1\":"
	    "{\"Email\":\"e1\"}},\"pushState\":\"p1\"}");
	free(s);
	ck_assert(!exists("other"));
	ck_assert(!exists("cal"));

	/* After a reload only the new hooks run. */
	cfg = cfg_new();
	cfg_add(cfg, "cal", NULL, cal, 1, "touch cal2");
	cfg_add(cfg, "other", "work", NULL, 0, "touch other2");
	hook_set_config(hs, cfg);
	config_unref(cfg);
	json_object_put(ev.changed);
	ev.changed = changed_new("{\"CalendarEvent\":\"c1\"}");
	hook_dispatch(hs, &ev);
	event_base_loop(base, EVLOOP_ONCE);
	run_hooks();
	ck_assert(exists("cal2"));
	ck_assert(!exists("other2"));

	hook_free(hs);
	json_object_put(ev.changed);
}
END_TEST

/* Hooks share the config instead of copying it: a reference per hook, moved
 * to the new config by a reload, dropped by hook_free. */
START_TEST(test_config_referenced)
{
	struct config *a = cfg_new(), *b = cfg_new();
	struct hooks *hs;

	cfg_add(a, "one", NULL, NULL, 0, "true");
	cfg_add(a, "two", NULL, NULL, 0, "true");
	hs = hook_new(base, a, NULL, NULL);
	ck_assert_uint_eq(a->refs, 3);
	cfg_add(b, "two", NULL, NULL, 0, "true");
	hook_set_config(hs, b);
	ck_assert_uint_eq(a->refs, 1);
	ck_assert_uint_eq(b->refs, 2);
	hook_free(hs);
	ck_assert_uint_eq(b->refs, 1);
	config_unref(a);
	config_unref(b);
}
END_TEST

/* Dispatches a delivery with Email state "e<i>" after delay_ms. */
struct later {
	struct hooks *hs;
	int i;
	struct event *ev;
};

static void
later_cb(evutil_socket_t fd, short what, void *arg)
{
	struct later *l = arg;
	char json[64], ps[16];
	struct push_event ev = {
		.account = "personal", .account_id = "u1", .push_state = ps,
		.reason = "push",
	};

	snprintf(json, sizeof(json), "{\"Email\":\"e%d\",\"Thread\":\"t%d\"}",
	    l->i, l->i);
	snprintf(ps, sizeof(ps), "p%d", l->i);
	ev.changed = changed_new(json);
	hook_dispatch(l->hs, &ev);
	json_object_put(ev.changed);
	event_free(l->ev);
	free(l);
}

static void
dispatch_at(struct hooks *hs, int i, unsigned ms)
{
	struct later *l = xcalloc(1, sizeof(*l));
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	l->hs = hs;
	l->i = i;
	l->ev = evtimer_new(base, later_cb, l);
	evtimer_add(l->ev, &tv);
}

static struct hooks *
timed_hooks(uint64_t debounce, uint64_t max_delay, const char *cmd)
{
	struct config *cfg = cfg_new();
	struct config_hook *h;
	struct hooks *hs;

	h = cfg_add(cfg, "t", NULL, NULL, 0, cmd);
	h->debounce_ms = debounce;
	h->max_delay_ms = max_delay;
	hs = hook_new(base, cfg, NULL, NULL);
	config_unref(cfg);
	return hs;
}

START_TEST(test_debounce_merges)
{
	struct hooks *hs = timed_hooks(150, 10000,
	    "echo $JMAP_STATE_Email $JMAP_PUSH_STATE >> runs; cat > in");
	unsigned long t0 = now_ms();
	char *s;

	dispatch_at(hs, 1, 0);
	dispatch_at(hs, 2, 40);
	dispatch_at(hs, 3, 80);
	run_until(1);
	/* Trailing: the run follows the last change by the window. */
	ck_assert_uint_ge(now_ms() - t0, 80 + 150);
	s = slurp("runs");
	ck_assert_str_eq(s, "e3 p3\n");
	free(s);
	s = slurp("in");
	ck_assert_str_eq(s, "{\"@type\":\"StateChange\",\"changed\":{\"u1\":"
	    "{\"Email\":\"e3\",\"Thread\":\"t3\"}},\"pushState\":\"p3\"}");
	free(s);
	hook_free(hs);
}
END_TEST

START_TEST(test_max_delay_caps)
{
	struct hooks *hs = timed_hooks(100, 200,
	    "echo $JMAP_STATE_Email >> runs");
	char *s;

	/* A change every 40 ms for 480 ms: debounce alone would wait until
	 * the stream stops. */
	for (int i = 1; i <= 13; i++)
		dispatch_at(hs, i, (unsigned)(i - 1) * 40);
	run_until(2);
	while (strstr(s = slurp("runs"), "e13\n") == NULL) {
		free(s);
		run_until(3);
	}
	ck_assert_msg(strncmp(s, "e13\n", 4) != 0, "first run only at the "
	    "end: %s", s);
	free(s);
	hook_free(hs);
}
END_TEST

START_TEST(test_no_overlap)
{
	/* mkdir is atomic: a second concurrent run would fail it. */
	struct hooks *hs = timed_hooks(0, 0,
	    "mkdir lock || echo overlap >> runs; sleep 0.3; rmdir lock; "
	    "echo $JMAP_STATE_Email >> runs");
	char *s;

	dispatch_at(hs, 1, 0);
	dispatch_at(hs, 2, 100);
	dispatch_at(hs, 3, 150);
	dispatch_at(hs, 4, 200);
	run_until(2);
	s = slurp("runs");
	/* Exactly one follow-up run, with the latest states. */
	ck_assert_str_eq(s, "e1\ne4\n");
	free(s);
	hook_free(hs);
}
END_TEST

START_TEST(test_timeout_and_exec)
{
	struct config *cfg = cfg_new();
	struct config_hook *h;
	struct hooks *hs;
	unsigned long t0 = now_ms();
	char err[128], *s, *line;

	h = cfg_add(cfg, "slow", NULL, NULL, 0, "sleep 30");
	h->timeout_ms = 100;
	h = cfg_add(cfg, "argv", NULL, NULL, 0, "");
	free(h->command);
	h->command = NULL;
	xasprintf(&line, "sh -c 'printf \"%%s|%%s\\n\" \"$1\" \"$0\" >> "
	    "%s/runs' \"a b\" c\\ d", dir);
	ck_assert_int_eq(value_split_argv(line, &h->argv, err, sizeof(err)),
	    0);
	free(line);
	hs = hook_new(base, cfg, NULL, NULL);
	config_unref(cfg);
	dispatch_at(hs, 1, 0);
	run_until(1);
	ck_assert_uint_lt(now_ms() - t0, 10000);
	s = slurp("runs");
	ck_assert_str_eq(s, "c d|a b\n");
	free(s);
	hook_free(hs);
}
END_TEST

START_TEST(test_on_start)
{
	struct config *cfg = cfg_new();
	struct config_account a1 = { .name = "personal" }, a2 = { .name = "work" };
	struct config_hook *h;
	struct hooks *hs;
	char *s;

	TAILQ_INSERT_TAIL(&cfg->accounts, &a1, entry);
	TAILQ_INSERT_TAIL(&cfg->accounts, &a2, entry);
	h = cfg_add(cfg, "init", NULL, NULL, 0, "{ env | grep ^JMAP_ | "
	    "LC_ALL=C sort; cat; echo; } >> start.$JMAP_ACCOUNT; echo >> runs");
	h->on_start = true;
	cfg_add(cfg, "never", NULL, NULL, 0, "echo never >> runs");
	hs = hook_new(base, cfg, NULL, NULL);
	hook_start(hs, cfg);
	run_until(2);
	s = slurp("runs");
	ck_assert_str_eq(s, "\n\n");
	free(s);
	s = slurp("start.work");
	ck_assert_str_eq(s, "JMAP_ACCOUNT=work\nJMAP_HOOK=init\n"
	    "JMAP_REASON=start\nJMAP_TYPES=\n"
	    "{\"@type\":\"StateChange\",\"changed\":{}}\n");
	free(s);
	ck_assert(exists("start.personal"));
	TAILQ_INIT(&cfg->accounts);
	config_unref(cfg);
	hook_free(hs);
}
END_TEST

START_TEST(test_split_argv)
{
	char err[128], **v;

	ck_assert_int_eq(value_split_argv("  /usr/bin/mujmap -C "
	    "'/home/me/My Mail' sync\t\"a \\\"b\\\" \\\\ \\c\" x\\ y", &v,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(v[0], "/usr/bin/mujmap");
	ck_assert_str_eq(v[1], "-C");
	ck_assert_str_eq(v[2], "/home/me/My Mail");
	ck_assert_str_eq(v[3], "sync");
	ck_assert_str_eq(v[4], "a \"b\" \\ \\c");
	ck_assert_str_eq(v[5], "x y");
	ck_assert_ptr_null(v[6]);
	strv_free(v);
	ck_assert_int_eq(value_split_argv("a 'b", &v, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unterminated ' quote: close it");
	ck_assert_ptr_null(v);
	ck_assert_int_eq(value_split_argv(" \t", &v, err, sizeof(err)), -1);
	ck_assert_int_eq(value_split_argv("''", &v, err, sizeof(err)), 0);
	ck_assert_str_eq(v[0], "");
	strv_free(v);
}
END_TEST

/* A server naming ever new accounts and types while the hook is busy
 * queues at most 100 runs of at most 100 types, and the drop is logged
 * once. */
START_TEST(test_bounded)
{
	struct hooks *hs = timed_hooks(0, 0,
	    "echo $JMAP_ACCOUNT_ID ${#JMAP_TYPES} >> runs");
	struct json_object *many = json_object_new_object();
	struct push_event ev = {
		.account = "personal", .account_id = "a0", .changed = many,
		.reason = "push",
	};
	char name[1100], *s, *log, *p;
	int saved = unit_capture_stderr(), nlog = 0;

	for (int i = 0; i < 150; i++) {
		snprintf(name, sizeof(name), "T%03d", i);
		json_object_object_add(many, name, json_object_new_string("s"));
	}
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	json_object_object_add(many, name, json_object_new_string("s"));
	hook_dispatch(hs, &ev);
	json_object_put(many);
	ev.changed = changed_new("{\"Email\":\"e1\"}");
	for (int i = 1; i < 150; i++) {
		snprintf(name, sizeof(name), "a%03d", i);
		ev.account_id = name;
		hook_dispatch(hs, &ev);
	}
	json_object_put(ev.changed);
	run_until(100);
	/* Runs whose windows closed together go in any order. */
	s = slurp("runs");
	for (int i = 0; i < 150; i++) {
		char line[16];

		/* 100 types of 4 letters and 99 spaces; "Email". */
		snprintf(line, sizeof(line), i == 0 ? "a0 499\n" : "a%03d 5\n",
		    i);
		ck_assert_msg((strstr(s, line) != NULL) == (i < 100),
		    "run of a%03d: %s", i, s);
	}
	ck_assert_uint_eq(strlen(s), strlen("a0 499\n") +
	    99 * strlen("a001 5\n"));
	free(s);
	log = unit_stderr_text();
	unit_restore_stderr(saved);
	for (p = log; (p = strstr(p, "changes dropped")) != NULL; p++)
		nlog++;
	ck_assert_int_eq(nlog, 1);
	ck_assert_ptr_nonnull(strstr(log, "warning: hook t: changes dropped: "
	    "the server sent more than the hook can queue (too many or too "
	    "long types; at most 100 runs waiting, 100 types per run, 1024 "
	    "bytes per type name and state)\n"));
	free(log);
	hook_free(hs);
}
END_TEST

static Suite *
hook_suite(void)
{
	Suite *s = suite_create("hook");
	TCase *tc = tcase_create("build");
	TCase *td = tcase_create("dispatch");

	tcase_add_test(tc, test_split_argv);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(td, dispatch_setup, dispatch_teardown);
	tcase_set_timeout(td, 30);
	tcase_add_test(td, test_dispatch);
	tcase_add_test(td, test_config_referenced);
	tcase_add_test(td, test_debounce_merges);
	tcase_add_test(td, test_max_delay_caps);
	tcase_add_test(td, test_no_overlap);
	tcase_add_test(td, test_timeout_and_exec);
	tcase_add_test(td, test_on_start);
	tcase_add_test(td, test_bounded);
	suite_add_tcase(s, td);
	return s;
}

int
main(void)
{
	return unit_run(hook_suite());
}

