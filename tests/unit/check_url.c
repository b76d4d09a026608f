/* SPDX-License-Identifier: ISC */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "session/jmapurl.h"
#include "transport/url.h"
#include "unit.h"

static const struct {
	const char *in;
	const char *scheme, *host;
	int port;
	const char *path;
	bool tls;
	const char *authority;
} parse_ok[] = {
	{ "https://jmap.example.com/.well-known/jmap", "https", "jmap.example.com", 443, "/.well-known/jmap", true, "jmap.example.com:443" },
	{ "http://127.0.0.1:8080/jmap/session", "http", "127.0.0.1", 8080, "/jmap/session", false, "127.0.0.1:8080" },
	{ "ws://h/", "ws", "h", 80, "/", false, "h:80" },
	{ "wss://h:8443/jmap/ws/", "wss", "h", 8443, "/jmap/ws/", true, "h:8443" },
	{ "HTTPS://Example.COM/Path/X", "https", "example.com", 443, "/Path/X", true, "example.com:443" },
	{ "WsS://h", "wss", "h", 443, "/", true, "h:443" },
	{ "https://h", "https", "h", 443, "/", true, "h:443" },
	{ "https://h?x=1", "https", "h", 443, "/?x=1", true, "h:443" },
	{ "https://h/p?types=*&ping=30", "https", "h", 443, "/p?types=*&ping=30", true, "h:443" },
	{ "https://h/p#frag", "https", "h", 443, "/p", true, "h:443" },
	{ "https://h#frag", "https", "h", 443, "/", true, "h:443" },
	{ "https://h/p?q#f", "https", "h", 443, "/p?q", true, "h:443" },
	{ "https://[::1]/jmap", "https", "::1", 443, "/jmap", true, "[::1]:443" },
	{ "http://[2001:db8::7]:8080", "http", "2001:db8::7", 8080, "/", false, "[2001:db8::7]:8080" },
	{ "http://[::ffff:127.0.0.1]:1/", "http", "::ffff:127.0.0.1", 1, "/", false, "[::ffff:127.0.0.1]:1" },
	{ "https://h:65535/", "https", "h", 65535, "/", true, "h:65535" },
	{ "https://h:/x", "https", "h", 443, "/x", true, "h:443" },
	{ "https://h:00080/x", "https", "h", 80, "/x", true, "h:80" },
	{ "https://my-host_1.example~/x", "https", "my-host_1.example~", 443, "/x", true, "my-host_1.example~:443" },
};

START_TEST(test_parse_ok)
{
	struct url u;
	char *a;

	ck_assert_int_eq(url_parse(parse_ok[_i].in, &u), 0);
	ck_assert_str_eq(u.scheme, parse_ok[_i].scheme);
	ck_assert_str_eq(u.host, parse_ok[_i].host);
	ck_assert_int_eq(u.port, parse_ok[_i].port);
	ck_assert_str_eq(u.path, parse_ok[_i].path);
	ck_assert_int_eq(u.tls, parse_ok[_i].tls);
	a = url_authority(&u);
	ck_assert_str_eq(a, parse_ok[_i].authority);
	free(a);
	url_clear(&u);
	ck_assert_ptr_null(u.scheme);
	ck_assert_ptr_null(u.host);
	ck_assert_ptr_null(u.path);
}
END_TEST

static const char *const parse_bad[] = {
	"",
	"jmap.example.com",
	"/relative/path",
	"//host/path",
	"ftp://h/",
	"mailto:user@example.com",
	"https:/jmap/ws/",
	"https:h/x",
	"https://",
	"https:///path",
	"https://user@h/",
	"https://user:pass@h/",
	"https://@h/",
	"https://h:0/",
	"https://h:65536/",
	"https://h:123456/",
	"https://h:80a/",
	"https://h:-1/",
	"https://h: 80/",
	"https://h h/",
	"https://h/a b",
	"https://h/a\tb",
	"https://h/a\r\nX-Injected: 1",
	"https://h/\x7f",
	"https://h\xc3\xa9/",
	"https://[::1/",
	"https://[::1]x/",
	"https://[zz::1]/",
	"https://[]/",
	"https://::1/",
	"https://h%41/",
	"https://h,i/",
	"1https://h/",
	"https//h/",
	"ht tps://h/",
};

