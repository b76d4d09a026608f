/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "session/session.h"
#include "util/xmalloc.h"
#include "unit.h"

/* Cyrus 3.x over plain http, as reached after the 301 of /.well-known/jmap:
 * relative URLs everywhere, a host-less "wss:" WebSocket url. */
static const char cyrus[] =
    "{\"capabilities\":{"
    "\"urn:ietf:params:jmap:core\":{\"maxSizeUpload\":1073741824,"
    "\"maxConcurrentUpload\":5,\"maxSizeRequest\":10485760,"
    "\"maxConcurrentRequests\":5,\"maxCallsInRequest\":50,"
    "\"maxObjectsInGet\":4096,\"maxObjectsInSet\":4096,"
    "\"collationAlgorithms\":[]},"
    "\"urn:ietf:params:jmap:mail\":{},"
    "\"urn:ietf:params:jmap:submission\":{},"
    "\"urn:ietf:params:jmap:vacationresponse\":{},"
    "\"urn:ietf:params:jmap:websocket\":{\"url\":\"wss:/jmap/ws/\","
    "\"supportsPush\":true},"
    "\"https://cyrusimap.org/ns/jmap/contacts\":{},"
    "\"https://cyrusimap.org/ns/jmap/calendars\":{}},"
    "\"accounts\":{\"cassandane\":{\"name\":\"cassandane\","
    "\"isPersonal\":true,\"isReadOnly\":false,\"accountCapabilities\":{"
    "\"urn:ietf:params:jmap:core\":{},\"urn:ietf:params:jmap:mail\":{"
    "\"maxMailboxesPerEmail\":20}}},"
    "\"other\":{\"isPersonal\":false,\"isReadOnly\":true,"
    "\"accountCapabilities\":{}}},"
    "\"primaryAccounts\":{\"urn:ietf:params:jmap:mail\":\"cassandane\"},"
    "\"username\":\"cassandane\",\"apiUrl\":\"/jmap/\","
    "\"downloadUrl\":\"/jmap/download/{accountId}/{blobId}/{name}?accept={type}\","
    "\"uploadUrl\":\"/jmap/upload/{accountId}/\","
    "\"eventSourceUrl\":\"/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}\","
    "\"state\":\"0\"}";

/* Stalwart: absolute URLs, every capability, an opaque account id. */
static const char stalwart[] =
    "{\"capabilities\":{\"urn:ietf:params:jmap:core\":{\"maxSizeUpload\":50000000},"
    "\"urn:ietf:params:jmap:mail\":{},\"urn:ietf:params:jmap:submission\":{\"maxDelayedSend\":2592000,\"submissionExtensions\":{}},"
    "\"urn:ietf:params:jmap:vacationresponse\":{},\"urn:ietf:params:jmap:contacts\":{},"
    "\"urn:ietf:params:jmap:calendars\":{},\"urn:ietf:params:jmap:sieve\":{\"implementation\":\"Stalwart v0.10\"},"
    "\"urn:ietf:params:jmap:quota\":{},"
    "\"urn:ietf:params:jmap:websocket\":{\"url\":\"wss://mail.example.org/jmap/ws\",\"supportsPush\":true}},"
    "\"accounts\":{\"d\":{\"name\":\"john@example.org\",\"isPersonal\":true,\"isReadOnly\":false,"
    "\"accountCapabilities\":{\"urn:ietf:params:jmap:mail\":{\"maxMailboxesPerEmail\":null}}}},"
    "\"primaryAccounts\":{\"urn:ietf:params:jmap:mail\":\"d\"},"
    "\"username\":\"john@example.org\",\"apiUrl\":\"https://mail.example.org/jmap/\","
    "\"downloadUrl\":\"https://mail.example.org/jmap/download/{accountId}/{blobId}/{name}?accept={type}\","
    "\"uploadUrl\":\"https://mail.example.org/jmap/upload/{accountId}\","
    "\"eventSourceUrl\":\"https://mail.example.org/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}\","
    "\"state\":\"3e25b2a0\"}\n";

