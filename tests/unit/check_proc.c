/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "util/log.h"
#include "util/proc.h"
#include "util/xmalloc.h"
#include "unit.h"

struct result {
	int ncalls;
	int wstatus;
	bool timed_out;
	char *out;
	size_t outlen;
	bool out_null;
	pid_t pid;
	struct event_base *base;
};

/*
 * Linked with -Wl,--wrap=free (tests/unit/local.mk): every free() of this
 * program and of libjmappushd.a comes here first, so a test can see what a
 * block it watches holds when it is freed.
 */
void __real_free(void *);
void __wrap_free(void *);

static const void *watch_ptr;
static size_t watch_len;
static int watch_wiped = -1;	/* -1: not freed yet, then 0 or 1 */

void
__wrap_free(void *ptr)
{
	const unsigned char *b = ptr;
	size_t i;

	if (ptr != NULL && ptr == watch_ptr) {
		for (i = 0; i < watch_len && b[i] == 0; i++)
			;
		watch_wiped = i == watch_len;
		watch_ptr = NULL;
	}
	__real_free(ptr);
}

static struct event_base *base;
static struct event *safety;
static int saved_stderr = -1;

static void
safety_cb(evutil_socket_t fd, short what, void *arg)
{
	ck_abort_msg("event loop did not finish within 20 s");
}

/* Each test gets a fresh loop whose safety timer fails the test. */
static void
setup(void)
{
	struct timeval tv = { 20, 0 };
	log_init(LOG_INFO);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	proc_init(base);
	safety = evtimer_new(base, safety_cb, NULL);
	evtimer_add(safety, &tv);

	saved_stderr = unit_capture_stderr();
}

static void
teardown(void)
{
	unit_restore_stderr(saved_stderr);
	event_free(safety);
	event_base_free(base);
}


static void
check_logged(const char *needle)
{
	char *log = unit_stderr_text();

	ck_assert_msg(strstr(log, needle) != NULL, "log lacks \"%s\":\n%s",
	    needle, log);
	free(log);
}

static void
check_not_logged(const char *needle)
{
	char *log = unit_stderr_text();

	ck_assert_msg(strstr(log, needle) == NULL, "log has \"%s\":\n%s",
	    needle, log);
	free(log);
}

static void
done_cb(struct proc *p, int wstatus, bool timed_out, const char *out,
    size_t outlen, void *arg)
{
	struct result *r = arg;

	r->ncalls++;
	r->pid = proc_pid(p);
	r->wstatus = wstatus;
	r->timed_out = timed_out;
	r->out_null = out == NULL;
	if (out != NULL) {
		ck_assert_int_eq(out[outlen], '\0');
		r->out = xmalloc(outlen + 1);
		memcpy(r->out, out, outlen + 1);
	}
	r->outlen = outlen;
	if (proc_count() == 0)
		event_base_loopbreak(base);
}

static struct proc *
spawn(struct result *r, const char *name, char *const *argv,
    const char *in, size_t inlen, bool capture, uint64_t timeout_ms)
{
	struct proc_spec spec = {
		.name = name,
		.argv = argv,
		.stdin_data = in,
		.stdin_len = inlen,
		.capture_stdout = capture,
		.timeout_ms = timeout_ms,
		.done = done_cb,
		.arg = r,
	};

	memset(r, 0, sizeof(*r));
	return proc_spawn(&spec);
}

static void
run(void)
{
	ck_assert_int_eq(event_base_dispatch(base), 0);
	ck_assert_int_eq(proc_count(), 0);
}

