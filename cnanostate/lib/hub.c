/* SPDX-License-Identifier: MIT */
/*
 * hub.c - the hub engine: frames in, the table, frames out.
 *
 * Transport-agnostic at its heart (hub_input); the nanomsg endpoints are
 * served here too, other transports come through hub_peers.c.
 */
#include "clock.h"
#include "hub_internal.h"
#include "transport.h"

#include <errno.h>
#include <nanomsg/nn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A burst of updates is followed this soon by a heartbeat, so an App that
 * lost the tail of the burst notices at once instead of a period later. */
#define SETTLE_MS 50
/* Frames handled per dispatch before timers get their turn. */
#define DISPATCH_BUDGET 4096
/* Session records that own no state are forgotten after this long idle. */
#define SESSION_IDLE_MS (10 * 60 * 1000)
#define EXPIRE_EVERY_MS (30 * 1000)
#define DEFAULT_CHUNK_BYTES (256 * 1024)
#define DEFAULT_SAVE_DELAY_MS 200
/* A BATCH the hub sends holds frames up to this many bytes (and never more
 * than max_frame): large enough to spare most per-message costs, small
 * enough that the first frame in it is not held back long. */
#define BATCH_BYTES (64 * 1024)

void hub_log(nanostate_hub *hub, int level, const char *fmt, ...)
{
    if (!hub->log_fn)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    hub->log_fn(hub->log_user, level, line);
}

NANOSTATE_EXPORT int nanostate_hub_create(nanostate_hub **out)
{
    if (!out)
        return NANOSTATE_EINVAL;
    *out = NULL;
    nanostate_hub *hub = calloc(1, sizeof *hub);
    if (!hub)
        return NANOSTATE_ENOMEM;
    hub->sock = -1;
    hub->fd = -1;
    hub->epoch = clock_random64();
    hub->max_frame = NANOSTATE_DEFAULT_MAX_FRAME;
    hub->heartbeat_ms = NANOSTATE_DEFAULT_HEARTBEAT_MS;
    hub->save_delay_ms = DEFAULT_SAVE_DELAY_MS;
    hub->chunk_bytes = DEFAULT_CHUNK_BYTES;
    hub->tomb_cap = 4096;
    hub->next_peer_id = 1;
    hub->batch_enabled = 1;
    batch_init(&hub->batch);
    batch_init(&hub->peer_out.broadcasts);
    batch_init(&hub->peer_out.replies);
    int64_t now = clock_now_ms();
    hub->next_heartbeat = now; /* announce ourselves at once */
    hub->next_expire = now + EXPIRE_EVERY_MS;
    hub->started_at = now;
    hub->figures_at = now;
    buffer_init(&hub->scratch, 0);
    hub->tombs = calloc(hub->tomb_cap, sizeof *hub->tombs);
    if (!hub->tombs || table_init(&hub->table) != 0 || senders_init(&hub->senders) != 0) {
        nanostate_hub_close(hub);
        return NANOSTATE_ENOMEM;
    }
    int rc = transport_socket(1, hub->max_frame, &hub->sock);
    if (rc != 0) {
        nanostate_hub_close(hub);
        return rc;
    }
    hub->fd = transport_recv_fd(hub->sock);
    *out = hub;
    return 0;
}

NANOSTATE_EXPORT void nanostate_hub_close(nanostate_hub *hub)
{
    if (!hub)
        return;
    if (hub->state_file && hub->save_due)
        hub_statefile_save(hub);
    if (hub->sock >= 0)
        nn_close(hub->sock);
    table_free(&hub->table, &hub->senders);
    senders_free(&hub->senders);
    hub_tombstones_free(hub);
    hub_peers_free(hub);
    hub_census_free(hub);
    batch_free(&hub->batch);
    buffer_free(&hub->scratch);
    free(hub->state_file);
    free(hub);
}

