/* SPDX-License-Identifier: ISC */
/*
 * jmap-testserver: the command line, the lws context and its loop, the
 * port file, and a clean stop on SIGTERM/SIGINT.
 *
 * Signals arrive through a signalfd adopted into lws' own loop, so they are
 * handled between callbacks like any other event and cannot be lost between
 * a flag check and poll().
 */
#include "autoconf.h"

#include <sys/signalfd.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xmalloc.h"

#include "testserver.h"

/* How long connections get to finish their close handshake on a stop. */
#define STOP_GRACE_US	(2 * LWS_US_PER_SEC)

static void __attribute__((noreturn))
main_usage(void)
{
	fprintf(stderr,
	    "usage: jmap-testserver --port-file FILE|- [--port N] [--user U] "
	    "[--password P]\n"
	    "           [--token T] [--well-known-status 301|302|307|308]\n"
	    "           [--ws-url cyrus|absolute|relative|none] "
	    "[--accounts N] [-v]\n"
	    "           [--host NAME] [--tls-cert PEM --tls-key PEM]\n"
	    "           [--es-ids yes|no] [--es-close-after SECONDS] "
	    "[--es-style rfc|fastmail]\n"
	    "           [--es-ping-ms] [--es-chunked yes|no] "
	    "[--stamp-states]\n"
	    "           [--session-state STATE]\n");
	exit(2);
}

static long
main_number(const char *opt, const char *arg, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		fatalx("testserver: %s: expected an integer from %ld to %ld, "
		    "got \"%s\"", opt, min, max, arg);
	return v;
}

static bool
main_yes_no(const char *opt, const char *arg)
{
	if (strcmp(arg, "yes") != 0 && strcmp(arg, "no") != 0)
		fatalx("testserver: %s: expected yes or no, got \"%s\"", opt,
		    arg);
	return strcmp(arg, "yes") == 0;
}