/* Fastmail: no WebSocket, a plain eventSourceUrl, a shared account. */
static const char fastmail[] =
    "{\"username\":\"user@fastmail.com\",\"apiUrl\":\"https://api.fastmail.com/jmap/api/\","
    "\"downloadUrl\":\"https://www.fastmailusercontent.com/jmap/download/{accountId}/{blobId}/{name}?type={type}\","
    "\"uploadUrl\":\"https://api.fastmail.com/jmap/upload/{accountId}/\","
    "\"eventSourceUrl\":\"https://api.fastmail.com/jmap/event/\","
    "\"accounts\":{\"u1a2b3c4\":{\"name\":\"user@fastmail.com\",\"isPersonal\":true,\"isReadOnly\":false,"
    "\"accountCapabilities\":{\"urn:ietf:params:jmap:core\":{},\"urn:ietf:params:jmap:mail\":{},"
    "\"urn:ietf:params:jmap:submission\":{},\"urn:ietf:params:jmap:vacationresponse\":{}}},"
    "\"u9f8e7d6\":{\"name\":\"shared@example.com\",\"isPersonal\":false,\"isReadOnly\":true,"
    "\"accountCapabilities\":{\"urn:ietf:params:jmap:mail\":{}}}},"
    "\"primaryAccounts\":{\"urn:ietf:params:jmap:mail\":\"u1a2b3c4\"},"
    "\"capabilities\":{\"urn:ietf:params:jmap:core\":{},\"urn:ietf:params:jmap:mail\":{},"
    "\"urn:ietf:params:jmap:submission\":{},\"urn:ietf:params:jmap:vacationresponse\":{},"
    "\"https://www.fastmail.com/dev/contacts\":{},\"https://www.fastmail.com/dev/maskedemail\":{}},"
    "\"state\":\"cyrus-12046746;p-5;vfs-0\"}";

/* Apache James: ws://, capabilities only per account. */
static const char james[] =
    "{\"capabilities\":{\"urn:ietf:params:jmap:core\":{},"
    "\"urn:ietf:params:jmap:websocket\":{\"supportsPush\":true,\"url\":\"ws://james.local/jmap/ws\"},"
    "\"urn:apache:james:params:jmap:mail:quota\":{}},"
    "\"accounts\":{\"29883977c13473ae7cb7678ef767cbfbaffc8a44a6e463d971d23a65c1dc4af6\":"
    "{\"name\":\"bob@domain.tld\",\"isPersonal\":true,\"isReadOnly\":false,"
    "\"accountCapabilities\":{\"urn:ietf:params:jmap:core\":{},\"urn:ietf:params:jmap:mail\":{},"
    "\"urn:ietf:params:jmap:vacationresponse\":{}}}},"
    "\"primaryAccounts\":{},\"username\":\"bob@domain.tld\","
    "\"apiUrl\":\"http://james.local/jmap\","
    "\"eventSourceUrl\":\"http://james.local/eventSource?types={types}&closeafter={closeafter}&ping={ping}\","
    "\"state\":\"2c9f1b12-b35a-43e6-9af2-0106fb53a943\"}";

static void
parse_ok(const char *json, const char *url, struct jmap_session *s)
{
	char *err = (char *)"unset";

	ck_assert_int_eq(session_parse(json, strlen(json), url, s, &err), 0);
	ck_assert_ptr_null(err);
}