NANOSTATE_EXPORT int nanostate_hub_set_int_option(nanostate_hub *hub, int option, int value)
{
    if (!hub)
        return NANOSTATE_EINVAL;
    switch (option) {
    case NANOSTATE_OPT_MAX_FRAME:
        if (value < 1024)
            return NANOSTATE_EINVAL;
        hub->max_frame = (size_t)value;
        transport_set_max_frame(hub->sock, hub->max_frame);
        if (hub->chunk_bytes > hub->max_frame / 2)
            hub->chunk_bytes = hub->max_frame / 2;
        return 0;
    case NANOSTATE_OPT_HEARTBEAT_MS:
        if (value < 10 || value > 3600 * 1000)
            return NANOSTATE_EINVAL;
        hub->heartbeat_ms = value;
        return 0;
    case NANOSTATE_OPT_BATCH:
        if (value != 0 && value != 1)
            return NANOSTATE_EINVAL;
        hub->batch_enabled = value;
        return 0;
    case NANOSTATE_OPT_STATS_MS:
        if (value < 0 || (value > 0 && value < 10))
            return NANOSTATE_EINVAL;
        hub->stats_ms = value;
        hub->next_figures = clock_now_ms() + value;
        return 0;
    case NANOSTATE_OPT_SAVE_DELAY_MS:
        if (value < 0)
            return NANOSTATE_EINVAL;
        hub->save_delay_ms = value;
        return 0;
    case NANOSTATE_OPT_RECV_BUFFER:
    case NANOSTATE_OPT_SEND_BUFFER: {
        if (value < 0)
            return NANOSTATE_EINVAL;
        int opt = option == NANOSTATE_OPT_RECV_BUFFER ? NN_RCVBUF : NN_SNDBUF;
        if (nn_setsockopt(hub->sock, NN_SOL_SOCKET, opt, &value, sizeof value) < 0)
            return transport_error(errno);
        return 0;
    }
    default:
        return NANOSTATE_EUNKNOWN;
    }
}

NANOSTATE_EXPORT int nanostate_hub_set_string_option(nanostate_hub *hub, int option, const char *value)
{
    if (!hub)
        return NANOSTATE_EINVAL;
    if (option != NANOSTATE_OPT_STATE_FILE)
        return NANOSTATE_EUNKNOWN;
    free(hub->state_file);
    hub->state_file = NULL;
    if (value && *value && !(hub->state_file = strdup(value)))
        return NANOSTATE_ENOMEM;
    return 0;
}

NANOSTATE_EXPORT int nanostate_hub_bind(nanostate_hub *hub, const char *url)
{
    if (!hub)
        return NANOSTATE_EINVAL;
    int rc = transport_check_url(url);
    if (rc != 0)
        return rc;
    if (nn_bind(hub->sock, url) < 0)
        return transport_error(errno);
    hub->bound++;
    return 0;
}

NANOSTATE_EXPORT int nanostate_hub_fd(const nanostate_hub *hub) { return hub ? hub->fd : -1; }

/* --- sending ------------------------------------------------------------ */

void hub_frame_begin(nanostate_hub *hub, buffer *b, msgpack_packer *pk)
{
    buffer_init(b, hub->bound > 0);
    buffer_packer(b, pk);
}

size_t hub_batch_limit(const nanostate_hub *hub)
{
    return hub->max_frame < BATCH_BYTES ? hub->max_frame : BATCH_BYTES;
}

static void send_nn_msg(nanostate_hub *hub, void *body)
{
    if (nn_send(hub->sock, &body, NN_MSG, NN_DONTWAIT) < 0)
        nn_freemsg(body);
}

/* Sends the frames waiting in hub->batch: one alone as it is, several as
 * one BATCH. */
static void flush_batch(nanostate_hub *hub)
{
    uint32_t frames;
    void *msg = batch_take(&hub->batch, HUB_SENDER, strlen(HUB_SENDER), &frames);
    if (!msg)
        return;
    send_nn_msg(hub, msg);
    if (frames > 1)
        hub->stats[ST_BATCHES_OUT]++;
}

int hub_batch_add(nanostate_hub *hub, batch *b, const buffer *frame,
                  void (*flush)(nanostate_hub *hub))
{
    size_t limit = hub_batch_limit(hub) - BATCH_HEAD_ROOM(sizeof HUB_SENDER - 1);
    if (frame->len > limit)
        return 0;
    if (b->body.len + frame->len > limit)
        flush(hub);
    if (batch_append(b, frame->data, frame->len) != 0) {
        flush(hub); /* what it holds is whole: send it, then this alone */
        return 0;
    }
    return 1;
}

