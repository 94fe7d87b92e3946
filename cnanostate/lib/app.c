/* SPDX-License-Identifier: MIT */
/*
 * app.c - the App engine: a replica of the hub's table, an outbox of this
 * App's own updates until the hub has them, and the rules of PROTOCOL.md
 * that make both converge although NN_BUS drops frames under load.
 */
#define _GNU_SOURCE
#include "batch.h"
#include "buffer.h"
#include "clock.h"
#include "frame.h"
#include "senders.h"
#include "table.h"
#include "transport.h"
#include "utf8.h"

#include <nanostate/nanostate.h>

#include <errno.h>
#include <nanomsg/nn.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_SEND_WINDOW (512 * 1024)
/* Frames sent together go as one BATCH of up to this many bytes. */
#define BATCH_BYTES (64 * 1024)
/* Updates go out at once while fewer messages than this are in flight;
 * beyond, they gather in one BATCH that goes out when the hub accepts one
 * of those: the hub's answers clock the batches, so a burst costs a few
 * messages, not one per update. */
#define SEND_AT_ONCE 4
/* Update messages remembered in flight; more count as "too many". */
#define MESSAGES_TRACKED 64
#define DISPATCH_BUDGET 4096
#define SYNC_RETRY_FIRST_MS 10
#define PING_FIRST_MS 100

/* Outbox entry flags. */
#define OUT_INFLIGHT 1
#define OUT_DELETE 2

enum {
    ST_FRAMES_IN, ST_FRAMES_OUT, ST_UPDATES_IN, ST_GAPS, ST_RESYNCS, ST_RESENDS, ST_REJECTED,
    ST_HUB_RESTARTS, ST_COUNT
};

struct nanostate_app {
    char *identity;
    size_t identity_len;
    uint64_t session;
    int sock;
    int fd;
    int url_set;
    /* Endpoints dialled, to dial afresh while the hub does not answer. */
    struct dial {
        char *url;
        int endpoint;
    } *dials;
    size_t ndials;
    int64_t redial_due;
    size_t max_frame;
    size_t send_window;

    table replica; /* the hub's table as last seen; entry flags: sweep mark */
    senders senders;
    table outbox;  /* own updates the hub has not accepted, in-flight ones first */
    entry *first_queued;
    /* Frames sent and not yet accepted, oldest first (a ring): the window
     * counts their bytes until the hub accepts them, even when a newer set
     * of the same name has replaced the value meanwhile. */
    struct flight {
        uint64_t aseq;
        size_t bytes;
    } *flights;
    size_t flights_cap, flights_start, inflight_count;
    size_t inflight_bytes;
    /* Update messages sent and not yet accepted: the last aseq of each. */
    uint64_t messages[MESSAGES_TRACKED];
    size_t messages_start, messages_count;
    uint64_t next_aseq;
    uint64_t rebase_aseq;
    int need_rebase;

    int have_epoch;
    uint64_t epoch;
    uint64_t last_seq;
    int synced;
    int syncing;
    int sync_full;
    uint8_t mark;
    uint64_t sync_since;
    int64_t sync_due;
    int sync_retry_ms;
    int sync_again; /* the running sync may predate changes known to be lost */
    int sync_sent_connected; /* the last SYNC left while the hub was heard */

    int batch_enabled;         /* NANOSTATE_OPT_BATCH */
    batch batch;               /* frames of the current flush, to go as one */
    uint64_t batch_last_aseq;  /* of the last frame in it */
    uint64_t census_answered;  /* the hub's last census round we answered */

    int connected;
    int64_t last_hub_ms;
    int period_ms;
    int64_t ping_due;
    int ping_retry_ms;

    nanostate_update_fn update_fn;
    void *update_user;
    int update_local;
    nanostate_connect_fn connect_fn;
    void *connect_user;

    uint64_t stats[ST_COUNT];
};

/* --- small helpers --------------------------------------------------------- */

static int valid_name(const char *name, size_t *len)
{
    if (!name)
        return NANOSTATE_ENAME;
    *len = strlen(name);
    if (*len == 0 || *len > NANOSTATE_MAX_NAME || name[0] == '$' || !utf8_valid(name, *len))
        return NANOSTATE_ENAME;
    return 0;
}

static void send_frame(nanostate_app *app, buffer *b)
{
    if (b->failed) {
        buffer_free(b);
        return;
    }
    void *msg = buffer_take(b);
    if (nn_send(app->sock, &msg, NN_MSG, NN_DONTWAIT) < 0) {
        nn_freemsg(msg);
        return;
    }
    app->stats[ST_FRAMES_OUT]++;
}

/* An update message left, its last frame numbered `aseq`. Even one that
 * nanomsg refused counts: the hub's answer to a later frame releases it. */
static void message_sent(nanostate_app *app, uint64_t aseq)
{
    if (app->messages_count == MESSAGES_TRACKED) { /* forget the oldest */
        app->messages_start = (app->messages_start + 1) % MESSAGES_TRACKED;
        app->messages_count--;
    }
    app->messages[(app->messages_start + app->messages_count) % MESSAGES_TRACKED] = aseq;
    app->messages_count++;
}

static void messages_accepted(nanostate_app *app, uint64_t hwm)
{
    while (app->messages_count && app->messages[app->messages_start] <= hwm) {
        app->messages_start = (app->messages_start + 1) % MESSAGES_TRACKED;
        app->messages_count--;
    }
}

static size_t batch_limit(const nanostate_app *app)
{
    size_t limit = app->max_frame < BATCH_BYTES ? app->max_frame : BATCH_BYTES;
    return limit - BATCH_HEAD_ROOM(app->identity_len);
}

/* Sends the frames gathered in app->batch: one alone, several as a BATCH. */
static void flush_batch(nanostate_app *app)
{
    uint32_t frames;
    void *msg = batch_take(&app->batch, app->identity, app->identity_len, &frames);
    if (!msg)
        return;
    message_sent(app, app->batch_last_aseq);
    if (nn_send(app->sock, &msg, NN_MSG, NN_DONTWAIT) < 0)
        nn_freemsg(msg);
    else
        app->stats[ST_FRAMES_OUT] += frames;
}

