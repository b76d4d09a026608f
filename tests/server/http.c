/* SPDX-License-Identifier: ISC */
/*
 * The HTTP side: discovery, the Session object, authentication, the
 * WebSocket upgrade gate (where faults refuse upgrades) and the dispatch of
 * control requests, event streams (eventsource.c) and POST /jmap/api
 * (api.c).
 *
 * Every answer is written in one go from the callback that decided it: the
 * bodies are small, and lws buffers whatever the socket does not take.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"

#include "testserver.h"

#define WS_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

static struct ts_server *
http_server(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static const char *
http_reason(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 426: return "Upgrade Required";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/*
 * Status line, Content-Type and Content-Length, extra headers, then the
 * body. Returns -1 when the connection is unusable.
 */
static int
http_write(struct lws *wsi, unsigned status, const char *content_type,
    const char *body, const struct http_header *hdrs, size_t nhdrs)
{
	unsigned char hbuf[LWS_PRE + 2048];
	unsigned char *start = hbuf + LWS_PRE, *p = start;
	unsigned char *end = hbuf + sizeof(hbuf) - 1;
	unsigned char *bbuf;
	size_t blen = strlen(body);
	char line[64];
	int n;

	/*
	 * Our own status line: while an upgrade is being confirmed, lws has
	 * not parsed the request version yet and would answer HTTP/1.0.
	 */
	n = snprintf(line, sizeof(line), "HTTP/1.1 %u %s", status,
	    http_reason(status));
	if (lws_add_http_header_by_name(wsi, NULL, (unsigned char *)line, n,
	    &p, end) != 0 ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_SERVER,
	    (const unsigned char *)"jmap-testserver", 15, &p, end) != 0 ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
	    (const unsigned char *)content_type, (int)strlen(content_type),
	    &p, end) != 0 ||
	    lws_add_http_header_content_length(wsi, blen, &p, end) != 0)
		goto fail;
	for (size_t i = 0; i < nhdrs; i++)
		if (lws_add_http_header_by_name(wsi,
		    (const unsigned char *)hdrs[i].name,
		    (const unsigned char *)hdrs[i].value,
		    (int)strlen(hdrs[i].value), &p, end) != 0)
			goto fail;
	if (lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"cache-control:",
	    (const unsigned char *)"no-cache, no-store, must-revalidate", 35,
	    &p, end) != 0)
		goto fail;
	if (lws_finalize_write_http_header(wsi, start, &p, end) != 0) {
		ts_warnx("http: cannot write the response headers");
		return -1;
	}
	if (blen == 0)
		return 0;
	bbuf = xmalloc(LWS_PRE + blen);
	memcpy(bbuf + LWS_PRE, body, blen);
	n = lws_write(wsi, bbuf + LWS_PRE, blen, LWS_WRITE_HTTP_FINAL);
	free(bbuf);
	if (n < 0 || (size_t)n != blen) {
		ts_warnx("http: cannot write the response body");
		return -1;
	}
	return 0;
fail:
	ts_warnx("http: response headers do not fit in %zu bytes",
	    sizeof(hbuf) - LWS_PRE);
	return -1;
}

/* The request line for logs: "GET /jmap/session". */
static void
http_request_line(struct lws *wsi, char *buf, size_t size)
{
	static const char *const methods[] = {
		"GET", "POST", "OPTIONS", "PUT", "PATCH", "DELETE",
		"CONNECT", "HEAD",
	};
	char *uri = NULL;
	int len = 0, m;

	m = lws_http_get_uri_and_method(wsi, &uri, &len);
	snprintf(buf, size, "%s %.*s",
	    m >= 0 && (size_t)m < sizeof(methods) / sizeof(methods[0]) ?
	    methods[m] : "?", uri != NULL ? len : 1, uri != NULL ? uri : "?");
}

int
http_send(struct lws *wsi, unsigned status, const char *body,
    const struct http_header *hdrs, size_t nhdrs)
{
	char line[256];

	http_request_line(wsi, line, sizeof(line));
	ts_info("http: %s -> %u", line, status);
	return http_write(wsi, status, "application/json", body, hdrs, nhdrs);
}

