/* SPDX-License-Identifier: ISC */
/* The control socket's client queue (output/sockclient.h) and commands
 * (output/sockcmd.h), driven on a socketpair with fake daemon callbacks. */
#include "autoconf.h"

#include <sys/socket.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "output/outputs.h"
#include "output/sockclient.h"
#include "output/sockcmd.h"
#include "output/sockproto.h"
#include "util/xmalloc.h"
#include "unit.h"

/* One client on one end of a socketpair; the test reads the other. */
struct fixture {
	struct event_base *base;
	struct sockclient *c;
	struct sockclient_limits lim;
	int own;		/* the client's end (it owns it) */
	int peer;		/* the test's end */
	int dead;		/* times the dead callback ran */
	size_t filled;		/* bytes written to fill the socket */
	/* What the fake daemon was asked. */
	int reconnects;
	char *reconnected;	/* the last name, "(all)" for NULL */
	int reloads;
	int reload_rc;
	bool muted;
	time_t mute_until;
	int test_notifies;
	const char *remote;	/* the outputs member's JSON, NULL: none */
};

static struct fixture fx;

static void
fake_foreach(void *arg, outputs_account_fn fn, void *fnarg)
{
	/* No accounts: a status walk over none. */
}

static struct account *
fake_find(void *arg, const char *name)
{
	return NULL;
}

static struct store *
fake_store(void *arg, const char *name)
{
	return NULL;
}

static int
fake_reconnect(void *arg, const char *name)
{
	struct fixture *f = arg;

	f->reconnects++;
	free(f->reconnected);
	f->reconnected = xstrdup(name != NULL ? name : "(all)");
	return name != NULL && strcmp(name, "nope") == 0 ? -1 : 0;
}

/* The daemon's reason for a refused reload goes into the reply as is. */
static int
fake_reload(void *arg, const char **why)
{
	struct fixture *f = arg;

	f->reloads++;
	*why = "the new configuration has errors (see the log, or "
	    "jmap-pushd --check-config); the running one stays";
	return f->reload_rc;
}

/* A mute of 60 s ends at 1000060, as if the clock said 1000000. */
static void
fake_mute(void *arg, uint64_t seconds)
{
	struct fixture *f = arg;

	f->muted = true;
	f->mute_until = seconds == 0 ? 0 : 1000000 + (time_t)seconds;
}

static void
fake_unmute(void *arg)
{
	struct fixture *f = arg;

	f->muted = false;
	f->mute_until = 0;
}

static bool
fake_muted(void *arg, time_t *until)
{
	struct fixture *f = arg;

	*until = f->mute_until;
	return f->muted;
}

static int
fake_test_notify(void *arg, const char *account, const char **why)
{
	struct fixture *f = arg;

	f->test_notifies++;
	*why = "notifications are off";
	return -1;
}

static struct json_object *
fake_remote_status(void *arg)
{
	struct fixture *f = arg;

	return f->remote != NULL ? json_tokener_parse(f->remote) : NULL;
}

static const struct outputs_callbacks fake_cb = {
	.foreach_account = fake_foreach,
	.find_account = fake_find,
	.account_store = fake_store,
	.reconnect = fake_reconnect,
	.reload = fake_reload,
	.mute = fake_mute,
	.unmute = fake_unmute,
	.muted = fake_muted,
	.test_notify = fake_test_notify,
	.remote_status = fake_remote_status,
	.arg = &fx,
};

static void
on_line(struct sockclient *c, const char *line, size_t len, void *arg)
{
	sockcmd_run(&fake_cb, c, line, len);
}

static void
on_dead(struct sockclient *c, void *arg)
{
	struct fixture *f = arg;

	f->dead++;
}

static void
setup(size_t queue_max, uint64_t stall_ms)
{
	int fds[2];

	memset(&fx, 0, sizeof(fx));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, fds), 0);
	ck_assert_ptr_nonnull(fx.base = event_base_new());
	fx.lim.queue_max = queue_max;
	fx.lim.stall_ms = stall_ms;
	fx.own = fds[0];
	fx.peer = fds[1];
	fx.c = sockclient_new(fx.base, fds[0], 1, &fx.lim, on_line, on_dead,
	    &fx);
}

static void
teardown(void)
{
	sockclient_free(fx.c);
	close(fx.peer);
	event_base_free(fx.base);
	free(fx.reconnected);
}

/* Fills the kernel's buffers between the client and the test (its own end
 * is nonblocking), so that everything sent after waits in the client. */
