/* SPDX-License-Identifier: MIT */
/*
 * fuzz_hub - the hub engine fed frames from two peers of another transport
 * (nanostate_hub_peer_input), in process, with no socket bound.
 *
 * Input: one configuration byte, then records [ctl, length (2 bytes,
 * big-endian), bytes] (fuzz.h). Configuration bit 0: max_frame 1024, so
 * snapshots come in many small chunks; bit 1: the first record's bytes are
 * a state file the hub loads (nanostate_hub_load) before anything else;
 * bit 2: the hub remembers 16 removals instead of 4096, so that a few
 * records reach what happens when it forgets them; bit 3: the hub publishes
 * its figures ($hub/...) every 10 ms.
 * Bit 0 of ctl picks the peer, bits 1-3 the action:
 *   0-2  the bytes are a frame from that peer
 *   3    time passes (16 ms times a 2-byte number: up to 17 minutes,
 *        fuzz/fake_clock.c), then nanostate_hub_dispatch runs the timers:
 *        heartbeats, figures, forgetting idle sessions
 *   4    a SYNC the harness builds, with the hub's own epoch (a random
 *        64-bit number) and a `since` behind the hub's seq: the path that
 *        answers with a delta and removals
 *   5    pause or resume the peer
 *   6    the hub sets (to the bytes) or removes one of its own states
 *        (bits 4-5: which name; bit 6: removes; bit 7: 20 times over)
 *   7    the peer leaves and a new one takes its place
 *
 * Checks, after every record: each frame the hub outputs parses with
 * frame_parse and is one the hub may send; a SNAPSHOT's entries all read,
 * in increasing seq within (since, upto], and a chunk with MORE moves
 * `upto` forward; the table is consistent (nanostate_hub_count equals what
 * foreach visits, every value validates, every name is found by get). At the
 * end a new peer syncs in full, following MORE, and what it learns must
 * equal the hub's table.
 */
#include "fuzz.h"

#include "frame.h"
#include "hub_internal.h"
#include "utf8.h"

#include <nanostate/nanostate.h>
#include <unistd.h>

typedef struct model_state {
    char *name;
    size_t name_len;
    uint8_t *value;
    size_t value_len;
    uint64_t seq;
    int removed;
} model_state;

typedef struct harness {
    nanostate_hub *hub;
    uint64_t peers[2];
    uint64_t left_peer; /* a peer that was removed, 0: none */
    int bad_file;       /* the state file loaded breaks the table's rules */

    /* The final full sync: snapshots to `syncer` go into the model. */
    uint64_t syncer;
    model_state *model;
    size_t model_count, model_cap;
    int snapshots;
    int restarts;
    int more;
    uint64_t upto;
} harness;

static model_state *model_find(harness *h, const char *name, size_t len)
{
    for (size_t i = 0; i < h->model_count; i++)
        if (h->model[i].name_len == len && memcmp(h->model[i].name, name, len) == 0)
            return &h->model[i];
    return NULL;
}

/* An App's rule (PROTOCOL.md 7.6): an entry applies only if newer. */
static void model_apply(harness *h, const snap_entry *e)
{
    model_state *m = model_find(h, e->name, e->name_len);
    if (m && m->seq >= e->seq)
        return;
    if (!m) {
        if (h->model_count == h->model_cap) {
            h->model_cap = h->model_cap ? h->model_cap * 2 : 16;
            h->model = realloc(h->model, h->model_cap * sizeof *h->model);
            FUZZ_CHECK(h->model != NULL, "out of memory");
        }
        m = &h->model[h->model_count++];
        memset(m, 0, sizeof *m);
        m->name = (char *)fuzz_copy((const uint8_t *)e->name, e->name_len);
        m->name_len = e->name_len;
    }
    free(m->value);
    m->value = e->removed ? NULL : fuzz_copy(e->value, e->value_len);
    m->value_len = e->removed ? 0 : e->value_len;
    m->removed = e->removed;
    m->seq = e->seq;
}

static void model_free(harness *h)
{
    for (size_t i = 0; i < h->model_count; i++) {
        free(h->model[i].name);
        free(h->model[i].value);
    }
    free(h->model);
}

