/* SPDX-License-Identifier: ISC */
/* Who may use the control socket: the peer credentials of a connection
 * (SO_PEERCRED) against the daemon's own user, root and socket_group, and
 * a bound on how often refusals are logged, so that a local user cannot
 * flood the log by connecting in a loop. */
#ifndef JP_SOCKAUTH_H
#define JP_SOCKAUTH_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* A connected peer, as the kernel and the user database describe it. */
struct sockauth_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;		/* the process's effective group */
	gid_t *groups;		/* its user's groups (getgrouplist), or NULL */
	size_t ngroups;
};

/* Why a peer may talk, or SOCKAUTH_DENIED. */
enum sockauth_verdict {
	SOCKAUTH_DENIED,
	SOCKAUTH_SELF,
	SOCKAUTH_ROOT,
	SOCKAUTH_GROUP,
};

/* Pure: self is the daemon's uid; group is socket_group's gid when
 * has_group. */
enum sockauth_verdict sockauth_check(const struct sockauth_peer *,
    uid_t self, bool has_group, gid_t group);

/* Fills p from the connected UNIX socket fd; the user's groups are looked
 * up only when has_group and the kernel's answer alone does not decide.
 * -1 (logged) when the kernel gives no credentials. */
int sockauth_peer_get(int fd, struct sockauth_peer *p, uid_t self,
    bool has_group, gid_t group);
void sockauth_peer_clear(struct sockauth_peer *);

/* At most SOCKAUTH_LOG_BURST refusals logged per SOCKAUTH_LOG_WINDOW
 * seconds; the rest are counted and reported with the next logged one. */
#define SOCKAUTH_LOG_BURST	5
#define SOCKAUTH_LOG_WINDOW	60

struct sockauth_limit {
	time_t start;		/* of the current window */
	unsigned logged;	/* in the current window */
	unsigned long suppressed;	/* not logged since the last line */
};

/* Pure: whether a refusal at now is logged.  When it is, *missed is the
 * number of refusals left out of the log before it (then reset). */
bool sockauth_limit_log(struct sockauth_limit *, time_t now,
    unsigned long *missed);

#endif