START_TEST(test_echo_capture)
{
	char *argv[] = { "/bin/echo", "hello", "world", NULL };
	struct result r;
	struct proc *p;

	p = spawn(&r, "echo", argv, NULL, 0, true, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_gt(proc_pid(p), 0);
	ck_assert_int_eq(proc_count(), 1);
	run();
	ck_assert_int_eq(r.ncalls, 1);
	ck_assert(WIFEXITED(r.wstatus));
	ck_assert_int_eq(WEXITSTATUS(r.wstatus), 0);
	ck_assert(!r.timed_out);
	ck_assert_str_eq(r.out, "hello world\n");
	ck_assert_uint_eq(r.outlen, 12);
	check_logged("echo: exited with status 0 after 0.");
	free(r.out);
}
END_TEST

/* Bigger than a pipe buffer both ways, and more than the capture limit. */
START_TEST(test_cat_stdin_capture)
{
	char *argv[] = { "/bin/cat", NULL };
	size_t len = 300 * 1024;
	char *in = xmalloc(len);
	struct result r;

	for (size_t i = 0; i < len; i++)
		in[i] = (char)('a' + i % 26);
	ck_assert_ptr_nonnull(spawn(&r, "cat", argv, in, len, true, 0));
	run();
	ck_assert_int_eq(r.ncalls, 1);
	ck_assert(WIFEXITED(r.wstatus));
	ck_assert_int_eq(WEXITSTATUS(r.wstatus), 0);
	ck_assert_uint_eq(r.outlen, PROC_CAPTURE_MAX);
	ck_assert(memcmp(r.out, in, PROC_CAPTURE_MAX) == 0);
	free(r.out);
	free(in);
}
END_TEST

START_TEST(test_empty_stdin)
{
	char *argv[] = { "/bin/sh", "-c", "wc -c", NULL };
	struct result r;

	ck_assert_ptr_nonnull(spawn(&r, "wc", argv, "", 0, true, 0));
	run();
	ck_assert_str_eq(r.out, "0\n");
	free(r.out);
}
END_TEST

START_TEST(test_null_stdin)
{
	char *argv[] = { "/bin/sh", "-c", "wc -c; ls -l /proc/self/fd/0", NULL };
	struct result r;

	ck_assert_ptr_nonnull(spawn(&r, "wc", argv, NULL, 0, true, 0));
	run();
	ck_assert_msg(strncmp(r.out, "0\n", 2) == 0 &&
	    strstr(r.out, "-> /dev/null\n") != NULL, "%s", r.out);
	free(r.out);
}
END_TEST

START_TEST(test_exit_status)
{
	char *argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct result r;

	ck_assert_ptr_nonnull(spawn(&r, "hook fail", argv, NULL, 0, false, 0));
	run();
	ck_assert_int_eq(r.ncalls, 1);
	ck_assert(WIFEXITED(r.wstatus));
	ck_assert_int_eq(WEXITSTATUS(r.wstatus), 3);
	ck_assert(r.out_null);
	ck_assert_uint_eq(r.outlen, 0);
	check_logged("warning: hook fail: exited with status 3 after 0.");
}
END_TEST

START_TEST(test_signal_death)
{
	char *argv[] = { "/bin/sh", "-c", "kill -9 $$", NULL };
	struct result r;

	ck_assert_ptr_nonnull(spawn(&r, "hook k", argv, NULL, 0, false, 0));
	run();
	ck_assert(WIFSIGNALED(r.wstatus));
	ck_assert_int_eq(WTERMSIG(r.wstatus), SIGKILL);
	check_logged("warning: hook k: killed by signal 9 after 0.");
}
END_TEST

/* The timeout kills the whole process group, including a grandchild that
 * holds the pipes open. */
START_TEST(test_timeout_group)
{
	char *argv[] = { "/bin/sh", "-c", "sleep 100 & echo $!; sleep 100; wait",
	    NULL };
	struct result r;
	pid_t gpid;
	int st;

	/* Orphaned grandchildren come to us, so their death can be seen. */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_ptr_nonnull(spawn(&r, "hook slow", argv, NULL, 0, true, 200));
	run();
	ck_assert_int_eq(r.ncalls, 1);
	ck_assert(r.timed_out);
	ck_assert(WIFSIGNALED(r.wstatus));
	ck_assert_int_eq(WTERMSIG(r.wstatus), SIGTERM);
	gpid = (pid_t)atoi(r.out);
	ck_assert_int_gt(gpid, 1);
	/* The grandchild is ours (subreaper) unless the shell reaped it
	 * before dying.  The pipes hit EOF while it was still exiting, so
	 * wait for it rather than peek: WNOHANG can find it not yet a zombie. */
	if (waitpid(gpid, &st, 0) == gpid) {
		ck_assert(WIFSIGNALED(st));
		ck_assert_int_eq(WTERMSIG(st), SIGTERM);
	} else {
		ck_assert_int_eq(errno, ECHILD);
	}
	ck_assert_int_eq(kill(gpid, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	check_logged("warning: hook slow: timed out after 0.2s, sending SIGTERM\n");
	check_logged("hook slow: killed by signal 15 after 0.");
	check_not_logged("SIGKILL");
	free(r.out);
}
END_TEST

struct term_wait {
	struct proc *p;
	struct event *ev;
};

static bool
ignores_term(pid_t pid)
{
	char path[64], line[256];
	bool ign = false, is_sleep = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	if (fgets(line, sizeof(line), f) != NULL)
		is_sleep = strcmp(line, "sleep\n") == 0;
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "SigIgn:", 7) == 0)
			ign = (strtoull(line + 7, NULL, 16) >> (SIGTERM - 1)) & 1;
	fclose(f);
	return is_sleep && ign;
}

/* Polls until the child ignores SIGTERM, then asks it to terminate. */
static void
term_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct term_wait *tw = arg;
	struct timeval tv = { 0, 5000 };

	if (!ignores_term(proc_pid(tw->p))) {
		evtimer_add(tw->ev, &tv);
		return;
	}
	proc_terminate(tw->p, 100);
}