static void
fill_socket(int fd)
{
	char junk[4096];
	ssize_t n;

	memset(junk, 'x', sizeof(junk));
	while ((n = send(fd, junk, sizeof(junk), MSG_DONTWAIT)) > 0)
		fx.filled += (size_t)n;
	ck_assert(n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));
	/* Smaller writes may still fit: fill to the last byte. */
	while (send(fd, junk, 1, MSG_DONTWAIT) == 1)
		fx.filled++;
}

/* Reads what the client writes, running the loop, until nlines newlines
 * came or the client is dead with nothing more to read (its end stays
 * open until it is freed); the caller frees. */
static char *
read_lines(size_t nlines, size_t *lenp)
{
	size_t cap = 1 << 16, len = 0, seen = 0;
	char *buf = xmalloc(cap);
	ssize_t n;

	for (;;) {
		if (len == cap)
			buf = xrealloc(buf, cap *= 2);
		n = read(fx.peer, buf + len, cap - len);
		if (n > 0) {
			for (ssize_t i = 0; i < n; i++)
				seen += buf[len + (size_t)i] == '\n';
			len += (size_t)n;
			if (seen >= nlines)
				break;
			continue;
		}
		ck_assert(n == -1 && errno == EAGAIN);
		if (fx.dead)
			break;
		event_base_loop(fx.base, EVLOOP_ONCE);
	}
	*lenp = len;
	buf = xrealloc(buf, len + 1);
	buf[len] = '\0';
	return buf;
}

/* The last line of buf, which ends in a newline. */
static const char *
last_line(const char *buf)
{
	const char *p = buf + strlen(buf) - 1;

	while (p > buf && p[-1] != '\n')
		p--;
	return p;
}

/* Sends what a client would and runs the loop until n reply lines come;
 * returns them (without the fill), to be freed. */
static char *
converse(const char *lines, size_t n)
{
	size_t len;

	ck_assert_int_eq(write(fx.peer, lines, strlen(lines)),
	    (ssize_t)strlen(lines));
	return read_lines(n, &len);
}

START_TEST(test_commands)
{
	char *got;

	setup(64 * 1024, 60000);
	fx.reload_rc = -1;
	got = converse("{\"cmd\":\"status\"}\n"
	    "\n"
	    "{\"cmd\":\"reconnect\",\"account\":\"nope\"}\n"
	    "{\"cmd\":\"reconnect\",\"account\":\"work\"}\n"
	    "{\"cmd\":\"reload\"}\n", 4);
	ck_assert_str_eq(got,
	    "{\"reply\":\"status\",\"accounts\":[],\"muted\":false,"
	    "\"mutedUntil\":null}\n"
	    "{\"error\":\"unknown account: use one of the names "
	    "jmap-pushctl status shows\",\"cmd\":\"reconnect\"}\n"
	    "{\"reply\":\"reconnect\",\"ok\":true}\n"
	    "{\"error\":\"the new configuration has errors (see the log, or "
	    "jmap-pushd --check-config); the running one stays\","
	    "\"cmd\":\"reload\"}\n");
	free(got);
	ck_assert_int_eq(fx.reconnects, 2);
	ck_assert_str_eq(fx.reconnected, "work");
	ck_assert_int_eq(fx.reloads, 1);

	fx.reload_rc = 0;
	got = converse("{\"cmd\":\"reload\"}\n{\"cmd\":\"reconnect\"}\n", 2);
	ck_assert_str_eq(got, "{\"reply\":\"reload\",\"ok\":true}\n"
	    "{\"reply\":\"reconnect\",\"ok\":true}\n");
	free(got);
	ck_assert_str_eq(fx.reconnected, "(all)");
	ck_assert_int_eq(fx.reloads, 2);

	got = converse("{\"cmd\":\"mute\",\"seconds\":60}\n"
	    "{\"cmd\":\"status\"}\n{\"cmd\":\"mute\"}\n"
	    "{\"cmd\":\"status\"}\n{\"cmd\":\"unmute\"}\n"
	    "{\"cmd\":\"unmute\"}\n{\"cmd\":\"status\"}\n", 7);
	ck_assert_str_eq(got, "{\"reply\":\"mute\",\"ok\":true}\n"
	    "{\"reply\":\"status\",\"accounts\":[],\"muted\":true,"
	    "\"mutedUntil\":1000060}\n"
	    "{\"reply\":\"mute\",\"ok\":true}\n"
	    "{\"reply\":\"status\",\"accounts\":[],\"muted\":true,"
	    "\"mutedUntil\":null}\n"
	    "{\"reply\":\"unmute\",\"ok\":true}\n"
	    "{\"reply\":\"unmute\",\"ok\":true}\n"
	    "{\"reply\":\"status\",\"accounts\":[],\"muted\":false,"
	    "\"mutedUntil\":null}\n");
	free(got);

	/* The remote outputs, when there are any, last. */
	fx.remote = "{\"mqtt\":{\"status\":\"backoff\"}}";
	got = converse("{\"cmd\":\"status\"}\n", 1);
	ck_assert_str_eq(got,
	    "{\"reply\":\"status\",\"accounts\":[],\"muted\":false,"
	    "\"mutedUntil\":null,\"outputs\":{\"mqtt\":{\"status\":"
	    "\"backoff\"}}}\n");
	free(got);
	fx.remote = NULL;

	/* test-notify: an unknown account never reaches the outputs. */
	got = converse("{\"cmd\":\"test-notify\"}\n"
	    "{\"cmd\":\"test-notify\",\"account\":\"nope\"}\n", 2);
	ck_assert_str_eq(got, "{\"error\":\"notifications are off\","
	    "\"cmd\":\"test-notify\"}\n"
	    "{\"error\":\"unknown account: use one of the names "
	    "jmap-pushctl status shows\",\"cmd\":\"test-notify\"}\n");
	free(got);
	ck_assert_int_eq(fx.test_notifies, 1);
	ck_assert_int_eq(fx.dead, 0);
	teardown();
}
END_TEST