START_TEST(test_parse_bad)
{
	struct url u;

	memset(&u, 0xa5, sizeof(u));
	ck_assert_msg(url_parse(parse_bad[_i], &u) == -1, "accepted '%s'",
	    parse_bad[_i]);
	ck_assert_ptr_null(u.scheme);
	ck_assert_ptr_null(u.host);
	ck_assert_ptr_null(u.path);
	ck_assert_int_eq(u.port, 0);
}
END_TEST

/* RFC 3986 section 5.4.1 (all normal examples) and 5.4.2 (abnormal). */
static const struct {
	const char *ref, *want;
} rfc_examples[] = {
	{ "g:h", "g:h" },
	{ "g", "http://a/b/c/g" },
	{ "./g", "http://a/b/c/g" },
	{ "g/", "http://a/b/c/g/" },
	{ "/g", "http://a/g" },
	{ "//g", "http://g" },
	{ "?y", "http://a/b/c/d;p?y" },
	{ "g?y", "http://a/b/c/g?y" },
	{ "#s", "http://a/b/c/d;p?q#s" },
	{ "g#s", "http://a/b/c/g#s" },
	{ "g?y#s", "http://a/b/c/g?y#s" },
	{ ";x", "http://a/b/c/;x" },
	{ "g;x", "http://a/b/c/g;x" },
	{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
	{ "", "http://a/b/c/d;p?q" },
	{ ".", "http://a/b/c/" },
	{ "./", "http://a/b/c/" },
	{ "..", "http://a/b/" },
	{ "../", "http://a/b/" },
	{ "../g", "http://a/b/g" },
	{ "../..", "http://a/" },
	{ "../../", "http://a/" },
	{ "../../g", "http://a/g" },
	{ "../../../g", "http://a/g" },
	{ "../../../../g", "http://a/g" },
	{ "/./g", "http://a/g" },
	{ "/../g", "http://a/g" },
	{ "g.", "http://a/b/c/g." },
	{ ".g", "http://a/b/c/.g" },
	{ "g..", "http://a/b/c/g.." },
	{ "..g", "http://a/b/c/..g" },
	{ "./../g", "http://a/b/g" },
	{ "./g/.", "http://a/b/c/g/" },
	{ "g/./h", "http://a/b/c/g/h" },
	{ "g/../h", "http://a/b/c/h" },
	{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
	{ "g;x=1/../y", "http://a/b/c/y" },
	{ "g?y/./x", "http://a/b/c/g?y/./x" },
	{ "g?y/../x", "http://a/b/c/g?y/../x" },
	{ "g#s/./x", "http://a/b/c/g#s/./x" },
	{ "g#s/../x", "http://a/b/c/g#s/../x" },
	/* A same-scheme ref without authority: the non-strict reading, which
	 * is also what the Cyrus quirk needs. */
	{ "http:g", "http://a/b/c/g" },
};

START_TEST(test_resolve_rfc)
{
	char *r = url_resolve("http://a/b/c/d;p?q", rfc_examples[_i].ref);

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r, rfc_examples[_i].want);
	free(r);
}
END_TEST

static const struct {
	const char *base, *ref, *want;
} resolve_cases[] = {
	/* Cyrus: a scheme but no authority takes host and port from base. */
	{ "http://localhost:8080/jmap/", "wss:/jmap/ws/", "wss://localhost:8080/jmap/ws/" },
	{ "https://mail.example.com/jmap/", "wss:/jmap/ws/", "wss://mail.example.com/jmap/ws/" },
	{ "https://[::1]:8443/jmap/", "wss:/jmap/ws/", "wss://[::1]:8443/jmap/ws/" },
	{ "https://h/jmap/session", "wss:ws", "wss://h/jmap/ws" },
	{ "https://h/jmap/", "https:/jmap/api/", "https://h/jmap/api/" },
	{ "https://h/a", "WSS:/x", "wss://h/x" },
	/* Cyrus' relative Session URLs. */
	{ "https://h/jmap/", "/jmap/", "https://h/jmap/" },
	{ "https://h:8443/.well-known/jmap", "/jmap/api/", "https://h:8443/jmap/api/" },
	{ "https://h/jmap/", "/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}", "https://h/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}" },
	{ "https://h/jmap/session", "api", "https://h/jmap/api" },
	{ "https://h", "api", "https://h/api" },
	{ "https://h?q", "?r", "https://h?r" },
	/* Absolute refs win, with their dot segments removed. */
	{ "https://h/jmap/", "wss://other.example:444/ws", "wss://other.example:444/ws" },
	{ "https://h/jmap/", "HTTPS://O/a/./b/../c", "https://O/a/c" },
	{ "http://h/", "ws://h2", "ws://h2" },
	/* Network-path refs keep the base scheme. */
	{ "https://h/jmap/", "//cdn.example/x/../y?z", "https://cdn.example/y?z" },
	{ "wss://h/jmap/", "//g", "wss://g" },
	/* Other schemes are left alone. */
	{ "https://h/", "mailto:u@example.com", "mailto:u@example.com" },
	{ "https://h/", "urn:x:y", "urn:x:y" },
};

START_TEST(test_resolve)
{
	char *r = url_resolve(resolve_cases[_i].base, resolve_cases[_i].ref);

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r, resolve_cases[_i].want);
	free(r);
}
END_TEST