static void
parse_err(const char *json, size_t len, const char *url, const char *want)
{
	struct jmap_session s;
	char *err = NULL;

	ck_assert_int_eq(session_parse(json, len, url, &s, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(s.api_url);
	ck_assert_ptr_null(s.accounts);
	ck_assert_uint_eq(s.naccounts, 0);
	free(err);
}

static void
check_strings(char **got, size_t n, const char *want)
{
	char buf[1024] = "";

	for (size_t i = 0; i < n; i++) {
		strcat(buf, i > 0 ? " " : "");
		strcat(buf, got[i]);
	}
	ck_assert_str_eq(buf, want);
}

START_TEST(test_cyrus_http)
{
	struct jmap_session s;

	parse_ok(cyrus, "http://localhost:8080/jmap/", &s);
	ck_assert_str_eq(s.api_url, "http://localhost:8080/jmap/");
	ck_assert_str_eq(s.event_source_url, "http://localhost:8080/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}");
	ck_assert_str_eq(s.ws_url, "ws://localhost:8080/jmap/ws/");
	ck_assert(s.ws_supports_push);
	ck_assert_str_eq(s.state, "0");
	ck_assert_str_eq(s.username, "cassandane");
	ck_assert_uint_eq(s.naccounts, 2);
	ck_assert_str_eq(s.accounts[0].id, "cassandane");
	ck_assert_str_eq(s.accounts[0].name, "cassandane");
	ck_assert(s.accounts[0].is_personal);
	ck_assert_str_eq(s.accounts[1].id, "other");
	ck_assert_str_eq(s.accounts[1].name, "other");
	ck_assert(!s.accounts[1].is_personal);
	check_strings(s.push_types, s.npush_types, "Email EmailDelivery "
	    "EmailSubmission Identity Mailbox Thread VacationResponse");
	check_strings(s.capabilities, s.ncapabilities,
	    "https://cyrusimap.org/ns/jmap/calendars "
	    "https://cyrusimap.org/ns/jmap/contacts urn:ietf:params:jmap:core "
	    "urn:ietf:params:jmap:mail urn:ietf:params:jmap:submission "
	    "urn:ietf:params:jmap:vacationresponse urn:ietf:params:jmap:websocket");
	ck_assert_str_eq(session_account_name(&s, "cassandane"), "cassandane");
	ck_assert_str_eq(session_account_name(&s, "other"), "other");
	ck_assert_ptr_null(session_account_name(&s, "nobody"));
	ck_assert_str_eq(s.primary_mail, "cassandane");
	session_clear(&s);
	ck_assert_ptr_null(s.api_url);
	ck_assert_ptr_null(s.primary_mail);
	ck_assert_uint_eq(s.naccounts, 0);
	session_clear(&s);
}
END_TEST

START_TEST(test_cyrus_https)
{
	struct jmap_session s;

	parse_ok(cyrus, "https://mail.example.com/jmap/", &s);
	ck_assert_str_eq(s.api_url, "https://mail.example.com/jmap/");
	ck_assert_str_eq(s.ws_url, "wss://mail.example.com/jmap/ws/");
	session_clear(&s);
	parse_ok(cyrus, "https://[::1]:8443/jmap/", &s);
	ck_assert_str_eq(s.api_url, "https://[::1]:8443/jmap/");
	ck_assert_str_eq(s.ws_url, "wss://[::1]:8443/jmap/ws/");
	session_clear(&s);
}
END_TEST

START_TEST(test_stalwart)
{
	struct jmap_session s;

	parse_ok(stalwart, "https://mail.example.org/jmap/session", &s);
	ck_assert_str_eq(s.api_url, "https://mail.example.org/jmap/");
	ck_assert_str_eq(s.event_source_url, "https://mail.example.org/jmap/eventsource?types={types}&closeafter={closeafter}&ping={ping}");
	ck_assert_str_eq(s.ws_url, "wss://mail.example.org/jmap/ws");
	ck_assert(s.ws_supports_push);
	ck_assert_str_eq(s.state, "3e25b2a0");
	ck_assert_str_eq(s.username, "john@example.org");
	ck_assert_uint_eq(s.naccounts, 1);
	ck_assert_str_eq(s.accounts[0].id, "d");
	ck_assert_str_eq(s.accounts[0].name, "john@example.org");
	ck_assert_str_eq(session_account_name(&s, "d"), "john@example.org");
	check_strings(s.push_types, s.npush_types, "AddressBook Calendar "
	    "CalendarEvent ContactCard Email EmailDelivery EmailSubmission "
	    "Identity Mailbox Thread VacationResponse");
	ck_assert_uint_eq(s.ncapabilities, 9);
	session_clear(&s);
}
END_TEST

START_TEST(test_fastmail)
{
	struct jmap_session s;

	parse_ok(fastmail, "https://api.fastmail.com/jmap/session", &s);
	ck_assert_str_eq(s.api_url, "https://api.fastmail.com/jmap/api/");
	ck_assert_str_eq(s.event_source_url, "https://api.fastmail.com/jmap/event/");
	ck_assert_ptr_null(s.ws_url);
	ck_assert(!s.ws_supports_push);
	ck_assert_str_eq(s.state, "cyrus-12046746;p-5;vfs-0");
	ck_assert_uint_eq(s.naccounts, 2);
	ck_assert_str_eq(session_account_name(&s, "u9f8e7d6"), "shared@example.com");
	ck_assert(s.accounts[0].is_personal);
	ck_assert(!s.accounts[1].is_personal);
	check_strings(s.push_types, s.npush_types, "Email EmailDelivery "
	    "EmailSubmission Identity Mailbox Thread VacationResponse");
	session_clear(&s);
}
END_TEST

START_TEST(test_james)
{
	struct jmap_session s;

	parse_ok(james, "http://james.local/jmap/session", &s);
	ck_assert_str_eq(s.api_url, "http://james.local/jmap");
	ck_assert_str_eq(s.ws_url, "ws://james.local/jmap/ws");
	ck_assert_str_eq(s.event_source_url, "http://james.local/eventSource?types={types}&closeafter={closeafter}&ping={ping}");
	ck_assert_str_eq(s.accounts[0].name, "bob@domain.tld");
	/* An empty primaryAccounts: the personal account with mail. */
	ck_assert_str_eq(s.primary_mail, s.accounts[0].id);
	/* Mail and vacation come from accountCapabilities only. */
	check_strings(s.push_types, s.npush_types,
	    "Email EmailDelivery Mailbox Thread VacationResponse");
	check_strings(s.capabilities, s.ncapabilities,
	    "urn:apache:james:params:jmap:mail:quota urn:ietf:params:jmap:core "
	    "urn:ietf:params:jmap:websocket");
	session_clear(&s);
}
END_TEST

/* The primary mail account: primaryAccounts' even when another personal
 * account with mail comes first; without one, the first personal account
 * with mail; NULL when there is none. */
START_TEST(test_primary_mail)
{
	static const char head[] = "{\"capabilities\":{},\"apiUrl\":\"/api\","
	    "\"accounts\":{\"a\":{\"isPersonal\":false,"
	    "\"accountCapabilities\":{\"urn:ietf:params:jmap:mail\":{}}},"
	    "\"b\":{\"isPersonal\":true,\"accountCapabilities\":{}},"
	    "\"c\":{\"isPersonal\":true,"
	    "\"accountCapabilities\":{\"urn:ietf:params:jmap:mail\":{}}},"
	    "\"d\":{\"isPersonal\":true,"
	    "\"accountCapabilities\":{\"urn:ietf:params:jmap:mail\":{}}}}";
	struct jmap_session s;
	char json[1024];

	snprintf(json, sizeof(json), "%s,\"primaryAccounts\":"
	    "{\"urn:ietf:params:jmap:mail\":\"d\"}}", head);
	parse_ok(json, "http://h/s", &s);
	ck_assert_str_eq(s.primary_mail, "d");
	session_clear(&s);
	snprintf(json, sizeof(json), "%s,\"primaryAccounts\":"
	    "{\"urn:ietf:params:jmap:mail\":7}}", head);
	parse_ok(json, "http://h/s", &s);
	ck_assert_str_eq(s.primary_mail, "c");
	session_clear(&s);
	parse_ok("{\"capabilities\":{},\"apiUrl\":\"/api\",\"accounts\":"
	    "{\"a\":{\"isPersonal\":false,\"accountCapabilities\":"
	    "{\"urn:ietf:params:jmap:mail\":{}}}}}", "http://h/s", &s);
	ck_assert_ptr_null(s.primary_mail);
	session_clear(&s);
}
END_TEST

/* What an https account refuses: every URL it would send credentials to
 * in clear, whatever the Session over TLS says. */
START_TEST(test_plain_urls)
{
	static const struct {
		const char *json, *session_url, *want, *what;
	} cases[] = {
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"/api\"}", "https://h/s", NULL, NULL },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"HTTP://h/api\"}", "https://h/s", "http://h/api", "apiUrl" },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"/api\",\"eventSourceUrl\":\"http://h/es?t={types}\"}", "https://h/s", "http://h/es?t={types}", "eventSourceUrl" },
		{ "{\"capabilities\":{\"urn:ietf:params:jmap:websocket\":{\"url\":\"ws://h/ws\"}},\"accounts\":{},\"apiUrl\":\"/api\"}", "https://h/s", "ws://h/ws", "the WebSocket url" },
		{ "{\"capabilities\":{\"urn:ietf:params:jmap:websocket\":{\"url\":\"wss:/ws\"}},\"accounts\":{},\"apiUrl\":\"/api\",\"eventSourceUrl\":\"/es\"}", "https://h/s", NULL, NULL },
		/* As the user typed the URL: the scheme in capitals. */
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"/api\"}", "HTTP://h/s", "http://h/api", "apiUrl" },
		/* Cyrus over plain http: all of it is plain, as the account. */
		{ cyrus, "http://localhost:8080/jmap/", "http://localhost:8080/jmap/", "apiUrl" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jmap_session s;
		const char *what = "unset", *got;

		parse_ok(cases[i].json, cases[i].session_url, &s);
		got = session_plain_url(&s, &what);
		if (cases[i].want == NULL) {
			ck_assert_msg(got == NULL, "case %zu: %s", i, got);
			ck_assert_ptr_null(what);
		} else {
			ck_assert_msg(got != NULL, "case %zu", i);
			ck_assert_str_eq(got, cases[i].want);
			ck_assert_str_eq(what, cases[i].what);
		}
		session_clear(&s);
	}
}
END_TEST

