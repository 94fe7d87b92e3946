/* SPDX-License-Identifier: MIT */
/*
 * tst_ack_gap - an ACK that accepts an update whose echo was lost; and the
 * ACK with a seq that stands for the echo of a large change.
 *
 * The test plays the hub itself on a plain NN_BUS socket, so every frame the
 * App gets is one the test wrote, in the order it chose:
 *
 *   App -> hub  SYNC(since 0)               hub -> App  HEARTBEAT, SNAPSHOT(FULL, seq 0)
 *   App -> hub  SET x=1 aseq 1 REBASE       hub -> App  echo x=1 seq 1
 *   App -> hub  SET x=2 aseq 2              (applied as seq 2; its echo is lost)
 *   App -> hub  PING aseq 3                 hub -> App  ACK(hwm 3, trigger 3)
 *
 * The ACK proves that the hub applied x=2 and broadcast its echo before it
 * answered, so the echo and whatever came with it were lost on the way. An
 * ACK carries no seq, so nothing else tells the App. It must sync (since 1)
 * and must not report itself synced, with nothing pending, while it shows
 * x=1: that is the state in which tst_convergence's observer and Apps all
 * agreed on a value one round old ("hub has 98815, the last value set was
 * 99815") although the hub held the last one.
 *
 * Build (tests/c/tst_ack_gap/tst_ack_gap.pro):
 *   include(../ctest.pri)
 *   TARGET = tst_ack_gap
 *   SOURCES += tst_ack_gap.c $$NANOSTATE_LIB_SRC/frame.c \
 *              $$NANOSTATE_LIB_SRC/reader.c $$NANOSTATE_LIB_SRC/utf8.c
 */
#include "frame.h"
#include "testutil.h"

#include <nanomsg/bus.h>
#include <nanomsg/nn.h>
#include <nanostate/nanostate.h>

#include <msgpack.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define EPOCH 0x1234567890abcdefull
#define PERIOD_MS 1000 /* no heartbeat of ours comes to rescue the App */
#define WAIT_MS 600    /* well below two periods: the App stays connected */

typedef struct fake_hub {
    int sock;
    nanostate_app *app;
    uint64_t session;
} fake_hub;

static void hub_send(fake_hub *h, msgpack_sbuffer *sb)
{
    assert_int_equal(nn_send(h->sock, sb->data, sb->size, 0), (int)sb->size);
    msgpack_sbuffer_clear(sb);
}

static void send_heartbeat(fake_hub *h, uint64_t seq)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    frame_pack_control(&pk, FRAME_LEN_HEARTBEAT, "$hub", 4, OP_HEARTBEAT);
    msgpack_pack_uint64(&pk, EPOCH);
    msgpack_pack_uint64(&pk, seq);
    msgpack_pack_uint64(&pk, PERIOD_MS);
    msgpack_pack_uint64(&pk, 1024 * 1024);
    hub_send(h, &sb);
    msgpack_sbuffer_destroy(&sb);
}

/* A SNAPSHOT chunk with at most one state entry (name = value int). */
static void send_snapshot(fake_hub *h, uint64_t since, uint64_t seq, int flags, uint64_t hwm,
                          const char *name, uint64_t entry_seq, int64_t value)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    frame_pack_control(&pk, FRAME_LEN_SNAPSHOT, "$hub", 4, OP_SNAPSHOT);
    msgpack_pack_uint64(&pk, h->session);
    msgpack_pack_uint64(&pk, EPOCH);
    msgpack_pack_uint64(&pk, since);
    msgpack_pack_uint64(&pk, seq); /* upto: the last chunk */
    msgpack_pack_uint64(&pk, seq);
    msgpack_pack_uint64(&pk, (uint64_t)flags);
    msgpack_pack_uint64(&pk, hwm);
    msgpack_pack_array(&pk, name ? 1 : 0);
    if (name) {
        msgpack_pack_array(&pk, 5);
        msgpack_pack_str_with_body(&pk, name, strlen(name));
        msgpack_pack_uint64(&pk, entry_seq);
        msgpack_pack_str_with_body(&pk, "app", 3);
        msgpack_pack_uint64(&pk, h->session);
        msgpack_pack_int64(&pk, value);
    }
    hub_send(h, &sb);
    msgpack_sbuffer_destroy(&sb);
}