static int known_peer(const harness *h, uint64_t id)
{
    return id == h->peers[0] || id == h->peers[1] || (h->syncer && id == h->syncer);
}

static void check_snapshot(harness *h, const frame *f, uint64_t to)
{
    uint64_t epoch = nanostate_hub_stat(h->hub, NANOSTATE_HUB_STAT_EPOCH);
    uint64_t seq = nanostate_hub_stat(h->hub, NANOSTATE_HUB_STAT_SEQ);
    int full = (f->snap_flags & SNAP_FULL) != 0, more = (f->snap_flags & SNAP_MORE) != 0;
    FUZZ_CHECK(to != 0, "a snapshot was broadcast to the peers");
    FUZZ_CHECK(f->epoch == epoch && f->seq == seq, "snapshot epoch or seq is not the hub's");
    FUZZ_CHECK(!full || f->since == 0, "full snapshot since %llu", (unsigned long long)f->since);
    FUZZ_CHECK(f->since <= f->upto && f->upto <= f->seq, "since %llu, upto %llu, seq %llu",
               (unsigned long long)f->since, (unsigned long long)f->upto,
               (unsigned long long)f->seq);
    FUZZ_CHECK(!more || (f->upto > f->since && f->entry_count > 0),
               "a MORE chunk that moves nothing forward: the App would ask forever");
    FUZZ_CHECK(more || f->upto == f->seq, "last chunk's upto is not the hub's seq");
    if (h->syncer && to == h->syncer) {
        if (full && h->snapshots > 0)
            h->restarts++; /* a continuation answered from the start */
        h->snapshots++;
        h->more = more;
        h->upto = f->upto;
    }
    reader r = f->entries;
    uint64_t last = f->since;
    for (uint32_t i = 0; i < f->entry_count; i++) {
        snap_entry e;
        const char *why = NULL;
        if (KNOWN_BUG(h->bad_file)) {
            if (frame_next_entry(&r, &e, &why) != 0)
                return; /* the rest of the chunk cannot be read */
            last = e.seq;
            if (h->syncer && to == h->syncer)
                model_apply(h, &e);
            continue;
        }
        FUZZ_CHECK(frame_next_entry(&r, &e, &why) == 0, "the hub sent a bad entry: %s", why);
        FUZZ_CHECK(e.seq > last && e.seq <= f->upto, "entry seq %llu after %llu, upto %llu",
                   (unsigned long long)e.seq, (unsigned long long)last,
                   (unsigned long long)f->upto);
        FUZZ_CHECK(!full || !e.removed, "a full snapshot lists a removal");
        last = e.seq;
        if (h->syncer && to == h->syncer)
            model_apply(h, &e);
    }
    if (more)
        FUZZ_CHECK(last == f->upto, "MORE chunk's upto %llu is not its last entry %llu",
                   (unsigned long long)f->upto, (unsigned long long)last);
}

/* One frame the hub sent to peer `to` (0: to all); *prev_seq orders the
 * changes inside one BATCH. */
static void check_output(harness *h, const void *data, size_t size, uint64_t to, int in_batch,
                         uint64_t *prev_seq)
{
    frame f;
    const char *why = NULL;
    int rc = frame_parse(&f, data, size, &why);
    FUZZ_CHECK(rc == 0, "the hub sent a frame that does not parse: %s", why);
    switch (f.op) {
    case OP_SET:
    case OP_DEL:
        FUZZ_CHECK(f.count == FRAME_LEN_UPDATE_OUT && !f.rebase, "forward of %u elements", f.count);
        /* Gathered frames leave when the engine call ends: not the newest
         * then, but never from the future, and in order. */
        FUZZ_CHECK(f.seq <= nanostate_hub_stat(h->hub, NANOSTATE_HUB_STAT_SEQ),
                   "forward seq from the future");
        FUZZ_CHECK(f.seq > *prev_seq, "forwards out of order in a BATCH");
        if (in_batch)
            *prev_seq = f.seq;
        break;
    case OP_SNAPSHOT: check_snapshot(h, &f, to); break;
    case OP_HEARTBEAT:
    case OP_ACK:
    case OP_BATCH:
        FUZZ_CHECK(f.sender_len == strlen(HUB_SENDER) && memcmp(f.sender, HUB_SENDER, 4) == 0,
                   "control frame not from the hub");
        if (f.op != OP_BATCH)
            break;
        FUZZ_CHECK(!in_batch, "a BATCH inside a BATCH");
        for (uint32_t i = 0; i < f.entry_count; i++) {
            const uint8_t *inner;
            size_t len;
            frame_next_inner(&f.entries, &inner, &len);
            check_output(h, inner, len, to, 1, prev_seq);
        }
        break;
    default: FUZZ_CHECK(0, "the hub sent op %d", f.op);
    }
}