/* body with another Content-Type than JSON (faults). */
int
http_send_typed(struct lws *wsi, unsigned status, const char *content_type,
    const char *body)
{
	char line[256];

	http_request_line(wsi, line, sizeof(line));
	ts_info("http: %s -> %u (%s)", line, status, content_type);
	return http_write(wsi, status, content_type, body, NULL, 0);
}

/* Sends obj and drops the caller's reference to it. */
int
http_send_json(struct lws *wsi, unsigned status, struct json_object *obj)
{
	int rv;

	rv = http_send(wsi, status, json_object_to_json_string_ext(obj,
	    TS_JSON_FLAGS), NULL, 0);
	json_object_put(obj);
	return rv;
}

int
http_send_error(struct lws *wsi, unsigned status, const char *msg)
{
	struct json_object *obj = json_object_new_object();

	json_object_object_add(obj, "error", json_object_new_string(msg));
	return http_send_json(wsi, status, obj);
}

/* RFC 7807 problem details, as JMAP request-level errors are. */
int
http_send_problem(struct lws *wsi, unsigned status, const char *type,
    const char *detail)
{
	struct json_object *obj = json_object_new_object();
	char line[256];
	int rv;

	json_object_object_add(obj, "type", json_object_new_string(type));
	json_object_object_add(obj, "status", json_object_new_int((int)status));
	json_object_object_add(obj, "detail", json_object_new_string(detail));
	http_request_line(wsi, line, sizeof(line));
	ts_info("http: %s -> %u %s: %s", line, status, type, detail);
	rv = http_write(wsi, status, "application/problem+json",
	    json_object_to_json_string_ext(obj, TS_JSON_FLAGS), NULL, 0);
	json_object_put(obj);
	return rv;
}

int
http_send_unauthorized(struct lws *wsi)
{
	static const struct http_header hdr = {
		"www-authenticate:", "Basic realm=\"jmap\""
	};

	return http_send(wsi, HTTP_STATUS_UNAUTHORIZED,
	    "{\"error\":\"unauthorized\"}", &hdr, 1);
}

/* Basic user:password always; Bearer only when a token was configured. */
bool
http_authorized(struct ts_server *s, struct lws *wsi, const char *what)
{
	char hdr[1024], decoded[768], *expected;
	int n;
	bool ok = false;

	n = lws_hdr_copy(wsi, hdr, sizeof(hdr), WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n <= 0) {
		ts_info("auth: %s: no Authorization header", what);
		return false;
	}
	if (strncasecmp(hdr, "Basic ", 6) == 0) {
		n = lws_b64_decode_string(hdr + 6, decoded,
		    (int)sizeof(decoded) - 1);
		if (n < 0) {
			ts_info("auth: %s: Basic credentials are not base64",
			    what);
			return false;
		}
		decoded[n] = '\0';
		xasprintf(&expected, "%s:%s", s->user, s->password);
		ok = strcmp(decoded, expected) == 0;
		free(expected);
		if (!ok)
			ts_info("auth: %s: wrong Basic credentials for user "
			    "\"%.*s\"", what, (int)strcspn(decoded, ":"),
			    decoded);
		return ok;
	}
	if (strncasecmp(hdr, "Bearer ", 7) == 0) {
		ok = s->token != NULL && strcmp(hdr + 7, s->token) == 0;
		if (!ok)
			ts_info("auth: %s: %s", what, s->token == NULL ?
			    "Bearer tokens are not enabled" :
			    "wrong Bearer token");
		return ok;
	}
	ts_info("auth: %s: unsupported authorization scheme \"%.*s\"", what,
	    (int)strcspn(hdr, " "), hdr);
	return false;
}