/* A change in the hub's form, by session `session` (the App's: its echo). */
static void send_update(fake_hub *h, uint64_t session, const char *name, int64_t value,
                        uint64_t aseq, uint64_t seq)
{
    msgpack_sbuffer sb, v;
    msgpack_sbuffer_init(&sb);
    msgpack_sbuffer_init(&v);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &v, msgpack_sbuffer_write);
    msgpack_pack_int64(&pk, value);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    frame_pack_update(&pk, OP_SET, "app", 3, name, strlen(name), v.data, v.size, session, aseq,
                      seq);
    hub_send(h, &sb);
    msgpack_sbuffer_destroy(&sb);
    msgpack_sbuffer_destroy(&v);
}

static void send_echo(fake_hub *h, const char *name, int64_t value, uint64_t aseq, uint64_t seq)
{
    send_update(h, h->session, name, value, aseq, seq);
}

/* ACK(hwm, trigger, seq): seq 0 answers a PING; a seq stands for the echo
 * of update `trigger` (PROTOCOL.md 7.4, FEATURE_SEQ_ACK). */
static void send_ack_seq(fake_hub *h, uint64_t hwm, uint64_t trigger, uint64_t seq)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    frame_pack_control(&pk, FRAME_LEN_ACK, "$hub", 4, OP_ACK);
    msgpack_pack_uint64(&pk, h->session);
    msgpack_pack_uint64(&pk, hwm);
    msgpack_pack_uint64(&pk, trigger);
    msgpack_pack_uint64(&pk, seq);
    hub_send(h, &sb);
    msgpack_sbuffer_destroy(&sb);
}

static void send_ack(fake_hub *h, uint64_t hwm, uint64_t trigger)
{
    send_ack_seq(h, hwm, trigger, 0);
}

/* Dispatches the App until it sends a frame with op `op` (others are
 * dropped), up to timeout_ms. 0 and *out filled, or -1. The frame's bytes
 * live in *msg, which the caller frees with nn_freemsg. */
static int expect_frame(fake_hub *h, int op, frame *out, void **msg, int timeout_ms)
{
    int64_t deadline = testutil_now_ms() + timeout_ms;
    while (testutil_now_ms() < deadline) {
        void *m = NULL;
        int n = nn_recv(h->sock, &m, NN_MSG, NN_DONTWAIT);
        if (n >= 0) {
            const char *why;
            if (frame_parse(out, m, (size_t)n, &why) == 0 && out->op == op) {
                *msg = m;
                return 0;
            }
            nn_freemsg(m);
            continue;
        }
        nanostate_app_wait(h->app, 5);
    }
    return -1;
}

static int64_t app_int(nanostate_app *app, const char *name)
{
    nanostate_value v;
    int64_t x = -1;
    if (nanostate_app_get(app, name, &v, NULL) == 0)
        nanostate_value_get_int(&v, &x);
    return x;
}

static void dispatch_for(nanostate_app *app, int ms)
{
    int64_t end = testutil_now_ms() + ms;
    while (testutil_now_ms() < end)
        nanostate_app_wait(app, 5);
}

/* Binds the fake hub at `sock_name` and connects an App (which sends every
 * update alone) until its first SYNC arrives. */
