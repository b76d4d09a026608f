/* SPDX-License-Identifier: ISC */
/* Child processes watched by libevent: the loop never blocks on them. */
#ifndef JP_PROC_H
#define JP_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct proc;

/* out is NUL-terminated (out[outlen] == '\0') when stdout was captured, else
 * NULL with outlen 0.  The proc is freed after this returns. */
typedef void (*proc_done_cb)(struct proc *, int wstatus, bool timed_out,
    const char *out, size_t outlen, void *arg);

/* Everything here is copied or used up before proc_spawn() returns. */
struct proc_spec {
	/* For logs: "hook sync", "password_command of account personal". */
	const char *name;
	/* argv[0] is the program path, e.g. {"/bin/sh", "-c", cmd, NULL}. */
	char *const *argv;
	char *const *envp;		/* full environment; NULL: environ */
	/* Written to the child's stdin, then closed; NULL: stdin is
	 * /dev/null. */
	const char *stdin_data;
	size_t stdin_len;
	/* true: stdout is collected (max 64 KiB, the rest discarded), passed
	 * to done and wiped when done returns (it may be a secret); false:
	 * stdout lines are logged. */
	bool capture_stdout;
	/* 0: none.  On expiry SIGTERM to the process group, SIGKILL 5 s
	 * later, logged. */
	uint64_t timeout_ms;
	/* Called exactly once, after the child was reaped AND its pipes hit
	 * EOF; may be NULL. */
	proc_done_cb done;
	void *arg;
};

#define PROC_CAPTURE_MAX	(64 * 1024)

/* Installs the SIGCHLD handling (evsignal) on base and ignores SIGPIPE (a
 * child that exits without reading its stdin must not kill the daemon); call
 * once. */
void proc_init(struct event_base *base);
/* posix_spawn in its own process group, with an empty signal mask and every
 * signal at its default, stdin/stdout/stderr as pipes, every other fd
 * closed.  NULL on error (logged), including when the program cannot
 * be executed.  The proc frees itself after done returns; done runs from the
 * loop, never from inside proc_spawn(), and may start new procs. */
struct proc *proc_spawn(const struct proc_spec *);
pid_t proc_pid(const struct proc *);
/* SIGTERM to its process group now, SIGKILL after grace_ms; done is still
 * called later. */
void proc_terminate(struct proc *, uint64_t grace_ms);
/* Number of live procs (done not called yet); for shutdown: the daemon
 * terminates all and waits with a bound. */
size_t proc_count(void);
void proc_terminate_all(uint64_t grace_ms);

#endif
