/* SPDX-License-Identifier: MIT */
/*
 * hub_peers.c - peers of transports other than nanomsg (the Qt hub-ws's
 * WebSocket clients): the front end owns the connections, the engine only
 * knows their ids, who they say they are, whether they read BATCH frames
 * and whether they are paused; and the frames it hands the front end for
 * them, gathered into BATCHes while an engine call handles input.
 */
#include "hub_internal.h"

#include <stdlib.h>
#include <string.h>

/* Ids only grow, so the array stays sorted and lookups are binary searches. */
static size_t lower_bound(const nanostate_hub *hub, uint64_t id)
{
    size_t lo = 0, hi = hub->npeers;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (hub->peers[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

peer *hub_peer_find(const nanostate_hub *hub, uint64_t id)
{
    size_t i = lower_bound(hub, id);
    return i < hub->npeers && hub->peers[i].id == id ? &hub->peers[i] : NULL;
}

void hub_peers_free(nanostate_hub *hub)
{
    for (size_t i = 0; i < hub->npeers; i++)
        free(hub->peers[i].identity);
    free(hub->peers);
    hub->peers = NULL;
    hub->npeers = hub->peers_cap = 0;
    hub->peers_reading_batch = 0;
    batch_free(&hub->peer_out.broadcasts);
    batch_free(&hub->peer_out.replies);
}

/* --- frames out ------------------------------------------------------------ */

static void output(nanostate_hub *hub, const void *data, size_t len, uint64_t to, uint64_t except)
{
    nanostate_hub_output out = {data, len, to, except};
    hub->output_fn(hub->output_user, &out);
}

/* Hands the front end what batch b holds: one frame as it is, several as
 * one BATCH. The batch is empty before the callback runs. */
static void flush_one(nanostate_hub *hub, batch *b, uint64_t to, uint64_t except)
{
    uint32_t frames;
    if (batch_take_into(b, HUB_SENDER, strlen(HUB_SENDER), &hub->scratch, &frames) != 0)
        return;
    if (frames > 1)
        hub->stats[ST_PEER_BATCHES_OUT]++;
    output(hub, hub->scratch.data, hub->scratch.len, to, except);
}

static void flush_broadcasts(nanostate_hub *hub)
{
    flush_one(hub, &hub->peer_out.broadcasts, 0, hub->peer_out.except);
}

static void flush_replies(nanostate_hub *hub)
{
    flush_one(hub, &hub->peer_out.replies, hub->peer_out.to, 0);
}

/* The two batches reach different peers (see peer_out): either goes first. */
static void flush_all(nanostate_hub *hub)
{
    flush_broadcasts(hub);
    flush_replies(hub);
}

void hub_peers_gather(nanostate_hub *hub, int on)
{
    if (!on)
        flush_all(hub);
    hub->peer_out.gathering = on && hub->batch_enabled;
}

void hub_peers_send(nanostate_hub *hub, const buffer *frame, uint64_t to, uint64_t except)
{
    if (!hub->output_fn || hub->npeers == 0 || frame->failed)
        return;
    peer_out *o = &hub->peer_out;
    batch *join = NULL;
    if (o->gathering && to) {
        peer *p = hub_peer_find(hub, to);
        if (p && p->reads_batch)
            join = &o->replies;
    } else if (o->gathering && hub->peers_reading_batch == hub->npeers) {
        join = &o->broadcasts;
    }
    /* Frames that wait and reach a receiver of this one go first: they were
     * made first. A batch holds frames for one set of receivers. */
    int same = join == &o->broadcasts && o->except == except;
    if (o->broadcasts.frames && !same && (to == 0 || o->except != to))
        flush_broadcasts(hub);
    same = join == &o->replies && o->to == to;
    if (o->replies.frames && !same && (to ? join == &o->replies || o->to == to : o->to != except))
        flush_replies(hub);
    if (join == &o->broadcasts) {
        o->except = except;
        if (hub_batch_add(hub, join, frame, flush_broadcasts))
            return;
        flush_broadcasts(hub); /* too large to join: it goes alone, after them */
    } else if (join) {
        o->to = to;
        if (hub_batch_add(hub, join, frame, flush_replies))
            return;
        flush_replies(hub);
    }
    output(hub, frame->data, frame->len, to, except);
}

void hub_peer_declare(nanostate_hub *hub, uint64_t id, uint64_t features)
{
    peer *p = hub_peer_find(hub, id);
    int reads = (features & FEATURE_BATCH) != 0;
    if (!p || p->reads_batch == reads)
        return;
    if (!reads)
        flush_all(hub); /* what waits was gathered for a peer that read it */
    p->reads_batch = reads;
    if (reads)
        hub->peers_reading_batch++;
    else
        hub->peers_reading_batch--;
}

NANOSTATE_EXPORT int nanostate_hub_peer_add(nanostate_hub *hub, uint64_t *id)
{
    if (!hub || !id)
        return NANOSTATE_EINVAL;
    /* A peer that reads no BATCH yet must not get what was gathered. */
    flush_all(hub);
    if (hub->npeers == hub->peers_cap) {
        size_t cap = hub->peers_cap ? hub->peers_cap * 2 : 16;
        peer *p = realloc(hub->peers, cap * sizeof *p);
        if (!p)
            return NANOSTATE_ENOMEM;
        hub->peers = p;
        hub->peers_cap = cap;
    }
    peer *p = &hub->peers[hub->npeers++];
    memset(p, 0, sizeof *p);
    p->id = hub->next_peer_id++;
    *id = p->id;
    return 0;
}

NANOSTATE_EXPORT int nanostate_hub_peer_remove(nanostate_hub *hub, uint64_t id)
{
    peer *p = hub ? hub_peer_find(hub, id) : NULL;
    if (!p)
        return NANOSTATE_EINVAL;
    flush_all(hub); /* it may be the one a batch excludes or is for */
    p = hub_peer_find(hub, id);
    if (p->reads_batch)
        hub->peers_reading_batch--;
    free(p->identity);
    size_t i = (size_t)(p - hub->peers);
    memmove(p, p + 1, (hub->npeers - i - 1) * sizeof *p);
    hub->npeers--;
    return 0;
}

NANOSTATE_EXPORT int nanostate_hub_peer_pause(nanostate_hub *hub, uint64_t id)
{
    peer *p = hub ? hub_peer_find(hub, id) : NULL;
    if (!p)
        return NANOSTATE_EINVAL;
    p->paused = 1;
    return 0;
}

NANOSTATE_EXPORT int nanostate_hub_peer_resume(nanostate_hub *hub, uint64_t id)
{
    peer *p = hub ? hub_peer_find(hub, id) : NULL;
    if (!p)
        return NANOSTATE_EINVAL;
    if (!p->paused)
        return 0;
    p->paused = 0;
    /* A heartbeat shows the client how far behind it is; it then pulls the
     * newest value of each state that changed meanwhile (SYNC), one chunk at
     * a time, like any App that lost frames. */
    source src = {id, NULL};
    hub_heartbeat(hub, &src);
    return 0;
}

NANOSTATE_EXPORT const char *nanostate_hub_peer_identity(const nanostate_hub *hub, uint64_t id)
{
    peer *p = hub ? hub_peer_find(hub, id) : NULL;
    return p ? p->identity : NULL;
}