START_TEST(test_terminate_then_kill)
{
	char *argv[] = { "/bin/sh", "-c", "trap '' TERM; exec sleep 100", NULL };
	struct timeval tv = { 0, 0 };
	struct term_wait tw;
	struct result r;

	tw.p = spawn(&r, "hook stubborn", argv, NULL, 0, false, 0);
	ck_assert_ptr_nonnull(tw.p);
	tw.ev = evtimer_new(base, term_poll_cb, &tw);
	evtimer_add(tw.ev, &tv);
	run();
	event_free(tw.ev);
	ck_assert(!r.timed_out);
	ck_assert(WIFSIGNALED(r.wstatus));
	ck_assert_int_eq(WTERMSIG(r.wstatus), SIGKILL);
	check_logged("warning: hook stubborn: still running 0.1s after SIGTERM, "
	    "sending SIGKILL\n");
	check_logged("hook stubborn: killed by signal 9 after ");
	check_not_logged("warning: hook stubborn: killed");
}
END_TEST

START_TEST(test_terminate_all)
{
	char *argv[] = { "/bin/sleep", "100", NULL };
	struct result r1, r2;

	ck_assert_ptr_nonnull(spawn(&r1, "a", argv, NULL, 0, false, 0));
	ck_assert_ptr_nonnull(spawn(&r2, "b", argv, NULL, 0, false, 0));
	ck_assert_int_eq(proc_count(), 2);
	proc_terminate_all(5000);
	run();
	ck_assert_int_eq(r1.ncalls, 1);
	ck_assert_int_eq(r2.ncalls, 1);
	ck_assert_int_eq(WTERMSIG(r1.wstatus), SIGTERM);
	ck_assert_int_eq(WTERMSIG(r2.wstatus), SIGTERM);
	check_not_logged("warning:");
}
END_TEST

/* A child that exits without reading 1 MiB of stdin is no error. */
START_TEST(test_epipe)
{
	char *argv[] = { "/bin/true", NULL };
	size_t len = 1024 * 1024;
	char *in = xcalloc(1, len);
	struct result r;

	ck_assert_ptr_nonnull(spawn(&r, "true", argv, in, len, false, 0));
	run();
	ck_assert_int_eq(r.ncalls, 1);
	ck_assert(WIFEXITED(r.wstatus));
	ck_assert_int_eq(WEXITSTATUS(r.wstatus), 0);
	check_not_logged("warning:");
	free(in);
}
END_TEST

START_TEST(test_no_fd_leak)
{
	char *argv[] = { "/bin/ls", "/proc/self/fd", NULL };
	int leak = open("/dev/null", O_RDONLY);
	int pfd[2];
	struct result r;

	ck_assert_int_ge(leak, 0);
	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_ptr_nonnull(spawn(&r, "ls", argv, "x", 1, true, 0));
	run();
	/* 3 is the directory ls reads. */
	ck_assert_str_eq(r.out, "0\n1\n2\n3\n");
	free(r.out);
	close(leak);
	close(pfd[0]);
	close(pfd[1]);
}
END_TEST

