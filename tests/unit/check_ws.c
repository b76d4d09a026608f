/* SPDX-License-Identifier: ISC */
/* Keepalive ticks: pings of connections alive at different moments land on
 * shared ticks, never later than the interval and never much earlier.  The
 * life of a connection against a small hand-made server: the close frame
 * carries our code, and nothing calls lws once the connection is gone. */
#include "autoconf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <check.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "transport/endpoint.h"
#include "transport/net.h"
#include "transport/ws.h"
#include "unit.h"

START_TEST(test_delay_bounds)
{
	const uint64_t intervals[] = { 1, 3, 4, 1000, 30000, 45000, 300000 };

	for (size_t i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++) {
		uint64_t iv = intervals[i];

		for (uint64_t now = 1700000000000ULL; now < 1700000000000ULL +
		    3 * iv + 10; now += 1 + iv / 97) {
			uint64_t d = ws_ping_delay(now, iv);

			ck_assert_uint_le(d, iv);
			ck_assert_uint_ge(d, iv - iv / 4);
			ck_assert_uint_gt(d, 0);
		}
	}
	/* Below four milliseconds there is no tick to share. */
	ck_assert_uint_eq(ws_ping_delay(12345, 3), 3);
}
END_TEST

START_TEST(test_tick_is_a_power_of_two)
{
	/* 30s: a quarter is 7.5s, so ticks are 4096 ms apart. */
	ck_assert_uint_eq(ws_ping_delay(0, 30000), 28672);
	ck_assert_uint_eq(ws_ping_delay(4095, 30000), 28673);
	ck_assert_uint_eq(ws_ping_delay(4096, 30000), 28672);
	ck_assert_uint_eq(ws_ping_delay(1000, 1000), 920);
}
END_TEST

START_TEST(test_sessions_share_a_tick)
{
	const uint64_t iv = 30000, base = 1764125400000ULL;
	uint64_t at, first = 0, distinct = 0;

	/* 1,000 sessions whose last frame came at 1,000 different
	 * milliseconds spread over 30s would wake the daemon 1,000 times
	 * with a timer each; on ticks they wake it at most 8 times. */
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t now = base + i * 30;

		at = now + ws_ping_delay(now, iv);
		if (at != first) {
			distinct++;
			first = at;
		}
	}
	ck_assert_uint_le(distinct, 9);

	/* Pinged together, answered within a few ms of each other: the next
	 * round is one tick again. */
	first = base + 17 + ws_ping_delay(base + 17, iv);
	for (uint64_t ms = 18; ms < 60; ms++)
		ck_assert_uint_eq(base + ms + ws_ping_delay(base + ms, iv),
		    first);
}
END_TEST

START_TEST(test_intervals_nest)
{
	/* Accounts with different intervals still meet on the coarser
	 * ticks: every 60s tick is a 30s tick too. */
	const uint64_t now = 1764125401234ULL;
	uint64_t at60 = now + ws_ping_delay(now, 60000);

	ck_assert_uint_eq(at60 % 8192, 0);
	ck_assert_uint_eq(at60 % 4096, 0);
}
END_TEST

START_TEST(test_rounds_merge)
{
	const uint64_t iv = 30000, base = 1764125400000ULL;
	uint64_t now0 = base + 17, now1 = base + 4096 + 17, round, d;

	/* Pinged on one tick, but some pongs were read after the next one:
	 * alone they would ping a tick after the others for ever. */
	round = now0 + ws_ping_join(now0, iv, 0);
	ck_assert_uint_eq(round, now0 + ws_ping_delay(now0, iv));
	ck_assert_uint_ne(now1 + ws_ping_delay(now1, iv), round);
	ck_assert_uint_eq(now1 + ws_ping_join(now1, iv, round), round);

	/* A round too near (more than a quarter early), past, or beyond the
	 * interval is not joined. */
	ck_assert_uint_eq(ws_ping_join(now0, iv, now0 + iv / 2),
	    ws_ping_delay(now0, iv));
	ck_assert_uint_eq(ws_ping_join(now0, iv, now0 - 1),
	    ws_ping_delay(now0, iv));
	ck_assert_uint_eq(ws_ping_join(now0, iv, now0 + iv + 1),
	    ws_ping_delay(now0, iv));
	ck_assert_uint_eq(ws_ping_join(now0, iv, now0 + iv), iv);
	ck_assert_uint_eq(ws_ping_join(now0, iv, now0 + iv - iv / 4),
	    iv - iv / 4);

	/* Whatever the round, the delay keeps ws_ping_delay's bounds. */
	for (uint64_t r = now0 - 1000; r < now0 + 2 * iv; r += 97) {
		d = ws_ping_join(now0, iv, r);
		ck_assert_uint_le(d, iv);
		ck_assert_uint_ge(d, iv - iv / 4);
	}
}
END_TEST