static void open_app(fake_hub *h, const char *sock_name)
{
    memset(h, 0, sizeof *h);
    char *url = testutil_ipc_url(sock_name);
    h->sock = nn_socket(AF_SP, NN_BUS);
    assert_true(h->sock >= 0);
    assert_true(nn_bind(h->sock, url) >= 0);
    assert_int_equal(nanostate_app_create(&h->app, "app"), 0);
    assert_int_equal(nanostate_app_set_int_option(h->app, NANOSTATE_OPT_BATCH, 0), 0);
    assert_int_equal(nanostate_app_connect(h->app, url), 0);
    free(url);
    frame f;
    void *m;
    assert_int_equal(expect_frame(h, OP_SYNC, &f, &m, 3000), 0);
    h->session = f.session;
    assert_int_equal(f.since, 0);
    nn_freemsg(m);
}

/* open_app, and the App's SYNC is answered with an empty FULL table. */
static void join(fake_hub *h, const char *sock_name)
{
    open_app(h, sock_name);
    send_heartbeat(h, 0);
    send_snapshot(h, 0, 0, SNAP_FULL, 0, NULL, 0, 0);
    dispatch_for(h->app, 50);
    assert_true(nanostate_app_is_connected(h->app));
    assert_true(nanostate_app_is_synced(h->app));
}

/* The App sets name = value; its SET reaches the fake hub with `aseq`. */
static void set_and_expect(fake_hub *h, const char *name, int64_t value, uint64_t aseq)
{
    frame f;
    void *m;
    assert_int_equal(nanostate_app_set_int(h->app, name, value), 0);
    assert_int_equal(expect_frame(h, OP_SET, &f, &m, WAIT_MS), 0);
    assert_int_equal(f.aseq, aseq);
    nn_freemsg(m);
}

static void leave(fake_hub *h)
{
    nanostate_app_close(h->app);
    nn_close(h->sock);
}

static void test_ack_over_a_lost_echo_makes_the_app_sync(void **state)
{
    (void)state;
    fake_hub h;
    join(&h, "ack-gap.sock");
    frame f;
    void *m;

    /* x = 1: applied as seq 1 and echoed. */
    assert_int_equal(nanostate_app_set_int(h.app, "x", 1), 0);
    assert_int_equal(expect_frame(&h, OP_SET, &f, &m, WAIT_MS), 0);
    assert_int_equal(f.aseq, 1);
    assert_true(f.rebase);
    nn_freemsg(m);
    send_echo(&h, "x", 1, 1, 1);
    dispatch_for(h.app, 20);
    assert_int_equal(nanostate_app_pending(h.app), 0);
    assert_int_equal(app_int(h.app, "x"), 1);

    /* x = 2: applied as seq 2, but its echo never reaches the App. */
    set_and_expect(&h, "x", 2, 2);

    /* The App asks how far the hub got; the hub applied everything. */
    assert_int_equal(expect_frame(&h, OP_PING, &f, &m, WAIT_MS), 0);
    assert_int_equal(f.aseq, 3);
    nn_freemsg(m);
    send_ack(&h, 3, 3);
    dispatch_for(h.app, 20);

    /* x = 2 is accepted: nothing is pending ... */
    assert_int_equal(nanostate_app_pending(h.app), 0);
    /* ... but the App has not seen it from the hub, so it must not claim
     * to be in step while it shows its own older value. */
    assert_false(nanostate_app_is_synced(h.app) && app_int(h.app, "x") == 1);

    /* It asks for what it missed, from the last change it saw. */
    assert_int_equal(expect_frame(&h, OP_SYNC, &f, &m, WAIT_MS), 0);
    assert_int_equal(f.session, h.session);
    assert_int_equal(f.epoch, EPOCH);
    assert_int_equal(f.since, 1);
    nn_freemsg(m);
    send_snapshot(&h, 1, 2, 0, 3, "x", 2, 2);
    dispatch_for(h.app, 20);
    assert_true(nanostate_app_is_synced(h.app));
    assert_int_equal(nanostate_app_pending(h.app), 0);
    assert_int_equal(app_int(h.app, "x"), 2);
    leave(&h);
}

