/* SPDX-License-Identifier: MIT */
/* Nanostate: an App connected to a hub; values are msgpack bin. */
#include "transport.h"

#include <nanostate/nanostate.h>

#include <stdlib.h>

struct bench_conn {
    nanostate_app *app;
    bench_recv_fn fn;
    void *user;
    int delivered;
};

static void on_update(void *user, const nanostate_update *u)
{
    bench_conn *c = user;
    const void *data;
    size_t len;
    if (!c->fn || u->removed || nanostate_value_get_bytes(&u->value, &data, &len) != 0)
        return;
    c->fn(c->user, u->name, data, len);
    c->delivered++;
}

static int ns_open(bench_conn **out, const char *url, const char *filter, int flags)
{
    (void)filter;
    (void)flags;
    bench_conn *c = calloc(1, sizeof *c);
    if (!c || nanostate_app_open(&c->app, "bench", url) != 0) {
        free(c);
        return -1;
    }
    /* Large values need a larger frame than the default only above 16 MiB. */
    nanostate_app_on_update(c->app, on_update, c, 0);
    if (nanostate_app_flush(c->app, 5000) != 0) { /* synced with the hub */
        nanostate_app_close(c->app);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

static int ns_send(bench_conn *c, const char *name, const void *val, size_t len)
{
    return nanostate_app_set_bytes(c->app, name, val, len) == 0 ? 0 : -1;
}

static int ns_poll(bench_conn *c, int timeout_ms, bench_recv_fn fn, void *user)
{
    c->fn = fn;
    c->user = user;
    c->delivered = 0;
    if (timeout_ms == 0)
        nanostate_app_dispatch(c->app);
    else
        nanostate_app_wait(c->app, timeout_ms);
    c->fn = NULL;
    return c->delivered;
}

static void ns_flush(bench_conn *c, int timeout_ms)
{
    nanostate_app_flush(c->app, timeout_ms);
}

static void ns_close(bench_conn *c)
{
    nanostate_app_close(c->app);
    free(c);
}

const bench_transport bench_transport_nanostate = {"nanostate", ns_open, ns_send, ns_poll, ns_flush, ns_close};