/*
 * Just enough of a WebSocket server (RFC 6455 4.2.2) for one connection on
 * a loopback port: it answers the upgrade with the subprotocol jmap, then
 * reads frames, records a close frame's code and answers it when asked to.
 */
struct peer {
	struct event_base *base;
	int lfd, fd;
	int port;
	struct event *accept_ev, *read_ev;
	char buf[4096];
	size_t len;
	bool upgraded;
	bool answer_close;
	int close_code;		/* of the client's close frame; 0: none yet */
};

struct client {
	struct event_base *base;
	bool established;
	int closed;
	char error[512];	/* "(none)" after a clean close */
};

static void
peer_upgrade(struct peer *p)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	unsigned char digest[SHA_DIGEST_LENGTH];
	char key[128], accept[64], resp[512];
	const char *k;
	size_t klen;
	int n;

	p->buf[p->len] = '\0';
	k = strcasestr(p->buf, "\r\nsec-websocket-key:");
	ck_assert_ptr_nonnull(k);
	k += strlen("\r\nsec-websocket-key:");
	k += strspn(k, " ");
	klen = strcspn(k, "\r");
	ck_assert_uint_lt(klen + sizeof(guid), sizeof(key));
	memcpy(key, k, klen);
	memcpy(key + klen, guid, sizeof(guid));
	SHA1((const unsigned char *)key, strlen(key), digest);
	EVP_EncodeBlock((unsigned char *)accept, digest, sizeof(digest));
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: jmap\r\n\r\n",
	    accept);
	ck_assert_int_eq(write(p->fd, resp, (size_t)n), n);
	p->upgraded = true;
	p->len = 0;
}

/* Client frames are masked; only a close frame matters here. */
static void
peer_frames(struct peer *p)
{
	const unsigned char *b = (const unsigned char *)p->buf;
	static const unsigned char close_1000[] = { 0x88, 0x02, 0x03, 0xe8 };
	size_t plen;

	while (p->len >= 6) {
		plen = b[1] & 0x7f;
		ck_assert_uint_lt(plen, 126);
		if (p->len < 6 + plen)
			return;
		if ((b[0] & 0x0f) == 0x8 && plen >= 2) {
			p->close_code = ((b[6] ^ b[2]) << 8) | (b[7] ^ b[3]);
			if (p->answer_close)
				ck_assert_int_eq(write(p->fd, close_1000,
				    sizeof(close_1000)), sizeof(close_1000));
			event_base_loopbreak(p->base);
		}
		memmove(p->buf, p->buf + 6 + plen, p->len - 6 - plen);
		p->len -= 6 + plen;
	}
}

static void
peer_read(evutil_socket_t fd, short what, void *arg)
{
	struct peer *p = arg;
	ssize_t n;

	n = read(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
	if (n <= 0) {
		event_del(p->read_ev);
		return;
	}
	p->len += (size_t)n;
	if (!p->upgraded && strstr(p->buf, "\r\n\r\n") != NULL)
		peer_upgrade(p);
	else if (p->upgraded)
		peer_frames(p);
}

static void
peer_accept(evutil_socket_t fd, short what, void *arg)
{
	struct peer *p = arg;

	p->fd = accept(p->lfd, NULL, NULL);
	ck_assert_int_ge(p->fd, 0);
	evutil_make_socket_nonblocking(p->fd);
	p->read_ev = event_new(p->base, p->fd, EV_READ | EV_PERSIST,
	    peer_read, p);
	event_add(p->read_ev, NULL);
}

static void
peer_init(struct peer *p, struct event_base *base)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);

	memset(p, 0, sizeof(*p));
	p->base = base;
	p->fd = -1;
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(p->lfd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(p->lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(p->lfd, 1), 0);
	ck_assert_int_eq(getsockname(p->lfd, (struct sockaddr *)&sin, &slen),
	    0);
	p->port = ntohs(sin.sin_port);
	p->accept_ev = event_new(base, p->lfd, EV_READ, peer_accept, p);
	event_add(p->accept_ev, NULL);
}

static void
peer_free(struct peer *p)
{
	event_free(p->accept_ev);
	if (p->read_ev != NULL)
		event_free(p->read_ev);
	if (p->fd != -1)
		close(p->fd);
	close(p->lfd);
}

static void
client_established(struct ws_conn *ws, void *arg)
{
	struct client *c = arg;

	c->established = true;
	event_base_loopbreak(c->base);
}

static void
client_message(struct ws_conn *ws, const char *data, size_t len, void *arg)
{
}

static void
client_closed(struct ws_conn *ws, const struct close_info *info,
    void *arg)
{
	struct client *c = arg;

	c->closed++;
	snprintf(c->error, sizeof(c->error), "%s",
	    info->error != NULL ? info->error : "(none)");
	event_base_loopbreak(c->base);
}