START_TEST(test_subscribe)
{
	struct json_object *changed = json_object_new_object();
	char *got;

	setup(64 * 1024, 60000);
	json_object_object_add(changed, "Email", json_object_new_string("s1"));
	ck_assert(sockproto_sub_wants(sockclient_sub(fx.c), SOCKPROTO_EV_STATE,
	    "home", changed));
	got = converse("{\"cmd\":\"subscribe\",\"accounts\":[\"work\"],"
	    "\"events\":[\"state\"]}\n", 1);
	ck_assert_str_eq(got, "{\"reply\":\"subscribe\",\"ok\":true}\n");
	free(got);
	ck_assert(!sockproto_sub_wants(sockclient_sub(fx.c),
	    SOCKPROTO_EV_STATE, "home", changed));
	ck_assert(sockproto_sub_wants(sockclient_sub(fx.c), SOCKPROTO_EV_STATE,
	    "work", changed));
	ck_assert(!sockproto_sub_wants(sockclient_sub(fx.c),
	    SOCKPROTO_EV_CONNECTION, "work", NULL));
	json_object_put(changed);
	teardown();
}
END_TEST

START_TEST(test_line_too_long)
{
	size_t n = SOCKPROTO_MAX_LINE + 10;
	char *big = xmalloc(n + 1), *got;
	size_t len;

	setup(64 * 1024, 60000);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\n';
	/* The socket takes it in parts; the loop reads them meanwhile. */
	for (size_t off = 0; off <= n;) {
		ssize_t w = write(fx.peer, big + off, n + 1 - off);

		if (w > 0)
			off += (size_t)w;
		else
			event_base_loop(fx.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	}
	free(big);
	got = read_lines(1, &len);
	ck_assert_str_eq(got, "{\"error\":\"line too long: at most 65536 "
	    "bytes\",\"cmd\":null}\n");
	free(got);
	/* The client goes on after it. */
	got = converse("{\"cmd\":\"reconnect\"}\n", 1);
	ck_assert_str_eq(got, "{\"reply\":\"reconnect\",\"ok\":true}\n");
	free(got);
	teardown();
}
END_TEST

/* A state event line for account a, accountId A1, as the socket sends. */
static void
send_state(const char *type, const char *state, const char *push_state)
{
	struct json_object *changed = json_object_new_object();
	struct push_event ev = {
		.account = "a", .account_id = "A1", .changed = changed,
		.push_state = push_state, .reason = "push",
	};
	char *line;

	json_object_object_add(changed, type, json_object_new_string(state));
	line = sockproto_state(&ev, 1000);
	sockclient_send(fx.c, line, &ev);
	free(line);
	json_object_put(changed);
}

/* A line of n bytes with its newline, not a state event. */
static void
send_filler(size_t n)
{
	char *line = xmalloc(n + 1);

	memset(line, 'y', n - 1);
	line[n - 1] = '\n';
	line[n] = '\0';
	sockclient_send(fx.c, line, NULL);
	free(line);
}

START_TEST(test_merge)
{
	struct json_object *o, *v;
	char *got, *l1, *l2, *l3, *save;
	size_t len;

	setup(64 * 1024, 60000);
	fill_socket(fx.own);
	/* Fills the bufferevent's chunk: what follows waits in the queue. */
	send_filler(17000);
	send_state("Email", "s1", "p1");
	sockclient_send(fx.c, "{\"event\":\"other\"}\n", NULL);
	send_state("Mailbox", "m1", "p2");
	send_state("Email", "s2", "p3");
	got = read_lines(3, &len);
	ck_assert_uint_eq(len, fx.filled + 17000 +
	    strlen("{\"event\":\"other\"}\n") + strlen(last_line(got)));
	/* The fill and the filler, the other line, then the one merged
	 * state event, moved behind it. */
	l1 = strtok_r(got + fx.filled, "\n", &save);
	l2 = strtok_r(NULL, "\n", &save);
	l3 = strtok_r(NULL, "\n", &save);
	ck_assert_uint_eq(strlen(l1), 16999);
	ck_assert_str_eq(l2, "{\"event\":\"other\"}");
	ck_assert_ptr_nonnull(o = json_tokener_parse(l3));
	ck_assert(json_object_object_get_ex(o, "changed", &v));
	ck_assert_str_eq(json_object_to_json_string_ext(v,
	    JSON_C_TO_STRING_PLAIN), "{\"Email\":\"s2\",\"Mailbox\":\"m1\"}");
	ck_assert(json_object_object_get_ex(o, "pushState", &v));
	ck_assert_str_eq(json_object_get_string(v), "p3");
	ck_assert(json_object_object_get_ex(o, "accountId", &v));
	ck_assert_str_eq(json_object_get_string(v), "A1");
	json_object_put(o);
	free(got);
	ck_assert_int_eq(fx.dead, 0);
	teardown();
}
END_TEST

START_TEST(test_overflow)
{
	char *got, *log;
	const char *last;
	size_t len;
	int saved = unit_capture_stderr();

	/* A chunk of 1024 bytes in the bufferevent, 4096 in all. */
	setup(4096, 60000);
	fill_socket(fx.own);
	send_filler(1100);		/* into the bufferevent */
	send_filler(1000);		/* queued */
	send_state("Email", "s1", NULL);	/* queued */
	send_state("Email", "s2", NULL);	/* merged, still one */
	send_filler(1000);		/* queued: 3200 bytes now */
	send_filler(1000);		/* over 4096: three dropped */
	send_filler(10);		/* closing: nothing more */
	got = read_lines((size_t)-1, &len);
	last = last_line(got);
	ck_assert_uint_eq(len, fx.filled + 1100 + strlen(last));
	ck_assert_str_eq(last, "{\"event\":\"overflow\",\"dropped\":4}\n");
	free(got);
	/* Flushed, then closed: the owner is told. */
	while (fx.dead == 0)
		event_base_loop(fx.base, EVLOOP_ONCE);
	ck_assert_int_eq(fx.dead, 1);
	log = unit_stderr_text();
	unit_restore_stderr(saved);
	ck_assert_ptr_nonnull(strstr(log, "socket client 1: output queue over "
	    "4096 bytes with state events merged (the client reads too "
	    "slowly); dropped 4 event(s), disconnecting\n"));
	free(log);
	teardown();
}
END_TEST

START_TEST(test_stall)
{
	char *log;
	int saved = unit_capture_stderr();

	setup(64 * 1024, 100);
	fill_socket(fx.own);
	send_filler(100);
	send_state("Email", "s1", NULL);
	/* Nothing read: dropped after socket_stall, cut off after the
	 * grace. */
	while (fx.dead == 0)
		event_base_loop(fx.base, EVLOOP_ONCE);
	ck_assert_int_eq(fx.dead, 1);
	log = unit_stderr_text();
	unit_restore_stderr(saved);
	ck_assert_ptr_nonnull(strstr(log, "socket client 1: read nothing for "
	    "100ms while output waited (the client does not read); dropped 0 "
	    "event(s), disconnecting\n"));
	free(log);
	/* Later lines go nowhere. */
	send_filler(10);
	teardown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("socket");
	TCase *tc = tcase_create("socket");

	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_commands);
	tcase_add_test(tc, test_subscribe);
	tcase_add_test(tc, test_line_too_long);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_overflow);
	tcase_add_test(tc, test_stall);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
