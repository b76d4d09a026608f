/* SPDX-License-Identifier: ISC */
/* The HTTP client against a small server on loopback: a request aborted
 * before its connection exists must never connect (issue 12, item 8). */
#include "autoconf.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <check.h>
#include <event2/event.h>

#include "transport/endpoint.h"
#include "transport/http.h"
#include "transport/net.h"
#include "util/secret.h"
#include "unit.h"

/* A server that answers every request with 200 "ok" and remembers the
 * request lines it saw. */
struct server {
	struct event_base *base;
	int fd;
	int port;
	struct event *accept_ev;
	int accepts;
	char seen[1024];	/* request lines, one per line */
};

struct conn {
	struct server *srv;
	int fd;
	struct event *ev;
	char buf[8192];
	size_t len;
};

static void
conn_read(evutil_socket_t fd, short what, void *arg)
{
	static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	    "Connection: close\r\n\r\nok";
	struct conn *c = arg;
	ssize_t n;

	n = read(fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n > 0) {
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		if (strstr(c->buf, "\r\n\r\n") == NULL)
			return;
		strncat(c->srv->seen, c->buf, strcspn(c->buf, "\r"));
		strcat(c->srv->seen, "\n");
		ck_assert_int_eq(write(fd, answer, sizeof(answer) - 1),
		    sizeof(answer) - 1);
	}
	event_free(c->ev);
	close(c->fd);
	free(c);
}

static void
server_accept(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	struct conn *c;
	int cfd;

	if ((cfd = accept(fd, NULL, NULL)) == -1)
		return;
	srv->accepts++;
	c = calloc(1, sizeof(*c));
	ck_assert_ptr_nonnull(c);
	c->srv = srv;
	c->fd = cfd;
	c->ev = event_new(srv->base, cfd, EV_READ | EV_PERSIST, conn_read, c);
	event_add(c->ev, NULL);
}

static void
server_start(struct server *srv, struct event_base *base)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(srv, 0, sizeof(*srv));
	srv->base = base;
	srv->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(srv->fd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(srv->fd, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	ck_assert_int_eq(listen(srv->fd, 8), 0);
	ck_assert_int_eq(getsockname(srv->fd, (struct sockaddr *)&sin, &len),
	    0);
	srv->port = ntohs(sin.sin_port);
	srv->accept_ev = event_new(base, srv->fd, EV_READ | EV_PERSIST,
	    server_accept, srv);
	event_add(srv->accept_ev, NULL);
}

struct result {
	bool done;
	int status;
	char error[256];
};

static void
request_done(const struct http_response *resp, const char *error, void *arg)
{
	struct result *r = arg;

	r->done = true;
	r->status = resp->status;
	snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
}

static void
give_up(evutil_socket_t fd, short what, void *arg)
{
	ck_abort_msg("no answer within 10 s");
}

/* Runs the loop until r is done (or fails the test after 10 s). */
static void
run_until(struct event_base *base, const struct result *r)
{
	struct event *limit = evtimer_new(base, give_up, NULL);
	struct timeval tv = { 10, 0 };

	evtimer_add(limit, &tv);
	while (!r->done)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(limit);
}

static struct http_request *
get(struct net *net, int port, const char *path, struct result *r)
{
	struct http_opts o;
	struct http_request *req;
	struct secret *auth;
	char url[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	auth = secret_new("Basic YWxpY2U6c2VjcmV0");
	memset(&o, 0, sizeof(o));
	o.endpoint = endpoint_new(url, auth, NULL, false);
	o.max_body = 1024;
	o.timeout_ms = 10000;
	o.log_prefix = "test";
	req = http_get(net, &o, request_done, r);
	endpoint_unref(o.endpoint);
	secret_unref(auth);
	return req;
}

/*
 * A numeric host resolves at once: its answer is already queued when
 * http_get returns.  Aborted then, the request must not connect once the
 * answer is handled (it used to, with a wsi whose user pointer was freed:
 * ASan saw the use after free).  A second request then shows what reached
 * the server.
 */
START_TEST(test_abort_before_connect)
{
	struct event_base *base = event_base_new();
	struct server srv;
	struct net *net;
	struct result first = { 0 }, second = { 0 };

	ck_assert_ptr_nonnull(base);
	server_start(&srv, base);
	net = net_new(base);

	http_abort(get(net, srv.port, "/first", &first), "given up");
	run_until(base, &first);
	ck_assert_str_eq(first.error, "given up");
	ck_assert_int_eq(first.status, 0);

	get(net, srv.port, "/second", &second);
	run_until(base, &second);
	ck_assert_str_eq(second.error, "");
	ck_assert_int_eq(second.status, 200);
	ck_assert_str_eq(srv.seen, "GET /second HTTP/1.1\n");
	ck_assert_int_eq(srv.accepts, 1);

	net_free(net);
	event_free(srv.accept_ev);
	close(srv.fd);
	event_base_free(base);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_abort_before_connect);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