static void send_nanomsg(nanostate_hub *hub, buffer *frame, void **ctrl)
{
    if (frame->failed) {
        buffer_free(frame);
        return;
    }
    if (hub->bound == 0) {
        buffer_free(frame);
        return;
    }
    int excludes = ctrl && *ctrl;
    if (hub->batching < 0) /* looked up on the first frame: three statistics */
        hub->batching = hub_census_all_batch(hub);
    if (hub->batching && !excludes && hub_batch_add(hub, &hub->batch, frame, flush_batch)) {
        buffer_free(frame);
        return;
    }
    flush_batch(hub); /* what waits goes first */
    void *body = buffer_take(frame);
    struct nn_iovec iov = {&body, NN_MSG};
    struct nn_msghdr hdr;
    memset(&hdr, 0, sizeof hdr);
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    if (ctrl && *ctrl) {
        /* The raw BUS socket leaves out the pipe this header names. */
        hdr.msg_control = ctrl;
        hdr.msg_controllen = NN_MSG;
    }
    if (nn_sendmsg(hub->sock, &hdr, NN_DONTWAIT) < 0) {
        nn_freemsg(body);
        return;
    }
    if (ctrl)
        *ctrl = NULL; /* nanomsg took it */
}

void hub_broadcast(nanostate_hub *hub, buffer *frame, source *src, int exclude_source,
                   uint64_t except_peer)
{
    hub->stats[ST_FRAMES_OUT]++;
    hub_peers_send(hub, frame, 0, except_peer);
    send_nanomsg(hub, frame, exclude_source && src && src->peer == 0 ? &src->nn_ctrl : NULL);
}

void hub_reply(nanostate_hub *hub, buffer *frame, source *src)
{
    hub->stats[ST_FRAMES_OUT]++;
    if (src->peer) {
        hub_peers_send(hub, frame, src->peer, 0);
        buffer_free(frame);
    } else {
        send_nanomsg(hub, frame, NULL);
    }
}

static void send_ack(nanostate_hub *hub, source *src, uint64_t session, uint64_t hwm,
                     uint64_t trigger, uint64_t seq)
{
    buffer b;
    msgpack_packer pk;
    hub_frame_begin(hub, &b, &pk);
    frame_pack_control(&pk, FRAME_LEN_ACK, HUB_SENDER, strlen(HUB_SENDER), OP_ACK);
    msgpack_pack_uint64(&pk, session);
    msgpack_pack_uint64(&pk, hwm);
    msgpack_pack_uint64(&pk, trigger);
    msgpack_pack_uint64(&pk, seq);
    hub_reply(hub, &b, src);
}

void hub_heartbeat(nanostate_hub *hub, source *to)
{
    buffer b;
    msgpack_packer pk;
    hub_frame_begin(hub, &b, &pk);
    frame_pack_control(&pk, hub->census.round ? FRAME_LEN_HEARTBEAT_CENSUS : FRAME_LEN_HEARTBEAT,
                       HUB_SENDER, strlen(HUB_SENDER), OP_HEARTBEAT);
    msgpack_pack_uint64(&pk, hub->epoch);
    msgpack_pack_uint64(&pk, hub->seq);
    msgpack_pack_uint64(&pk, (uint64_t)hub->heartbeat_ms);
    msgpack_pack_uint64(&pk, hub->max_frame);
    if (hub->census.round)
        msgpack_pack_uint64(&pk, hub->census.round);
    if (to)
        hub_reply(hub, &b, to);
    else
        hub_broadcast(hub, &b, NULL, 0, 0);
}

/* --- the table ----------------------------------------------------------- */