static void on_output(void *user, const nanostate_hub_output *out)
{
    harness *h = user;
    FUZZ_CHECK(out->to == 0 || known_peer(h, out->to), "output to unknown peer %llu",
               (unsigned long long)out->to);
    uint64_t prev_seq = 0;
    check_output(h, out->frame, out->size, out->to, 0, &prev_seq);
}

typedef struct table_walk {
    harness *h;
    size_t visited;
} table_walk;

static void check_state(void *user, const nanostate_hub_state *st)
{
    table_walk *w = user;
    w->visited++;
    FUZZ_CHECK(st->name_len >= 1 && st->name_len <= NANOSTATE_MAX_NAME, "name of %zu bytes",
               st->name_len);
    FUZZ_CHECK(nanostate_value_validate(st->value.packed, st->value.size) == 0,
               "a stored value does not validate");
    FUZZ_CHECK(st->version <= nanostate_hub_stat(w->h->hub, NANOSTATE_HUB_STAT_SEQ),
               "a state from the future");
    if (memchr(st->name, '\0', st->name_len))
        return; /* valid UTF-8, but get() takes a C string */
    char *name = fuzz_cstring(st->name, st->name_len);
    nanostate_hub_state got;
    FUZZ_CHECK(nanostate_hub_get(w->h->hub, name, &got) == 0, "get does not find '%s'", name);
    FUZZ_CHECK(nanostate_value_equal(&got.value, &st->value) && got.version == st->version,
               "get and foreach disagree on '%s'", name);
    free(name);
}

static void check_table(harness *h)
{
    table_walk w = {h, 0};
    nanostate_hub_foreach(h->hub, check_state, &w);
    size_t count = nanostate_hub_count(h->hub);
    FUZZ_CHECK(w.visited == count, "foreach visits %zu, count says %zu", w.visited, count);
    FUZZ_CHECK(nanostate_hub_stat(h->hub, NANOSTATE_HUB_STAT_STATES) == count, "stat STATES");
}

/* flags: OP_FLAG_REBASE marks the SYNC that asks for the next chunk of a
 * FULL sync: the fix proposed for hub-full-sync-livelock; hubs without it
 * ignore the flag on SYNC. */
static void send_sync(harness *h, uint64_t peer, uint64_t session, uint64_t epoch, uint64_t since,
                      int flags)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    frame_pack_control(&pk, FRAME_LEN_SYNC, "fuzz", 4, OP_SYNC | flags);
    msgpack_pack_uint64(&pk, session);
    msgpack_pack_uint64(&pk, epoch);
    msgpack_pack_uint64(&pk, since);
    FUZZ_CHECK(nanostate_hub_peer_input(h->hub, peer, sb.data, sb.size) == 0, "SYNC refused");
    msgpack_sbuffer_destroy(&sb);
}

static void check_input_rc(int rc)
{
    FUZZ_CHECK(rc == 0 || rc == NANOSTATE_EPROTO || rc == NANOSTATE_ENAME ||
                   rc == NANOSTATE_EVALUE || rc == NANOSTATE_ETOOBIG,
               "peer_input returned %d", rc);
}

