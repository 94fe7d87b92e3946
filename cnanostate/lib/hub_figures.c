/* SPDX-License-Identifier: MIT */
/*
 * hub_figures.c - the hub's own live figures as read-only states under
 * $hub/ (NANOSTATE_OPT_STATS_MS), so any App can show them like any state.
 */
#include "clock.h"
#include "hub_internal.h"

#include <nanomsg/nn.h>
#include <string.h>

/* Sends a figure only when it changed, so a quiet hub stays quiet. */
static void publish_packed(nanostate_hub *hub, const char *name, buffer *b)
{
    nanostate_hub_state current;
    if (!b->failed && (nanostate_hub_get(hub, name, &current) != 0 ||
                       current.value.size != b->len ||
                       memcmp(current.value.packed, b->data, b->len) != 0))
        nanostate_hub_set_packed(hub, name, b->data, b->len);
    buffer_free(b);
}

static void publish_uint(nanostate_hub *hub, const char *name, uint64_t value)
{
    buffer b;
    msgpack_packer pk;
    buffer_init(&b, 0);
    buffer_packer(&b, &pk);
    msgpack_pack_uint64(&pk, value);
    publish_packed(hub, name, &b);
}

/* Events per second since the last figures, to one decimal. */
static void publish_rate(nanostate_hub *hub, const char *name, uint64_t count, uint64_t last,
                         int64_t elapsed_ms)
{
    double rate = elapsed_ms > 0 ? (double)(count - last) * 1000.0 / (double)elapsed_ms : 0.0;
    buffer b;
    msgpack_packer pk;
    buffer_init(&b, 0);
    buffer_packer(&b, &pk);
    msgpack_pack_double(&pk, (double)(int64_t)(rate * 10.0 + 0.5) / 10.0);
    publish_packed(hub, name, &b);
}

void hub_figures_publish(nanostate_hub *hub)
{
    int64_t now = clock_now_ms();
    int64_t elapsed = now - hub->figures_at;
    uint64_t nn_clients =
        hub->bound ? nn_get_statistic(hub->sock, NN_STAT_CURRENT_CONNECTIONS) : 0;
    uint64_t in = hub->stats[ST_FRAMES_IN], out = hub->stats[ST_FRAMES_OUT];
    publish_uint(hub, "$hub/clients", nn_clients + hub->npeers);
    publish_uint(hub, "$hub/clients/nanomsg", nn_clients);
    publish_uint(hub, "$hub/clients/other", hub->npeers);
    publish_rate(hub, "$hub/messages_in_per_s", in, hub->figures_in, elapsed);
    publish_rate(hub, "$hub/messages_out_per_s", out, hub->figures_out, elapsed);
    publish_uint(hub, "$hub/rejected", hub->stats[ST_REJECTED]);
    publish_uint(hub, "$hub/states", hub->table.count);
    publish_uint(hub, "$hub/uptime_s", (uint64_t)((now - hub->started_at) / 1000));
    /* What publishing itself sent is not traffic to report. */
    hub->figures_in = hub->stats[ST_FRAMES_IN];
    hub->figures_out = hub->stats[ST_FRAMES_OUT];
    hub->figures_at = now;
}
