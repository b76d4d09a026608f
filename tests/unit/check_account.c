/* SPDX-License-Identifier: ISC */
/* The account's states and the status each shows: what the user sees
 * while an account goes through its phases. */
#include "autoconf.h"

#include <check.h>

#include "session/account.h"
#include "unit.h"

static const struct {
	enum account_state state;
	const char *name;
	enum account_status status;	/* -1: the status shown before */
} states[] = {
	{ ACCOUNT_S_STOPPED, "stopped", ACCOUNT_STOPPED },
	{ ACCOUNT_S_QUEUED, "queued", ACCOUNT_CONNECTING },
	{ ACCOUNT_S_CREDENTIALS, "credentials", ACCOUNT_CONNECTING },
	{ ACCOUNT_S_SESSION, "session", ACCOUNT_CONNECTING },
	{ ACCOUNT_S_OPENING, "opening", ACCOUNT_CONNECTING },
	{ ACCOUNT_S_CONNECTED, "connected", ACCOUNT_CONNECTED },
	{ ACCOUNT_S_RECONNECTING, "reconnecting", -1 },
	{ ACCOUNT_S_RETRY_NOW, "retry_now", ACCOUNT_CONNECTING },
	{ ACCOUNT_S_BACKOFF, "backoff", ACCOUNT_BACKOFF },
	{ ACCOUNT_S_AUTH_FAILED, "auth_failed", ACCOUNT_AUTH_FAILED },
	{ ACCOUNT_S_DISABLED, "disabled", ACCOUNT_DISABLED },
	{ ACCOUNT_S_STOPPING, "stopping", -1 },
};

static const enum account_status shown[] = {
	ACCOUNT_CONNECTING, ACCOUNT_CONNECTED, ACCOUNT_BACKOFF,
	ACCOUNT_AUTH_FAILED, ACCOUNT_DISABLED, ACCOUNT_STOPPED,
};

/* Each state, after each status: the phases of an attempt show as
 * connecting, the waits as what they wait for, and closing (to stop or
 * to reconnect) keeps what was shown until the close is done. */
START_TEST(test_state_status)
{
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		ck_assert_str_eq(account_state_name(states[i].state),
		    states[i].name);
		for (size_t j = 0; j < sizeof(shown) / sizeof(shown[0]); j++)
			ck_assert_msg(account_state_status(states[i].state,
			    shown[j]) == ((int)states[i].status == -1 ?
			    shown[j] : states[i].status), "%s after %s",
			    states[i].name, account_status_name(shown[j]));
	}
}
END_TEST

/* The names the socket and jmap-pushctl print. */
START_TEST(test_status_names)
{
	ck_assert_str_eq(account_status_name(ACCOUNT_CONNECTING), "connecting");
	ck_assert_str_eq(account_status_name(ACCOUNT_CONNECTED), "connected");
	ck_assert_str_eq(account_status_name(ACCOUNT_BACKOFF), "backoff");
	ck_assert_str_eq(account_status_name(ACCOUNT_AUTH_FAILED),
	    "auth_failed");
	ck_assert_str_eq(account_status_name(ACCOUNT_DISABLED), "disabled");
	ck_assert_str_eq(account_status_name(ACCOUNT_STOPPED), "stopped");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("account");
	TCase *tc = tcase_create("states");

	tcase_add_test(tc, test_state_status);
	tcase_add_test(tc, test_status_names);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