/* Sends update frame `aseq` now, or gathers it for flush_batch. */
static void send_update_frame(nanostate_app *app, buffer *b, uint64_t aseq)
{
    if (!app->batch_enabled || b->failed || b->len > batch_limit(app)) {
        flush_batch(app);
        message_sent(app, aseq);
        send_frame(app, b);
        return;
    }
    if (app->batch.body.len + b->len > batch_limit(app))
        flush_batch(app);
    if (batch_append(&app->batch, b->data, b->len) != 0) {
        flush_batch(app); /* what it holds is whole: send it, then this alone */
        message_sent(app, aseq);
        send_frame(app, b);
        return;
    }
    app->batch_last_aseq = aseq;
    buffer_free(b);
}

static void begin(buffer *b, msgpack_packer *pk)
{
    buffer_init(b, 1);
    buffer_packer(b, pk);
}

/* The value this App shows for a name: its own pending update, else the
 * hub's. Returns 0 if the state does not exist. */
static int visible(nanostate_app *app, const char *name, size_t len, nanostate_value *v,
                   const char **sender)
{
    entry *o = table_find(&app->outbox, name, len);
    if (o) {
        if (o->flags & OUT_DELETE)
            return 0;
        v->packed = entry_value(o);
        v->size = o->value_len;
        if (sender)
            *sender = app->identity;
        return 1;
    }
    entry *e = table_find(&app->replica, name, len);
    if (!e)
        return 0;
    v->packed = entry_value(e);
    v->size = e->value_len;
    if (sender)
        *sender = e->sender ? e->sender->identity : "";
    return 1;
}

/* by/by_len: who removed it, for a removal (the replica no longer knows). */
static void notify_by(nanostate_app *app, const char *name, size_t len, int local, int snapshot,
                      uint64_t version, const char *by, size_t by_len)
{
    if (!app->update_fn || (local && !app->update_local))
        return;
    char zname[NANOSTATE_MAX_NAME + 1]; /* names in frames are not terminated */
    memcpy(zname, name, len);
    zname[len] = '\0';
    nanostate_update u;
    memset(&u, 0, sizeof u);
    u.name = zname;
    u.name_len = len;
    u.local = local;
    u.from_snapshot = snapshot;
    u.version = version;
    u.sender = "";
    char zby[NANOSTATE_MAX_IDENTITY + 1];
    if (!visible(app, name, len, &u.value, &u.sender)) {
        u.removed = 1;
        u.value.packed = NULL;
        u.value.size = 0;
        if (by) {
            memcpy(zby, by, by_len);
            zby[by_len] = '\0';
            u.sender = zby;
        }
    }
    app->update_fn(app->update_user, &u);
}

static void notify(nanostate_app *app, const char *name, size_t len, int local, int snapshot,
                   uint64_t version)
{
    notify_by(app, name, len, local, snapshot, version, local ? app->identity : NULL,
              local ? app->identity_len : 0);
}

/* 1 if the visible value of `name` would differ from (exists, v). */
/* Whether the value head + body (or a removal, !exists) differs from what
 * the App shows now. */
static int differs(nanostate_app *app, const char *name, size_t len, int exists,
                   const void *head, size_t head_len, const void *body, size_t body_len)
{
    nanostate_value cur;
    int had = visible(app, name, len, &cur, NULL);
    if (had != exists)
        return 1;
    if (!had)
        return 0;
    const uint8_t *p = cur.packed;
    return cur.size != head_len + body_len || (head_len && memcmp(p, head, head_len) != 0) ||
           (body_len && memcmp(p + head_len, body, body_len) != 0);
}

/* --- the outbox ------------------------------------------------------------ */

static void requeue(nanostate_app *app, entry *e)
{
    if (e->flags & OUT_INFLIGHT) {
        e->flags &= ~OUT_INFLIGHT; /* its frame still counts in the window */
    } else if (app->first_queued == e) {
        app->first_queued = e->next;
    }
    table_touch(&app->outbox, e);
    if (!app->first_queued)
        app->first_queued = e;
}

/* Every update in flight is sent again, the first with REBASE. */
static void rebase_inflight(nanostate_app *app)
{
    for (entry *e = app->outbox.head; e && e != app->first_queued; e = e->next) {
        e->flags &= ~OUT_INFLIGHT;
        app->stats[ST_RESENDS]++;
    }
    app->first_queued = app->outbox.head;
    app->flights_start = 0;
    app->inflight_count = 0;
    app->inflight_bytes = 0;
    app->messages_start = 0;
    app->messages_count = 0;
    batch_clear(&app->batch);
    app->need_rebase = 1;
}

static int flight_push(nanostate_app *app, uint64_t aseq, size_t bytes)
{
    if (app->inflight_count == app->flights_cap) {
        size_t cap = app->flights_cap ? app->flights_cap * 2 : 64;
        struct flight *f = malloc(cap * sizeof *f);
        if (!f)
            return -1;
        for (size_t i = 0; i < app->inflight_count; i++)
            f[i] = app->flights[(app->flights_start + i) % app->flights_cap];
        free(app->flights);
        app->flights = f;
        app->flights_cap = cap;
        app->flights_start = 0;
    }
    struct flight *f = &app->flights[(app->flights_start + app->inflight_count) % app->flights_cap];
    f->aseq = aseq;
    f->bytes = bytes;
    app->inflight_count++;
    app->inflight_bytes += bytes;
    return 0;
}

/* Frames up to aseq `hwm` left the window. */
static int flights_ack(nanostate_app *app, uint64_t hwm)
{
    int progress = 0;
    while (app->inflight_count && app->flights[app->flights_start].aseq <= hwm) {
        app->inflight_bytes -= app->flights[app->flights_start].bytes;
        app->flights_start = (app->flights_start + 1) % app->flights_cap;
        app->inflight_count--;
        progress = 1;
    }
    return progress;
}