static int
http_well_known(struct ts_server *s, struct lws *wsi)
{
	struct http_header hdr;
	char url[320];

	snprintf(url, sizeof(url), "%s://%s:%d/jmap/session",
	    s->tls_cert ? "https" : "http", s->host, s->listen_port);
	hdr.name = "location:";
	hdr.value = url;
	return http_send(wsi, s->well_known_status, "", &hdr, 1);
}

static struct json_object *
http_core_capability(void)
{
	struct json_object *core = json_object_new_object();
	struct json_object *algos = json_object_new_array();

	json_object_object_add(core, "maxSizeUpload",
	    json_object_new_int64(50000000));
	json_object_object_add(core, "maxConcurrentUpload",
	    json_object_new_int(4));
	json_object_object_add(core, "maxSizeRequest",
	    json_object_new_int64(10000000));
	json_object_object_add(core, "maxConcurrentRequests",
	    json_object_new_int(4));
	json_object_object_add(core, "maxCallsInRequest",
	    json_object_new_int(16));
	json_object_object_add(core, "maxObjectsInGet",
	    json_object_new_int(500));
	json_object_object_add(core, "maxObjectsInSet",
	    json_object_new_int(500));
	json_object_array_add(algos, json_object_new_string("i;ascii-numeric"));
	json_object_array_add(algos, json_object_new_string("i;ascii-casemap"));
	json_object_array_add(algos, json_object_new_string("i;unicode-casemap"));
	json_object_object_add(core, "collationAlgorithms", algos);
	return core;
}

static struct json_object *
http_mail_account_capability(void)
{
	struct json_object *mail = json_object_new_object();
	struct json_object *sorts = json_object_new_array();

	json_object_object_add(mail, "maxMailboxesPerEmail", NULL);
	json_object_object_add(mail, "maxMailboxDepth", NULL);
	json_object_object_add(mail, "maxSizeMailboxName",
	    json_object_new_int(490));
	json_object_object_add(mail, "maxSizeAttachmentsPerEmail",
	    json_object_new_int64(50000000));
	json_object_array_add(sorts, json_object_new_string("receivedAt"));
	json_object_object_add(mail, "emailQuerySortOptions", sorts);
	json_object_object_add(mail, "mayCreateTopLevelMailbox",
	    json_object_new_boolean(1));
	return mail;
}

