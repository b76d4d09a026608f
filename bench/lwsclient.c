/* SPDX-License-Identifier: ISC */
/*
 * jp-bench-lws: the latency baseline, a minimal libwebsockets client: one
 * RFC 8887 WebSocket (subprotocol "jmap", Basic auth), WebSocketPushEnable,
 * and every frame printed as one line to stdout. Plain lws on its own
 * default poll loop, nothing else. Prints "ready 1" first, once push is
 * enabled.
 *
 * usage: jp-bench-lws PORT [USER PASSWORD]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#define ENABLE	"{\"@type\":\"WebSocketPushEnable\",\"dataTypes\":null}"

static char auth[512];
static int done, enabled;

static int
client_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	unsigned char **p = in, buf[LWS_PRE + sizeof(ENABLE)];

	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (lws_add_http_header_by_token(wsi,
		    WSI_TOKEN_HTTP_AUTHORIZATION, (unsigned char *)auth,
		    (int)strlen(auth), p, *p + len))
			return -1;
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (enabled)
			break;
		memcpy(buf + LWS_PRE, ENABLE, strlen(ENABLE));
		if (lws_write(wsi, buf + LWS_PRE, strlen(ENABLE),
		    LWS_WRITE_TEXT) < (int)strlen(ENABLE))
			return -1;
		enabled = 1;
		printf("ready 1\n");
		fflush(stdout);
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		fwrite(in, 1, len, stdout);
		if (lws_is_final_fragment(wsi) &&
		    lws_remaining_packet_payload(wsi) == 0)
			putchar('\n');
		fflush(stdout);
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "jp-bench-lws: %s\n", in != NULL ?
		    (const char *)in : "connection error");
		done = 1;
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		done = 1;
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ "jmap", client_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct lws_client_connect_info ci;
	struct lws_context *ctx;
	char cred[256];

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: jp-bench-lws PORT [USER PASSWORD]\n");
		return 2;
	}
	snprintf(cred, sizeof(cred), "%s:%s", argc == 4 ? argv[2] :
	    "alice@example.com", argc == 4 ? argv[3] : "secret");
	strcpy(auth, "Basic ");
	lws_b64_encode_string(cred, (int)strlen(cred), auth + 6,
	    (int)sizeof(auth) - 6);
	lws_set_log_level(LLL_ERR, NULL);

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	if ((ctx = lws_create_context(&info)) == NULL)
		return 1;
	memset(&ci, 0, sizeof(ci));
	ci.context = ctx;
	ci.address = "127.0.0.1";
	ci.port = atoi(argv[1]);
	ci.path = "/jmap/ws/";
	ci.host = "127.0.0.1";
	ci.origin = "127.0.0.1";
	ci.protocol = "jmap";
	if (lws_client_connect_via_info(&ci) == NULL)
		return 1;
	while (!done && lws_service(ctx, 0) >= 0)
		;
	lws_context_destroy(ctx);
	return 0;
}
