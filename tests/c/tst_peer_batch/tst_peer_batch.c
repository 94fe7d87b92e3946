/* SPDX-License-Identifier: MIT */
/*
 * The hub engine's BATCH messages for peers of other transports
 * (docs/PROTOCOL.md 7.9, 7.10): a front end in this test takes the engine's
 * output as nanostate-hubws does - to one peer, or to every peer but
 * `except` that is not paused - and each peer records the frames it got, a
 * BATCH unpacked. Peers that declared FEATURE_BATCH get bursts together; an
 * original client that declares nothing makes every broadcast go alone. The
 * bursts come from a peer (one BATCH in) and from a C App over ipc://.
 */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#define WAIT_MS 5000
#define BURST 200
#define MAX_PEERS 4
#define OP_SET 1
#define OP_SYNC 3
#define OP_ACK 6
#define OP_BATCH 9
#define REBASE 0x10

/* What one peer received: each frame's op and seq (SET) or trigger (ACK),
 * and how many messages carried them. */
typedef struct inbox {
    uint64_t id;
    int paused;
    int pause_after; /* > 0: the front end pauses it after that many messages */
    int messages, batches, frames;
    int sets, acks;
    uint64_t last_seq, last_trigger;
    int out_of_order;
} inbox;

static uint64_t field(const msgpack_object *a, uint32_t i)
{
    return i < a->via.array.size && a->via.array.ptr[i].type == MSGPACK_OBJECT_POSITIVE_INTEGER
               ? a->via.array.ptr[i].via.u64
               : 0;
}

static void take_frame(inbox *in, const msgpack_object *f)
{
    assert_int_equal(f->type, MSGPACK_OBJECT_ARRAY);
    in->frames++;
    uint64_t op = field(f, 3);
    if (op == OP_SET) {
        uint64_t seq = field(f, 6);
        in->out_of_order += seq <= in->last_seq;
        in->last_seq = seq;
        in->sets++;
    } else if (op == OP_ACK) {
        uint64_t trigger = field(f, 6);
        in->out_of_order += trigger <= in->last_trigger;
        in->last_trigger = trigger;
        in->acks++;
    }
}

typedef struct front {
    nanostate_hub *hub;
    inbox peers[MAX_PEERS];
    int npeers;
} front;

static void deliver(front *fe, inbox *in, const void *data, size_t size)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&u, data, size, &off), MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, size);
    const msgpack_object *m = &u.data;
    assert_int_equal(m->type, MSGPACK_OBJECT_ARRAY);
    in->messages++;
    if (field(m, 3) == OP_BATCH) {
        in->batches++;
        assert_true(m->via.array.size > 5); /* one frame would go alone */
        for (uint32_t i = 4; i < m->via.array.size; i++)
            take_frame(in, &m->via.array.ptr[i]);
    } else {
        take_frame(in, m);
    }
    msgpack_unpacked_destroy(&u);
    if (in->pause_after && in->messages == in->pause_after) {
        in->paused = 1; /* as a front end whose send queue filled up */
        assert_int_equal(nanostate_hub_peer_pause(fe->hub, in->id), 0);
    }
}

/* The front end: what nanostate-hubws's onOutput does. */
static void on_output(void *user, const nanostate_hub_output *out)
{
    front *fe = user;
    for (int i = 0; i < fe->npeers; i++) {
        inbox *in = &fe->peers[i];
        if (out->to ? out->to == in->id : in->id != out->except && !in->paused)
            deliver(fe, in, out->frame, out->size);
    }
}

static inbox *add_peer(front *fe)
{
    inbox *in = &fe->peers[fe->npeers++];
    memset(in, 0, sizeof *in);
    assert_int_equal(nanostate_hub_peer_add(fe->hub, &in->id), 0);
    return in;
}

static void pack_head(msgpack_packer *pk, uint32_t count, const char *sender, const char *name)
{
    msgpack_pack_array(pk, count);
    msgpack_pack_str_with_body(pk, sender, strlen(sender));
    msgpack_pack_str_with_body(pk, name, strlen(name));
}