/* Even when our own 0, 1 and 2 are closed, the child gets its pipes there. */
START_TEST(test_low_fds_closed)
{
	char *argv[] = { "/bin/sh", "-c", "cat; echo err >&2", NULL };
	int null = open("/dev/null", O_RDWR);
	struct result r;
	int devnull;

	ck_assert_int_ge(null, 0);
	close(0);
	close(1);
	ck_assert_ptr_nonnull(spawn(&r, "lowfd", argv, "in\n", 3, true, 0));
	run();
	ck_assert_str_eq(r.out, "in\n");
	check_logged("lowfd: err\n");
	free(r.out);
	devnull = dup(null);
	ck_assert_int_eq(devnull, 0);
}
END_TEST

START_TEST(test_env)
{
	char *argv[] = { "/usr/bin/env", NULL };
	char *envp[] = { "FOO=bar baz", "X=1", NULL };
	struct proc_spec spec = {
		.name = "env",
		.argv = argv,
		.envp = envp,
		.capture_stdout = true,
		.done = done_cb,
	};
	struct result r;

	memset(&r, 0, sizeof(r));
	spec.arg = &r;
	ck_assert_ptr_nonnull(proc_spawn(&spec));
	run();
	ck_assert_str_eq(r.out, "FOO=bar baz\nX=1\n");
	free(r.out);
}
END_TEST

START_TEST(test_env_inherit)
{
	char *argv[] = { "/bin/sh", "-c", "echo \"$CHECK_PROC_VAR\"", NULL };
	struct result r;

	setenv("CHECK_PROC_VAR", "inherited", 1);
	ck_assert_ptr_nonnull(spawn(&r, "env", argv, NULL, 0, true, 0));
	run();
	ck_assert_str_eq(r.out, "inherited\n");
	free(r.out);
}
END_TEST