void hub_notify_change(nanostate_hub *hub, const char *name, size_t name_len, const entry *e)
{
    if (!hub->change_fn)
        return;
    nanostate_hub_state st;
    memset(&st, 0, sizeof st);
    st.name = name;
    st.name_len = name_len;
    if (e) {
        st.value.packed = entry_value(e);
        st.value.size = e->value_len;
        st.sender = e->sender ? e->sender->identity : "";
        st.version = e->seq;
        st.updates = e->updates;
        st.changed_ms = e->changed_ms;
    } else {
        st.sender = "";
        st.version = hub->seq;
        st.changed_ms = clock_wall_ms();
    }
    hub->change_fn(hub->change_user, &st);
}

static void mark_dirty(nanostate_hub *hub)
{
    if (hub->state_file && !hub->save_due)
        hub->save_due = clock_now_ms() + hub->save_delay_ms;
}

entry *hub_apply(nanostate_hub *hub, int op, const char *name, size_t name_len,
                 const void *value, size_t value_len, sender *writer)
{
    uint64_t seq = ++hub->seq;
    hub->stats[ST_UPDATES]++;
    mark_dirty(hub);
    if (op == OP_DEL) {
        entry *e = table_find(&hub->table, name, name_len);
        if (e)
            table_remove(&hub->table, e, &hub->senders);
        hub_tombstone_add(hub, name, name_len, seq);
        return NULL;
    }
    int created;
    entry *e = table_upsert(&hub->table, name, name_len, &created);
    if (!e || entry_set_value(e, value, value_len) != 0) {
        if (e && created)
            table_remove(&hub->table, e, &hub->senders);
        hub_log(hub, 1, "out of memory storing '%.*s'", (int)name_len, name);
        return NULL;
    }
    entry_set_sender(e, writer, &hub->senders);
    e->seq = seq;
    e->updates++;
    e->changed_ms = clock_wall_ms();
    table_touch(&hub->table, e);
    return e;
}

/* --- frames in ------------------------------------------------------------ */

static const char *source_name(const source *src, char *buf, size_t len)
{
    if (src->peer)
        snprintf(buf, len, "peer %llu", (unsigned long long)src->peer);
    else
        snprintf(buf, len, "nanomsg");
    return buf;
}

static int reject(nanostate_hub *hub, const source *src, const frame *f, int code, const char *why)
{
    char where[32];
    hub->stats[ST_REJECTED]++;
    hub_log(hub, 1, "rejected frame from %s%s%.*s%s: %s", source_name(src, where, sizeof where),
            f && f->sender_len ? " (" : "", f ? (int)f->sender_len : 0, f ? f->sender : "",
            f && f->sender_len ? ")" : "", why);
    return code;
}

/* The in-order rule of PROTOCOL.md: 1 to apply the frame, 0 to drop it. */
static int in_order(nanostate_hub *hub, source *src, sender *sx, const frame *f)
{
    if (f->rebase || f->aseq == 0) {
        sx->expected = f->aseq + 1;
        sx->nacked = 0;
        return 1;
    }
    if (f->aseq == sx->expected) {
        sx->expected++;
        return 1;
    }
    hub->stats[ST_OUT_OF_ORDER]++;
    /* Frames between were lost, or this hub does not know the session yet
     * (an App's first frame carries REBASE): tell the App where to start. */
    if (f->aseq > sx->expected && !sx->nacked) {
        sx->nacked = 1;
        hub_log(hub, 0, "loss from %s: expected %llu, got %llu; asking for a re-send",
                sx->identity, (unsigned long long)sx->expected, (unsigned long long)f->aseq);
        send_ack(hub, src, f->session, sx->expected ? sx->expected - 1 : 0, f->aseq, 0);
    }
    return 0;
}

