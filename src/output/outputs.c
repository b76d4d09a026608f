#include "autoconf.h"

#include <stdlib.h>

#include "output/hook.h"
#include "output/outputs.h"
#include "util/xmalloc.h"

struct outputs {
	struct event_base *base;
	struct daemon *daemon;
	struct hooks *hooks;
};

struct outputs *
outputs_new(struct event_base *base, const struct config *cfg,
    struct daemon *d)
{
	struct outputs *o = xcalloc(1, sizeof(*o));

	o->base = base;
	o->daemon = d;
	o->hooks = hooks_new(cfg);
	return o;
}

void
outputs_set_config(struct outputs *o, const struct config *cfg)
{
	hooks_set_config(o->hooks, cfg);
}

void
outputs_free(struct outputs *o)
{
	if (o == NULL)
		return;
	hooks_free(o->hooks);
	free(o);
}

void
outputs_state(struct outputs *o, const struct push_event *ev)
{
	hooks_dispatch(o->hooks, ev);
}

void
outputs_connection(struct outputs *o, struct account *acct)
{
}