static char *
with_ws(const char *ws)
{
	char *r;

	xasprintf(&r, "{\"capabilities\":{\"urn:ietf:params:jmap:websocket\":"
	    "%s},\"accounts\":{},\"apiUrl\":\"/api\"}", ws);
	return r;
}

START_TEST(test_ws_urls)
{
	static const struct {
		const char *cap, *session_url, *want;
		bool push;
	} cases[] = {
		{ "{\"url\":\"wss:/jmap/ws/\"}", "http://h/jmap/", "ws://h/jmap/ws/", false },
		{ "{\"url\":\"wss:/jmap/ws/\",\"supportsPush\":false}", "https://h/", "wss://h/jmap/ws/", false },
		{ "{\"url\":\"wss:/jmap/ws/\",\"supportsPush\":\"yes\"}", "https://h/", "wss://h/jmap/ws/", false },
		{ "{\"url\":\"/ws\",\"supportsPush\":true}", "https://h:8443/s", "wss://h:8443/ws", true },
		{ "{\"url\":\"/ws\"}", "http://h:8080/s", "ws://h:8080/ws", false },
		{ "{\"url\":\"ws\"}", "http://h:8080/jmap/session", "ws://h:8080/jmap/ws", false },
		{ "{\"url\":\"https://h/ws\"}", "https://h/", "wss://h/ws", false },
		{ "{\"url\":\"http://h/ws\"}", "https://h/", "ws://h/ws", false },
		/* https names the http Session's own host and port: Cyrus again. */
		{ "{\"url\":\"https://h:8080/ws\"}", "http://h:8080/", "ws://h:8080/ws", false },
		{ "{\"url\":\"wss://h:8080/ws\"}", "http://h:8080/", "ws://h:8080/ws", false },
		/* Another host (or port) really is TLS. */
		{ "{\"url\":\"wss://push.example.com/ws\"}", "http://h/", "wss://push.example.com/ws", false },
		{ "{\"url\":\"wss://h/ws\"}", "http://h:8080/", "wss://h/ws", false },
		{ "{\"url\":\"ws://h/ws\"}", "https://h/", "ws://h/ws", false },
		{ "{\"url\":\"WSS://H/ws\"}", "https://h/", "wss://H/ws", false },
		{ "{\"url\":\"//other/ws\"}", "https://h/", "wss://other/ws", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct jmap_session s;
		char *json = with_ws(cases[i].cap);

		parse_ok(json, cases[i].session_url, &s);
		ck_assert_msg(s.ws_url != NULL, "case %zu", i);
		ck_assert_str_eq(s.ws_url, cases[i].want);
		ck_assert_int_eq(s.ws_supports_push, cases[i].push);
		ck_assert_uint_eq(s.npush_types, 0);
		session_clear(&s);
		free(json);
	}
}
END_TEST

START_TEST(test_ws_bad)
{
	static const struct {
		const char *cap, *want;
	} cases[] = {
		{ "true", "session: capability urn:ietf:params:jmap:websocket is not an object" },
		{ "[]", "session: capability urn:ietf:params:jmap:websocket is not an object" },
		{ "{}", "session: WebSocket url is not a string" },
		{ "{\"url\":null}", "session: WebSocket url is not a string" },
		{ "{\"url\":42}", "session: WebSocket url is not a string" },
		{ "{\"url\":\"ftp://h/ws\"}", "session: WebSocket url 'ftp://h/ws' is not a valid URL" },
		{ "{\"url\":\"wss://user@h/ws\"}", "session: WebSocket url 'wss://user@h/ws' is not a valid URL" },
		{ "{\"url\":\"wss://h/a b\"}", "session: WebSocket url 'wss://h/a b' is not a valid URL" },
		{ "{\"url\":\"wss://h/\\r\\n\"}", "session: WebSocket url 'wss://h/?" "?' is not a valid URL" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *json = with_ws(cases[i].cap);

		parse_err(json, strlen(json), "https://h/", cases[i].want);
		free(json);
	}
}
END_TEST

START_TEST(test_hostile)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "", "session: truncated JSON" },
		{ "{", "session: truncated JSON" },
		{ "[]", "session: not a JSON object" },
		{ "\"x\"", "session: not a JSON object" },
		{ "null", "session: not a JSON object" },
		{ "{\"a\":}", "session: invalid JSON at offset 5" },
		{ "{} x", "session: invalid JSON at offset 3" },
		{ "{}{}", "session: invalid JSON at offset 2" },
		{ "{}", "session: capabilities is missing" },
		{ "{\"capabilities\":null}", "session: capabilities is missing" },
		{ "{\"capabilities\":[]}", "session: capabilities is not an object" },
		{ "{\"capabilities\":{}}", "session: accounts is missing" },
		{ "{\"capabilities\":{},\"accounts\":[]}", "session: accounts is not an object" },
		{ "{\"capabilities\":{},\"accounts\":{\"u1\":\"x\"}}", "session: account u1 is not an object" },
		{ "{\"capabilities\":{},\"accounts\":{\"u\\u0001\":[]}}", "session: account u? is not an object" },
		{ "{\"capabilities\":{},\"accounts\":{\"\":{}}}", "session: an account has an empty id" },
		{ "{\"capabilities\":{},\"accounts\":{}}", "session: apiUrl is missing" },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":5}", "session: apiUrl is not a string" },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":{}}", "session: apiUrl is not a string" },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"/a\\u0000b\"}", "session: apiUrl is not a string" },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"ftp://h/\"}", "session: apiUrl 'ftp://h/' is not a valid http(s) URL" },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"wss:/jmap/\"}", "session: apiUrl 'wss:/jmap/' is not a valid http(s) URL" },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"/\\u0007\"}", "session: apiUrl '/?' is not a valid http(s) URL" },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"/\",\"eventSourceUrl\":[]}", "session: eventSourceUrl is not a string" },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"/\",\"eventSourceUrl\":\"ws://h/\"}", "session: eventSourceUrl 'ws://h/' is not a valid http(s) URL" },
		{ "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"https://" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" "@h/\"}",
		  "session: apiUrl 'https://xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not a valid http(s) URL" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_err(cases[i].json, strlen(cases[i].json), "https://h/",
		    cases[i].want);
	parse_err("{}\0", 3, "https://h/", "session: invalid JSON at offset 2");
	parse_err("{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"/\"}", 44,
	    "/relative", "session: the session URL is not a valid URL");
}
END_TEST