static struct json_object *
http_session_json(struct ts_server *s)
{
	struct json_object *session, *caps, *ws, *accounts, *acct, *acaps;
	struct json_object *primary;
	char url[320];

	session = json_object_new_object();
	caps = json_object_new_object();
	json_object_object_add(caps, "urn:ietf:params:jmap:core",
	    http_core_capability());
	json_object_object_add(caps, "urn:ietf:params:jmap:mail",
	    json_object_new_object());
	switch (s->ws_url) {
	case TS_WS_URL_CYRUS:
		/* Cyrus' real quirk: no authority, and wss even over http. */
		snprintf(url, sizeof(url), "wss:/jmap/ws/");
		break;
	case TS_WS_URL_ABSOLUTE:
		snprintf(url, sizeof(url), "%s://%s:%d/jmap/ws/",
		    s->tls_cert ? "wss" : "ws", s->host, s->listen_port);
		break;
	case TS_WS_URL_RELATIVE:
		snprintf(url, sizeof(url), "/jmap/ws/");
		break;
	case TS_WS_URL_NONE:
		url[0] = '\0';
		break;
	}
	if (s->session_ws_url != NULL)
		snprintf(url, sizeof(url), "%s", s->session_ws_url);
	if (url[0] != '\0') {
		ws = json_object_new_object();
		json_object_object_add(ws, "url", json_object_new_string(url));
		json_object_object_add(ws, "supportsPush",
		    json_object_new_boolean(1));
		json_object_object_add(caps, "urn:ietf:params:jmap:websocket",
		    ws);
	}
	json_object_object_add(session, "capabilities", caps);

	accounts = json_object_new_object();
	for (size_t i = 0; i < s->state.naccounts; i++) {
		const struct ts_account *a = &s->state.accounts[i];

		if (a->unlisted)
			continue;
		acct = json_object_new_object();
		json_object_object_add(acct, "name",
		    json_object_new_string(a->name));
		json_object_object_add(acct, "isPersonal",
		    json_object_new_boolean(a->personal));
		json_object_object_add(acct, "isReadOnly",
		    json_object_new_boolean(0));
		acaps = json_object_new_object();
		json_object_object_add(acaps, "urn:ietf:params:jmap:core",
		    json_object_new_object());
		json_object_object_add(acaps, "urn:ietf:params:jmap:mail",
		    http_mail_account_capability());
		json_object_object_add(acct, "accountCapabilities", acaps);
		json_object_object_add(accounts, a->id, acct);
	}
	json_object_object_add(session, "accounts", accounts);
	primary = json_object_new_object();
	json_object_object_add(primary, "urn:ietf:params:jmap:core",
	    json_object_new_string(s->state.accounts[0].id));
	json_object_object_add(primary, "urn:ietf:params:jmap:mail",
	    json_object_new_string(s->state.accounts[0].id));
	json_object_object_add(session, "primaryAccounts", primary);
	json_object_object_add(session, "username",
	    json_object_new_string(s->user));
	json_object_object_add(session, "apiUrl", json_object_new_string(
	    s->session_api_url ? s->session_api_url : "/jmap/api"));
	json_object_object_add(session, "downloadUrl", json_object_new_string(
	    "/jmap/download/{accountId}/{blobId}/{name}?accept={type}"));
	json_object_object_add(session, "uploadUrl",
	    json_object_new_string("/jmap/upload/{accountId}/"));
	json_object_object_add(session, "eventSourceUrl", json_object_new_string(
	    s->session_es_url ? s->session_es_url : es_url(s)));
	json_object_object_add(session, "state",
	    json_object_new_string(s->session_state));
	return session;
}

static int
http_session(struct ts_server *s, struct lws *wsi, struct ts_http *hc)
{
	struct json_object *session;

	if (s->fault_unauthorized > 0) {
		s->fault_unauthorized--;
		ts_info("fault: unauthorized: answering 401 to the session "
		    "request (%lu more)", s->fault_unauthorized);
		return http_send_unauthorized(wsi);
	}
	if (!http_authorized(s, wsi, "session"))
		return http_send_unauthorized(wsi);
	if (s->fault_endless_session > 0) {
		s->fault_endless_session--;
		return endless_begin(wsi, hc, "session");
	}
	session = http_session_json(s);
	s->session_gets++;
	if (s->fault_huge_session > 0) {
		s->fault_huge_session--;
		ts_info("fault: hugesession: a Session of %zu bytes",
		    s->fault_huge_session_len);
		session = endless_pad_session(session,
		    s->fault_huge_session_len);
	}
	return http_send_json(wsi, HTTP_STATUS_OK, session);
}

/* Counts a request the daemon made (not a test's control request). */
static void
http_count(struct ts_server *s, struct lws *wsi)
{
	s->jmap_requests++;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION) > 0)
		s->authorizations++;
}

static bool
http_is_ws_path(const char *path)
{
	return strcmp(path, "/jmap/ws/") == 0 || strcmp(path, "/jmap/ws") == 0;
}

/* Whether the client offered the jmap subprotocol among others. */
static bool
http_offers_jmap(struct lws *wsi)
{
	char buf[256], *tok, *save;

	if (lws_hdr_copy(wsi, buf, sizeof(buf), WSI_TOKEN_PROTOCOL) <= 0)
		return false;
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save))
		if (strcmp(tok, TS_SUBPROTOCOL) == 0)
			return true;
	return false;
}

/*
 * Completes the handshake by hand, without Sec-WebSocket-Protocol: lws
 * cannot be told to leave out the subprotocol it matched. The connection
 * stays HTTP on our side, so whatever the client sends next ends it.
 */