static void
main_options(struct ts_server *s, int argc, char **argv)
{
	enum { O_PORT_FILE = 256, O_PORT, O_USER, O_PASSWORD, O_TOKEN,
	    O_WELL_KNOWN, O_WS_URL, O_ACCOUNTS, O_HOST, O_TLS_CERT, O_TLS_KEY,
	    O_ES_IDS, O_ES_CLOSE_AFTER, O_ES_STYLE, O_ES_PING_MS,
	    O_ES_CHUNKED, O_STAMP_STATES, O_SESSION_STATE };
	static const struct option longopts[] = {
		{ "port-file", required_argument, NULL, O_PORT_FILE },
		{ "port", required_argument, NULL, O_PORT },
		{ "user", required_argument, NULL, O_USER },
		{ "password", required_argument, NULL, O_PASSWORD },
		{ "token", required_argument, NULL, O_TOKEN },
		{ "well-known-status", required_argument, NULL, O_WELL_KNOWN },
		{ "ws-url", required_argument, NULL, O_WS_URL },
		{ "host", required_argument, NULL, O_HOST },
		{ "tls-cert", required_argument, NULL, O_TLS_CERT },
		{ "tls-key", required_argument, NULL, O_TLS_KEY },
		{ "accounts", required_argument, NULL, O_ACCOUNTS },
		{ "es-ids", required_argument, NULL, O_ES_IDS },
		{ "es-close-after", required_argument, NULL, O_ES_CLOSE_AFTER },
		{ "es-style", required_argument, NULL, O_ES_STYLE },
		{ "es-ping-ms", no_argument, NULL, O_ES_PING_MS },
		{ "es-chunked", required_argument, NULL, O_ES_CHUNKED },
		{ "stamp-states", no_argument, NULL, O_STAMP_STATES },
		{ "session-state", required_argument, NULL, O_SESSION_STATE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const ws_urls[] = {
		[TS_WS_URL_CYRUS] = "cyrus",
		[TS_WS_URL_ABSOLUTE] = "absolute",
		[TS_WS_URL_RELATIVE] = "relative",
		[TS_WS_URL_NONE] = "none",
	};
	size_t i;
	int ch;

	s->port = 0;
	s->user = "alice@example.com";
	s->password = "secret";
	s->well_known_status = 301;
	s->session_state = TS_SESSION_STATE;
	s->host = "127.0.0.1";
	s->ws_url = TS_WS_URL_CYRUS;
	s->naccounts = 1;
	s->es_ids = true;
	s->es_chunked = true;
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_HOST:
			s->host = optarg;
			break;
		case O_TLS_CERT:
			s->tls_cert = optarg;
			break;
		case O_TLS_KEY:
			s->tls_key = optarg;
			break;
		case O_PORT_FILE:
			s->port_file = optarg;
			break;
		case O_PORT:
			s->port = (int)main_number("--port", optarg, 0, 65535);
			break;
		case O_USER:
			s->user = optarg;
			break;
		case O_PASSWORD:
			s->password = optarg;
			break;
		case O_TOKEN:
			s->token = optarg;
			break;
		case O_WELL_KNOWN:
			s->well_known_status = (unsigned)main_number(
			    "--well-known-status", optarg, 301, 308);
			if (s->well_known_status != 301 &&
			    s->well_known_status != 302 &&
			    s->well_known_status != 307 &&
			    s->well_known_status != 308)
				fatalx("testserver: --well-known-status: "
				    "expected 301, 302, 307 or 308");
			break;
		case O_WS_URL:
			for (i = 0; i < sizeof(ws_urls) / sizeof(ws_urls[0]);
			    i++)
				if (strcmp(optarg, ws_urls[i]) == 0)
					break;
			if (i == sizeof(ws_urls) / sizeof(ws_urls[0]))
				fatalx("testserver: --ws-url: expected cyrus, "
				    "absolute, relative or none");
			s->ws_url = (enum ts_ws_url)i;
			break;
		case O_ACCOUNTS:
			s->naccounts = (int)main_number("--accounts", optarg,
			    1, 100);
			break;
		case O_ES_IDS:
			s->es_ids = main_yes_no("--es-ids", optarg);
			break;
		case O_ES_CHUNKED:
			s->es_chunked = main_yes_no("--es-chunked", optarg);
			break;
		case O_ES_CLOSE_AFTER:
			s->es_close_after = main_number("--es-close-after",
			    optarg, 0, 86400);
			break;
		case O_ES_STYLE:
			if (strcmp(optarg, "rfc") == 0)
				s->es_style = TS_ES_STYLE_RFC;
			else if (strcmp(optarg, "fastmail") == 0)
				s->es_style = TS_ES_STYLE_FASTMAIL;
			else
				fatalx("testserver: --es-style: expected rfc "
				    "or fastmail");
			break;
		case O_ES_PING_MS:
			s->es_ping_ms = true;
			break;
		case O_STAMP_STATES:
			s->stamp_states = true;
			break;
		case O_SESSION_STATE:
			s->session_state = optarg;
			break;
		case 'v':
			s->verbose = true;
			break;
		default:
			main_usage();
		}
	}
	if ((s->tls_cert == NULL) != (s->tls_key == NULL))
		main_usage();
	if (optind != argc || s->port_file == NULL)
		main_usage();
}

static void
main_lws_log(int level, const char *line)
{
	size_t len = strlen(line);

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (level & (LLL_ERR | LLL_WARN))
		ts_warnx("lws: %.*s", (int)len, line);
	else
		ts_info("lws: %.*s", (int)len, line);
}

/* FILE.tmp then rename: a reader never sees a partial port number.  "-"
 * prints it on stdout instead, so a test can block reading a FIFO rather
 * than poll for a file. */