static void run_record(harness *h, uint8_t ctl, const uint8_t *data, size_t len)
{
    int slot = ctl & 1;
    uint64_t peer = h->peers[slot];
    switch ((ctl >> 1) & 7) {
    case 4: {
        fuzz_input in;
        fuzz_input_init(&in, data, len);
        uint64_t session = 1 + fuzz_byte(&in) % 4;
        uint64_t back = fuzz_uint(&in, 2);
        uint64_t seq = nanostate_hub_stat(h->hub, NANOSTATE_HUB_STAT_SEQ);
        send_sync(h, peer, session, nanostate_hub_stat(h->hub, NANOSTATE_HUB_STAT_EPOCH),
                  back > seq ? 0 : seq - back, 0);
        break;
    }
    case 3: {
        fuzz_input in;
        fuzz_input_init(&in, data, len);
        fuzz_clock_advance(16 * (int64_t)fuzz_uint(&in, 2));
        FUZZ_CHECK(nanostate_hub_dispatch(h->hub) == 0, "hub_dispatch failed");
        break;
    }
    case 5:
        FUZZ_CHECK((len && (data[0] & 1) ? nanostate_hub_peer_pause(h->hub, peer)
                                         : nanostate_hub_peer_resume(h->hub, peer)) == 0,
                   "pause/resume of a known peer failed");
        break;
    case 6: {
        static const char *const names[] = {"a", "b", "$hub/x", "robot/speed"};
        const char *name = names[(ctl >> 4) & 3];
        /* Bit 7: 20 times over, past the 16 removals a hub configured with
         * bit 2 remembers. */
        int times = ctl & 0x80 ? 20 : 1;
        uint8_t *value = fuzz_copy(data, len);
        int want = nanostate_value_validate(value, len) == 0 ? 0 : NANOSTATE_EVALUE;
        for (int i = 0; i < times; i++) {
            if (ctl & 0x40) {
                FUZZ_CHECK(nanostate_hub_remove(h->hub, name) == 0, "hub_remove failed");
            } else {
                int rc = nanostate_hub_set_packed(h->hub, name, value, len);
                FUZZ_CHECK(rc == want, "hub_set_packed returned %d", rc);
            }
        }
        free(value);
        break;
    }
    case 7:
        FUZZ_CHECK(nanostate_hub_peer_remove(h->hub, peer) == 0, "peer_remove failed");
        FUZZ_CHECK(nanostate_hub_peer_add(h->hub, &h->peers[slot]) == 0, "peer_add failed");
        h->left_peer = peer;
        break;
    default: {
        uint8_t *copy = fuzz_copy(data, len);
        check_input_rc(nanostate_hub_peer_input(h->hub, peer, copy, len));
        if (h->left_peer)
            FUZZ_CHECK(nanostate_hub_peer_input(h->hub, h->left_peer, copy, len) ==
                           NANOSTATE_EINVAL,
                       "a removed peer's frame was taken");
        free(copy);
        break;
    }
    }
}

/* Known bug "hub-trusts-state-file": nanostate_hub_load takes names that
 * are not UTF-8, senders of any length, any seq (0, or out of order) from
 * the file. The hub then sends SNAPSHOT entries every App refuses (so no
 * App ever finishes its sync), or in the wrong order, or skips states of
 * seq 0 in a full sync. is_bad_table() tells such a loaded table. */
static int is_bad_table(const nanostate_hub *hub)
{
    /* The sender's length is not public (a C string may hold U+0000). */
    uint64_t last_seq = 0;
    for (const entry *e = hub->table.head; e; e = e->next) {
        const sender *x = e->sender;
        if (!text_valid(entry_name(e), e->name_len) || e->seq <= last_seq ||
            (x && (x->identity_len > NANOSTATE_MAX_IDENTITY ||
                   !text_valid(x->identity, x->identity_len))))
            return 1;
        last_seq = e->seq;
    }
    return 0;
}

static void load_state_file(harness *h, const uint8_t *data, size_t len)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "%s/nanostate-fuzz-hub-%d.state",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f && fwrite(data, 1, len, f) == len && fclose(f) == 0, "cannot write %s", path);
    FUZZ_CHECK(nanostate_hub_set_string_option(h->hub, NANOSTATE_OPT_STATE_FILE, path) == 0,
               "state file option");
    int rc = nanostate_hub_load(h->hub);
    FUZZ_CHECK(rc == 0 || rc == NANOSTATE_EPROTO, "hub_load returned %d", rc);
    /* Nothing is saved back: that would write the file at every change. */
    FUZZ_CHECK(nanostate_hub_set_string_option(h->hub, NANOSTATE_OPT_STATE_FILE, NULL) == 0,
               "state file option");
    unlink(path);
    h->bad_file = is_bad_table(h->hub);
}

