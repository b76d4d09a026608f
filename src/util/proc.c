/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <sys/queue.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "util/log.h"
#include "util/proc.h"
#include "util/timeutil.h"
#include "util/xevent.h"
#include "util/xmalloc.h"

/* Longer lines of a child's output are logged cut to this length. */
#define PROC_LINE_MAX	4096
/* After a timeout's SIGTERM, SIGKILL follows this much later. */
#define PROC_KILL_GRACE_MS	5000

extern char **environ;

struct proc_stream {
	struct proc *p;
	int fd;			/* -1 once at EOF */
	struct event *ev;
	bool capture;
	char line[PROC_LINE_MAX + 1];
	size_t linelen;
	bool cutting;		/* the rest of an over-long line is dropped */
};

struct proc {
	char *name;
	pid_t pid;
	struct timespec start;

	int in_fd;		/* -1 once all written or the child closed it */
	struct event *ev_in;
	char *in_buf;
	size_t in_len, in_off;

	struct proc_stream out, err;
	char *cap;
	size_t caplen;

	struct event *ev_timeout, *ev_kill;
	uint64_t timeout_ms, grace_ms;
	bool timed_out;
	bool signalled;		/* we signalled it: its death is no surprise */

	bool reaped;
	int wstatus;
	bool finishing;		/* done is scheduled */

	proc_done_cb done;
	void *arg;
	LIST_ENTRY(proc) entry;
};

static struct event_base *proc_base;
static struct event *proc_sigchld;
static LIST_HEAD(, proc) proc_list = LIST_HEAD_INITIALIZER(proc_list);
static size_t proc_nlive;

static void proc_check_finished(struct proc *);

static double
proc_elapsed(const struct proc *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - p->start.tv_sec) +
	    (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
}

/*
 * Signals go to the whole process group so that whatever a shell started
 * goes too.  Once the child was reaped its pid may be reused, so the group is
 * signalled only while some member still holds our pipes open.
 */
static void
proc_signal(struct proc *p, int sig)
{
	if (p->finishing)
		return;
	p->signalled = true;
	if (kill(-p->pid, sig) == -1 && errno != ESRCH)
		log_warn("%s: kill process group %d", p->name, (int)p->pid);
}

static void
proc_stream_emit(struct proc_stream *s)
{
	if (s->linelen > 0 && s->line[s->linelen - 1] == '\r')
		s->linelen--;
	s->line[s->linelen] = '\0';
	log_info("%s: %s", s->p->name, s->line);
	s->linelen = 0;
}

static void
proc_stream_lines(struct proc_stream *s, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			if (!s->cutting)
				proc_stream_emit(s);
			s->cutting = false;
			s->linelen = 0;
		} else if (s->cutting) {
			continue;
		} else if (s->linelen == PROC_LINE_MAX) {
			proc_stream_emit(s);
			s->cutting = true;
		} else {
			s->line[s->linelen++] = buf[i];
		}
	}
}

static void
proc_stream_close(struct proc_stream *s)
{
	if (s->fd == -1)
		return;
	event_del(s->ev);
	close(s->fd);
	s->fd = -1;
	if (!s->capture && s->linelen > 0 && !s->cutting)
		proc_stream_emit(s);
}

static void
proc_stream_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc_stream *s = arg;
	struct proc *p = s->p;
	char buf[16384];
	ssize_t n;

	n = read(fd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (n == -1)
			log_warn("%s: read from child", p->name);
		proc_stream_close(s);
		proc_check_finished(p);
		return;
	}
	if (s->capture) {
		size_t room = PROC_CAPTURE_MAX - p->caplen;
		size_t take = (size_t)n < room ? (size_t)n : room;

		if (take > 0) {
			memcpy(p->cap + p->caplen, buf, take);
			p->caplen += take;
		}
		/* Captured output may be a secret (password_command). */
		explicit_bzero(buf, (size_t)n);
	} else {
		proc_stream_lines(s, buf, (size_t)n);
	}
}

static void
proc_stdin_close(struct proc *p)
{
	if (p->in_fd == -1)
		return;
	if (p->ev_in != NULL)
		event_del(p->ev_in);
	close(p->in_fd);
	p->in_fd = -1;
}

