/* SPDX-License-Identifier: ISC */
/*
 * The control socket's access check.  The socket file's mode is the first
 * gate, but a socket passed by systemd or a mode an admin widened may let
 * anyone connect: the peer's credentials, which the kernel vouches for, are
 * what decides.  A member of socket_group is one whose user has the group
 * (primary or supplementary, as the user database says), or whose process
 * runs with it as its effective group.
 */
#include "autoconf.h"

#include <sys/socket.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/sockauth.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* getpwuid_r's buffer when sysconf() does not say. */
#define SOCKAUTH_PWBUF	16384
/* Groups of one user beyond which the list is not read. */
#define SOCKAUTH_MAX_GROUPS	65536

enum sockauth_verdict
sockauth_check(const struct sockauth_peer *p, uid_t self, bool has_group,
    gid_t group)
{
	if (p->uid == self)
		return SOCKAUTH_SELF;
	if (p->uid == 0)
		return SOCKAUTH_ROOT;
	if (!has_group)
		return SOCKAUTH_DENIED;
	if (p->gid == group)
		return SOCKAUTH_GROUP;
	for (size_t i = 0; i < p->ngroups; i++)
		if (p->groups[i] == group)
			return SOCKAUTH_GROUP;
	return SOCKAUTH_DENIED;
}

/* The groups of uid's user; none when the user is not in the database
 * (a uid without a name has no supplementary groups). */
static void
sockauth_user_groups(struct sockauth_peer *p)
{
	struct passwd pw, *res = NULL;
	long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t buflen = sz > 0 ? (size_t)sz : SOCKAUTH_PWBUF;
	char *buf = xmalloc(buflen);
	int n = 16, rc;

	while ((rc = getpwuid_r(p->uid, &pw, buf, buflen, &res)) == ERANGE &&
	    buflen < SOCKAUTH_PWBUF * 64) {
		buflen *= 2;
		buf = xrealloc(buf, buflen);
	}
	if (rc != 0 || res == NULL) {
		if (rc != 0)
			log_warnx("socket: cannot look up uid %u: %s",
			    (unsigned)p->uid, strerror(rc));
		free(buf);
		return;
	}
	p->groups = xcalloc((size_t)n, sizeof(gid_t));
	while (getgrouplist(pw.pw_name, pw.pw_gid, p->groups, &n) == -1 &&
	    n <= SOCKAUTH_MAX_GROUPS)
		p->groups = xreallocarray(p->groups, (size_t)n, sizeof(gid_t));
	p->ngroups = n <= SOCKAUTH_MAX_GROUPS ? (size_t)n : 0;
	free(buf);
}

int
sockauth_peer_get(int fd, struct sockauth_peer *p, uid_t self, bool has_group,
    gid_t group)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1 ||
	    len != sizeof(uc)) {
		log_warn("socket: cannot get a client's credentials");
		return -1;
	}
	p->pid = uc.pid;
	p->uid = uc.uid;
	p->gid = uc.gid;
	if (has_group && sockauth_check(p, self, true, group) ==
	    SOCKAUTH_DENIED)
		sockauth_user_groups(p);
	return 0;
}

void
sockauth_peer_clear(struct sockauth_peer *p)
{
	free(p->groups);
	p->groups = NULL;
	p->ngroups = 0;
}

bool
sockauth_limit_log(struct sockauth_limit *l, time_t now,
    unsigned long *missed)
{
	/* A clock stepped back starts a new window too. */
	if (now - l->start >= SOCKAUTH_LOG_WINDOW || now < l->start) {
		l->start = now;
		l->logged = 0;
	}
	if (l->logged >= SOCKAUTH_LOG_BURST) {
		l->suppressed++;
		return false;
	}
	l->logged++;
	*missed = l->suppressed;
	l->suppressed = 0;
	return true;
}
