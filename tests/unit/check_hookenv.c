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
#include "output/hookenv.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/strv.h"
#include "util/xmalloc.h"
#include "unit.h"

static char *types_email_thread[] = { "Email", "Thread" };
static char *types_calendar[] = { "CalendarEvent" };

static struct config_hook hook_all = { .name = "sync", .command = "true" };
static struct config_hook hook_email = {
	.name = "mail", .account = "personal", .types = types_email_thread,
	.ntypes = 2, .command = "true",
};
static struct config_hook hook_cal = {
	.name = "cal", .types = types_calendar, .ntypes = 1, .command = "true",
};
static struct config_hook hook_work = {
	.name = "work", .account = "work", .command = "true",
};

static struct json_object *
changed_new(const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	ck_assert_ptr_nonnull(o);
	return o;
}

static void
check_env(char **env, const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++) {
		ck_assert_msg(env[i] != NULL, "env ends at %zu, want %s", i,
		    want[i]);
		ck_assert_str_eq(env[i], want[i]);
	}
	ck_assert_msg(env[i] == NULL, "extra env entry %s", env[i]);
}

static char *base_env[] = { "PATH=/usr/bin:/bin", "JMAP_TYPES=stale",
    "HOME=/home/u", "JMAP_STATE_Email=old", "JMAPX=kept", NULL };

START_TEST(test_env_all_types)
{
	struct push_event ev = {
		.account = "personal", .account_id = "u1",
		.changed = changed_new("{\"Mailbox\":\"m1\",\"Email\":\"e1\","
		    "\"EmailDelivery\":\"d1\"}"),
		.push_state = "ps1", .reason = "push",
	};
	const char *want[] = {
		"PATH=/usr/bin:/bin", "HOME=/home/u", "JMAPX=kept",
		"JMAP_ACCOUNT=personal", "JMAP_ACCOUNT_ID=u1",
		"JMAP_TYPES=Email EmailDelivery Mailbox",
		"JMAP_STATE_Email=e1", "JMAP_STATE_EmailDelivery=d1",
		"JMAP_STATE_Mailbox=m1", "JMAP_PUSH_STATE=ps1",
		"JMAP_REASON=push", "JMAP_HOOK=sync", NULL,
	};
	char **env = hookenv_build(&hook_all, &ev, base_env);

	check_env(env, want);
	strv_free(env);
	json_object_put(ev.changed);
}
END_TEST

START_TEST(test_env_filtered_no_push_state)
{
	struct push_event ev = {
		.account = "personal", .account_id = "u1",
		.changed = changed_new("{\"Thread\":\"t9\",\"Mailbox\":\"m1\","
		    "\"Email\":\"e1\"}"),
		.reason = "resync",
	};
	const char *want[] = {
		"PATH=/usr/bin:/bin", "HOME=/home/u", "JMAPX=kept",
		"JMAP_ACCOUNT=personal", "JMAP_ACCOUNT_ID=u1",
		"JMAP_TYPES=Email Thread", "JMAP_STATE_Email=e1",
		"JMAP_STATE_Thread=t9", "JMAP_REASON=resync", "JMAP_HOOK=mail",
		NULL,
	};
	char **env = hookenv_build(&hook_email, &ev, base_env);

	check_env(env, want);
	strv_free(env);
	json_object_put(ev.changed);
}
END_TEST

START_TEST(test_env_weird_types_and_empty_base)
{
	struct push_event ev = {
		.account = "personal", .account_id = "u1",
		.changed = changed_new("{\"bad-name\":\"x\",\"1Email\":\"y\","
		    "\"\":\"z\",\"Email\":{\"not\":\"a string\"},"
		    "\"Mailbox\":\"m=1 2\",\"a b\":\"s\",\"a=b\":\"s\","
		    "\"a\\nb\":\"s\",\"Caf\\u00e9\":\"s\",\"My_Type\":"
		    "\"$(x)\\n`y`\"}"),
		.push_state = "", .reason = "push",
	};
	const char *want[] = {
		"JMAP_ACCOUNT=personal", "JMAP_ACCOUNT_ID=u1",
		"JMAP_TYPES=1Email Mailbox My_Type", "JMAP_STATE_1Email=y",
		"JMAP_STATE_Mailbox=m=1 2", "JMAP_STATE_My_Type=$(x)\n`y`",
		"JMAP_PUSH_STATE=", "JMAP_REASON=push", "JMAP_HOOK=sync", NULL,
	};
	char *empty[] = { NULL };
	char **env = hookenv_build(&hook_all, &ev, empty);

	check_env(env, want);
	strv_free(env);
	json_object_put(ev.changed);
}
END_TEST