/* Whether waiting updates may go out now (SEND_AT_ONCE). */
static int may_send(const nanostate_app *app)
{
    return app->connected && (!app->batch_enabled || app->messages_count < SEND_AT_ONCE);
}

/* Numbers the waiting updates and sends them, as one BATCH where they fit;
 * or, with `gather` (too many messages in flight), only puts them in the
 * open batch while it has room: it goes out when the hub accepts one of
 * those, so a burst loses no update to conflation while batches have room. */
static void send_outbox(nanostate_app *app, int gather)
{
    while (app->first_queued) {
        entry *e = app->first_queued;
        size_t cost = e->value_len + e->name_len;
        if (app->inflight_count > 0 && app->inflight_bytes + cost > app->send_window)
            break;
        if (gather && app->batch.body.len + cost + FRAME_UPDATE_ROOM(app->identity_len) >
                          batch_limit(app))
            break;
        if (flight_push(app, app->next_aseq, cost) != 0)
            break; /* out of memory: try again on the next dispatch */
        uint64_t aseq = app->next_aseq++;
        int op = (e->flags & OUT_DELETE) ? OP_DEL : OP_SET;
        if (app->need_rebase) {
            op |= OP_FLAG_REBASE;
            app->rebase_aseq = aseq;
            app->need_rebase = 0;
        }
        buffer b;
        msgpack_packer pk;
        begin(&b, &pk);
        frame_pack_update(&pk, op, app->identity, app->identity_len, entry_name(e), e->name_len,
                          (e->flags & OUT_DELETE) ? NULL : entry_value(e), e->value_len,
                          app->session, aseq, 0);
        send_update_frame(app, &b, aseq);
        e->seq = aseq;
        e->flags |= OUT_INFLIGHT;
        app->first_queued = e->next;
        if (!app->ping_due) {
            app->ping_retry_ms = PING_FIRST_MS;
            app->ping_due = clock_now_ms() + app->ping_retry_ms;
        }
    }
    if (!gather)
        flush_batch(app);
}

static void flush_outbox(nanostate_app *app)
{
    if (may_send(app))
        send_outbox(app, 0);
    else if (app->connected && app->batch_enabled)
        send_outbox(app, 1);
}

/* The hub applied every frame of ours up to aseq `hwm`. */
static void ack_upto(nanostate_app *app, uint64_t hwm)
{
    int progress = flights_ack(app, hwm);
    messages_accepted(app, hwm);
    entry *e;
    while ((e = app->outbox.head) && (e->flags & OUT_INFLIGHT) && e->seq <= hwm) {
        /* The replica holds what the hub made of it; the overlay goes. */
        entry *r = table_find(&app->replica, entry_name(e), e->name_len);
        int changed = (e->flags & OUT_DELETE) ? r != NULL
                                              : (!r || r->value_len != e->value_len ||
                                                 memcmp(entry_value(r), entry_value(e), e->value_len) != 0);
        char name[NANOSTATE_MAX_NAME + 1];
        size_t len = e->name_len;
        memcpy(name, entry_name(e), len + 1);
        table_remove(&app->outbox, e, NULL);
        if (changed)
            notify(app, name, len, 0, 0, r ? r->seq : 0);
    }
    if (progress) {
        app->ping_retry_ms = PING_FIRST_MS;
        app->ping_due = app->inflight_count ? clock_now_ms() + app->ping_retry_ms : 0;
    }
}

/* --- the replica ------------------------------------------------------------ */

/* Applies a change the hub made, if it is newer than what the replica has. */
static void apply_confirmed(nanostate_app *app, int removed, const char *name, size_t len,
                            const void *value, size_t vlen, const char *sender_id,
                            size_t sender_len, uint64_t session, uint64_t seq, int snapshot)
{
    entry *e = table_find(&app->replica, name, len);
    if (e && e->seq >= seq && seq != 0) {
        e->flags = app->mark;
        return;
    }
    /* What shows is the overlay (an own pending update) if any, else e. */
    int overlay = app->outbox.count && table_find(&app->outbox, name, len) != NULL;
    int change = !overlay && (removed ? e != NULL
                                      : !e || e->value_len != vlen ||
                                            (vlen && memcmp(entry_value(e), value, vlen) != 0));
    if (removed) {
        if (!e)
            return;
        table_remove(&app->replica, e, &app->senders);
    } else {
        int created;
        /* Mostly the same writer again: skip the lookup. */
        sender *sx = e && e->sender && e->sender->session == session &&
                             e->sender->identity_len == sender_len &&
                             memcmp(e->sender->identity, sender_id, sender_len) == 0
                         ? e->sender
                         : senders_get(&app->senders, sender_id, sender_len, session);
        if (!e)
            e = table_upsert(&app->replica, name, len, &created);
        if (!e || !sx || entry_set_value(e, value, vlen) != 0)
            return; /* out of memory: the next resync repairs it */
        entry_set_sender(e, sx, &app->senders);
        e->seq = seq;
        e->flags = app->mark;
        table_touch(&app->replica, e);
    }
    if (change)
        notify_by(app, name, len, 0, snapshot, seq, sender_id, sender_len);
}

/* --- syncing ---------------------------------------------------------------- */

static void send_sync(nanostate_app *app)
{
    buffer b;
    msgpack_packer pk;
    begin(&b, &pk);
    /* The next chunk of a FULL sync: no need to start over (hub_snapshot.c). */
    int op = OP_SYNC | (app->sync_full && app->sync_since ? OP_FLAG_REBASE : 0);
    frame_pack_control(&pk, FRAME_LEN_SYNC_FEATURES, app->identity, app->identity_len, op);
    msgpack_pack_uint64(&pk, app->session);
    msgpack_pack_uint64(&pk, app->have_epoch ? app->epoch : 0);
    msgpack_pack_uint64(&pk, app->sync_since);
    msgpack_pack_uint64(&pk, FEATURE_BATCH | FEATURE_SEQ_ACK);
    send_frame(app, &b);
    app->sync_sent_connected = app->connected;
    app->sync_due = clock_now_ms() + app->sync_retry_ms;
}