START_TEST(test_lenient)
{
	struct jmap_session s;
	const char *json = " {\"capabilities\":{},\"accounts\":{"
	    "\"a\":{\"name\":42,\"isPersonal\":\"true\"},\"b\":{\"name\":\"\"},"
	    "\"c\":{\"name\":null,\"accountCapabilities\":[]}},"
	    "\"apiUrl\":\"/api\",\"eventSourceUrl\":null,\"state\":7,"
	    "\"username\":[],\"future\":{\"deep\":[1,2,3]}}\r\n\t ";

	parse_ok(json, "https://h/s", &s);
	ck_assert_str_eq(s.api_url, "https://h/api");
	ck_assert_ptr_null(s.event_source_url);
	ck_assert_ptr_null(s.ws_url);
	ck_assert_ptr_null(s.state);
	ck_assert_ptr_null(s.username);
	ck_assert_uint_eq(s.naccounts, 3);
	ck_assert_str_eq(session_account_name(&s, "a"), "a");
	ck_assert_str_eq(session_account_name(&s, "b"), "b");
	ck_assert_str_eq(session_account_name(&s, "c"), "c");
	ck_assert(!s.accounts[0].is_personal);
	ck_assert_uint_eq(s.npush_types, 0);
	ck_assert_uint_eq(s.ncapabilities, 0);
	session_clear(&s);
}
END_TEST