START_TEST(test_resolve_bad)
{
	ck_assert_ptr_null(url_resolve("/relative", "x"));
	ck_assert_ptr_null(url_resolve("", "x"));
	ck_assert_ptr_null(url_resolve("https://h/", "a b"));
	ck_assert_ptr_null(url_resolve("https://h/", "/a\r\nb"));
	ck_assert_ptr_null(url_resolve("https://h/", "/\xc3\xa9"));
	ck_assert_ptr_null(url_resolve("https://h /", "x"));
}
END_TEST

START_TEST(test_from_config)
{
	static const struct {
		const char *in, *want;
	} ok[] = {
		{ "jmap.example.com", "https://jmap.example.com/.well-known/jmap" },
		{ "host:8443", "https://host:8443/.well-known/jmap" },
		{ "127.0.0.1", "https://127.0.0.1/.well-known/jmap" },
		{ "[::1]:8443", "https://[::1]:8443/.well-known/jmap" },
		{ "[::1]", "https://[::1]/.well-known/jmap" },
		{ "https://jmap.example.com/.well-known/jmap", "https://jmap.example.com/.well-known/jmap" },
		{ "http://127.0.0.1:8080/jmap/session", "http://127.0.0.1:8080/jmap/session" },
		{ "HTTPS://Example.com/jmap", "HTTPS://Example.com/jmap" },
		/* A base URL: RFC 8620 autodiscovery. */
		{ "https://mail.example.com", "https://mail.example.com/.well-known/jmap" },
		{ "https://mail.example.com/", "https://mail.example.com/.well-known/jmap" },
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080/.well-known/jmap" },
		{ "https://[::1]:8443/#x", "https://[::1]:8443/.well-known/jmap" },
		{ "https://h/?session=1", "https://h/?session=1" },
	};
	static const char *const bad[] = {
		"", "wss://h/jmap/ws", "ftp://h/", "https://user@h/",
		"https://h:99999/", "host:0", "host:65536", "host:", "host:x",
		"user@host", "host/path", "::1", "[::1", "[::1]x", "a b",
		"host:8443:1", "https://", "https:/x", "jmap.example.com ",
	};
	char *r;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		r = jmapurl_from_config(ok[i].in);
		ck_assert_msg(r != NULL, "rejected '%s'", ok[i].in);
		ck_assert_str_eq(r, ok[i].want);
		free(r);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = jmapurl_from_config(bad[i]);
		ck_assert_msg(r == NULL, "accepted '%s' as '%s'", bad[i], r);
	}
}
END_TEST