static void start_sync(nanostate_app *app, uint64_t since)
{
    app->syncing = 1;
    app->sync_full = since == 0;
    if (app->sync_full)
        app->mark++;
    app->sync_since = since;
    app->sync_retry_ms = SYNC_RETRY_FIRST_MS;
    send_sync(app);
}

static void finish_full_sync(nanostate_app *app)
{
    /* States the hub did not mention are gone. */
    entry *e = app->replica.head;
    while (e) {
        entry *next = e->next;
        if (e->flags != app->mark) {
            char name[NANOSTATE_MAX_NAME + 1];
            size_t len = e->name_len;
            memcpy(name, entry_name(e), len + 1);
            int overlay = table_find(&app->outbox, name, len) != NULL;
            table_remove(&app->replica, e, &app->senders);
            if (!overlay)
                notify(app, name, len, 0, 1, 0);
        }
        e = next;
    }
}

/* The hub is new (restart) or first met: forget its old numbering and
 * re-publish what this App wrote last. The caller syncs in full. */
static void adopt_epoch(nanostate_app *app, uint64_t epoch)
{
    if (app->have_epoch) {
        app->stats[ST_HUB_RESTARTS]++;
        for (entry *e = app->replica.head; e; e = e->next) {
            e->seq = 0;
            if (!e->sender || e->sender->session != app->session)
                continue;
            if (entry_name(e)[0] == '$')
                continue; /* the hub's own name: never ours to publish */
            if (table_find(&app->outbox, entry_name(e), e->name_len))
                continue;
            int created;
            entry *o = table_upsert(&app->outbox, entry_name(e), e->name_len, &created);
            if (!o || entry_set_value(o, entry_value(e), e->value_len) != 0) {
                if (o)
                    table_remove(&app->outbox, o, NULL);
                continue;
            }
            o->flags = 0;
            if (!app->first_queued)
                app->first_queued = o;
        }
        rebase_inflight(app);
    }
    app->have_epoch = 1;
    app->epoch = epoch;
    app->synced = 0;
}

static void set_connected(nanostate_app *app, int connected)
{
    if (app->connected == connected)
        return;
    app->connected = connected;
    if (connected) {
        /* What was in flight when the hub went away may not have arrived. */
        if (app->inflight_count)
            rebase_inflight(app);
    } else {
        app->ping_due = 0;
        /* Keep asking, so the first hub to answer brings us back. */
        if (!app->syncing)
            start_sync(app, app->synced ? app->last_seq : 0);
    }
    if (app->connect_fn)
        app->connect_fn(app->connect_user, connected);
}

static void hub_alive(nanostate_app *app)
{
    app->last_hub_ms = clock_now_ms();
    set_connected(app, 1);
}

/* --- frames from the hub -------------------------------------------------- */

/* The seq check of live updates (PROTOCOL.md 7.8): 1 when change number
 * `seq` is to be applied; a gap starts a sync. */
static int live_seq(nanostate_app *app, uint64_t seq)
{
    if (!app->have_epoch)
        return 0; /* our first sync brings it */
    if (!app->synced || app->syncing)
        return app->syncing; /* a sync applies what is newer */
    if (seq <= app->last_seq)
        return 0;
    if (seq == app->last_seq + 1) {
        app->last_seq = seq;
    } else {
        app->stats[ST_GAPS]++;
        start_sync(app, app->last_seq);
    }
    return 1;
}

static void on_update(nanostate_app *app, const frame *f)
{
    if (!live_seq(app, f->seq))
        return;
    app->stats[ST_UPDATES_IN]++;
    apply_confirmed(app, f->op == OP_DEL, f->name, f->name_len, f->value, f->value_len, f->sender,
                    f->sender_len, f->session, f->seq, 0);
    if (f->session == app->session)
        ack_upto(app, f->aseq);
}

static void on_snapshot(nanostate_app *app, const frame *f)
{
    if (f->session != app->session || !app->syncing)
        return;
    int full = (f->snap_flags & SNAP_FULL) != 0;
    if (f->since != app->sync_since && !(full && f->since == 0))
        return; /* the answer to an earlier request */
    if (!app->have_epoch || f->epoch != app->epoch)
        adopt_epoch(app, f->epoch); /* the hub answered in full */
    if (full && !app->sync_full) {
        app->sync_full = 1;
        app->mark++;
    }
    reader r = f->entries;
    for (uint32_t i = 0; i < f->entry_count; i++) {
        snap_entry se;
        const char *why;
        if (frame_next_entry(&r, &se, &why) != 0) {
            app->stats[ST_REJECTED]++;
            return;
        }
    }
    r = f->entries;
    for (uint32_t i = 0; i < f->entry_count; i++) {
        snap_entry se;
        const char *why;
        if (frame_next_entry(&r, &se, &why) != 0) {
            app->stats[ST_REJECTED]++;
            return;
        }
        apply_confirmed(app, se.removed, se.name, se.name_len, se.value, se.value_len, se.sender,
                        se.sender_len, se.session, se.seq, 1);
    }
    ack_upto(app, f->hwm);
    if (f->snap_flags & SNAP_MORE) {
        app->sync_since = f->upto;
        app->sync_retry_ms = SYNC_RETRY_FIRST_MS;
        send_sync(app);
        return;
    }
    if (app->sync_full)
        finish_full_sync(app);
    app->last_seq = f->seq;
    app->syncing = 0;
    app->synced = 1;
    app->stats[ST_RESYNCS]++;
    if (app->sync_again) {
        app->sync_again = 0;
        start_sync(app, app->last_seq);
    }
}

/* Tells the hub, which asked every App in a new census round, that this
 * pipe reads BATCH frames (hub_census.c). */