/* A newcomer syncs in full, following MORE; it must end with the table. */
static void check_full_sync(harness *h)
{
    FUZZ_CHECK(nanostate_hub_peer_add(h->hub, &h->syncer) == 0, "peer_add failed");
    uint64_t session = 0x5eed5eed5eed5eedull;
    send_sync(h, h->syncer, session, 0, 0, 0);
    uint64_t epoch = nanostate_hub_stat(h->hub, NANOSTATE_HUB_STAT_EPOCH);
    size_t limit = nanostate_hub_count(h->hub) + h->hub->tomb_cap + 16;
    for (size_t round = 0; h->more; round++) {
        FUZZ_CHECK(round < limit, "the full sync does not end after %zu chunks", round);
        int restarts = h->restarts;
        send_sync(h, h->syncer, session, epoch, h->upto, OP_FLAG_REBASE);
        /* Known bug "hub-full-sync-livelock": once the hub has forgotten
         * removals newer than the end of a chunk, it answers the request
         * for the next chunk with the first chunk again, forever. */
        if (KNOWN_BUG(h->restarts > restarts))
            return;
    }
    FUZZ_CHECK(h->snapshots >= 1, "no snapshot answered the SYNC");
    if (KNOWN_BUG(h->bad_file))
        return; /* an App cannot read it all, or skips states of seq 0 */
    size_t live = 0;
    for (size_t i = 0; i < h->model_count; i++) {
        const model_state *m = &h->model[i];
        if (m->removed)
            continue;
        live++;
        char *name = fuzz_cstring(m->name, m->name_len);
        nanostate_hub_state st;
        if (!memchr(m->name, '\0', m->name_len)) {
            FUZZ_CHECK(nanostate_hub_get(h->hub, name, &st) == 0,
                       "the sync brought '%s', which the hub does not have", name);
            nanostate_value v = {m->value, m->value_len};
            FUZZ_CHECK(nanostate_value_equal(&v, &st.value), "the sync brought another '%s'", name);
        }
        free(name);
    }
    FUZZ_CHECK(live == nanostate_hub_count(h->hub), "the sync brought %zu states, the hub has %zu",
               live, nanostate_hub_count(h->hub));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness h;
    memset(&h, 0, sizeof h);
    fuzz_clock_reset();
    FUZZ_CHECK(nanostate_hub_create(&h.hub) == 0, "hub_create failed");
    nanostate_hub_on_output(h.hub, on_output, &h);
    FUZZ_CHECK(nanostate_hub_peer_add(h.hub, &h.peers[0]) == 0 &&
                   nanostate_hub_peer_add(h.hub, &h.peers[1]) == 0,
               "peer_add failed");
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    uint8_t config = fuzz_byte(&in);
    if (config & 1)
        FUZZ_CHECK(nanostate_hub_set_int_option(h.hub, NANOSTATE_OPT_MAX_FRAME, 1024) == 0,
                   "max_frame");
    if (config & 4)
        h.hub->tomb_cap = 16; /* the ring's array stays larger: harmless */
    if (config & 8)
        FUZZ_CHECK(nanostate_hub_set_int_option(h.hub, NANOSTATE_OPT_STATS_MS, 10) == 0,
                   "stats_ms");
    uint8_t ctl;
    const uint8_t *record;
    size_t len;
    if ((config & 2) && fuzz_record(&in, &ctl, &record, &len)) {
        load_state_file(&h, record, len);
        check_table(&h);
    }
    while (fuzz_record(&in, &ctl, &record, &len)) {
        run_record(&h, ctl, record, len);
        check_table(&h);
    }
    nanostate_hub_dispatch(h.hub); /* timers: heartbeat, expiry */
    check_full_sync(&h);
    model_free(&h);
    nanostate_hub_close(h.hub);
    return 0;
}