START_TEST(test_too_large)
{
	size_t len = SESSION_MAX_LEN + 1;
	char *big = xmalloc(len);

	memset(big, ' ', len);
	parse_err(big, len, "https://h/",
	    "session: document too large (4194305 bytes, at most 4194304)");
	free(big);
}
END_TEST

static char *
accounts_doc(size_t n)
{
	size_t cap = n * 16 + 128, len;
	char *json = xmalloc(cap);

	len = (size_t)snprintf(json, cap, "{\"capabilities\":{},\"apiUrl\":\"/\",\"accounts\":{");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(json + len, cap - len, "%s\"a%zu\":{}",
		    i > 0 ? "," : "", i);
	snprintf(json + len, cap - len, "}}");
	return json;
}

START_TEST(test_many_accounts)
{
	struct jmap_session s;
	char *json = accounts_doc(SESSION_MAX_ACCOUNTS);

	parse_ok(json, "https://h/", &s);
	ck_assert_uint_eq(s.naccounts, SESSION_MAX_ACCOUNTS);
	ck_assert_str_eq(session_account_name(&s, "a9999"), "a9999");
	session_clear(&s);
	free(json);
	json = accounts_doc(SESSION_MAX_ACCOUNTS + 1);
	parse_err(json, strlen(json), "https://h/",
	    "session: too many accounts (10001, at most 10000)");
	free(json);
}
END_TEST