static void send_hello(nanostate_app *app)
{
    buffer b;
    msgpack_packer pk;
    begin(&b, &pk);
    frame_pack_control(&pk, FRAME_LEN_HELLO, app->identity, app->identity_len, OP_HELLO);
    msgpack_pack_uint64(&pk, app->session);
    msgpack_pack_uint64(&pk, FEATURE_BATCH | FEATURE_SEQ_ACK);
    send_frame(app, &b);
}

static void on_heartbeat(nanostate_app *app, const frame *f)
{
    if (f->census && f->census != app->census_answered) {
        app->census_answered = f->census;
        send_hello(app);
    }
    if (f->period_ms >= 10 && f->period_ms <= 3600 * 1000)
        app->period_ms = (int)f->period_ms;
    if (f->max_frame >= 1024)
        app->max_frame = (size_t)f->max_frame;
    if (!app->have_epoch && app->syncing) {
        /* The pipe is up now: a SYNC sent before may have gone nowhere.
         * Once: the hub sends a heartbeat for every App that joins, and a
         * SYNC for each would cost a full snapshot to every App each
         * (seen: 16 Apps joining together sent 130 SYNCs in 70 ms). */
        if (!app->sync_sent_connected) {
            app->sync_retry_ms = SYNC_RETRY_FIRST_MS;
            send_sync(app);
        }
        return;
    }
    if (!app->have_epoch || f->epoch != app->epoch) {
        adopt_epoch(app, f->epoch);
        start_sync(app, 0);
        return;
    }
    if (app->synced && !app->syncing && f->seq > app->last_seq) {
        app->stats[ST_GAPS]++;
        start_sync(app, app->last_seq);
    }
}

/* An ACK with a seq stands for the echo of our update `trigger`, which the
 * hub accepted as change `seq` (a large value: FEATURE_SEQ_ACK): the seq
 * check of live updates, and the replica takes the value we sent, while we
 * still hold it (a newer set replaced it otherwise, and shows anyway). */
static void on_seq_ack(nanostate_app *app, const frame *f)
{
    if (!live_seq(app, f->seq))
        return;
    entry *e = app->outbox.head;
    while (e && (e->flags & OUT_INFLIGHT) && e->seq < f->trigger)
        e = e->next;
    if (!e || !(e->flags & OUT_INFLIGHT) || e->seq != f->trigger)
        return;
    int removed = (e->flags & OUT_DELETE) != 0;
    apply_confirmed(app, removed, entry_name(e), e->name_len, removed ? NULL : entry_value(e),
                    removed ? 0 : e->value_len, app->identity, app->identity_len, app->session,
                    f->seq, 0);
}

static void on_ack(nanostate_app *app, const frame *f)
{
    if (f->session != app->session)
        return;
    int seq_ack = f->seq != 0 && f->hwm == f->trigger;
    if (seq_ack)
        on_seq_ack(app, f);
    /* The hub broadcast every update this ACK accepts before it sent the ACK
     * (all but the one a seq ACK stands for), and frames from the hub arrive
     * in order: an update still waiting for its echo here lost it, and
     * whatever the hub broadcast with it. An ACK carries no seq to show that
     * gap, so the replica would stay behind while the overlay goes: sync, as
     * after any other loss. */
    entry *e = app->outbox.head;
    int unechoed = e && (e->flags & OUT_INFLIGHT) && (seq_ack ? e->seq < f->trigger : e->seq <= f->hwm);
    ack_upto(app, f->hwm);
    if (unechoed) {
        app->stats[ST_GAPS]++;
        if (app->syncing)
            app->sync_again = 1; /* its answer may have been built before */
        else if (app->synced)
            start_sync(app, app->last_seq);
    }
    if (f->trigger >= app->rebase_aseq && f->hwm < f->trigger && app->inflight_count)
        rebase_inflight(app);
}

static void handle_frame(nanostate_app *app, const void *data, size_t size, int in_batch)
{
    frame f;
    const char *why;
    int rc = frame_parse(&f, data, size, &why);
    if (rc == 0 && f.op == OP_BATCH && !in_batch) {
        /* Its frames count, each as if it came alone. */
        for (uint32_t i = 0; i < f.entry_count; i++) {
            const uint8_t *inner;
            size_t len;
            frame_next_inner(&f.entries, &inner, &len);
            handle_frame(app, inner, len, 1);
        }
        return;
    }
    app->stats[ST_FRAMES_IN]++;
    if (rc != 0 || f.op == OP_BATCH) {
        app->stats[ST_REJECTED]++;
        return;
    }
    hub_alive(app);
    switch (f.op) {
    case OP_SET:
    case OP_DEL:
        if (f.count >= FRAME_LEN_UPDATE_OUT)
            on_update(app, &f);
        break;
    case OP_SNAPSHOT: on_snapshot(app, &f); break;
    case OP_HEARTBEAT: on_heartbeat(app, &f); break;
    case OP_ACK: on_ack(app, &f); break;
    default: break; /* other Apps' frames never reach us on a bus */
    }
}

/* --- timers ------------------------------------------------------------------ */

/* Two periods of silence: one heartbeat may be lost, two mean the hub is. */
static int64_t connection_deadline(const nanostate_app *app)
{
    return app->last_hub_ms + 2 * (int64_t)app->period_ms;
}

static void send_ping(nanostate_app *app)
{
    buffer b;
    msgpack_packer pk;
    begin(&b, &pk);
    flush_batch(app); /* its frames come before the PING's aseq */
    uint64_t aseq = app->next_aseq++;
    frame_pack_control(&pk, FRAME_LEN_PING, app->identity, app->identity_len, OP_PING);
    msgpack_pack_uint64(&pk, app->session);
    msgpack_pack_uint64(&pk, aseq);
    send_frame(app, &b);
}

/* Drops and dials every endpoint again. nanomsg 1.1.5 redials a lost
 * connection with the old connection's unread bytes still in its buffer;
 * they spoil the new handshake, and when fewer than its 8 bytes are left
 * every retry fails the same way, forever. A fresh endpoint starts clean. */
