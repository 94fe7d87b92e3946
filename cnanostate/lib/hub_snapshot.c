/* SPDX-License-Identifier: MIT */
/*
 * hub_snapshot.c - answering SYNC: everything that changed after a sequence
 * number, newest value per state, in chunks the App pulls one at a time.
 *
 * The table is ordered by the seq of each state's last change, and recent
 * removals are kept in a ring, so a delta costs what changed, not the table.
 */
#include "hub_internal.h"

#include <stdlib.h>
#include <string.h>

void hub_tombstone_add(nanostate_hub *hub, const char *name, size_t len, uint64_t seq)
{
    if (hub->tomb_count == hub->tomb_cap) {
        tombstone *old = &hub->tombs[hub->tomb_start];
        hub->tomb_floor = old->seq;
        free(old->name);
        hub->tomb_start = (hub->tomb_start + 1) % hub->tomb_cap;
        hub->tomb_count--;
    }
    tombstone *t = &hub->tombs[(hub->tomb_start + hub->tomb_count) % hub->tomb_cap];
    t->name = malloc(len);
    if (!t->name) {
        /* Cannot remember it: Apps that were away must resync in full. */
        hub->tomb_floor = seq;
        return;
    }
    memcpy(t->name, name, len);
    t->name_len = (uint32_t)len;
    t->seq = seq;
    hub->tomb_count++;
}

void hub_tombstones_free(nanostate_hub *hub)
{
    for (size_t i = 0; i < hub->tomb_count; i++)
        free(hub->tombs[(hub->tomb_start + i) % hub->tomb_cap].name);
    free(hub->tombs);
    hub->tombs = NULL;
    hub->tomb_count = 0;
}

/* First entry whose last change is after `since`, walking from whichever end
 * is nearer in sequence numbers. */
static entry *first_after(const table *t, uint64_t since)
{
    if (!t->head || t->tail->seq <= since)
        return NULL;
    if (since < t->head->seq)
        return t->head;
    if (since - t->head->seq < t->tail->seq - since) {
        entry *e = t->head;
        while (e && e->seq <= since)
            e = e->next;
        return e;
    }
    entry *e = t->tail;
    while (e->prev && e->prev->seq > since)
        e = e->prev;
    return e;
}

static size_t first_tomb_after(const nanostate_hub *hub, uint64_t since)
{
    size_t i = hub->tomb_count;
    while (i > 0 && hub->tombs[(hub->tomb_start + i - 1) % hub->tomb_cap].seq > since)
        i--;
    return i;
}

static const tombstone *tomb_at(const nanostate_hub *hub, size_t i)
{
    return i < hub->tomb_count ? &hub->tombs[(hub->tomb_start + i) % hub->tomb_cap] : NULL;
}

/* Walks the changes after `since` in seq order (states and removals merged),
 * calling pack for each until the chunk is full. Returns how many were taken;
 * *upto gets the seq of the last. */
typedef struct walk {
    entry *e;
    size_t tomb;
    int with_tombs;
} walk;

static size_t entry_cost(const entry *e)
{
    return e->name_len + e->value_len + (e->sender ? e->sender->identity_len : 0) + 32;
}

static int walk_next(const nanostate_hub *hub, walk *w, const entry **e, const tombstone **t)
{
    const tombstone *tb = w->with_tombs ? tomb_at(hub, w->tomb) : NULL;
    *e = NULL;
    *t = NULL;
    if (w->e && (!tb || w->e->seq < tb->seq)) {
        *e = w->e;
        w->e = w->e->next;
        return 1;
    }
    if (tb) {
        *t = tb;
        w->tomb++;
        return 1;
    }
    return 0;
}

void hub_send_snapshot(nanostate_hub *hub, source *src, uint64_t session, uint64_t epoch,
                       uint64_t since, uint64_t hwm, int continues)
{
    int full = epoch != hub->epoch || since == 0 || since > hub->seq ||
               (since < hub->tomb_floor && !continues);
    if (full)
        since = 0;
    walk start = {first_after(&hub->table, since), first_tomb_after(hub, since), !full};

    /* Pass 1: how many fit in one chunk. */
    walk w = start;
    const entry *e;
    const tombstone *t;
    size_t bytes = 0;
    uint32_t count = 0;
    uint64_t upto = since;
    while (walk_next(hub, &w, &e, &t)) {
        size_t cost = e ? entry_cost(e) : t->name_len + 16;
        if (count > 0 && bytes + cost > hub->chunk_bytes)
            break;
        bytes += cost;
        count++;
        upto = e ? e->seq : t->seq;
    }
    /* Whatever follows the last one taken is for the next chunk. */
    walk rest = start;
    for (uint32_t i = 0; i < count; i++)
        walk_next(hub, &rest, &e, &t);
    int more = walk_next(hub, &rest, &e, &t);
    if (!more)
        upto = hub->seq;

    buffer b;
    msgpack_packer pk;
    hub_frame_begin(hub, &b, &pk);
    frame_pack_control(&pk, FRAME_LEN_SNAPSHOT, HUB_SENDER, strlen(HUB_SENDER), OP_SNAPSHOT);
    msgpack_pack_uint64(&pk, session);
    msgpack_pack_uint64(&pk, hub->epoch);
    msgpack_pack_uint64(&pk, since);
    msgpack_pack_uint64(&pk, upto);
    msgpack_pack_uint64(&pk, hub->seq);
    msgpack_pack_uint64(&pk, (full ? SNAP_FULL : 0) | (more ? SNAP_MORE : 0));
    msgpack_pack_uint64(&pk, hwm);
    msgpack_pack_array(&pk, count);
    /* Pass 2: the entries. */
    w = start;
    for (uint32_t i = 0; i < count && walk_next(hub, &w, &e, &t); i++) {
        if (e) {
            msgpack_pack_array(&pk, 5);
            msgpack_pack_str_with_body(&pk, entry_name(e), e->name_len);
            msgpack_pack_uint64(&pk, e->seq);
            const sender *sx = e->sender;
            msgpack_pack_str_with_body(&pk, sx ? sx->identity : "", sx ? sx->identity_len : 0);
            msgpack_pack_uint64(&pk, sx ? sx->session : 0);
            buffer_append(&b, entry_value(e), e->value_len);
        } else {
            msgpack_pack_array(&pk, 2);
            msgpack_pack_str_with_body(&pk, t->name, t->name_len);
            msgpack_pack_uint64(&pk, t->seq);
        }
    }
    hub->stats[ST_SNAPSHOTS]++;
    hub_reply(hub, &b, src);
}