static void
proc_stdin_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;
	ssize_t n;

	n = write(fd, p->in_buf + p->in_off, p->in_len - p->in_off);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* A child may exit without reading all of its stdin. */
		if (errno == EPIPE)
			log_debug("%s: stopped reading its stdin", p->name);
		else
			log_warn("%s: write to child's stdin", p->name);
		proc_stdin_close(p);
		return;
	}
	p->in_off += (size_t)n;
	if (p->in_off == p->in_len)
		proc_stdin_close(p);
}

static void
proc_kill_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;

	log_warnx("%s: still running %gs after SIGTERM, sending SIGKILL",
	    p->name, (double)p->grace_ms / 1000);
	proc_signal(p, SIGKILL);
}

static void
proc_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;
	struct timeval tv;

	log_warnx("%s: timed out after %gs, sending SIGTERM", p->name,
	    (double)p->timeout_ms / 1000);
	p->timed_out = true;
	proc_signal(p, SIGTERM);
	p->grace_ms = PROC_KILL_GRACE_MS;
	tv = timeutil_tv_ms(p->grace_ms);
	evtimer_add(p->ev_kill, &tv);
}

static void
proc_free(struct proc *p)
{
	proc_stdin_close(p);
	proc_stream_close(&p->out);
	proc_stream_close(&p->err);
	if (p->ev_in != NULL)
		event_free(p->ev_in);
	if (p->out.ev != NULL)
		event_free(p->out.ev);
	if (p->err.ev != NULL)
		event_free(p->err.ev);
	if (p->ev_timeout != NULL)
		event_free(p->ev_timeout);
	if (p->ev_kill != NULL)
		event_free(p->ev_kill);
	free(p->in_buf);
	if (p->cap != NULL)
		explicit_bzero(p->cap, p->caplen);
	free(p->cap);
	free(p->name);
	free(p);
}

/* Deferred to its own loop iteration so that done never runs inside one of
 * the proc's own event callbacks, nor while the SIGCHLD loop walks the list. */
static void
proc_finish_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;

	LIST_REMOVE(p, entry);
	proc_nlive--;
	if (p->done != NULL) {
		if (p->cap != NULL)
			p->cap[p->caplen] = '\0';
		p->done(p, p->wstatus, p->timed_out, p->cap, p->caplen, p->arg);
	}
	proc_free(p);
}

static void
proc_check_finished(struct proc *p)
{
	struct timeval tv = { 0, 0 };

	if (!p->reaped || p->out.fd != -1 || p->err.fd != -1 || p->finishing)
		return;
	proc_stdin_close(p);
	evtimer_del(p->ev_timeout);
	evtimer_del(p->ev_kill);
	p->finishing = true;
	if (event_base_once(proc_base, -1, EV_TIMEOUT, proc_finish_cb, p,
	    &tv) == -1)
		fatalx("%s: cannot schedule completion", p->name);
}

static void
proc_log_exit(struct proc *p)
{
	double t = proc_elapsed(p);

	if (WIFEXITED(p->wstatus)) {
		int st = WEXITSTATUS(p->wstatus);

		if (st == 0)
			log_info("%s: exited with status 0 after %.2fs",
			    p->name, t);
		else
			log_warnx("%s: exited with status %d after %.2fs",
			    p->name, st, t);
	} else if (WIFSIGNALED(p->wstatus)) {
		int sig = WTERMSIG(p->wstatus);

		if (p->signalled)
			log_info("%s: killed by signal %d after %.2fs",
			    p->name, sig, t);
		else
			log_warnx("%s: killed by signal %d after %.2fs",
			    p->name, sig, t);
	}
}

static void
proc_sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	struct proc *p;

	LIST_FOREACH(p, &proc_list, entry) {
		pid_t r;
		int st;

		if (p->reaped)
			continue;
		do
			r = waitpid(p->pid, &st, WNOHANG);
		while (r == -1 && errno == EINTR);
		if (r == 0)
			continue;
		if (r == -1) {
			/* Someone else reaped it: never wait forever. */
			log_warn("%s: waitpid %d", p->name, (int)p->pid);
			st = W_EXITCODE(255, 0);
		}
		p->reaped = true;
		p->wstatus = st;
		proc_log_exit(p);
		proc_check_finished(p);
	}
}