static int
http_upgrade_without_subprotocol(struct lws *wsi)
{
	unsigned char hash[20], buf[LWS_PRE + 256];
	char key[64], accept[64], *resp = (char *)buf + LWS_PRE;
	char seed[sizeof(key) + sizeof(WS_GUID)];
	int n;

	if (lws_hdr_copy(wsi, key, sizeof(key), WSI_TOKEN_KEY) <= 0)
		return http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
		    "missing or oversized Sec-WebSocket-Key");
	n = snprintf(seed, sizeof(seed), "%s%s", key, WS_GUID);
	lws_SHA1((const unsigned char *)seed, (size_t)n, hash);
	if (lws_b64_encode_string((const char *)hash, sizeof(hash), accept,
	    sizeof(accept)) < 0)
		return -1;
	n = snprintf(resp, sizeof(buf) - LWS_PRE,
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
	ts_info("http: GET /jmap/ws/ -> 101 without a subprotocol (fault)");
	if (lws_write(wsi, (unsigned char *)resp, (size_t)n,
	    LWS_WRITE_HTTP_HEADERS) != n) {
		ts_warnx("http: cannot write the 101 response");
		return -1;
	}
	return 0;
}

/*
 * LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: 0 lets lws complete the handshake; 1
 * means we answered (refused) ourselves; -1 hangs up.
 */
static int
http_confirm_upgrade(struct ts_server *s, struct lws *wsi, const char *up)
{
	char path[128];
	int rv;

	http_count(s, wsi);
	if (lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI) <= 0 ||
	    !http_is_ws_path(path) || strcasecmp(up, "websocket") != 0) {
		s->refused++;
		rv = http_send_error(wsi, HTTP_STATUS_NOT_FOUND,
		    "no WebSocket endpoint here");
		goto refused;
	}
	if (s->fault_notfound > 0) {
		s->fault_notfound--;
		s->refused++;
		ts_info("fault: notfound: upgrade refused with 404 (%lu more)",
		    s->fault_notfound);
		rv = http_send_error(wsi, HTTP_STATUS_NOT_FOUND,
		    "no WebSocket endpoint here");
		goto refused;
	}
	if (s->fault_wsredirect > 0) {
		char url[320];
		struct http_header hdr = { "location:", url };

		if (s->fault_wsredirect_location[0] != '\0')
			snprintf(url, sizeof(url), "%s",
			    s->fault_wsredirect_location);
		else
			snprintf(url, sizeof(url), "%s://%s:%d/jmap/ws/",
			    s->tls_cert ? "https" : "http", s->host,
			    s->listen_port);
		s->fault_wsredirect--;
		s->refused++;
		ts_info("fault: wsredirect: upgrade answered %u to %s (%lu "
		    "more)", s->fault_wsredirect_status, url,
		    s->fault_wsredirect);
		rv = http_send(wsi, s->fault_wsredirect_status, "", &hdr, 1);
		goto refused;
	}
	if (s->fault_refuse > 0) {
		char secs[24];
		struct http_header hdr = { "retry-after:", secs };

		snprintf(secs, sizeof(secs), "%ld", s->fault_retry_after);
		s->fault_refuse--;
		s->refused++;
		ts_info("fault: refuse: upgrade refused with 503 (%lu more)",
		    s->fault_refuse);
		rv = http_send(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "{\"error\":\"service unavailable\"}", &hdr, 1);
		goto refused;
	}
	if (s->fault_unauthorized > 0) {
		s->fault_unauthorized--;
		s->refused++;
		ts_info("fault: unauthorized: upgrade refused with 401 "
		    "(%lu more)", s->fault_unauthorized);
		rv = http_send_unauthorized(wsi);
		goto refused;
	}
	if (!http_authorized(s, wsi, "upgrade")) {
		s->refused++;
		rv = http_send_unauthorized(wsi);
		goto refused;
	}
	if (!http_offers_jmap(wsi)) {
		s->refused++;
		ts_info("upgrade: the client did not offer subprotocol \""
		    TS_SUBPROTOCOL "\"");
		rv = http_send_error(wsi, HTTP_STATUS_BAD_REQUEST,
		    "subprotocol " TS_SUBPROTOCOL " required");
		goto refused;
	}
	if (s->fault_nosubprotocol > 0) {
		s->fault_nosubprotocol--;
		s->refused++;
		rv = http_upgrade_without_subprotocol(wsi);
		goto refused;
	}
	return 0;