static int input_update(nanostate_hub *hub, source *src, const frame *f, const void *data)
{
    if (f->name[0] == '$')
        return reject(hub, src, f, NANOSTATE_ENAME, "names starting with '$' are reserved for the hub");
    int ours = f->op != OP_LEGACY && f->session != 0;
    sender *sx = senders_get(&hub->senders, f->sender, f->sender_len, ours ? f->session : 0);
    if (!sx)
        return reject(hub, src, f, NANOSTATE_ENOMEM, "out of memory");
    if (ours) {
        sx->last_seen_ms = clock_now_ms();
        if (!in_order(hub, src, sx, f))
            return 0;
    }
    int op = f->op == OP_LEGACY ? OP_SET : f->op;
    /* Keep the sender record alive across the removal of its last entry. */
    sender_ref(sx);
    entry *e = hub_apply(hub, op, f->name, f->name_len, f->value, f->value_len, sx);
    uint64_t seq = hub->seq;

    buffer b;
    msgpack_packer pk;
    hub_frame_begin(hub, &b, &pk);
    frame_pack_forward(&pk, f, data, seq);
    /* An original App would take its own echo for news; ours take it as the
     * acknowledgement. A peer of another transport gets a short ACK instead,
     * and so does an App that asked for it when the value is large: the
     * echo would cost as much as the delivery. */
    int short_ack = ours && (src->peer != 0 || hub_census_skips_echo(hub, src, f->value_len));
    hub_broadcast(hub, &b, src, !ours || short_ack, src->peer);
    if (short_ack)
        send_ack(hub, src, f->session, f->aseq, f->aseq, seq);
    senders_unref(&hub->senders, sx);

    hub->settle_due = clock_now_ms() + SETTLE_MS;
    hub_notify_change(hub, f->name, f->name_len, e);
    return 0;
}

static int input_sync(nanostate_hub *hub, source *src, const frame *f)
{
    sender *sx = senders_get(&hub->senders, f->sender, f->sender_len, f->session);
    if (!sx)
        return reject(hub, src, f, NANOSTATE_ENOMEM, "out of memory");
    int joining = sx->last_seen_ms == 0;
    sx->last_seen_ms = clock_now_ms();
    if (joining)
        hub_log(hub, 0, "join: %s (session %016llx)", sx->identity, (unsigned long long)f->session);
    else if (f->since == 0 || f->epoch != hub->epoch)
        hub_log(hub, 0, "resync: %s from the start", sx->identity);
    else
        hub_log(hub, 0, "resync: %s since %llu", sx->identity, (unsigned long long)f->since);
    hub_census_note(hub, src, f->features);
    uint64_t hwm = sx->expected ? sx->expected - 1 : 0;
    hub_send_snapshot(hub, src, f->session, f->epoch, f->since, hwm, f->rebase);
    /* A newcomer learns the heartbeat period and frame limit at once. */
    if (joining)
        hub_heartbeat(hub, src);
    return 0;
}

static int input_ping(nanostate_hub *hub, source *src, const frame *f)
{
    sender *sx = senders_get(&hub->senders, f->sender, f->sender_len, f->session);
    if (!sx)
        return reject(hub, src, f, NANOSTATE_ENOMEM, "out of memory");
    sx->last_seen_ms = clock_now_ms();
    int nacked = sx->nacked;
    if (!in_order(hub, src, sx, f) && !nacked && sx->nacked)
        return 0; /* in_order just answered with the loss */
    send_ack(hub, src, f->session, sx->expected ? sx->expected - 1 : 0, f->aseq, 0);
    return 0;
}

static int hub_input_frame(nanostate_hub *hub, source *src, const void *data, size_t size,
                           int in_batch);

/* A BATCH: each of its frames as if it came alone. */
static int input_batch(nanostate_hub *hub, source *src, frame *f)
{
    for (uint32_t i = 0; i < f->entry_count; i++) {
        const uint8_t *inner;
        size_t len;
        frame_next_inner(&f->entries, &inner, &len);
        hub_input_frame(hub, src, inner, len, 1);
    }
    return 0;
}

static int hub_input(nanostate_hub *hub, source *src, const void *data, size_t size)
{
    if (size > hub->max_frame) {
        char why[96];
        hub->stats[ST_FRAMES_IN]++;
        snprintf(why, sizeof why, "frame of %zu bytes exceeds the maximum of %zu", size,
                 hub->max_frame);
        return reject(hub, src, NULL, NANOSTATE_ETOOBIG, why);
    }
    return hub_input_frame(hub, src, data, size, 0);
}