START_TEST(test_output_lines_logged)
{
	char *argv[] = { "/bin/sh", "-c",
	    "echo out; echo err >&2; printf 'crlf\\r\\n'; "
	    "head -c 5000 /dev/zero | tr '\\0' a; echo; echo after; "
	    "printf partial", NULL };
	char *log, *first, *a;
	struct result r;

	ck_assert_ptr_nonnull(spawn(&r, "hook l", argv, NULL, 0, false, 0));
	run();
	check_logged("hook l: out\n");
	check_logged("hook l: err\n");
	check_logged("hook l: crlf\n");
	check_logged("hook l: after\n");
	check_logged("hook l: partial\n");
	log = unit_stderr_text();
	/* The over-long line is logged once, cut. */
	first = strstr(log, "hook l: aaaa");
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_null(strstr(first + 1, "hook l: aaaa"));
	a = first + strlen("hook l: ");
	ck_assert_uint_le(strspn(a, "a"), 4096);
	ck_assert_uint_ge(strspn(a, "a"), 4000);
	ck_assert_ptr_null(strstr(log, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaafter"));
	free(log);
}
END_TEST

START_TEST(test_exec_failure)
{
	char *argv[] = { "/nonexistent/prog", NULL };
	struct result r;

	ck_assert_ptr_null(spawn(&r, "hook missing", argv, NULL, 0, false, 0));
	ck_assert_int_eq(proc_count(), 0);
	check_logged("warning: hook missing: cannot execute /nonexistent/prog: "
	    "No such file or directory\n");
	ck_assert_int_eq(r.ncalls, 0);
}
END_TEST

/* A file that exists but may not be executed is reported the same way. */
START_TEST(test_exec_eacces)
{
	char path[] = "/tmp/jp-proc-noexec-XXXXXX";
	char *argv[] = { path, NULL };
	struct result r;
	char *want;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	ck_assert_ptr_null(spawn(&r, "hook noexec", argv, NULL, 0, false, 0));
	unlink(path);
	ck_assert_int_eq(proc_count(), 0);
	xasprintf(&want, "warning: hook noexec: cannot execute %s: "
	    "Permission denied\n", path);
	check_logged(want);
	free(want);
	ck_assert_int_eq(r.ncalls, 0);
}
END_TEST

/* One hexadecimal or decimal field of /proc/PID/status text. */
static unsigned long long
status_field(const char *status, const char *name, int radix)
{
	const char *f = strstr(status, name);

	ck_assert_msg(f != NULL, "no %s in:\n%s", name, status);
	return strtoull(f + strlen(name), NULL, radix);
}

/*
 * What the child starts with, seen by the executed program itself (cat, no
 * shell in between): its own process group, no blocked and no ignored
 * signal, although we block SIGUSR2 and ignore SIGHUP and SIGPIPE
 * (proc_init() ignores SIGPIPE).
 */
START_TEST(test_child_signals_group)
{
	char *argv[] = { "/bin/cat", "/proc/self/status", NULL };
	struct sigaction sa;
	struct result r;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	ck_assert_int_eq(sigaction(SIGHUP, &sa, NULL), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	ck_assert_ptr_nonnull(spawn(&r, "status", argv, NULL, 0, true, 0));
	run();
	ck_assert_int_eq(status_field(r.out, "\nPid:", 10), r.pid);
	ck_assert_int_eq(status_field(r.out, "\nNSpgid:", 10), r.pid);
	ck_assert_int_eq(status_field(r.out, "\nSigBlk:", 16), 0);
	ck_assert_int_eq(status_field(r.out, "\nSigIgn:", 16), 0);
	free(r.out);
}
END_TEST

static struct result chain_second;

static void
chain_cb(struct proc *p, int wstatus, bool timed_out, const char *out,
    size_t outlen, void *arg)
{
	char *argv[] = { "/bin/echo", "second", NULL };
	struct proc_spec spec = {
		.name = "second",
		.argv = argv,
		.capture_stdout = true,
		.done = done_cb,
		.arg = &chain_second,
	};

	ck_assert_str_eq(out, "first\n");
	ck_assert_int_eq(proc_count(), 0);
	ck_assert_ptr_nonnull(proc_spawn(&spec));
}

START_TEST(test_spawn_from_done)
{
	char *argv[] = { "/bin/echo", "first", NULL };
	struct proc_spec spec = {
		.name = "first",
		.argv = argv,
		.capture_stdout = true,
		.done = chain_cb,
	};

	ck_assert_ptr_nonnull(proc_spawn(&spec));
	run();
	ck_assert_int_eq(chain_second.ncalls, 1);
	ck_assert_str_eq(chain_second.out, "second\n");
	free(chain_second.out);
}
END_TEST

static void
watch_done_cb(struct proc *p, int wstatus, bool timed_out, const char *out,
    size_t outlen, void *arg)
{
	ck_assert_str_eq(out, "s3cret-password\n");
	watch_ptr = out;
	watch_len = outlen;
	done_cb(p, wstatus, timed_out, out, outlen, arg);
}

/* Captured output (password_command's) is wiped before it is freed. */
START_TEST(test_capture_wiped)
{
	char *argv[] = { "/bin/echo", "s3cret-password", NULL };
	struct proc_spec spec = {
		.name = "secret",
		.argv = argv,
		.capture_stdout = true,
		.done = watch_done_cb,
	};
	struct result r;

	memset(&r, 0, sizeof(r));
	spec.arg = &r;
	watch_wiped = -1;
	ck_assert_ptr_nonnull(proc_spawn(&spec));
	run();
	ck_assert_int_eq(r.ncalls, 1);
	ck_assert_int_eq(watch_wiped, 1);
	free(r.out);
}
END_TEST

static Suite *
proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("proc");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_echo_capture);
	tcase_add_test(tc, test_cat_stdin_capture);
	tcase_add_test(tc, test_empty_stdin);
	tcase_add_test(tc, test_null_stdin);
	tcase_add_test(tc, test_exit_status);
	tcase_add_test(tc, test_signal_death);
	tcase_add_test(tc, test_timeout_group);
	tcase_add_test(tc, test_terminate_then_kill);
	tcase_add_test(tc, test_terminate_all);
	tcase_add_test(tc, test_epipe);
	tcase_add_test(tc, test_no_fd_leak);
	tcase_add_test(tc, test_low_fds_closed);
	tcase_add_test(tc, test_env);
	tcase_add_test(tc, test_env_inherit);
	tcase_add_test(tc, test_output_lines_logged);
	tcase_add_test(tc, test_exec_failure);
	tcase_add_test(tc, test_exec_eacces);
	tcase_add_test(tc, test_child_signals_group);
	tcase_add_test(tc, test_spawn_from_done);
	tcase_add_test(tc, test_capture_wiped);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(proc_suite());
}