/* Runs the loop until a callback breaks it; fails after 10 s. */
static void
run_until_break(struct event_base *base)
{
	struct timeval tv = { 10, 0 };

	ck_assert_int_eq(event_base_loopexit(base, &tv), 0);
	ck_assert_int_eq(event_base_dispatch(base), 0);
	ck_assert_msg(event_base_got_break(base), "nothing happened in 10 s");
}

struct fixture {
	struct event_base *base;
	struct net *net;
	struct peer peer;
	struct client client;
	struct ws_conn *ws;
};

static void
fixture_open(struct fixture *f)
{
	const struct ws_callbacks cbs = {
		.established = client_established,
		.message = client_message,
		.closed = client_closed,
	};
	struct ws_opts o;
	char url[64];

	f->base = event_base_new();
	ck_assert_ptr_nonnull(f->base);
	f->net = net_new(f->base);
	peer_init(&f->peer, f->base);
	memset(&f->client, 0, sizeof(f->client));
	f->client.base = f->base;
	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/jmap/ws/", f->peer.port);
	memset(&o, 0, sizeof(o));
	o.endpoint = endpoint_new(url, NULL, NULL, false);
	o.max_frame = 4096;
	o.log_prefix = "test";
	f->ws = ws_connect(f->net, &o, &cbs, &f->client);
	endpoint_unref(o.endpoint);
	run_until_break(f->base);
	ck_assert(f->client.established);
	ck_assert(ws_is_open(f->ws));
}

static void
fixture_done(struct fixture *f)
{
	net_free(f->net);
	peer_free(&f->peer);
	event_base_free(f->base);
}

START_TEST(test_close_frame_carries_the_code)
{
	struct fixture f;

	fixture_open(&f);
	f.peer.answer_close = true;
	ws_close(f.ws, 1001);
	run_until_break(f.base);
	ck_assert_int_eq(f.peer.close_code, 1001);
	run_until_break(f.base);
	ck_assert_int_eq(f.client.closed, 1);
	ck_assert_str_eq(f.client.error, "(none)");
	fixture_done(&f);
}
END_TEST

START_TEST(test_unanswered_close_is_bounded)
{
	struct fixture f;
	struct timeval t0, t1;
	long ms;

	fixture_open(&f);
	gettimeofday(&t0, NULL);
	ws_close(f.ws, 1000);
	run_until_break(f.base);
	ck_assert_int_eq(f.peer.close_code, 1000);
	run_until_break(f.base);
	gettimeofday(&t1, NULL);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
	ck_assert_int_eq(f.client.closed, 1);
	ck_assert_int_ge(ms, 2900);
	/* Within the daemon's stop bound. */
	ck_assert_int_lt(ms, 5000);
	fixture_done(&f);
}
END_TEST

/*
 * Between WSI_DESTROY and the deferred finish, lws has freed the wsi: a
 * ping deadline, a reload (close) or a reconnect landing there must find
 * the connection no longer open instead of calling lws with NULL.  The
 * window is held open by running libuv alone, without libevent, which
 * would run the finish.
 */
START_TEST(test_gone_connection_is_not_open)
{
	struct fixture f;

	fixture_open(&f);
	ws_abort(f.ws, "the first reason");
	for (int i = 0; i < 2000 && ws_is_open(f.ws); i++) {
		net_kick(f.net);
		poll(NULL, 0, 1);
	}
	ck_assert_msg(!ws_is_open(f.ws), "still open once lws let go");
	ck_assert_int_eq(f.client.closed, 0);
	ws_abort(f.ws, "no answer to a ping");
	ws_close(f.ws, 1000);
	ws_probe(f.ws, 1000);
	ck_assert_int_eq(ws_send(f.ws, "{}", 2), -1);
	run_until_break(f.base);
	ck_assert_int_eq(f.client.closed, 1);
	ck_assert_str_eq(f.client.error, "the first reason");
	fixture_done(&f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ws");
	TCase *tc = tcase_create("keepalive");
	TCase *life = tcase_create("life");

	tcase_add_test(tc, test_delay_bounds);
	tcase_add_test(tc, test_tick_is_a_power_of_two);
	tcase_add_test(tc, test_sessions_share_a_tick);
	tcase_add_test(tc, test_intervals_nest);
	tcase_add_test(tc, test_rounds_merge);
	suite_add_tcase(s, tc);
	tcase_set_timeout(life, 30);
	tcase_add_test(life, test_close_frame_carries_the_code);
	tcase_add_test(life, test_unanswered_close_is_bounded);
	tcase_add_test(life, test_gone_connection_is_not_open);
	suite_add_tcase(s, life);
	return unit_run(s);
}
