/* SPDX-License-Identifier: MIT */
/*
 * hub_census.c - may the hub send BATCH frames over nanomsg, and which
 * pipe takes an ACK for the echo of its large changes?
 *
 * A BUS socket sends every message to every pipe, and original Apps cannot
 * read a BATCH: they would miss the updates inside. So the hub batches only
 * while the pipes that declared FEATURE_BATCH (in their SYNC or HELLO) are as
 * many as the connections nanomsg counts. A raw BUS socket tells which pipe
 * a frame came from, but not which pipe closed; when one did, every
 * declaration is forgotten and the next heartbeat carries a new census
 * round, which each App answers with a HELLO.
 */
#include "hub_internal.h"

#include <nanomsg/nn.h>
#include <stdlib.h>
#include <string.h>

/* The pipe a raw BUS frame came from: nanomsg puts its address in the SP
 * header, the first control message, whose data is the header's length
 * (a size_t) and then its bytes. 0 when unknown. */
static uint64_t pipe_of(const source *src)
{
    if (src->peer || !src->nn_ctrl)
        return 0;
    const struct nn_cmsghdr *c = src->nn_ctrl;
    uint64_t id;
    size_t len;
    if (c->cmsg_level != PROTO_SP || c->cmsg_type != SP_HDR ||
        c->cmsg_len < NN_CMSG_LEN(sizeof len + sizeof id))
        return 0;
    memcpy(&len, NN_CMSG_DATA(c), sizeof len);
    if (len < sizeof id)
        return 0;
    memcpy(&id, NN_CMSG_DATA(c) + sizeof len, sizeof id);
    return id;
}

static size_t slot_of(uint64_t id, size_t cap)
{
    return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static struct census_pipe *census_slot(const census *c, uint64_t id)
{
    size_t i = slot_of(id, c->cap);
    while (c->pipes[i].id && c->pipes[i].id != id)
        i = (i + 1) & (c->cap - 1);
    return &c->pipes[i];
}

static int census_add(census *c, uint64_t id, uint64_t features)
{
    if ((c->used + 1) * 2 > c->cap) {
        census grown = *c;
        grown.cap = c->cap ? c->cap * 2 : 16;
        grown.pipes = calloc(grown.cap, sizeof *grown.pipes);
        if (!grown.pipes)
            return -1;
        for (size_t i = 0; i < c->cap; i++)
            if (c->pipes[i].id)
                *census_slot(&grown, c->pipes[i].id) = c->pipes[i];
        free(c->pipes);
        *c = grown;
    }
    struct census_pipe *p = census_slot(c, id);
    if (!p->id) {
        p->id = id;
        c->used++;
    }
    if ((features & FEATURE_BATCH) && !(p->features & FEATURE_BATCH))
        c->count++;
    p->features |= features;
    return 0;
}

void hub_census_note(nanostate_hub *hub, const source *src, uint64_t features)
{
    if (src->peer) {
        hub_peer_declare(hub, src->peer, features);
        return;
    }
    uint64_t id = pipe_of(src);
    if (id && features)
        census_add(&hub->census, id, features);
}

uint64_t hub_census_features(const nanostate_hub *hub, const source *src)
{
    uint64_t id = pipe_of(src);
    if (!id || !hub->census.cap)
        return 0;
    return census_slot(&hub->census, id)->features;
}

int hub_census_skips_echo(nanostate_hub *hub, const source *src, size_t value_len)
{
    if (value_len < SEQ_ACK_MIN_VALUE || !(hub_census_features(hub, src) & FEATURE_SEQ_ACK))
        return 0;
    /* The echo costs its bytes once; the ACK a message to every pipe. */
    uint64_t pipes = nn_get_statistic(hub->sock, NN_STAT_CURRENT_CONNECTIONS);
    return pipes <= 2 || value_len >= SEQ_ACK_MIN_VALUE * (pipes - 1);
}

int hub_census_all_batch(nanostate_hub *hub)
{
    census *c = &hub->census;
    if (!hub->batch_enabled || hub->bound == 0)
        return 0;
    uint64_t gone = nn_get_statistic(hub->sock, NN_STAT_DROPPED_CONNECTIONS) +
                    nn_get_statistic(hub->sock, NN_STAT_BROKEN_CONNECTIONS);
    if (gone != c->gone) {
        c->gone = gone;
        if (c->used) {
            memset(c->pipes, 0, c->cap * sizeof *c->pipes);
            c->used = c->count = 0;
        }
        c->round++;
        hub->census_due = 1;
    }
    uint64_t now = nn_get_statistic(hub->sock, NN_STAT_CURRENT_CONNECTIONS);
    return now > 0 && c->count >= now;
}

void hub_census_free(nanostate_hub *hub)
{
    free(hub->census.pipes);
    memset(&hub->census, 0, sizeof hub->census);
}