void
proc_init(struct event_base *base)
{
	struct sigaction sa;

	/* Tests run several loops in one process. */
	if (proc_sigchld != NULL)
		event_free(proc_sigchld);
	proc_base = base;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		fatal("sigaction SIGPIPE");
	proc_sigchld = xevsignal_new(base, SIGCHLD, proc_sigchld_cb, NULL);
	if (evsignal_add(proc_sigchld, NULL) == -1)
		fatalx("cannot watch SIGCHLD");
}

/*
 * posix_spawn() rather than fork(): glibc starts the child with
 * clone(CLONE_VM|CLONE_VFORK), so nothing copies the daemon's page tables,
 * and an exec failure comes back as its return value.  What the child gets:
 * its own process group (proc_signal() signals the group), an empty signal
 * mask and every signal at its default (we ignore SIGPIPE, and an ignored
 * signal stays ignored across execve), child[0..2] as its 0, 1 and 2, and no
 * other descriptor: ours are O_CLOEXEC, and the closefrom action also
 * catches any a library opened without it.  The sources must not be below 3
 * (proc_spawn() lifts them), or one dup2 could clobber the next one's source.
 * Returns 0 or an errno value.  Under valgrind (3.19) the clone is a plain
 * fork, so posix_spawn() returns before the exec: a program that cannot be
 * executed shows as exit status 127 there.
 */
static int
proc_exec(pid_t *pid, const int child[3], char *const *argv,
    char *const *envp)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t set;
	int e;

	if ((e = posix_spawn_file_actions_init(&fa)) != 0 ||
	    (e = posix_spawnattr_init(&attr)) != 0)
		fatalx("posix_spawn: %s", strerror(e));
	for (int i = 0; i < 3; i++)
		if ((e = posix_spawn_file_actions_adddup2(&fa, child[i],
		    i)) != 0)
			fatalx("posix_spawn_file_actions_adddup2: %s",
			    strerror(e));
	if ((e = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0)
		fatalx("posix_spawn_file_actions_addclosefrom_np: %s",
		    strerror(e));
	sigemptyset(&set);
	posix_spawnattr_setsigmask(&attr, &set);
	/* Not sigfillset(): it leaves out glibc's two internal signals (32
	 * and 33), and glibc 2.36's posix_spawn() sets those to SIG_IGN in
	 * the child, where they would stay ignored in the program it runs
	 * (tests/unit/check_proc.c sees that). */
	memset(&set, 0xff, sizeof(set));
	posix_spawnattr_setsigdefault(&attr, &set);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	/* A child may write to our stderr: an owed line goes first. */
	log_owed();
	e = posix_spawn(pid, argv[0], &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return e;
}

static int
proc_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

static void
proc_close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] != -1)
			close(fds[i]);
}