refused:
	control_wake(s);
	return rv == -1 ? -1 : 1;
}

static int
http_request(struct ts_server *s, struct lws *wsi, struct ts_http *hc,
    const char *path)
{
	if (strncmp(path, "/control/", 9) != 0)
		http_count(s, wsi);
	if (s->redirect_path != NULL && strcmp(path, s->redirect_path) == 0 &&
	    lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0) {
		struct http_header hdr = { "location:", s->redirect_location };

		return http_send(wsi, s->redirect_status, "", &hdr, 1);
	}
	if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0 &&
	    strcmp(path, "/jmap/api") == 0) {
		if (!http_authorized(s, wsi, "api"))
			return http_send_unauthorized(wsi);
		return api_begin(wsi, hc);
	}
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0)
		return http_send_error(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED,
		    "only GET is supported");
	if (strncmp(path, "/control/", 9) == 0)
		return control_handle(s, wsi, hc, path);
	if (strcmp(path, "/.well-known/jmap") == 0)
		return http_well_known(s, wsi);
	if (strcmp(path, "/jmap/session") == 0)
		return http_session(s, wsi, hc);
	if (strcmp(path, "/jmap/eventsource") == 0)
		return es_open(s, wsi, hc);
	if (strcmp(path, "/jmap/api") == 0)
		return http_send_error(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED,
		    "only POST is supported");
	if (http_is_ws_path(path))
		return http_send_error(wsi, 426, "WebSocket upgrade required");
	return http_send_error(wsi, HTTP_STATUS_NOT_FOUND, "not found");
}

/* After an answer: keep the connection for the next request, or close. */
static int
http_done(struct lws *wsi, int rv)
{
	if (rv == -1)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int
http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct ts_http *hc = user;
	struct ts_server *s = http_server(wsi);
	int rv;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		hc->wsi = wsi;
		api_reset(hc);
		rv = http_request(s, wsi, hc, in);
		if (rv == 1)	/* parked, streaming or reading a body */
			return 0;
		/*
		 * Other methods may carry a body we do not read: closing
		 * keeps it from being taken for the next request.
		 */
		if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0)
			return -1;
		return http_done(wsi, rv);
	case LWS_CALLBACK_HTTP_BODY:
		if (hc == NULL || !hc->api)
			return 0;
		return api_body(wsi, hc, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (hc == NULL || !hc->api)
			return 0;
		if (s->fault_endless_api > 0) {
			s->fault_endless_api--;
			api_reset(hc);
			return endless_begin(wsi, hc, "api") == -1 ? -1 : 0;
		}
		rv = api_complete(s, wsi, hc);
		api_reset(hc);
		if (rv == 1)	/* held */
			return 0;
		return http_done(wsi, rv);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (hc != NULL && hc->es != NULL)
			return es_writeable(hc->es);
		if (hc != NULL && hc->endless)
			return endless_writeable(wsi, hc);
		if (hc != NULL && hc->released)
			return http_done(wsi, api_held_writeable(hc));
		if (hc == NULL || !hc->answer)
			return 0;
		return http_done(wsi, control_writeable(s, hc));
	case LWS_CALLBACK_TIMER:
		if (hc != NULL)
			control_timer(s, hc);
		return 0;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return http_confirm_upgrade(s, wsi, in);
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* A client that asked for subprotocol "http" by name. */
		return 1;
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		scale_accepted(s);
		return 0;
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (hc != NULL) {
			control_unpark(s, hc);
			es_free(s, hc);
			endless_free(hc);
			api_reset(hc);
			api_unhold(s, hc);
		}
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}