/* Beyond what a variable holds: the type stays on stdin only, and an
 * oversized accountId or pushState leaves its variable unset. */
START_TEST(test_env_sizes)
{
	char name[130], *big = xmalloc(4098), *over = xmalloc(4098);
	struct push_event ev = {
		.account = "personal", .reason = "push",
	};
	const char *want[] = {
		"JMAP_ACCOUNT=personal", "JMAP_TYPES=Mailbox", NULL, NULL,
		"JMAP_REASON=push", "JMAP_HOOK=sync", NULL,
	};
	char *empty[] = { NULL }, *max_name, *max_state, **env;

	memset(name, 'T', 129);
	name[129] = '\0';
	memset(big, 's', 4097);
	big[4097] = '\0';
	memcpy(over, big, 4098);
	ev.account_id = over;
	ev.push_state = over;
	ev.changed = json_object_new_object();
	json_object_object_add(ev.changed, name, json_object_new_string("x"));
	json_object_object_add(ev.changed, "Email",
	    json_object_new_string(big));
	name[128] = '\0';
	big[4096] = '\0';
	json_object_object_add(ev.changed, name, json_object_new_string(big));
	json_object_object_add(ev.changed, "Mailbox",
	    json_object_new_string("m1"));
	xasprintf(&max_name, "JMAP_TYPES=Mailbox %s", name);
	xasprintf(&max_state, "JMAP_STATE_%s=%s", name, big);
	want[1] = max_name;
	want[2] = "JMAP_STATE_Mailbox=m1";
	want[3] = max_state;
	env = hookenv_build(&hook_all, &ev, empty);
	check_env(env, want);
	strv_free(env);
	json_object_put(ev.changed);
	free(max_name);
	free(max_state);
	free(big);
	free(over);
}
END_TEST

START_TEST(test_env_nothing_passes)
{
	struct push_event ev = {
		.account = "personal", .account_id = "u1",
		.changed = changed_new("{\"Mailbox\":\"m1\"}"),
		.reason = "push",
	};
	const char *want[] = {
		"JMAP_ACCOUNT=personal", "JMAP_ACCOUNT_ID=u1", "JMAP_TYPES=",
		"JMAP_REASON=push", "JMAP_HOOK=mail", NULL,
	};
	char *empty[] = { NULL };
	char **env = hookenv_build(&hook_email, &ev, empty);

	check_env(env, want);
	strv_free(env);
	json_object_put(ev.changed);
}
END_TEST

START_TEST(test_stdin)
{
	struct push_event ev = {
		.account = "personal", .account_id = "u1",
		.changed = changed_new("{\"Thread\":\"t9\",\"Mailbox\":\"m/1\","
		    "\"Email\":\"e\\\"1\",\"x-y\":\"z\"}"),
		.push_state = "ps/1", .reason = "push",
	};
	char *s;

	s = hookenv_stdin(&hook_all, &ev);
	ck_assert_str_eq(s, "{\"@type\":\"StateChange\",\"changed\":{\"u1\":"
	    "{\"Email\":\"e\\\"1\",\"Mailbox\":\"m/1\",\"Thread\":\"t9\","
	    "\"x-y\":\"z\"}},\"pushState\":\"ps/1\"}");
	free(s);
	ev.push_state = NULL;
	s = hookenv_stdin(&hook_email, &ev);
	ck_assert_str_eq(s, "{\"@type\":\"StateChange\",\"changed\":{\"u1\":"
	    "{\"Email\":\"e\\\"1\",\"Thread\":\"t9\"}}}");
	free(s);
	/* Strings that did not come through the parser are repaired too. */
	json_object_object_add(ev.changed, "Thread",
	    json_object_new_string("t\xff"));
	s = hookenv_stdin(&hook_email, &ev);
	ck_assert_str_eq(s, "{\"@type\":\"StateChange\",\"changed\":{\"u1\":"
	    "{\"Email\":\"e\\\"1\",\"Thread\":\"t\xef\xbf\xbd\"}}}");
	free(s);
	s = hookenv_stdin(&hook_cal, &ev);
	ck_assert_str_eq(s, "{\"@type\":\"StateChange\",\"changed\":{\"u1\":"
	    "{}}}");
	free(s);
	json_object_put(ev.changed);
}
END_TEST