/* The echo arrived: the same ACK must not cost a sync. */
static void test_ack_after_the_echo_needs_no_sync(void **state)
{
    (void)state;
    fake_hub h;
    join(&h, "ack-no-gap.sock");
    frame f;
    void *m;

    set_and_expect(&h, "x", 1, 1);
    send_echo(&h, "x", 1, 1, 1);
    send_ack(&h, 1, 1);
    dispatch_for(h.app, 20);
    assert_int_equal(nanostate_app_pending(h.app), 0);
    assert_true(nanostate_app_is_synced(h.app));
    assert_int_equal(app_int(h.app, "x"), 1);
    /* No SYNC follows. */
    assert_int_equal(expect_frame(&h, OP_SYNC, &f, &m, 200), -1);
    leave(&h);
}

/* A hub that skips the echo of a large change sends ACK(seq) in its place:
 * the App takes the change as number `seq`, and what follows needs no sync. */
static void test_seq_ack_stands_for_the_echo(void **state)
{
    (void)state;
    fake_hub h;
    join(&h, "seq-ack.sock");
    frame f;
    void *m;
    set_and_expect(&h, "x", 1, 1);
    send_ack_seq(&h, 1, 1, 1);
    send_update(&h, 99, "y", 5, 1, 2); /* another App's change, seq 2 */
    send_heartbeat(&h, 2);
    dispatch_for(h.app, 20);
    assert_int_equal(nanostate_app_pending(h.app), 0);
    assert_true(nanostate_app_is_synced(h.app));
    assert_int_equal(app_int(h.app, "x"), 1);
    assert_int_equal(app_int(h.app, "y"), 5);
    assert_int_equal(nanostate_app_stat(h.app, NANOSTATE_APP_STAT_GAPS), 0);
    assert_int_equal(expect_frame(&h, OP_SYNC, &f, &m, 200), -1);
    leave(&h);
}

/* ACK(seq 2) while the App saw nothing after seq 0: change 1 was lost. */
static void test_seq_ack_after_a_loss_makes_the_app_sync(void **state)
{
    (void)state;
    fake_hub h;
    join(&h, "seq-ack-gap.sock");
    frame f;
    void *m;
    set_and_expect(&h, "x", 1, 1);
    send_ack_seq(&h, 1, 1, 2);
    assert_int_equal(expect_frame(&h, OP_SYNC, &f, &m, WAIT_MS), 0);
    assert_int_equal(f.since, 0);
    nn_freemsg(m);
    assert_int_equal(nanostate_app_pending(h.app), 0);
    assert_int_equal(nanostate_app_stat(h.app, NANOSTATE_APP_STAT_GAPS), 1);
    leave(&h);
}

/* Heartbeats before the first snapshot: the App sends its SYNC again for
 * the first (its SYNC may have left before the pipe was up), not for each:
 * a hub sends one for every App that joins. */
static void test_heartbeats_before_the_first_snapshot_cost_one_sync(void **state)
{
    (void)state;
    fake_hub h;
    open_app(&h, "sync-once.sock");
    for (int i = 0; i < 20; i++)
        send_heartbeat(&h, 0);
    int syncs = 0;
    frame f;
    void *m;
    while (syncs < 20 && expect_frame(&h, OP_SYNC, &f, &m, 60) == 0) { /* the retry timer's too */
        syncs++;
        nn_freemsg(m);
    }
    printf("# %d SYNCs after 20 heartbeats\n", syncs);
    assert_true(syncs >= 1 && syncs < 10);
    leave(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ack_over_a_lost_echo_makes_the_app_sync),
        cmocka_unit_test(test_ack_after_the_echo_needs_no_sync),
        cmocka_unit_test(test_seq_ack_stands_for_the_echo),
        cmocka_unit_test(test_seq_ack_after_a_loss_makes_the_app_sync),
        cmocka_unit_test(test_heartbeats_before_the_first_snapshot_cost_one_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