static int hub_input_frame(nanostate_hub *hub, source *src, const void *data, size_t size,
                           int in_batch)
{
    frame f;
    const char *why = NULL;
    int rc = frame_parse(&f, data, size, &why);
    if (rc == 0 && f.op == OP_BATCH && !in_batch)
        return input_batch(hub, src, &f); /* its frames count, not it */
    hub->stats[ST_FRAMES_IN]++;
    if (rc != 0)
        return reject(hub, src, NULL, rc, why);
    if (f.op == OP_BATCH)
        return reject(hub, src, &f, NANOSTATE_EPROTO, "a batch inside a batch");
    if (src->peer) {
        peer *p = hub_peer_find(hub, src->peer);
        if (p && (!p->identity || strlen(p->identity) != f.sender_len ||
                  memcmp(p->identity, f.sender, f.sender_len) != 0)) {
            char *id = strndup(f.sender, f.sender_len);
            if (id) {
                free(p->identity);
                p->identity = id;
            }
        }
    }
    switch (f.op) {
    case OP_LEGACY:
    case OP_SET:
    case OP_DEL: return input_update(hub, src, &f, data);
    case OP_SYNC: return input_sync(hub, src, &f);
    case OP_PING: return input_ping(hub, src, &f);
    case OP_HELLO: hub_census_note(hub, src, f.features); return 0;
    default: return reject(hub, src, &f, NANOSTATE_EPROTO, "op is sent by hubs, not to them");
    }
}

/* While an engine call handles input, frames for many receivers gather
 * into BATCHes, nanomsg's when every connection can read them (7.10), the
 * peers' as hub_peers.c decides; they go out when it ends. A dispatch
 * looks at the connections at once (a census round starts then); a peer's
 * frame only when it sends over nanomsg. */
static void gather_begin(nanostate_hub *hub, int lazily)
{
    hub->batching = lazily ? -1 : hub_census_all_batch(hub);
    hub_peers_gather(hub, 1);
}

static void gather_end(nanostate_hub *hub)
{
    flush_batch(hub);
    hub->batching = 0;
    hub_peers_gather(hub, 0);
    if (hub->census_due) {
        hub->census_due = 0;
        hub_heartbeat(hub, NULL);
    }
}

NANOSTATE_EXPORT int nanostate_hub_peer_input(nanostate_hub *hub, uint64_t peer_id, const void *frame,
                                              size_t size)
{
    if (!hub || !frame || !hub_peer_find(hub, peer_id))
        return NANOSTATE_EINVAL;
    source src = {peer_id, NULL};
    gather_begin(hub, 1);
    int rc = hub_input(hub, &src, frame, size);
    gather_end(hub);
    return rc;
}

/* --- the loop -------------------------------------------------------------- */

static void run_timers(nanostate_hub *hub)
{
    int64_t now = clock_now_ms();
    if (now >= hub->next_heartbeat || (hub->settle_due && now >= hub->settle_due)) {
        hub_heartbeat(hub, NULL);
        hub->next_heartbeat = now + hub->heartbeat_ms;
        hub->settle_due = 0;
    }
    if (hub->save_due && now >= hub->save_due) {
        hub->save_due = 0;
        if (hub_statefile_save(hub) != 0)
            hub->save_due = now + 1000; /* try again; the error was logged */
    }
    if (hub->stats_ms && now >= hub->next_figures) {
        hub_figures_publish(hub);
        hub->next_figures = now + hub->stats_ms;
    }
    if (now >= hub->next_expire) {
        senders_expire(&hub->senders, now, SESSION_IDLE_MS);
        hub->next_expire = now + EXPIRE_EVERY_MS;
    }
}

