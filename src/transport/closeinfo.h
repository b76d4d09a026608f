/* SPDX-License-Identifier: ISC */
/* Why a push connection ended, for its owner's retry policy: one struct
 * for the WebSocket (ws.h), the event stream (session/esource.h) and the
 * channel over either (session/channel.h), passed up unchanged.  The
 * strings are borrowed for the callback that hands it over. */
#ifndef JP_CLOSEINFO_H
#define JP_CLOSEINFO_H

#include <stdbool.h>

struct close_info {
	const char *error;	/* NULL after a clean close by the server */
	int http_status;	/* of a refused upgrade or stream, else 0 */
	const char *retry_after;	/* that response's header, or NULL */
	int close_code;		/* WebSocket close code from the server, or 0 */
	bool tls_failed;	/* the server's certificate was not trusted */
	/* Event streams: a 200 that is not text/event-stream.  The spec
	 * fails the connection for good; trying again soon would not help. */
	bool wrong_content_type;
	/* Event streams: a redirect to http or another origin, not
	 * followed; asking again would only be redirected again. */
	bool redirect_refused;
	bool was_established;
};

#endif
