/* SPDX-License-Identifier: ISC */
/* The close policy, row by row: what each way a connection attempt ends
 * means for the account's status, its wait, and what the user reads. */
#include "autoconf.h"

#include <check.h>
#include <stdlib.h>

#include "session/closepolicy.h"
#include "unit.h"

#define WS	CLOSEPOLICY_WEBSOCKET
#define ES	CLOSEPOLICY_EVENTSOURCE
#define SES	CLOSEPOLICY_SESSION

#define CONNECTING	ACCOUNT_CONNECTING
#define BACKOFF		ACCOUNT_BACKOFF
#define AUTH_FAILED	ACCOUNT_AUTH_FAILED
#define DISABLED	ACCOUNT_DISABLED

#define NOW	CLOSEPOLICY_NOW
#define GROW	CLOSEPOLICY_GROW
#define MAX	CLOSEPOLICY_MAX

/* Flags of a decision, compared as one number. */
#define FALL_BACK	1
#define AUTH_RETRY	2
#define FORGET_AUTH	4
#define KEEP_SESSION	8

#define SESSION_URL	"https://jmap.example/.well-known/jmap"

static const struct row {
	const char *name;
	struct closepolicy_in in;
	enum account_status status;
	enum closepolicy_wait wait;
	uint64_t floor_ms;
	enum closepolicy_msg msg;
	int flags;
	const char *text;
} rows[] = {
	/* Clean closes by the server: a long-lived connection reconnects
	 * at once (an idle timeout, a restart) with the Session it has, a
	 * short-lived one backs off and fetches the Session again, whatever
	 * the code. */
	{ "1000 long-lived", { .step = WS, .close_code = 1000,
	    .was_established = true, .long_lived = true },
	    CONNECTING, NOW, 0, CLOSEPOLICY_MSG_CLOSED, KEEP_SESSION,
	    "the server closed the connection (code 1000)" },
	{ "1000 short-lived", { .step = WS, .close_code = 1000,
	    .was_established = true },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_CLOSED_SOON, 0,
	    "the server closed the connection (code 1000) soon after it "
	    "opened" },
	{ "1001 long-lived", { .step = WS, .close_code = 1001,
	    .was_established = true, .long_lived = true },
	    CONNECTING, NOW, 0, CLOSEPOLICY_MSG_CLOSED, KEEP_SESSION,
	    "the server closed the connection (code 1001)" },
	{ "1001 short-lived", { .step = WS, .close_code = 1001,
	    .was_established = true },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_CLOSED_SOON, 0,
	    "the server closed the connection (code 1001) soon after it "
	    "opened" },
	{ "1011 long-lived", { .step = WS, .close_code = 1011,
	    .was_established = true, .long_lived = true },
	    CONNECTING, NOW, 0, CLOSEPOLICY_MSG_CLOSED, KEEP_SESSION,
	    "the server closed the connection (code 1011)" },
	{ "1011 short-lived", { .step = WS, .close_code = 1011,
	    .was_established = true },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_CLOSED_SOON, 0,
	    "the server closed the connection (code 1011) soon after it "
	    "opened" },
	{ "event stream ended, long-lived", { .step = ES,
	    .was_established = true, .long_lived = true },
	    CONNECTING, NOW, 0, CLOSEPOLICY_MSG_CLOSED, KEEP_SESSION,
	    "the server closed the event stream" },
	{ "event stream ended, short-lived", { .step = ES,
	    .was_established = true },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_CLOSED_SOON, 0,
	    "the server closed the event stream soon after it opened" },

	/* 401/403: the first reads the credentials again at once, the
	 * second needs the user.  Both forget the refresh credentials. */
	{ "Session 401 once", { .step = SES, .http_status = 401,
	    .url = SESSION_URL },
	    CONNECTING, NOW, 0, CLOSEPOLICY_MSG_AUTH_AGAIN,
	    AUTH_RETRY | FORGET_AUTH,
	    "the server rejected the credentials for the Session (HTTP 401); "
	    "reading them again" },
	{ "Session 401 twice", { .step = SES, .http_status = 401,
	    .auth_retried = true, .url = SESSION_URL },
	    AUTH_FAILED, MAX, 0, CLOSEPOLICY_MSG_AUTH_FAILED, FORGET_AUTH,
	    "the server rejected the credentials for the Session (HTTP 401); "
	    "check username and the password or token setting, then send "
	    "SIGHUP or run jmap-pushctl reconnect" },
	{ "Session 403 once", { .step = SES, .http_status = 403,
	    .url = SESSION_URL },
	    CONNECTING, NOW, 0, CLOSEPOLICY_MSG_AUTH_AGAIN,
	    AUTH_RETRY | FORGET_AUTH,
	    "the server rejected the credentials for the Session (HTTP 403); "
	    "reading them again" },
	{ "Session 403 twice", { .step = SES, .http_status = 403,
	    .auth_retried = true, .url = SESSION_URL },
	    AUTH_FAILED, MAX, 0, CLOSEPOLICY_MSG_AUTH_FAILED, FORGET_AUTH,
	    "the server rejected the credentials for the Session (HTTP 403); "
	    "check username and the password or token setting, then send "
	    "SIGHUP or run jmap-pushctl reconnect" },
	{ "WebSocket 401 once", { .step = WS, .http_status = 401,
	    .error = "server refused the WebSocket upgrade with HTTP 401" },
	    CONNECTING, NOW, 0, CLOSEPOLICY_MSG_AUTH_AGAIN,
	    AUTH_RETRY | FORGET_AUTH,
	    "the server rejected the credentials for the WebSocket (HTTP "
	    "401); reading them again" },
	{ "WebSocket 403 twice", { .step = WS, .http_status = 403,
	    .auth_retried = true,
	    .error = "server refused the WebSocket upgrade with HTTP 403" },
	    AUTH_FAILED, MAX, 0, CLOSEPOLICY_MSG_AUTH_FAILED, FORGET_AUTH,
	    "the server rejected the credentials for the WebSocket (HTTP "
	    "403); check username and the password or token setting, then "
	    "send SIGHUP or run jmap-pushctl reconnect" },
	{ "event stream 401 once", { .step = ES, .http_status = 401,
	    .error = "HTTP 401" },
	    CONNECTING, NOW, 0, CLOSEPOLICY_MSG_AUTH_AGAIN,
	    AUTH_RETRY | FORGET_AUTH,
	    "the server rejected the credentials for the event stream (HTTP "
	    "401); reading them again" },
	{ "event stream 403 twice", { .step = ES, .http_status = 403,
	    .auth_retried = true, .error = "HTTP 403" },
	    AUTH_FAILED, MAX, 0, CLOSEPOLICY_MSG_AUTH_FAILED, FORGET_AUTH,
	    "the server rejected the credentials for the event stream (HTTP "
	    "403); check username and the password or token setting, then "
	    "send SIGHUP or run jmap-pushctl reconnect" },

	/* 404: no Session there is for the user to fix; a WebSocket
	 * endpoint missing falls back to the event stream when it may. */
	{ "Session 404", { .step = SES, .http_status = 404,
	    .url = SESSION_URL },
	    DISABLED, MAX, 0, CLOSEPOLICY_MSG_SESSION_404, 0,
	    "the Session URL " SESSION_URL " answered HTTP 404: there is no "
	    "JMAP Session there; set url = to the server's host name (for "
	    "autodiscovery) or to its Session URL, then send SIGHUP or run "
	    "jmap-pushctl reconnect" },
	{ "WebSocket 404, auto with eventSourceUrl", { .step = WS,
	    .http_status = 404, .can_fall_back = true,
	    .error = "server refused the WebSocket upgrade with HTTP 404" },
	    CONNECTING, NOW, 0, CLOSEPOLICY_MSG_FALL_BACK, FALL_BACK,
	    "the WebSocket endpoint answered HTTP 404; falling back to "
	    "EventSource" },
	{ "WebSocket 400, auto with eventSourceUrl", { .step = WS,
	    .http_status = 400, .can_fall_back = true,
	    .error = "server refused the WebSocket upgrade with HTTP 400" },
	    CONNECTING, NOW, 0, CLOSEPOLICY_MSG_FALL_BACK, FALL_BACK,
	    "the WebSocket endpoint answered HTTP 400; falling back to "
	    "EventSource" },
	{ "WebSocket 404, no fallback", { .step = WS, .http_status = 404,
	    .error = "server refused the WebSocket upgrade with HTTP 404" },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, 0,
	    "server refused the WebSocket upgrade with HTTP 404" },
	{ "event stream 404", { .step = ES, .http_status = 404,
	    .can_fall_back = true, .error = "HTTP 404" },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, 0, "HTTP 404" },

	/* 429/503: Retry-After is the floor of the wait, when it says
	 * something; other statuses do not get one. */
	{ "Session 429 with Retry-After", { .step = SES, .http_status = 429,
	    .retry_after = "120", .url = SESSION_URL },
	    BACKOFF, GROW, 120000, CLOSEPOLICY_MSG_SESSION_HTTP, 0,
	    "session request to " SESSION_URL " failed with HTTP 429" },
	{ "Session 429 without Retry-After", { .step = SES,
	    .http_status = 429, .url = SESSION_URL },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_SESSION_HTTP, 0,
	    "session request to " SESSION_URL " failed with HTTP 429" },
	{ "Session 503 with an HTTP-date Retry-After", { .step = SES,
	    .http_status = 503, .retry_after = "Sun, 06 Nov 1994 08:49:37 GMT",
	    .now = 784111747, .url = SESSION_URL },
	    BACKOFF, GROW, 30000, CLOSEPOLICY_MSG_SESSION_HTTP, 0,
	    "session request to " SESSION_URL " failed with HTTP 503" },
	{ "Session 503 without Retry-After", { .step = SES,
	    .http_status = 503, .url = SESSION_URL },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_SESSION_HTTP, 0,
	    "session request to " SESSION_URL " failed with HTTP 503" },
	{ "Session 500 ignores Retry-After", { .step = SES,
	    .http_status = 500, .retry_after = "120", .url = SESSION_URL },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_SESSION_HTTP, 0,
	    "session request to " SESSION_URL " failed with HTTP 500" },
	{ "WebSocket 503 with Retry-After", { .step = WS,
	    .http_status = 503, .retry_after = "7",
	    .error = "server refused the WebSocket upgrade with HTTP 503" },
	    BACKOFF, GROW, 7000, CLOSEPOLICY_MSG_ERROR, 0,
	    "server refused the WebSocket upgrade with HTTP 503" },
	{ "WebSocket 503 without Retry-After", { .step = WS,
	    .http_status = 503,
	    .error = "server refused the WebSocket upgrade with HTTP 503" },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, 0,
	    "server refused the WebSocket upgrade with HTTP 503" },
	{ "event stream 429 with Retry-After", { .step = ES,
	    .http_status = 429, .retry_after = "60", .error = "HTTP 429" },
	    BACKOFF, GROW, 60000, CLOSEPOLICY_MSG_ERROR, 0, "HTTP 429" },
	{ "event stream 429 without Retry-After", { .step = ES,
	    .http_status = 429, .error = "HTTP 429" },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, 0, "HTTP 429" },

	/* TLS: a certificate does not fix itself in seconds. */
	{ "Session TLS failure", { .step = SES, .tls_failed = true,
	    .error = "certificate verify failed", .url = SESSION_URL },
	    BACKOFF, MAX, 0, CLOSEPOLICY_MSG_ERROR, 0,
	    "session request failed: certificate verify failed" },
	{ "WebSocket TLS failure", { .step = WS, .tls_failed = true,
	    .error = "certificate verify failed" },
	    BACKOFF, MAX, 0, CLOSEPOLICY_MSG_ERROR, 0,
	    "certificate verify failed" },
	{ "event stream that is not one", { .step = ES,
	    .wrong_content_type = true, .http_status = 200,
	    .error = "not an event stream (text/html)" },
	    BACKOFF, MAX, 0, CLOSEPOLICY_MSG_ERROR, 0,
	    "not an event stream (text/html)" },

	/* DNS, ping timeout, max_frame, garbage: passing failures.  Without
	 * an HTTP answer the channel's Session stays good. */
	{ "Session DNS failure", { .step = SES,
	    .error = "cannot resolve jmap.example: no such host",
	    .url = SESSION_URL },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, 0,
	    "session request failed: cannot resolve jmap.example: no such "
	    "host" },
	{ "WebSocket DNS failure", { .step = WS,
	    .error = "cannot resolve jmap.example: no such host" },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, KEEP_SESSION,
	    "cannot resolve jmap.example: no such host" },
	{ "WebSocket connection refused", { .step = WS,
	    .error = "connection refused" },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, KEEP_SESSION,
	    "connection refused" },
	{ "event stream reset", { .step = ES, .was_established = true,
	    .long_lived = true, .error = "connection reset by peer" },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, KEEP_SESSION,
	    "connection reset by peer" },
	{ "ping timeout", { .step = WS, .was_established = true,
	    .long_lived = true,
	    .error = "no answer to a ping within 10.0s; the connection is "
	    "dead" },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, KEEP_SESSION,
	    "no answer to a ping within 10.0s; the connection is dead" },
	{ "max_frame", { .step = WS, .was_established = true,
	    .error = "message larger than max_frame (1024 bytes)" },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, KEEP_SESSION,
	    "message larger than max_frame (1024 bytes)" },
	{ "garbage", { .step = WS, .was_established = true,
	    .error = "malformed frame from the server" },
	    BACKOFF, GROW, 0, CLOSEPOLICY_MSG_ERROR, KEEP_SESSION,
	    "malformed frame from the server" },

	/* A redirect not followed: the address is wrong, ask the user. */
	{ "Session redirect refused", { .step = SES,
	    .redirect_refused = true, .http_status = 301,
	    .error = "redirect to http://jmap.example/ refused",
	    .url = SESSION_URL },
	    DISABLED, MAX, 0, CLOSEPOLICY_MSG_REDIRECT, 0,
	    "session request failed: redirect to http://jmap.example/ "
	    "refused; if you trust that address, set url = to it, then send "
	    "SIGHUP or run jmap-pushctl reconnect" },
	{ "event stream redirect refused", { .step = ES,
	    .redirect_refused = true, .http_status = 302,
	    .error = "redirect to http://jmap.example/ refused" },
	    DISABLED, MAX, 0, CLOSEPOLICY_MSG_REDIRECT, 0,
	    "event stream request failed: redirect to http://jmap.example/ "
	    "refused; ask the server's administrator to fix it, then send "
	    "SIGHUP or run jmap-pushctl reconnect" },
	{ "WebSocket redirect refused", { .step = WS,
	    .redirect_refused = true, .http_status = 302,
	    .error = "redirect refused" },
	    DISABLED, MAX, 0, CLOSEPOLICY_MSG_REDIRECT, 0,
	    "WebSocket request failed: redirect refused; ask the server's "
	    "administrator to fix it, then send SIGHUP or run jmap-pushctl "
	    "reconnect" },
};