NANOSTATE_EXPORT int nanostate_hub_dispatch(nanostate_hub *hub)
{
    if (!hub)
        return NANOSTATE_EINVAL;
    gather_begin(hub, 0);
    /* The budget counts frames, those inside BATCHes too: one call must
     * not keep the caller's event loop waiting for long. */
    uint64_t start = hub->stats[ST_FRAMES_IN];
    for (int budget = DISPATCH_BUDGET;
         budget > 0 && hub->bound > 0 && hub->stats[ST_FRAMES_IN] - start < DISPATCH_BUDGET;
         budget--) {
        void *body = NULL;
        void *ctrl = NULL;
        struct nn_iovec iov = {&body, NN_MSG};
        struct nn_msghdr hdr;
        memset(&hdr, 0, sizeof hdr);
        hdr.msg_iov = &iov;
        hdr.msg_iovlen = 1;
        hdr.msg_control = &ctrl;
        hdr.msg_controllen = NN_MSG;
        int n = nn_recvmsg(hub->sock, &hdr, NN_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                hub_log(hub, 1, "receive failed: %s", nn_strerror(errno));
            break;
        }
        source src = {0, ctrl};
        hub_input(hub, &src, body, (size_t)n);
        nn_freemsg(body);
        if (src.nn_ctrl)
            nn_freemsg(src.nn_ctrl);
    }
    gather_end(hub);
    run_timers(hub);
    return 0;
}

NANOSTATE_EXPORT int nanostate_hub_timeout(const nanostate_hub *hub)
{
    if (!hub)
        return -1;
    int64_t due = hub->next_heartbeat;
    if (hub->settle_due && hub->settle_due < due)
        due = hub->settle_due;
    if (hub->save_due && hub->save_due < due)
        due = hub->save_due;
    if (hub->next_expire < due)
        due = hub->next_expire;
    if (hub->stats_ms && hub->next_figures < due)
        due = hub->next_figures;
    int64_t left = due - clock_now_ms();
    return left < 0 ? 0 : (int)left;
}

NANOSTATE_EXPORT int nanostate_hub_wait(nanostate_hub *hub, int timeout_ms)
{
    if (!hub)
        return NANOSTATE_EINVAL;
    int t = nanostate_hub_timeout(hub);
    if (timeout_ms >= 0 && (t < 0 || timeout_ms < t))
        t = timeout_ms;
    struct nn_pollfd pfd = {hub->sock, NN_POLLIN, 0};
    int n = nn_poll(&pfd, 1, t);
    nanostate_hub_dispatch(hub);
    return n > 0 ? 0 : NANOSTATE_ETIMEDOUT;
}

/* --- the table for monitors ----------------------------------------------- */

static void fill_state(const entry *e, nanostate_hub_state *st)
{
    st->name = entry_name(e);
    st->name_len = e->name_len;
    st->value.packed = entry_value(e);
    st->value.size = e->value_len;
    st->sender = e->sender ? e->sender->identity : "";
    st->version = e->seq;
    st->updates = e->updates;
    st->changed_ms = e->changed_ms;
}

NANOSTATE_EXPORT size_t nanostate_hub_count(const nanostate_hub *hub) { return hub ? hub->table.count : 0; }

NANOSTATE_EXPORT int nanostate_hub_get(nanostate_hub *hub, const char *name, nanostate_hub_state *out)
{
    if (!hub || !name || !out)
        return NANOSTATE_EINVAL;
    entry *e = table_find(&hub->table, name, strlen(name));
    if (!e)
        return NANOSTATE_ENOTFOUND;
    fill_state(e, out);
    return 0;
}

NANOSTATE_EXPORT void nanostate_hub_foreach(nanostate_hub *hub, nanostate_hub_state_fn fn, void *user)
{
    if (!hub || !fn)
        return;
    for (entry *e = hub->table.head; e; e = e->next) {
        nanostate_hub_state st;
        fill_state(e, &st);
        fn(user, &st);
    }
}

NANOSTATE_EXPORT void nanostate_hub_on_change(nanostate_hub *hub, nanostate_hub_state_fn fn, void *user)
{
    if (!hub)
        return;
    hub->change_fn = fn;
    hub->change_user = user;
}

NANOSTATE_EXPORT void nanostate_hub_on_log(nanostate_hub *hub, nanostate_log_fn fn, void *user)
{
    if (!hub)
        return;
    hub->log_fn = fn;
    hub->log_user = user;
}

NANOSTATE_EXPORT void nanostate_hub_on_output(nanostate_hub *hub, nanostate_hub_output_fn fn, void *user)
{
    if (!hub)
        return;
    hub->output_fn = fn;
    hub->output_user = user;
}