static void redial(nanostate_app *app)
{
    for (size_t i = 0; i < app->ndials; i++) {
        if (app->dials[i].endpoint >= 0)
            nn_shutdown(app->sock, app->dials[i].endpoint);
        app->dials[i].endpoint = nn_connect(app->sock, app->dials[i].url);
    }
}

static void run_timers(nanostate_app *app)
{
    int64_t now = clock_now_ms();
    if (app->connected && now >= connection_deadline(app)) {
        set_connected(app, 0);
        app->redial_due = now + 2 * (int64_t)app->period_ms;
    }
    if (!app->connected && app->ndials && now >= app->redial_due) {
        redial(app);
        app->redial_due = now + 2 * (int64_t)app->period_ms;
    }
    if (app->syncing && now >= app->sync_due) {
        int cap = app->period_ms < 1000 ? app->period_ms : 1000;
        app->sync_retry_ms = app->sync_retry_ms * 2 > cap ? cap : app->sync_retry_ms * 2;
        send_sync(app);
    }
    if (app->connected && app->ping_due && now >= app->ping_due) {
        send_ping(app);
        int cap = app->period_ms;
        app->ping_retry_ms = app->ping_retry_ms * 2 > cap ? cap : app->ping_retry_ms * 2;
        app->ping_due = now + app->ping_retry_ms;
    }
}

/* --- public API ------------------------------------------------------------ */

NANOSTATE_EXPORT int nanostate_app_create(nanostate_app **out, const char *identity)
{
    if (!out)
        return NANOSTATE_EINVAL;
    *out = NULL;
    char fallback[32];
    if (!identity) {
        snprintf(fallback, sizeof fallback, "app-%d", (int)getpid());
        identity = fallback;
    }
    size_t len = strlen(identity);
    if (len > NANOSTATE_MAX_IDENTITY || !utf8_valid(identity, len))
        return NANOSTATE_EINVAL;
    nanostate_app *app = calloc(1, sizeof *app);
    if (!app)
        return NANOSTATE_ENOMEM;
    app->sock = -1;
    app->fd = -1;
    app->identity = strdup(identity);
    app->identity_len = len;
    app->session = clock_random64();
    app->next_aseq = 1;
    app->need_rebase = 1; /* the hub learns our session from the first frame */
    app->max_frame = NANOSTATE_DEFAULT_MAX_FRAME;
    app->send_window = DEFAULT_SEND_WINDOW;
    app->batch_enabled = 1;
    batch_init(&app->batch);
    app->period_ms = NANOSTATE_DEFAULT_HEARTBEAT_MS;
    app->mark = 1;
    if (!app->identity || table_init(&app->replica) != 0 || table_init(&app->outbox) != 0 ||
        senders_init(&app->senders) != 0) {
        nanostate_app_close(app);
        return NANOSTATE_ENOMEM;
    }
    int rc = transport_socket(0, app->max_frame, &app->sock);
    if (rc != 0) {
        nanostate_app_close(app);
        return rc;
    }
    app->fd = transport_recv_fd(app->sock);
    *out = app;
    return 0;
}

NANOSTATE_EXPORT int nanostate_app_connect(nanostate_app *app, const char *url)
{
    if (!app)
        return NANOSTATE_EINVAL;
    if (!url)
        url = NANOSTATE_DEFAULT_URL;
    int rc = transport_check_url(url);
    if (rc != 0)
        return rc;
    struct dial *d = realloc(app->dials, (app->ndials + 1) * sizeof *d);
    if (!d)
        return NANOSTATE_ENOMEM;
    app->dials = d;
    d = &app->dials[app->ndials];
    d->url = strdup(url);
    if (!d->url)
        return NANOSTATE_ENOMEM;
    d->endpoint = nn_connect(app->sock, url);
    if (d->endpoint < 0) {
        int err = errno;
        free(d->url);
        return transport_error(err);
    }
    app->ndials++;
    if (!app->connected)
        app->redial_due = clock_now_ms() + 2 * (int64_t)app->period_ms;
    app->url_set = 1;
    start_sync(app, 0);
    return 0;
}

NANOSTATE_EXPORT int nanostate_app_open(nanostate_app **out, const char *identity, const char *url)
{
    int rc = nanostate_app_create(out, identity);
    if (rc != 0)
        return rc;
    rc = nanostate_app_connect(*out, url);
    if (rc != 0) {
        nanostate_app_close(*out);
        *out = NULL;
    }
    return rc;
}

NANOSTATE_EXPORT void nanostate_app_close(nanostate_app *app)
{
    if (!app)
        return;
    if (app->sock >= 0)
        nn_close(app->sock);
    table_free(&app->replica, &app->senders);
    table_free(&app->outbox, NULL);
    senders_free(&app->senders);
    free(app->flights);
    for (size_t i = 0; i < app->ndials; i++)
        free(app->dials[i].url);
    free(app->dials);
    batch_free(&app->batch);
    free(app->identity);
    free(app);
}

NANOSTATE_EXPORT int nanostate_app_set_int_option(nanostate_app *app, int option, int value)
{
    if (!app)
        return NANOSTATE_EINVAL;
    switch (option) {
    case NANOSTATE_OPT_RECV_BUFFER:
    case NANOSTATE_OPT_SEND_BUFFER: {
        if (value < 0)
            return NANOSTATE_EINVAL;
        int opt = option == NANOSTATE_OPT_RECV_BUFFER ? NN_RCVBUF : NN_SNDBUF;
        if (nn_setsockopt(app->sock, NN_SOL_SOCKET, opt, &value, sizeof value) < 0)
            return transport_error(errno);
        return 0;
    }
    case NANOSTATE_OPT_SEND_WINDOW:
        if (value < 1)
            return NANOSTATE_EINVAL;
        app->send_window = (size_t)value;
        return 0;
    case NANOSTATE_OPT_BATCH:
        if (value != 0 && value != 1)
            return NANOSTATE_EINVAL;
        app->batch_enabled = value;
        return 0;
    default:
        return NANOSTATE_EUNKNOWN;
    }
}

