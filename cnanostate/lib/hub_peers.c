/* SPDX-License-Identifier: MIT */
/*
 * hub_peers.c - peers of transports other than nanomsg (the Qt hub-ws's
 * WebSocket clients): the front end owns the connections, the engine only
 * knows their ids, who they say they are, and whether they are paused.
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
}

NANOSTATE_EXPORT int nanostate_hub_peer_add(nanostate_hub *hub, uint64_t *id)
{
    if (!hub || !id)
        return NANOSTATE_EINVAL;
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