struct proc *
proc_spawn(const struct proc_spec *spec)
{
	/* [0,1] stdin, [2,3] stdout, [4,5] stderr */
	int fds[6] = { -1, -1, -1, -1, -1, -1 };
	static const int child[3] = { 0, 3, 5 };	/* the child's ends */
	char *const *envp = spec->envp != NULL ? spec->envp : environ;
	struct proc *p;
	pid_t pid;
	int e;

	if (proc_base == NULL)
		fatalx("proc_spawn before proc_init");
	if (spec->stdin_data != NULL) {
		if (pipe2(&fds[0], O_CLOEXEC) == -1) {
			log_warn("%s: pipe", spec->name);
			return NULL;
		}
	} else if ((fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s: /dev/null", spec->name);
		return NULL;
	}
	if (pipe2(&fds[2], O_CLOEXEC) == -1 ||
	    pipe2(&fds[4], O_CLOEXEC) == -1) {
		log_warn("%s: pipe", spec->name);
		proc_close_fds(fds, 6);
		return NULL;
	}
	/* Our own 0, 1 or 2 may be closed: then a pipe end sits there. */
	for (int i = 0; i < 3; i++) {
		int fd;

		if (fds[child[i]] >= 3)
			continue;
		if ((fd = fcntl(fds[child[i]], F_DUPFD_CLOEXEC, 3)) == -1) {
			log_warn("%s: fcntl F_DUPFD_CLOEXEC", spec->name);
			proc_close_fds(fds, 6);
			return NULL;
		}
		close(fds[child[i]]);
		fds[child[i]] = fd;
	}

	e = proc_exec(&pid, (int[3]){ fds[0], fds[3], fds[5] }, spec->argv,
	    envp);
	for (int i = 0; i < 3; i++) {
		close(fds[child[i]]);
		fds[child[i]] = -1;
	}
	if (e != 0) {
		errno = e;
		log_warn("%s: cannot execute %s", spec->name, spec->argv[0]);
		proc_close_fds(fds, 6);
		return NULL;
	}

	p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(spec->name);
	p->pid = pid;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->done = spec->done;
	p->arg = spec->arg;
	p->timeout_ms = spec->timeout_ms;
	p->in_fd = fds[1];
	p->out.p = p->err.p = p;
	p->out.fd = fds[2];
	p->err.fd = fds[4];
	p->out.capture = spec->capture_stdout;
	if (spec->capture_stdout)
		p->cap = xmalloc(PROC_CAPTURE_MAX + 1);
	LIST_INSERT_HEAD(&proc_list, p, entry);
	proc_nlive++;

	if ((p->in_fd != -1 && proc_set_nonblock(p->in_fd) == -1) ||
	    proc_set_nonblock(p->out.fd) == -1 ||
	    proc_set_nonblock(p->err.fd) == -1)
		fatal("%s: fcntl O_NONBLOCK", p->name);
	p->out.ev = xevent_new(proc_base, p->out.fd, EV_READ | EV_PERSIST,
	    proc_stream_cb, &p->out);
	p->err.ev = xevent_new(proc_base, p->err.fd, EV_READ | EV_PERSIST,
	    proc_stream_cb, &p->err);
	p->ev_timeout = xevtimer_new(proc_base, proc_timeout_cb, p);
	p->ev_kill = xevtimer_new(proc_base, proc_kill_cb, p);
	if (event_add(p->out.ev, NULL) == -1 ||
	    event_add(p->err.ev, NULL) == -1)
		fatalx("%s: cannot create events", p->name);
	if (p->in_fd != -1) {
		if (spec->stdin_len == 0) {
			proc_stdin_close(p);
		} else {
			p->in_buf = xmalloc(spec->stdin_len);
			memcpy(p->in_buf, spec->stdin_data, spec->stdin_len);
			p->in_len = spec->stdin_len;
			p->ev_in = xevent_new(proc_base, p->in_fd,
			    EV_WRITE | EV_PERSIST, proc_stdin_cb, p);
			if (event_add(p->ev_in, NULL) == -1)
				fatalx("%s: cannot create events", p->name);
		}
	}
	if (p->timeout_ms > 0) {
		struct timeval tv;

		tv = timeutil_tv_ms(p->timeout_ms);
		evtimer_add(p->ev_timeout, &tv);
	}
	log_debug("%s: started as pid %d", p->name, (int)pid);
	return p;
}

pid_t
proc_pid(const struct proc *p)
{
	return p->pid;
}

void
proc_terminate(struct proc *p, uint64_t grace_ms)
{
	struct timeval tv;

	if (p->finishing)
		return;
	log_debug("%s: sending SIGTERM", p->name);
	proc_signal(p, SIGTERM);
	p->grace_ms = grace_ms;
	tv = timeutil_tv_ms(grace_ms);
	evtimer_add(p->ev_kill, &tv);
}

size_t
proc_count(void)
{
	return proc_nlive;
}

void
proc_terminate_all(uint64_t grace_ms)
{
	struct proc *p;

	LIST_FOREACH(p, &proc_list, entry)
		proc_terminate(p, grace_ms);
}