static void
main_write_port_file(const char *path, int port)
{
	char *tmp;
	FILE *f;

	if (strcmp(path, "-") == 0) {
		printf("%d\n", port);
		if (fflush(stdout) == EOF)
			fatal("testserver: stdout");
		return;
	}
	xasprintf(&tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		fatal("testserver: %s", tmp);
	fprintf(f, "%d\n", port);
	if (fclose(f) == EOF)
		fatal("testserver: %s", tmp);
	if (rename(tmp, path) == -1)
		fatal("testserver: rename %s to %s", tmp, path);
	free(tmp);
}

static void
main_stop_deadline(lws_sorted_usec_list_t *sul)
{
	struct ts_server *s = lws_container_of(sul, struct ts_server,
	    stop_deadline);

	ts_info("stop: clients did not finish closing in time");
	s->done = true;
	/* Timers run before lws_service() polls: wake that poll up. */
	lws_cancel_service(s->ctx);
}

/*
 * First signal: close every client with 1001, like a server going down,
 * and end every event stream.
 */
static void
main_stop(struct ts_server *s, int signo)
{
	size_t n;

	if (s->stopping) {
		ts_info("stop: %s again: stopping now", strsignal(signo));
		s->done = true;
		return;
	}
	s->stopping = true;
	n = ws_close_all(s, LWS_CLOSE_STATUS_GOINGAWAY) + es_close_all(s);
	ts_info("stop: %s: closing %zu connection(s)", strsignal(signo), n);
	if (n == 0)
		s->done = true;
	else
		lws_sul_schedule(s->ctx, 0, &s->stop_deadline,
		    main_stop_deadline, STOP_GRACE_US);
}

static int
main_signal_callback(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct ts_server *s = lws_context_user(lws_get_context(wsi));
	struct signalfd_siginfo si;
	ssize_t n;

	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		while ((n = read(lws_get_socket_fd(wsi), &si, sizeof(si))) ==
		    (ssize_t)sizeof(si))
			main_stop(s, (int)si.ssi_signo);
		if (n == -1 && errno != EAGAIN)
			log_warn("testserver: signalfd");
		break;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* Not a subprotocol, even if a client asks for it by name. */
		return 1;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols main_protocols[] = {
	/* First: plain HTTP requests and upgrade decisions land here. */
	{ "http", http_callback, sizeof(struct ts_http), 0, 0, NULL, 0 },
	{ TS_SUBPROTOCOL, ws_callback, sizeof(struct ts_client), 4096, 0,
	    NULL, 0 },
	{ "testserver-signal", main_signal_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static int
main_signalfd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		fatal("testserver: sigprocmask");
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("testserver: signalfd");
	return fd;
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct ts_server s;
	struct lws_vhost *vhost;
	lws_sock_file_fd_type fd;

	memset(&s, 0, sizeof(s));
	log_init(LOG_INFO);
	main_options(&s, argc, argv);
	if (s.verbose)
		log_set_level(LOG_DEBUG);
	TAILQ_INIT(&s.clients);
	TAILQ_INIT(&s.waiters);
	TAILQ_INIT(&s.held);
	TAILQ_INIT(&s.streams);
	state_init(&s.state, s.user, s.naccounts);
	scale_init(&s);
	lws_set_log_level(LLL_ERR | LLL_WARN | (s.verbose ? LLL_NOTICE : 0),
	    main_lws_log);
	fd.filefd = main_signalfd();

	memset(&info, 0, sizeof(info));
	info.port = s.port;
	info.iface = "127.0.0.1";
	info.protocols = main_protocols;
	info.vhost_name = "default";
	info.server_string = "jmap-testserver";
	info.user = &s;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 |
	    LWS_SERVER_OPTION_VALIDATE_UTF8;
	scale_context(&info);
	if (s.tls_cert != NULL) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = s.tls_cert;
		info.ssl_private_key_filepath = s.tls_key;
		/* The handlers write HTTP/1.1 responses by hand. */
		info.alpn = "http/1.1";
	}
	if ((s.ctx = lws_create_context(&info)) == NULL)
		fatalx("testserver: cannot listen on 127.0.0.1:%d (see the lws "
		    "messages above)", s.port);
	if ((vhost = lws_get_vhost_by_name(s.ctx, "default")) == NULL)
		fatalx("testserver: lws created no default vhost");
	s.listen_port = lws_get_vhost_listen_port(vhost);
	if (lws_adopt_descriptor_vhost(vhost, LWS_ADOPT_RAW_FILE_DESC, fd,
	    "testserver-signal", NULL) == NULL)
		fatalx("testserver: cannot watch the signalfd");
	main_write_port_file(s.port_file, s.listen_port);
	ts_info("listening on 127.0.0.1:%d (user %s, %d account(s))",
	    s.listen_port, s.user, s.naccounts);

	while (!s.done) {
		if (lws_service(s.ctx, 0) < 0) {
			ts_warnx("lws_service failed: stopping");
			break;
		}
		if (s.stopping && TAILQ_EMPTY(&s.clients) &&
		    TAILQ_EMPTY(&s.streams))
			s.done = true;
	}

	lws_sul_cancel(&s.stop_deadline);
	lws_context_destroy(s.ctx);
	json_object_put(s.last_push_enable);
	free(s.last_event_id);
	free(s.redirect_path);
	free(s.redirect_location);
	free(s.session_api_url);
	free(s.session_es_url);
	free(s.session_ws_url);
	state_free(&s.state);
	ts_info("stopped");
	return 0;
}