/* A peer's SYNC, with features when declare is set. */
static void peer_sync(front *fe, inbox *in, const char *identity, uint64_t session, int declare)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    pack_head(&pk, declare ? 8 : 7, identity, "");
    msgpack_pack_bin(&pk, 0);
    msgpack_pack_uint8(&pk, OP_SYNC);
    msgpack_pack_uint64(&pk, session);
    msgpack_pack_uint64(&pk, 0);
    msgpack_pack_uint64(&pk, 0);
    if (declare)
        msgpack_pack_uint64(&pk, 1);
    assert_int_equal(nanostate_hub_peer_input(fe->hub, in->id, sb.data, sb.size), 0);
    msgpack_sbuffer_destroy(&sb);
}

/* A peer's burst: n SETs of burst/0..15 in one BATCH. */
static void peer_burst(front *fe, inbox *in, const char *identity, uint64_t session, int n)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    pack_head(&pk, 4 + (uint32_t)n, identity, "");
    msgpack_pack_bin(&pk, 0);
    msgpack_pack_uint8(&pk, OP_BATCH);
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "burst/%d", i % 16);
        pack_head(&pk, 6, identity, name);
        msgpack_pack_int(&pk, i);
        msgpack_pack_uint8(&pk, i == 0 ? OP_SET | REBASE : OP_SET);
        msgpack_pack_uint64(&pk, session);
        msgpack_pack_uint64(&pk, (uint64_t)i + 1);
    }
    assert_int_equal(nanostate_hub_peer_input(fe->hub, in->id, sb.data, sb.size), 0);
    msgpack_sbuffer_destroy(&sb);
}

/* Messages a peer got beyond the SYNC answers and heartbeats before the burst. */
static void reset(inbox *in) { in->messages = in->batches = in->frames = in->sets = in->acks = 0; }

/* A hub with n peers, the first `declared` of which sent a SYNC that
 * declares FEATURE_BATCH (identity "p0", session 0x100, ...); the others
 * sent nothing yet, as an original client. */
static void open_front(front *fe, int n, int declared)
{
    memset(fe, 0, sizeof *fe);
    assert_int_equal(nanostate_hub_create(&fe->hub), 0);
    nanostate_hub_on_output(fe->hub, on_output, fe);
    for (int i = 0; i < n; i++) {
        inbox *in = add_peer(fe);
        char identity[8];
        snprintf(identity, sizeof identity, "p%d", i);
        if (i < declared)
            peer_sync(fe, in, identity, 0x100 + (uint64_t)i, 1);
    }
    for (int i = 0; i < n; i++)
        reset(&fe->peers[i]);
}

static void test_declared_peers_get_a_burst_in_batches(void **state)
{
    (void)state;
    front fe;
    open_front(&fe, 3, 3);
    inbox *a = &fe.peers[0];
    peer_burst(&fe, a, "p0", 0x100, BURST);
    /* The others get every change once, in seq order, in a few messages;
     * the writer gets none of them, and its ACKs together. */
    for (int i = 1; i <= 2; i++) {
        inbox *in = &fe.peers[i];
        assert_int_equal(in->sets, BURST);
        assert_int_equal(in->out_of_order, 0);
        assert_int_equal(in->last_seq, BURST);
        assert_true(in->batches >= 1);
        assert_true(in->messages <= 4);
    }
    assert_int_equal(a->sets, 0);
    assert_int_equal(a->acks, BURST);
    assert_int_equal(a->out_of_order, 0);
    assert_true(a->messages <= 4);
    assert_true(nanostate_hub_stat(fe.hub, NANOSTATE_HUB_STAT_PEER_BATCHES_OUT) >= 3);
    nanostate_hub_close(fe.hub);
}

static void test_an_original_client_gets_frames_alone(void **state)
{
    (void)state;
    front fe;
    open_front(&fe, 3, 2);
    inbox *a = &fe.peers[0], *b = &fe.peers[1], *legacy = &fe.peers[2];
    peer_burst(&fe, a, "p0", 0x100, BURST);
    /* One peer that did not declare: no broadcast is a BATCH. */
    assert_int_equal(legacy->batches, 0);
    assert_int_equal(legacy->messages, BURST);
    assert_int_equal(legacy->sets, BURST);
    assert_int_equal(legacy->out_of_order, 0);
    assert_int_equal(b->batches, 0);
    assert_int_equal(b->sets, BURST);
    /* Replies go to one peer: the writer, which declared, gets its ACKs
     * together still. */
    assert_int_equal(a->acks, BURST);
    assert_int_equal(a->out_of_order, 0);
    assert_true(a->batches >= 1);

    /* A peer that declares later: batches again. A SYNC without features
     * takes the declaration back. */
    peer_sync(&fe, legacy, "late", 0x1a7e, 1);
    reset(b), reset(legacy);
    peer_burst(&fe, a, "p0", 0x100, 2);
    assert_int_equal(legacy->batches, 1);
    assert_int_equal(b->batches, 1);
    peer_sync(&fe, legacy, "late", 0x1a7e, 0);
    reset(b), reset(legacy);
    peer_burst(&fe, a, "p0", 0x100, 2);
    assert_int_equal(legacy->batches, 0);
    assert_int_equal(legacy->messages, 2);
    assert_int_equal(b->batches, 0);
    nanostate_hub_close(fe.hub);
}