static char *
nested_doc(int depth)
{
	char *json, *p;

	p = json = xmalloc((size_t)depth * 2 + 128);
	p += sprintf(p, "{\"capabilities\":{},\"accounts\":{},\"apiUrl\":\"/\",\"x\":");
	for (int i = 0; i < depth; i++)
		*p++ = '[';
	for (int i = 0; i < depth; i++)
		*p++ = ']';
	strcpy(p, "}");
	return json;
}

START_TEST(test_deep)
{
	struct jmap_session s;
	char *json = nested_doc(SESSION_MAX_DEPTH - 1);

	parse_ok(json, "https://h/", &s);
	session_clear(&s);
	free(json);
	json = nested_doc(SESSION_MAX_DEPTH);
	parse_err(json, strlen(json), "https://h/",
	    "session: JSON nested deeper than 64 levels");
	free(json);
	json = nested_doc(100000);
	parse_err(json, strlen(json), "https://h/",
	    "session: JSON nested deeper than 64 levels");
	free(json);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cyrus_http);
	tcase_add_test(tc, test_cyrus_https);
	tcase_add_test(tc, test_stalwart);
	tcase_add_test(tc, test_fastmail);
	tcase_add_test(tc, test_james);
	tcase_add_test(tc, test_primary_mail);
	tcase_add_test(tc, test_ws_urls);
	tcase_add_test(tc, test_plain_urls);
	tcase_add_test(tc, test_ws_bad);
	tcase_add_test(tc, test_hostile);
	tcase_add_test(tc, test_lenient);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_many_accounts);
	tcase_add_test(tc, test_deep);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(session_suite());
}
