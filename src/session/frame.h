/* SPDX-License-Identifier: ISC */
/* RFC 8887 WebSocket frames (JSON text), also used for the data of
 * EventSource "state" events. */
#ifndef JP_FRAME_H
#define JP_FRAME_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define FRAME_MAX_DEPTH		32
#define FRAME_MAX_ACCOUNTS	10000
#define FRAME_MAX_TYPES		1000

enum frame_type {
	FRAME_STATE_CHANGE,
	FRAME_RESPONSE,
	FRAME_REQUEST_ERROR,
	FRAME_UNKNOWN
};

struct frame {
	enum frame_type type;
	struct json_object *root;	/* owned; freed by frame_clear */
	/* The @type string, points into root; NULL if missing. */
	const char *type_name;
	/* FRAME_STATE_CHANGE: validated
	 * {accountId: {TypeName: "state", ...}, ...} */
	struct json_object *changed;
	const char *push_state;		/* NULL when absent */
	/* FRAME_RESPONSE / FRAME_REQUEST_ERROR */
	const char *request_id;		/* NULL when absent */
	/* Response: the methodResponses array; NULL otherwise. */
	struct json_object *method_responses;
	/* Response: its sessionState string; NULL when absent. */
	const char *session_state;
};

/* Parse one text frame.  0, or -1 with a message in err (*out is then
 * zeroed).  A missing @type is a StateChange when allow_untyped_state
 * (EventSource data from Fastmail), FRAME_UNKNOWN otherwise; an unknown
 * @type is FRAME_UNKNOWN, not an error. */
int frame_parse(const char *data, size_t len, bool allow_untyped_state,
    struct frame *out, char *err, size_t errlen);
void frame_clear(struct frame *);

/* {"@type":"WebSocketPushEnable","dataTypes":[...],"pushState":"..."};
 * pushState omitted when push_state is NULL.  dataTypes is never null (Cyrus
 * takes null as "off"), so ntypes must not be 0: NULL then.  Allocated. */
char *frame_push_enable(char *const *types, size_t ntypes,
    const char *push_state);

/* {"@type":"Request","id":ID,"using":[...],"methodCalls":[...]}; "id"
 * omitted when id is NULL.  The JSON arguments stay the caller's (they are
 * referenced, not taken).  Allocated. */
char *frame_request(const char *id, struct json_object *using,
    struct json_object *method_calls);

#endif