START_TEST(test_row)
{
	const struct row *r = &rows[_i];
	struct closepolicy_decision d;
	char *text;
	int flags;

	closepolicy_decide(&r->in, &d);
	flags = (d.fall_back ? FALL_BACK : 0) |
	    (d.auth_retry ? AUTH_RETRY : 0) |
	    (d.forget_auth ? FORGET_AUTH : 0) |
	    (d.keep_session ? KEEP_SESSION : 0);
	ck_assert_msg(d.status == r->status, "%s: status %d", r->name,
	    d.status);
	ck_assert_msg(d.wait == r->wait, "%s: wait %d", r->name, d.wait);
	ck_assert_msg(d.floor_ms == r->floor_ms, "%s: floor %llu", r->name,
	    (unsigned long long)d.floor_ms);
	ck_assert_msg(d.msg == r->msg, "%s: msg %d", r->name, d.msg);
	ck_assert_msg(flags == r->flags, "%s: flags %d", r->name, flags);
	text = closepolicy_message(&r->in, &d);
	ck_assert_msg(strcmp(text, r->text) == 0, "%s: \"%s\"", r->name,
	    text);
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("closepolicy");
	TCase *tc = tcase_create("table");

	tcase_add_loop_test(tc, test_row, 0, sizeof(rows) / sizeof(rows[0]));
	suite_add_tcase(s, tc);
	return unit_run(s);
}