static const struct {
	const char *tmpl, *types, *closeafter, *ping, *want;
} expand_cases[] = {
	/* Cyrus and Stalwart: level-1 templates. */
	{ "https://h/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}",
	  "*", "no", "30",
	  "https://h/jmap/eventsource/?types=%2A&closeafter=no&ping=30" },
	{ "https://h/es?types={types}&closeafter={closeafter}&ping={ping}",
	  "Email,Mailbox", "state", "0",
	  "https://h/es?types=Email%2CMailbox&closeafter=state&ping=0" },
	{ "https://h/es/{types}/{closeafter}/{ping}", "Email", "no", "300",
	  "https://h/es/Email/no/300" },
	/* Percent-encoding of everything but unreserved characters. */
	{ "https://h/?t={types}", "a b/c?d&e=f%g~h-i.j_k", NULL, NULL,
	  "https://h/?t=a%20b%2Fc%3Fd%26e%3Df%25g~h-i.j_k" },
	{ "https://h/?t={types}", "\xc3\xa9", NULL, NULL, "https://h/?t=%C3%A9" },
	/* Unknown variables and NULL values expand to nothing. */
	{ "https://h/?types={types}&x={unknown}&ping={ping}", "Email", "no", NULL,
	  "https://h/?types=Email&x=&ping=" },
	/* Level 3 forms, as some servers write them. */
	{ "https://h/es{?types,closeafter,ping}", "*", "no", "30",
	  "https://h/es?types=%2A&closeafter=no&ping=30" },
	{ "https://h/es{?types,closeafter,ping}", NULL, "no", NULL,
	  "https://h/es?closeafter=no" },
	{ "https://h/es?v=1{&types,ping}", "Email", "no", "5",
	  "https://h/es?v=1&types=Email&ping=5" },
	{ "https://h/es/{types,ping}", "Email", "no", "5",
	  "https://h/es/Email,5" },
	{ "https://h/es{?unknown}", "Email", "no", "5", "https://h/es" },
	/* Fastmail: a plain URL, parameters appended. */
	{ "https://api.fastmail.com/jmap/event/", "*", "no", "300",
	  "https://api.fastmail.com/jmap/event/?types=%2A&closeafter=no&ping=300" },
	{ "https://h/event?x=1", "Email,Mailbox", "no", "60",
	  "https://h/event?x=1&types=Email%2CMailbox&closeafter=no&ping=60" },
	{ "https://h/event#frag", "*", "state", "0",
	  "https://h/event?types=%2A&closeafter=state&ping=0" },
	{ "https://h/event", NULL, NULL, "10", "https://h/event?ping=10" },
	{ "https://h/event", NULL, NULL, NULL, "https://h/event" },
};

START_TEST(test_expand)
{
	char *r = jmapurl_expand_eventsource(expand_cases[_i].tmpl,
	    expand_cases[_i].types, expand_cases[_i].closeafter,
	    expand_cases[_i].ping);

	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r, expand_cases[_i].want);
	free(r);
}
END_TEST

START_TEST(test_expand_bad)
{
	static const char *const bad[] = {
		"https://h/?t={types",
		"https://h/?t=types}",
		"https://h/?t={}",
		"https://h/?t={{types}}",
		"https://h/?t={types}}",
		"https://h/?t={ty pes}",
		"https://h/?t={types,}",
		"https://h/?t={,types}",
		"https://h/?t={+types}",
		"https://h/?t={#types}",
		"https://h/?t={/types}",
		"https://h/{?}",
		"https://h/}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *r = jmapurl_expand_eventsource(bad[i], "*", "no", "30");

		ck_assert_msg(r == NULL, "accepted '%s' as '%s'", bad[i], r);
	}
}
END_TEST

static Suite *
url_suite(void)
{
	Suite *s = suite_create("url");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_parse_ok, 0,
	    sizeof(parse_ok) / sizeof(parse_ok[0]));
	tcase_add_loop_test(tc, test_parse_bad, 0,
	    sizeof(parse_bad) / sizeof(parse_bad[0]));
	tcase_add_loop_test(tc, test_resolve_rfc, 0,
	    sizeof(rfc_examples) / sizeof(rfc_examples[0]));
	tcase_add_loop_test(tc, test_resolve, 0,
	    sizeof(resolve_cases) / sizeof(resolve_cases[0]));
	tcase_add_test(tc, test_resolve_bad);
	tcase_add_test(tc, test_from_config);
	tcase_add_loop_test(tc, test_expand, 0,
	    sizeof(expand_cases) / sizeof(expand_cases[0]));
	tcase_add_test(tc, test_expand_bad);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(url_suite());
}
