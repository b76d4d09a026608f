/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <json-c/json.h>

#include "output/mqtttopic.h"
#include "session/mailbox.h"
#include "unit.h"

/* escape(s, n) must be exactly want. */
static void
expect_escape(const char *s, size_t n, const char *want)
{
	char *got = mqtttopic_escape(s, n);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_escape)
{
	expect_escape("Inbox", 5, "Inbox");
	expect_escape("a/+/#", 5, "a%2F%2B%2F%23");
	expect_escape("100%", 4, "100%25");
	/* %XX itself is escaped, so two names never share a level. */
	expect_escape("a%2F", 4, "a%252F");
	expect_escape("a\0b", 3, "a%00b");
	expect_escape("", 0, "");
	/* Valid UTF-8 stays; each byte of an invalid sequence is escaped. */
	expect_escape("B\xc3\xbcro", 5, "B\xc3\xbcro");
	expect_escape("\xe2\x82\xac", 3, "\xe2\x82\xac");
	expect_escape("x\xc3(", 3, "x%C3(");
	expect_escape("\xff\xfe", 2, "%FF%FE");
	expect_escape("\xed\xa0\x80", 3, "%ED%A0%80");
	/* Spaces and other punctuation are fine in a level. */
	expect_escape("Work Stuff & $more", 18, "Work Stuff & $more");
}
END_TEST

START_TEST(test_topics)
{
	char *t;

	t = mqtttopic_account("jmap-pushd", "personal", "state");
	ck_assert_str_eq(t, "jmap-pushd/personal/state");
	free(t);
	t = mqtttopic_account("home/mail", "a+b", "status");
	ck_assert_str_eq(t, "home/mail/a%2Bb/status");
	free(t);
	t = mqtttopic_daemon_status("jmap-pushd", "host/1#");
	ck_assert_str_eq(t, "jmap-pushd/daemon/host%2F1%23/status");
	free(t);
	t = mqtttopic_counts(3, 12);
	ck_assert_str_eq(t, "{\"unread\":3,\"total\":12}");
	free(t);
	t = mqtttopic_counts(INT64_C(9007199254740991), 0);
	ck_assert_str_eq(t, "{\"unread\":9007199254740991,\"total\":0}");
	free(t);
}
END_TEST

/* A cache from {id, name, parent} triples. */
static void
cache_add(struct mailbox_cache *c, const char *id, const char *name,
    const char *parent)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "parentId", parent != NULL ?
	    json_object_new_string(parent) : NULL);
	ck_assert(mailbox_update(c, o));
	json_object_put(o);
}

static void
expect_mailbox(const struct mailbox_cache *c, const char *account_id,
    const char *id, const char *want)
{
	char *t = mqtttopic_mailbox("p", "acct", account_id, c,
	    mailbox_find(c, id));

	ck_assert_str_eq(t, want);
	free(t);
}

START_TEST(test_mailbox)
{
	struct mailbox_cache c;

	memset(&c, 0, sizeof(c));
	cache_add(&c, "1", "Lists", NULL);
	cache_add(&c, "2", "rust/lang", "1");
	cache_add(&c, "3", "+#", "2");
	cache_add(&c, "4", "loop a", "5");
	cache_add(&c, "5", "loop b", "4");
	cache_add(&c, "6", "orphan", "gone");
	mailbox_cache_paths(&c);
	/* One level per name, built from the parents: a '/' in a name stays
	 * in its level. */
	expect_mailbox(&c, NULL, "1", "p/acct/mailbox/Lists");
	expect_mailbox(&c, NULL, "2", "p/acct/mailbox/Lists/rust%2Flang");
	expect_mailbox(&c, NULL, "3",
	    "p/acct/mailbox/Lists/rust%2Flang/%2B%23");
	/* Another JMAP account of the login gets its id as a level. */
	expect_mailbox(&c, "u/2", "1", "p/acct/u%2F2/mailbox/Lists");
	/* A cycle ends the walk; a missing parent is the top. */
	expect_mailbox(&c, NULL, "4", "p/acct/mailbox/loop b/loop a");
	expect_mailbox(&c, NULL, "6", "p/acct/mailbox/orphan");
	mailbox_cache_clear(&c);
}
END_TEST

START_TEST(test_client_id)
{
	char *a = mqtttopic_client_id("host", "/etc/jmap-pushd/a.conf");
	char *b = mqtttopic_client_id("host", "/etc/jmap-pushd/a.conf");
	char *c = mqtttopic_client_id("host", "/etc/jmap-pushd/b.conf");

	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_int_eq(strncmp(a, "jmap-pushd-host-", 16), 0);
	ck_assert_uint_eq(strlen(a), 16 + 8);
	ck_assert_uint_eq(strspn(a + 16, "0123456789abcdef"), 8);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(test_homeassistant)
{
	char *topic, *p;

	p = mqtttopic_ha_unread("jp", "jmap-pushd-my.host-0badcafe", "home",
	    "jp/home/mailbox/Inbox", &topic);
	ck_assert_str_eq(topic, "homeassistant/sensor/"
	    "jmap-pushd-my_host-0badcafe/home_unread/config");
	ck_assert_str_eq(p, "{\"unique_id\":\"jmap-pushd-my.host-0badcafe_"
	    "home_unread\",\"object_id\":\"jmap-pushd-my_host-0badcafe_home_"
	    "unread\",\"availability_topic\":\"jp/daemon/jmap-pushd-my.host-"
	    "0badcafe/status\",\"payload_available\":\"online\","
	    "\"payload_not_available\":\"offline\",\"device\":{\"identifiers\":"
	    "[\"jmap-pushd-my.host-0badcafe\"],\"name\":\"jmap-pushd "
	    "jmap-pushd-my.host-0badcafe\",\"model\":\"jmap-pushd\"},\"name\":"
	    "\"home unread\",\"state_topic\":\"jp/home/mailbox/Inbox\","
	    "\"value_template\":\"{{ value_json.unread }}\",\"state_class\":"
	    "\"measurement\",\"icon\":\"mdi:email\"}");
	free(topic);
	free(p);
	p = mqtttopic_ha_connection("jp", "c", "we.rk", &topic);
	ck_assert_str_eq(topic,
	    "homeassistant/binary_sensor/c/we_rk_connection/config");
	ck_assert_str_eq(p, "{\"unique_id\":\"c_we.rk_connection\","
	    "\"object_id\":\"c_we_rk_connection\",\"availability_topic\":"
	    "\"jp/daemon/c/status\",\"payload_available\":\"online\","
	    "\"payload_not_available\":\"offline\",\"device\":{\"identifiers\":"
	    "[\"c\"],\"name\":\"jmap-pushd c\",\"model\":\"jmap-pushd\"},"
	    "\"name\":\"we.rk connection\",\"state_topic\":\"jp/we.rk/status\","
	    "\"value_template\":\"{{ 'ON' if value == 'connected' else 'OFF' "
	    "}}\",\"device_class\":\"connectivity\"}");
	free(topic);
	free(p);
}
END_TEST

static Suite *
mqtttopic_suite(void)
{
	Suite *s = suite_create("mqtttopic");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_topics);
	tcase_add_test(tc, test_mailbox);
	tcase_add_test(tc, test_client_id);
	tcase_add_test(tc, test_homeassistant);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(mqtttopic_suite());
}