NANOSTATE_EXPORT const char *nanostate_app_identity(const nanostate_app *app)
{
    return app ? app->identity : NULL;
}

/* Puts an own update in the outbox, shows it in the replica, sends it when
 * the window allows. The packed value comes in two parts, head and body
 * (body_len 0 when head is all of it), so that a large str or bin is copied
 * once, into the outbox. */
static int local_update(nanostate_app *app, const char *name, int removal, const void *head,
                        size_t head_len, const void *body, size_t body_len)
{
    size_t size = head_len + body_len;
    if (!app)
        return NANOSTATE_EINVAL;
    size_t len;
    int rc = valid_name(name, &len);
    if (rc != 0)
        return rc;
    if (len + size + app->identity_len + 64 > app->max_frame)
        return NANOSTATE_ETOOBIG;
    int change = differs(app, name, len, !removal, head, head_len, body, body_len);
    int created;
    entry *o = table_upsert(&app->outbox, name, len, &created);
    if (!o)
        return NANOSTATE_ENOMEM;
    if (!created && (o->flags & OUT_INFLIGHT))
        requeue(app, o); /* the newer value must be sent too */
    else if (created && !app->first_queued)
        app->first_queued = o;
    if (removal ? entry_set_value(o, NULL, 0) : entry_set_value_parts(o, head, head_len, body, body_len)) {
        if (created)
            table_remove(&app->outbox, o, NULL);
        return NANOSTATE_ENOMEM;
    }
    o->flags = (uint8_t)((o->flags & OUT_INFLIGHT) | (removal ? OUT_DELETE : 0));
    if (change)
        notify(app, name, len, 1, 0, 0);
    flush_outbox(app);
    return 0;
}

static int set_built(nanostate_app *app, const char *name, buffer *b)
{
    if (b->failed) {
        buffer_free(b);
        return NANOSTATE_ENOMEM;
    }
    int rc = local_update(app, name, 0, b->data, b->len, NULL, 0);
    buffer_free(b);
    return rc;
}

/* Collects a msgpack head (at most 5 bytes: a str or bin header). */
typedef struct head_buffer {
    uint8_t data[8];
    size_t len;
} head_buffer;

static int head_write(void *data, const char *buf, size_t len)
{
    head_buffer *h = data;
    if (h->len + len > sizeof h->data)
        return -1;
    memcpy(h->data + h->len, buf, len);
    h->len += len;
    return 0;
}

/* A str or bin value: its header packed here, its bytes copied once. */
static int set_str_or_bin(nanostate_app *app, const char *name, int is_str, const void *data,
                          size_t len)
{
    if (len > UINT32_MAX)
        return NANOSTATE_ETOOBIG;
    head_buffer h = {{0}, 0};
    msgpack_packer pk;
    msgpack_packer_init(&pk, &h, head_write);
    if (is_str)
        msgpack_pack_str(&pk, len);
    else
        msgpack_pack_bin(&pk, len);
    return local_update(app, name, 0, h.data, h.len, data, len);
}

#define BUILD_VALUE(app, name, pack_call)                                                          \
    do {                                                                                           \
        buffer b;                                                                                  \
        msgpack_packer pk;                                                                         \
        buffer_init(&b, 0);                                                                        \
        buffer_packer(&b, &pk);                                                                    \
        pack_call;                                                                                 \
        return set_built(app, name, &b);                                                           \
    } while (0)

NANOSTATE_EXPORT int nanostate_app_set_strn(nanostate_app *app, const char *name, const char *value,
                                            size_t len)
{
    if (!value)
        return NANOSTATE_EINVAL;
    return set_str_or_bin(app, name, 1, value, len);
}

NANOSTATE_EXPORT int nanostate_app_set_str(nanostate_app *app, const char *name, const char *value)
{
    if (!value)
        return NANOSTATE_EINVAL;
    return nanostate_app_set_strn(app, name, value, strlen(value));
}

NANOSTATE_EXPORT int nanostate_app_set_bytes(nanostate_app *app, const char *name, const void *data,
                                             size_t len)
{
    if (!data && len)
        return NANOSTATE_EINVAL;
    return set_str_or_bin(app, name, 0, data, len);
}

NANOSTATE_EXPORT int nanostate_app_set_int(nanostate_app *app, const char *name, int64_t value)
{
    BUILD_VALUE(app, name, msgpack_pack_int64(&pk, value));
}

NANOSTATE_EXPORT int nanostate_app_set_uint(nanostate_app *app, const char *name, uint64_t value)
{
    BUILD_VALUE(app, name, msgpack_pack_uint64(&pk, value));
}

NANOSTATE_EXPORT int nanostate_app_set_double(nanostate_app *app, const char *name, double value)
{
    BUILD_VALUE(app, name, msgpack_pack_double(&pk, value));
}

NANOSTATE_EXPORT int nanostate_app_set_bool(nanostate_app *app, const char *name, int value)
{
    BUILD_VALUE(app, name, value ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk));
}

NANOSTATE_EXPORT int nanostate_app_set_nil(nanostate_app *app, const char *name)
{
    BUILD_VALUE(app, name, msgpack_pack_nil(&pk));
}

NANOSTATE_EXPORT int nanostate_app_set_packed(nanostate_app *app, const char *name, const void *packed,
                                              size_t size)
{
    if (nanostate_value_validate(packed, size) != 0)
        return NANOSTATE_EVALUE;
    return local_update(app, name, 0, packed, size, NULL, 0);
}

NANOSTATE_EXPORT int nanostate_app_remove(nanostate_app *app, const char *name)
{
    return local_update(app, name, 1, NULL, 0, NULL, 0);
}

NANOSTATE_EXPORT int nanostate_app_get(nanostate_app *app, const char *name, nanostate_value *out,
                                       const char **sender)
{
    if (!app || !name || !out)
        return NANOSTATE_EINVAL;
    if (!visible(app, name, strlen(name), out, sender))
        return NANOSTATE_ENOTFOUND;
    return 0;
}