START_TEST(test_matches)
{
	struct push_event ev = {
		.account = "personal", .account_id = "u1",
		.changed = changed_new("{\"Mailbox\":\"m1\",\"Email\":\"e1\"}"),
		.reason = "push",
	};
	struct config_hook other = hook_email;

	ck_assert(hookenv_matches(&hook_all, &ev));
	ck_assert(hookenv_matches(&hook_email, &ev));
	ck_assert(!hookenv_matches(&hook_cal, &ev));
	ck_assert(!hookenv_matches(&hook_work, &ev));
	other.account = "Personal";
	ck_assert(!hookenv_matches(&other, &ev));
	json_object_put(ev.changed);
	ev.changed = changed_new("{\"Mailbox\":\"m1\"}");
	ck_assert(!hookenv_matches(&hook_email, &ev));
	ck_assert(hookenv_matches(&hook_all, &ev));
	ev.account = "work";
	ck_assert(hookenv_matches(&hook_work, &ev));
	ck_assert(!hookenv_matches(&hook_email, &ev));
	json_object_put(ev.changed);
}
END_TEST

/* A mail-aware hook: the mail types only through mail events, other
 * types only when listed, in the environment too. */
START_TEST(test_matches_mail_aware)
{
	static char *types_cal_email[] = { "CalendarEvent", "Email" };
	static const char *const want[] = { "JMAP_ACCOUNT=personal",
	    "JMAP_ACCOUNT_ID=u1", "JMAP_TYPES=CalendarEvent",
	    "JMAP_STATE_CalendarEvent=c1", "JMAP_REASON=push",
	    "JMAP_HOOK=inbox", NULL };
	struct push_event ev = {
		.account = "personal", .account_id = "u1",
		.changed = changed_new("{\"Mailbox\":\"m1\",\"Email\":\"e1\","
		    "\"EmailDelivery\":\"d1\",\"Thread\":\"t1\"}"),
		.reason = "push",
	};
	struct config_hook h = {
		.name = "inbox", .command = "true", .mail_aware = true,
	};
	char *none[] = { NULL }, **env, *in;

	ck_assert(!hookenv_matches(&h, &ev));
	h.types = types_cal_email;
	h.ntypes = 2;
	ck_assert(!hookenv_matches(&h, &ev));
	json_object_put(ev.changed);
	ev.changed = changed_new("{\"CalendarEvent\":\"c1\",\"Email\":\"e2\"}");
	ck_assert(hookenv_matches(&h, &ev));
	env = hookenv_build(&h, &ev, none);
	check_env(env, want);
	strv_free(env);
	in = hookenv_stdin(&h, &ev);
	ck_assert_str_eq(in, "{\"@type\":\"StateChange\",\"changed\":{\"u1\":"
	    "{\"CalendarEvent\":\"c1\"}}}");
	free(in);
	h.types = NULL;
	h.ntypes = 0;
	ck_assert(!hookenv_matches(&h, &ev));
	json_object_put(ev.changed);
}
END_TEST

static Suite *
hookenv_suite(void)
{
	Suite *s = suite_create("hookenv");
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, test_env_all_types);
	tcase_add_test(tc, test_env_filtered_no_push_state);
	tcase_add_test(tc, test_env_weird_types_and_empty_base);
	tcase_add_test(tc, test_env_sizes);
	tcase_add_test(tc, test_env_nothing_passes);
	tcase_add_test(tc, test_stdin);
	tcase_add_test(tc, test_matches);
	tcase_add_test(tc, test_matches_mail_aware);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(hookenv_suite());
}
