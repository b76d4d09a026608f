/* SPDX-License-Identifier: ISC */
/* Who may use the control socket: the verdict for the daemon's user, root,
 * socket_group members by effective or listed group, and others; the
 * kernel's credentials of a real peer; the bound on logged refusals. */
#include "autoconf.h"

#include <sys/socket.h>

#include <check.h>
#include <stdlib.h>
#include <unistd.h>

#include "output/sockauth.h"
#include "unit.h"

#define SELF	1000
#define GROUP	500

START_TEST(test_owner_and_root)
{
	struct sockauth_peer p = { .uid = SELF, .gid = 7 };

	ck_assert_int_eq(sockauth_check(&p, SELF, false, 0), SOCKAUTH_SELF);
	ck_assert_int_eq(sockauth_check(&p, SELF, true, GROUP), SOCKAUTH_SELF);
	p.uid = 0;
	ck_assert_int_eq(sockauth_check(&p, SELF, false, 0), SOCKAUTH_ROOT);
	/* A daemon run by root: root is itself. */
	ck_assert_int_eq(sockauth_check(&p, 0, false, 0), SOCKAUTH_SELF);
}
END_TEST

START_TEST(test_others_without_group)
{
	gid_t groups[] = { 0, GROUP };
	struct sockauth_peer p = { .uid = 1001, .gid = GROUP,
	    .groups = groups, .ngroups = 2 };

	/* Without socket_group no group lets anyone in, not even root's. */
	ck_assert_int_eq(sockauth_check(&p, SELF, false, 0), SOCKAUTH_DENIED);
	ck_assert_int_eq(sockauth_check(&p, SELF, false, GROUP),
	    SOCKAUTH_DENIED);
}
END_TEST

START_TEST(test_group_members)
{
	gid_t groups[] = { 100, 27, GROUP };
	struct sockauth_peer p = { .uid = 1001, .gid = 100,
	    .groups = groups, .ngroups = 3 };

	/* Supplementary, as the user database lists it. */
	ck_assert_int_eq(sockauth_check(&p, SELF, true, GROUP),
	    SOCKAUTH_GROUP);
	/* Only the first two listed: not a member. */
	p.ngroups = 2;
	ck_assert_int_eq(sockauth_check(&p, SELF, true, GROUP),
	    SOCKAUTH_DENIED);
	/* The process's effective group. */
	p.gid = GROUP;
	ck_assert_int_eq(sockauth_check(&p, SELF, true, GROUP),
	    SOCKAUTH_GROUP);
	/* No list at all (a uid the database does not know). */
	p.groups = NULL;
	p.ngroups = 0;
	ck_assert_int_eq(sockauth_check(&p, SELF, true, GROUP),
	    SOCKAUTH_GROUP);
	p.gid = 100;
	ck_assert_int_eq(sockauth_check(&p, SELF, true, GROUP),
	    SOCKAUTH_DENIED);
	ck_assert_int_eq(sockauth_check(&p, SELF, true, 100 + 1),
	    SOCKAUTH_DENIED);
}
END_TEST

START_TEST(test_peer_credentials)
{
	struct sockauth_peer p;
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(sockauth_peer_get(sv[0], &p, geteuid(), true,
	    getegid() + 1), 0);
	ck_assert_int_eq(p.pid, getpid());
	ck_assert_uint_eq(p.uid, geteuid());
	ck_assert_uint_eq(p.gid, getegid());
	/* Our own uid decides: no database lookup. */
	ck_assert_ptr_null(p.groups);
	ck_assert_int_eq(sockauth_check(&p, geteuid(), true, getegid() + 1),
	    SOCKAUTH_SELF);
	sockauth_peer_clear(&p);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_peer_groups_looked_up)
{
	struct sockauth_peer p;
	bool primary = false;
	int sv[2];

	/* As someone else (not root) we are a stranger whose groups from
	 * the database are read: our primary group is among them. */
	if (geteuid() == 0)
		return;
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(sockauth_peer_get(sv[0], &p, geteuid() + 1, true,
	    (gid_t)-2), 0);
	for (size_t i = 0; i < p.ngroups; i++)
		primary |= p.groups[i] == getgid();
	ck_assert(primary);
	sockauth_peer_clear(&p);
	ck_assert_ptr_null(p.groups);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_peer_without_credentials)
{
	struct sockauth_peer p;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), saved;

	/* An unconnected socket has no peer; the kernel then answers with
	 * no process (pid 0) or an error: either way no access. */
	ck_assert_int_ge(fd, 0);
	saved = unit_capture_stderr();
	if (sockauth_peer_get(fd, &p, 4242, false, 0) == 0) {
		ck_assert_int_eq(p.pid, 0);
		ck_assert_int_eq(sockauth_check(&p, 4242, false, 0),
		    SOCKAUTH_DENIED);
		sockauth_peer_clear(&p);
	}
	unit_restore_stderr(saved);
	close(fd);
}
END_TEST

START_TEST(test_refusals_logged_within_bound)
{
	struct sockauth_limit l = { 0 };
	unsigned long missed = 99;
	time_t t = 1000000;

	for (int i = 0; i < SOCKAUTH_LOG_BURST; i++) {
		ck_assert(sockauth_limit_log(&l, t + i, &missed));
		ck_assert_uint_eq(missed, 0);
	}
	/* A flood in the same window: counted, not logged. */
	for (int i = 0; i < 1000; i++)
		ck_assert(!sockauth_limit_log(&l, t + 10, &missed));
	ck_assert(!sockauth_limit_log(&l, t + SOCKAUTH_LOG_WINDOW - 1,
	    &missed));
	/* The next window's first line says how many were left out. */
	ck_assert(sockauth_limit_log(&l, t + SOCKAUTH_LOG_WINDOW, &missed));
	ck_assert_uint_eq(missed, 1001);
	ck_assert(sockauth_limit_log(&l, t + SOCKAUTH_LOG_WINDOW, &missed));
	ck_assert_uint_eq(missed, 0);
	for (int i = 2; i < SOCKAUTH_LOG_BURST; i++)
		ck_assert(sockauth_limit_log(&l, t + SOCKAUTH_LOG_WINDOW,
		    &missed));
	ck_assert(!sockauth_limit_log(&l, t + SOCKAUTH_LOG_WINDOW, &missed));
	/* A clock stepped back does not silence the log for a window. */
	ck_assert(sockauth_limit_log(&l, t, &missed));
	ck_assert_uint_eq(missed, 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sockauth");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_owner_and_root);
	tcase_add_test(tc, test_others_without_group);
	tcase_add_test(tc, test_group_members);
	tcase_add_test(tc, test_peer_credentials);
	tcase_add_test(tc, test_peer_groups_looked_up);
	tcase_add_test(tc, test_peer_without_credentials);
	tcase_add_test(tc, test_refusals_logged_within_bound);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