/* A peer paused by the front end in the middle of a burst gets nothing
 * more of it, also what was gathered before the pause. */
static void test_a_paused_peer_gets_no_more_of_a_burst(void **state)
{
    (void)state;
    front fe;
    open_front(&fe, 2, 2);
    inbox *a = &fe.peers[0], *b = &fe.peers[1];
    b->pause_after = 1;
    /* More than one BATCH of 64 KiB. */
    peer_burst(&fe, a, "p0", 0x100, 5000);
    assert_int_equal(b->messages, 1);
    assert_true(b->sets > 1 && b->sets < 5000);
    assert_int_equal(a->acks, 5000);
    b->paused = 0;
    assert_int_equal(nanostate_hub_peer_resume(fe.hub, b->id), 0);
    assert_int_equal(b->messages, 2); /* the heartbeat, alone */
    assert_int_equal(b->batches, 1);
    nanostate_hub_close(fe.hub);
}

typedef struct burst_wait {
    front *fe;
    int want;
} burst_wait;

static int all_got_burst(void *arg)
{
    burst_wait *w = arg;
    for (int i = 0; i < w->fe->npeers; i++)
        if (w->fe->peers[i].sets < w->want)
            return 0;
    return 1;
}

static int app_synced(void *app) { return nanostate_app_is_synced(app); }

/* The same from a C App over nanomsg: the hub's dispatch gathers. */
static void run_app_burst(int with_legacy)
{
    front fe;
    open_front(&fe, 2, with_legacy ? 1 : 2);
    char *url = testutil_ipc_url(with_legacy ? "peer-batch-legacy" : "peer-batch");
    assert_int_equal(nanostate_hub_bind(fe.hub, url), 0);
    nanostate_app *app;
    assert_int_equal(nanostate_app_open(&app, "c-app", url), 0);
    assert_int_equal(testutil_wait_hub_and_apps(fe.hub, &app, 1, app_synced, app, WAIT_MS), 0);
    for (int i = 0; i < fe.npeers; i++)
        reset(&fe.peers[i]);
    for (int i = 0; i < BURST; i++) {
        char name[32];
        snprintf(name, sizeof name, "app/%d", i);
        assert_int_equal(nanostate_app_set_int(app, name, i), 0);
    }
    burst_wait w = {&fe, BURST};
    assert_int_equal(testutil_wait_hub_and_apps(fe.hub, &app, 1, all_got_burst, &w, WAIT_MS), 0);
    for (int i = 0; i < fe.npeers; i++) {
        inbox *in = &fe.peers[i];
        assert_int_equal(in->out_of_order, 0);
        if (with_legacy)
            assert_int_equal(in->batches, 0);
        else
            assert_true(in->batches >= 1 && in->messages < BURST);
    }
    nanostate_app_close(app);
    nanostate_hub_close(fe.hub);
    free(url);
}

static void test_an_app_burst_reaches_declared_peers_in_batches(void **state)
{
    (void)state;
    run_app_burst(0);
}

static void test_an_app_burst_reaches_an_original_client_alone(void **state)
{
    (void)state;
    run_app_burst(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declared_peers_get_a_burst_in_batches),
        cmocka_unit_test(test_an_original_client_gets_frames_alone),
        cmocka_unit_test(test_a_paused_peer_gets_no_more_of_a_burst),
        cmocka_unit_test(test_an_app_burst_reaches_declared_peers_in_batches),
        cmocka_unit_test(test_an_app_burst_reaches_an_original_client_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