/* The hub's own states ($hub/...) travel like any other update. */
static int hub_own_update(nanostate_hub *hub, int op, const char *name, const void *packed, size_t size)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > NANOSTATE_MAX_NAME)
        return NANOSTATE_ENAME;
    if (op == OP_SET && nanostate_value_validate(packed, size) != 0)
        return NANOSTATE_EVALUE;
    sender *sx = senders_get(&hub->senders, HUB_SENDER, strlen(HUB_SENDER), 0);
    if (!sx)
        return NANOSTATE_ENOMEM;
    sender_ref(sx);
    entry *e = hub_apply(hub, op, name, len, packed, size, sx);
    buffer b;
    msgpack_packer pk;
    hub_frame_begin(hub, &b, &pk);
    frame_pack_update(&pk, op, HUB_SENDER, strlen(HUB_SENDER), name, len, op == OP_SET ? packed : NULL,
                      op == OP_SET ? size : 0, 0, 0, hub->seq);
    hub_broadcast(hub, &b, NULL, 0, 0);
    senders_unref(&hub->senders, sx);
    hub->settle_due = clock_now_ms() + SETTLE_MS;
    hub_notify_change(hub, name, len, e);
    return 0;
}

NANOSTATE_EXPORT int nanostate_hub_set_packed(nanostate_hub *hub, const char *name, const void *packed,
                                              size_t size)
{
    if (!hub)
        return NANOSTATE_EINVAL;
    return hub_own_update(hub, OP_SET, name, packed, size);
}

NANOSTATE_EXPORT int nanostate_hub_remove(nanostate_hub *hub, const char *name)
{
    if (!hub)
        return NANOSTATE_EINVAL;
    return hub_own_update(hub, OP_DEL, name, NULL, 0);
}

NANOSTATE_EXPORT int nanostate_hub_load(nanostate_hub *hub)
{
    if (!hub)
        return NANOSTATE_EINVAL;
    return hub->state_file ? hub_statefile_load(hub) : 0;
}

NANOSTATE_EXPORT int nanostate_hub_save(nanostate_hub *hub)
{
    if (!hub)
        return NANOSTATE_EINVAL;
    if (!hub->state_file)
        return 0;
    hub->save_due = 0;
    return hub_statefile_save(hub);
}

NANOSTATE_EXPORT uint64_t nanostate_hub_stat(const nanostate_hub *hub, int stat)
{
    if (!hub)
        return 0;
    switch (stat) {
    case NANOSTATE_HUB_STAT_FRAMES_IN: return hub->stats[ST_FRAMES_IN];
    case NANOSTATE_HUB_STAT_FRAMES_OUT: return hub->stats[ST_FRAMES_OUT];
    case NANOSTATE_HUB_STAT_UPDATES: return hub->stats[ST_UPDATES];
    case NANOSTATE_HUB_STAT_REJECTED: return hub->stats[ST_REJECTED];
    case NANOSTATE_HUB_STAT_OUT_OF_ORDER: return hub->stats[ST_OUT_OF_ORDER];
    case NANOSTATE_HUB_STAT_SNAPSHOTS: return hub->stats[ST_SNAPSHOTS];
    case NANOSTATE_HUB_STAT_SESSIONS: return hub->senders.count;
    case NANOSTATE_HUB_STAT_STATES: return hub->table.count;
    case NANOSTATE_HUB_STAT_SEQ: return hub->seq;
    case NANOSTATE_HUB_STAT_EPOCH: return hub->epoch;
    case NANOSTATE_HUB_STAT_PEERS: return hub->npeers;
    case NANOSTATE_HUB_STAT_CONNECTIONS:
        return hub->bound ? nn_get_statistic(hub->sock, NN_STAT_CURRENT_CONNECTIONS) : 0;
    case NANOSTATE_HUB_STAT_BATCHES_OUT: return hub->stats[ST_BATCHES_OUT];
    case NANOSTATE_HUB_STAT_PEER_BATCHES_OUT: return hub->stats[ST_PEER_BATCHES_OUT];
    default: return 0;
    }
}