NANOSTATE_EXPORT size_t nanostate_app_count(const nanostate_app *app)
{
    if (!app)
        return 0;
    size_t n = app->replica.count;
    for (const entry *o = app->outbox.head; o; o = o->next) {
        int in_replica = table_find(&app->replica, entry_name(o), o->name_len) != NULL;
        if ((o->flags & OUT_DELETE) && in_replica)
            n--;
        else if (!(o->flags & OUT_DELETE) && !in_replica)
            n++;
    }
    return n;
}

NANOSTATE_EXPORT void nanostate_app_foreach(nanostate_app *app, nanostate_update_fn fn, void *user)
{
    if (!app || !fn)
        return;
    nanostate_update u;
    for (const entry *e = app->replica.head; e; e = e->next) {
        if (table_find(&app->outbox, entry_name(e), e->name_len))
            continue; /* shown from the outbox below */
        memset(&u, 0, sizeof u);
        u.name = entry_name(e);
        u.name_len = e->name_len;
        u.value.packed = entry_value(e);
        u.value.size = e->value_len;
        u.sender = e->sender ? e->sender->identity : "";
        u.version = e->seq;
        fn(user, &u);
    }
    for (const entry *o = app->outbox.head; o; o = o->next) {
        if (o->flags & OUT_DELETE)
            continue;
        memset(&u, 0, sizeof u);
        u.name = entry_name(o);
        u.name_len = o->name_len;
        u.value.packed = entry_value(o);
        u.value.size = o->value_len;
        u.sender = app->identity;
        u.local = 1;
        fn(user, &u);
    }
}

NANOSTATE_EXPORT void nanostate_app_on_update(nanostate_app *app, nanostate_update_fn fn, void *user,
                                              int local_too)
{
    if (!app)
        return;
    app->update_fn = fn;
    app->update_user = user;
    app->update_local = local_too;
}

NANOSTATE_EXPORT void nanostate_app_on_connect(nanostate_app *app, nanostate_connect_fn fn, void *user)
{
    if (!app)
        return;
    app->connect_fn = fn;
    app->connect_user = user;
}

NANOSTATE_EXPORT int nanostate_app_fd(const nanostate_app *app) { return app ? app->fd : -1; }

NANOSTATE_EXPORT int nanostate_app_dispatch(nanostate_app *app)
{
    if (!app)
        return NANOSTATE_EINVAL;
    /* The budget counts frames, those inside BATCHes too. */
    uint64_t start = app->stats[ST_FRAMES_IN];
    for (int budget = DISPATCH_BUDGET; budget > 0 && app->stats[ST_FRAMES_IN] - start < DISPATCH_BUDGET;
         budget--) {
        void *msg = NULL;
        int n = nn_recv(app->sock, &msg, NN_MSG, NN_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break; /* EAGAIN: drained */
        }
        handle_frame(app, msg, (size_t)n, 0);
        nn_freemsg(msg);
    }
    run_timers(app);
    flush_outbox(app);
    return 0;
}

NANOSTATE_EXPORT int nanostate_app_timeout(const nanostate_app *app)
{
    if (!app || !app->url_set)
        return -1;
    int64_t due = INT64_MAX;
    if (app->connected)
        due = connection_deadline(app);
    if (app->syncing && app->sync_due < due)
        due = app->sync_due;
    if (app->connected && app->ping_due && app->ping_due < due)
        due = app->ping_due;
    if (!app->connected && app->ndials && app->redial_due < due)
        due = app->redial_due;
    if (app->first_queued && may_send(app) && app->inflight_bytes < app->send_window)
        return 0; /* updates wait for a dispatch to go out together */
    if (due == INT64_MAX)
        return -1;
    int64_t left = due - clock_now_ms();
    return left < 0 ? 0 : (left > 0x7fffffff ? 0x7fffffff : (int)left);
}

NANOSTATE_EXPORT int nanostate_app_wait(nanostate_app *app, int timeout_ms)
{
    if (!app)
        return NANOSTATE_EINVAL;
    int t = nanostate_app_timeout(app);
    if (timeout_ms >= 0 && (t < 0 || timeout_ms < t))
        t = timeout_ms;
    struct pollfd pfd = {app->fd, POLLIN, 0};
    int n = poll(&pfd, 1, t);
    nanostate_app_dispatch(app);
    return n > 0 ? 0 : NANOSTATE_ETIMEDOUT;
}

NANOSTATE_EXPORT int nanostate_app_is_connected(const nanostate_app *app)
{
    return app ? app->connected : 0;
}

NANOSTATE_EXPORT int nanostate_app_is_synced(const nanostate_app *app)
{
    return app ? app->synced && !app->syncing : 0;
}

NANOSTATE_EXPORT size_t nanostate_app_pending(const nanostate_app *app)
{
    return app ? app->outbox.count : 0;
}

NANOSTATE_EXPORT int nanostate_app_flush(nanostate_app *app, int timeout_ms)
{
    if (!app)
        return NANOSTATE_EINVAL;
    int64_t deadline = clock_now_ms() + timeout_ms;
    nanostate_app_dispatch(app);
    while (!nanostate_app_is_synced(app) || app->outbox.count > 0) {
        int64_t left = deadline - clock_now_ms();
        if (timeout_ms >= 0 && left <= 0)
            return NANOSTATE_ETIMEDOUT;
        nanostate_app_wait(app, timeout_ms >= 0 ? (int)left : -1);
    }
    return 0;
}

NANOSTATE_EXPORT uint64_t nanostate_app_stat(const nanostate_app *app, int stat)
{
    if (!app || stat < NANOSTATE_APP_STAT_FRAMES_IN || stat > NANOSTATE_APP_STAT_HUB_RESTARTS)
        return 0;
    return app->stats[stat - NANOSTATE_APP_STAT_FRAMES_IN];
}
