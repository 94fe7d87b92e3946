/* SPDX-License-Identifier: MIT */
/*
 * App and hub engines in one process over ipc:// and tcp://: values of every
 * type, late joiners, removals, change detection, connection state, and the
 * event-loop contract of the fd.
 */
#include "apptable.h"
#include "testutil.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#define WAIT_MS 3000

/* Every update an App's callback saw. */
typedef struct seen {
    int count;
    int snapshots;
    int removed;
    int local;
    char last_name[64];
    char last_sender[64];
    unsigned char last_value[256];
    size_t last_size;
} seen;

static void record(void *user, const nanostate_update *u)
{
    seen *s = user;
    s->count++;
    s->snapshots += u->from_snapshot;
    s->removed += u->removed;
    s->local += u->local;
    snprintf(s->last_name, sizeof s->last_name, "%s", u->name);
    snprintf(s->last_sender, sizeof s->last_sender, "%s", u->sender);
    s->last_size = u->value.size < sizeof s->last_value ? u->value.size : 0;
    if (s->last_size)
        memcpy(s->last_value, u->value.packed, s->last_size);
}

typedef struct fixture {
    char *url;
    nanostate_hub *hub;
    nanostate_app *apps[4];
    seen seen[4];
    int napps;
} fixture;

static nanostate_app *add_app(fixture *fx, const char *identity)
{
    int i = fx->napps++;
    assert_int_equal(nanostate_app_open(&fx->apps[i], identity, fx->url), 0);
    nanostate_app_on_update(fx->apps[i], record, &fx->seen[i], 0);
    return fx->apps[i];
}

static int synced_cond(void *arg)
{
    fixture *fx = arg;
    for (int i = 0; i < fx->napps; i++)
        if (!nanostate_app_is_synced(fx->apps[i]) || nanostate_app_pending(fx->apps[i]))
            return 0;
    return 1;
}

static void settle(fixture *fx)
{
    assert_int_equal(testutil_wait_hub_and_apps(fx->hub, fx->apps, fx->napps, synced_cond, fx, WAIT_MS), 0);
}

static int setup_with(void **state, char *url)
{
    fixture *fx = calloc(1, sizeof *fx);
    fx->url = url;
    assert_int_equal(nanostate_hub_create(&fx->hub), 0);
    assert_int_equal(nanostate_hub_set_int_option(fx->hub, NANOSTATE_OPT_HEARTBEAT_MS, 100), 0);
    assert_int_equal(nanostate_hub_bind(fx->hub, fx->url), 0);
    *state = fx;
    return 0;
}

static int setup_ipc(void **state)
{
    static int n;
    char name[32];
    snprintf(name, sizeof name, "apphub%d.sock", n++);
    return setup_with(state, testutil_ipc_url(name));
}

static int setup_tcp(void **state) { return setup_with(state, testutil_tcp_url()); }

static int teardown(void **state)
{
    fixture *fx = *state;
    for (int i = 0; i < fx->napps; i++)
        nanostate_app_close(fx->apps[i]);
    nanostate_hub_close(fx->hub);
    free(fx->url);
    free(fx);
    return 0;
}

typedef struct wait_seen {
    seen *s;
    int count;
} wait_seen;

static int seen_at_least(void *arg)
{
    wait_seen *w = arg;
    return w->s->count >= w->count;
}

static void wait_count(fixture *fx, int app, int count)
{
    wait_seen w = {&fx->seen[app], count};
    if (testutil_wait_hub_and_apps(fx->hub, fx->apps, fx->napps, seen_at_least, &w, WAIT_MS) != 0)
        fail_msg("app %d saw %d updates, expected %d", app, fx->seen[app].count, count);
}

/* --- values of every type ---------------------------------------------- */

typedef void (*pack_fn)(msgpack_packer *pk);
static void pack_nil(msgpack_packer *pk) { msgpack_pack_nil(pk); }
static void pack_true(msgpack_packer *pk) { msgpack_pack_true(pk); }
static void pack_int(msgpack_packer *pk) { msgpack_pack_int64(pk, -1234567890123LL); }
static void pack_uint(msgpack_packer *pk) { msgpack_pack_uint64(pk, UINT64_MAX); }
static void pack_float(msgpack_packer *pk) { msgpack_pack_float(pk, 1.5f); }
static void pack_double(msgpack_packer *pk) { msgpack_pack_double(pk, 3.141592653589793); }
static void pack_str(msgpack_packer *pk) { msgpack_pack_str_with_body(pk, "grüße", 7); }
static void pack_bin(msgpack_packer *pk) { msgpack_pack_bin_with_body(pk, "\x00\x01\xff", 3); }
static void pack_array(msgpack_packer *pk)
{
    msgpack_pack_array(pk, 3);
    msgpack_pack_int(pk, 1);
    msgpack_pack_str_with_body(pk, "two", 3);
    msgpack_pack_array(pk, 0);
}
static void pack_map(msgpack_packer *pk)
{
    msgpack_pack_map(pk, 2);
    msgpack_pack_str_with_body(pk, "x", 1);
    msgpack_pack_double(pk, 0.5);
    msgpack_pack_int(pk, 7); /* non-string keys survive too */
    msgpack_pack_nil(pk);
}
static void pack_ext(msgpack_packer *pk) { msgpack_pack_ext_with_body(pk, "\x01\x02\x03\x04", 4, 42); }
static void pack_timestamp(msgpack_packer *pk)
{
    msgpack_timestamp ts = {1700000000, 123456789};
    msgpack_pack_timestamp(pk, &ts);
}

static void test_every_value_type_round_trips_byte_for_byte(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "writer");
    add_app(fx, "reader");
    settle(fx);
    static const struct { const char *name; pack_fn pack; int type; } cases[] = {
        {"t/nil", pack_nil, NANOSTATE_TYPE_NIL},       {"t/bool", pack_true, NANOSTATE_TYPE_BOOL},
        {"t/int", pack_int, NANOSTATE_TYPE_INT},       {"t/uint", pack_uint, NANOSTATE_TYPE_UINT},
        {"t/float", pack_float, NANOSTATE_TYPE_FLOAT}, {"t/double", pack_double, NANOSTATE_TYPE_FLOAT},
        {"t/str", pack_str, NANOSTATE_TYPE_STR},       {"t/bin", pack_bin, NANOSTATE_TYPE_BIN},
        {"t/array", pack_array, NANOSTATE_TYPE_ARRAY}, {"t/map", pack_map, NANOSTATE_TYPE_MAP},
        {"t/ext", pack_ext, NANOSTATE_TYPE_EXT},       {"t/timestamp", pack_timestamp, NANOSTATE_TYPE_EXT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        cases[i].pack(&pk);
        assert_int_equal(nanostate_app_set_packed(a, cases[i].name, sb.data, sb.size), 0);
        wait_count(fx, 1, (int)i + 1);
        assert_string_equal(fx->seen[1].last_name, cases[i].name);
        assert_string_equal(fx->seen[1].last_sender, "writer");
        assert_int_equal(fx->seen[1].last_size, sb.size);
        assert_memory_equal(fx->seen[1].last_value, sb.data, sb.size);
        nanostate_value v;
        assert_int_equal(nanostate_app_get(fx->apps[1], cases[i].name, &v, NULL), 0);
        assert_int_equal(nanostate_value_type(&v), cases[i].type);
        msgpack_sbuffer_destroy(&sb);
    }
}

static void test_typed_setters_and_getters_agree(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "writer");
    nanostate_app *b = add_app(fx, "reader");
    settle(fx);
    assert_int_equal(nanostate_app_set_str(a, "s", "hello"), 0);
    assert_int_equal(nanostate_app_set_bytes(a, "b", "\x00\x01", 2), 0);
    assert_int_equal(nanostate_app_set_int(a, "i", -42), 0);
    assert_int_equal(nanostate_app_set_uint(a, "u", 1ULL << 63), 0);
    assert_int_equal(nanostate_app_set_double(a, "d", 0.7), 0);
    assert_int_equal(nanostate_app_set_bool(a, "t", 1), 0);
    assert_int_equal(nanostate_app_set_nil(a, "n"), 0);
    wait_count(fx, 1, 7);
    nanostate_value v;
    const char *s;
    size_t len;
    const void *bytes;
    int64_t i;
    uint64_t u;
    double d;
    int t;
    assert_int_equal(nanostate_app_get(b, "s", &v, NULL), 0);
    assert_int_equal(nanostate_value_get_str(&v, &s, &len), 0);
    assert_int_equal(len, 5);
    assert_memory_equal(s, "hello", 5);
    assert_int_equal(nanostate_app_get(b, "b", &v, NULL), 0);
    assert_int_equal(nanostate_value_get_bytes(&v, &bytes, &len), 0);
    assert_int_equal(len, 2);
    assert_int_equal(nanostate_value_get_str(&v, &s, &len), NANOSTATE_ETYPE);
    assert_int_equal(nanostate_app_get(b, "i", &v, NULL), 0);
    assert_int_equal(nanostate_value_get_int(&v, &i), 0);
    assert_int_equal(i, -42);
    assert_int_equal(nanostate_app_get(b, "u", &v, NULL), 0);
    assert_int_equal(nanostate_value_get_uint(&v, &u), 0);
    assert_true(u == 1ULL << 63);
    assert_int_equal(nanostate_value_get_int(&v, &i), NANOSTATE_ERANGE);
    assert_int_equal(nanostate_app_get(b, "d", &v, NULL), 0);
    assert_int_equal(nanostate_value_get_double(&v, &d), 0);
    assert_true(d == 0.7);
    assert_int_equal(nanostate_app_get(b, "t", &v, NULL), 0);
    assert_int_equal(nanostate_value_get_bool(&v, &t), 0);
    assert_int_equal(t, 1);
    assert_int_equal(nanostate_app_get(b, "n", &v, NULL), 0);
    assert_int_equal(nanostate_value_type(&v), NANOSTATE_TYPE_NIL);
    assert_int_equal(nanostate_app_get(b, "missing", &v, NULL), NANOSTATE_ENOTFOUND);
}

/* --- late joiners --------------------------------------------------------- */

static void test_late_joiner_gets_snapshot_then_live_updates_once_each(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "early");
    settle(fx);
    char name[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "sensor/%d", i);
        assert_int_equal(nanostate_app_set_int(a, name, i), 0);
    }
    settle(fx);
    nanostate_app *c = add_app(fx, "late");
    settle(fx);
    /* Exactly one callback per state, all from the snapshot. */
    assert_int_equal(fx->seen[1].count, 1000);
    assert_int_equal(fx->seen[1].snapshots, 1000);
    assert_int_equal(nanostate_app_count(c), 1000);
    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof name, "sensor/%d", i);
        assert_int_equal(nanostate_app_set_int(a, name, i + 5000), 0);
    }
    wait_count(fx, 1, 1010);
    settle(fx);
    assert_int_equal(fx->seen[1].count, 1010);
    assert_int_equal(fx->seen[1].snapshots, 1000);
    apptable ta = apptable_collect(a), tc = apptable_collect(c);
    char why[200];
    if (!apptable_equal(&ta, &tc, why, sizeof why))
        fail_msg("late joiner's table differs: %s", why);
    apptable_free(&ta);
    apptable_free(&tc);
}

/* --- bursts --------------------------------------------------------------- */

/* A burst is sent in a few messages (the first few at once, the rest in one
 * BATCH when the hub accepts those), and while that batch has room no update
 * of it is conflated away: another App sees every value, in order. */
static void test_burst_reaches_others_whole_while_batches_have_room(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "burst");
    add_app(fx, "watcher");
    settle(fx);
    char name[32];
    for (int i = 0; i < 1000; i++) { /* ~30 KB of frames: one batch holds them */
        snprintf(name, sizeof name, "burst/%d", i % 10);
        assert_int_equal(nanostate_app_set_int(a, name, i), 0);
    }
    wait_count(fx, 1, 1000);
    settle(fx);
    assert_int_equal(fx->seen[1].count, 1000);
    nanostate_value v;
    int64_t last;
    assert_int_equal(nanostate_app_get(fx->apps[1], "burst/9", &v, NULL), 0);
    assert_int_equal(nanostate_value_get_int(&v, &last), 0);
    assert_int_equal(last, 999);
}

/* The hub does not echo a large value back to its writer (an ACK with its
 * seq stands for the echo: PROTOCOL.md 7.4); a small one comes back. */
static void test_large_value_is_not_echoed_to_its_writer(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "writer");
    add_app(fx, "reader");
    settle(fx);
    uint64_t before = nanostate_app_stat(a, NANOSTATE_APP_STAT_UPDATES_IN);
    assert_int_equal(nanostate_app_set_int(a, "small", 1), 0);
    wait_count(fx, 1, 1);
    settle(fx);
    assert_int_equal(nanostate_app_stat(a, NANOSTATE_APP_STAT_UPDATES_IN), before + 1);

    static unsigned char big[40000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7);
    assert_int_equal(nanostate_app_set_bytes(a, "big", big, sizeof big), 0);
    wait_count(fx, 1, 2);
    settle(fx);
    assert_int_equal(nanostate_app_stat(a, NANOSTATE_APP_STAT_UPDATES_IN), before + 1);
    assert_int_equal(nanostate_app_stat(a, NANOSTATE_APP_STAT_GAPS), 0);
    for (int i = 0; i < 2; i++) {
        nanostate_value v;
        const void *data;
        size_t len;
        assert_int_equal(nanostate_app_get(fx->apps[i], "big", &v, NULL), 0);
        assert_int_equal(nanostate_value_get_bytes(&v, &data, &len), 0);
        assert_int_equal(len, sizeof big);
        assert_memory_equal(data, big, sizeof big);
    }
    /* The next change, by the reader, follows without a gap. */
    assert_int_equal(nanostate_app_set_int(fx->apps[1], "after", 2), 0);
    wait_count(fx, 0, 1);
    settle(fx);
    assert_int_equal(nanostate_app_stat(a, NANOSTATE_APP_STAT_GAPS), 0);
}

/* --- removal and change detection -------------------------------------- */

static void test_removal_reaches_every_app(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "a");
    nanostate_app *b = add_app(fx, "b");
    add_app(fx, "c");
    settle(fx);
    assert_int_equal(nanostate_app_set_str(a, "doomed", "x"), 0);
    wait_count(fx, 1, 1);
    wait_count(fx, 2, 1);
    assert_int_equal(nanostate_app_remove(b, "doomed"), 0);
    wait_count(fx, 0, 1);
    wait_count(fx, 2, 2);
    settle(fx);
    assert_int_equal(fx->seen[0].removed, 1);
    assert_int_equal(fx->seen[2].removed, 1);
    nanostate_value v;
    for (int i = 0; i < 3; i++)
        assert_int_equal(nanostate_app_get(fx->apps[i], "doomed", &v, NULL), NANOSTATE_ENOTFOUND);
    assert_int_equal(nanostate_hub_count(fx->hub), 0);
    /* A late joiner does not see it either. */
    nanostate_app *d = add_app(fx, "d");
    settle(fx);
    assert_int_equal(nanostate_app_count(d), 0);
}

static void test_equal_value_again_is_not_a_change(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "a");
    add_app(fx, "b");
    settle(fx);
    assert_int_equal(nanostate_app_set_double(a, "speed", 0.7), 0);
    settle(fx);
    assert_int_equal(nanostate_app_set_double(a, "speed", 0.7), 0);
    assert_int_equal(nanostate_app_set_double(a, "marker", 1), 0);
    wait_count(fx, 1, 2);
    settle(fx);
    assert_int_equal(fx->seen[1].count, 2); /* speed once, marker once */
}

static void test_own_sets_reach_own_callback_only_when_asked(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "a");
    add_app(fx, "b");
    settle(fx);
    assert_int_equal(nanostate_app_set_int(a, "x", 1), 0);
    wait_count(fx, 1, 1);
    settle(fx);
    assert_int_equal(fx->seen[0].count, 0); /* no echo */
    nanostate_app_on_update(a, record, &fx->seen[0], 1);
    assert_int_equal(nanostate_app_set_int(a, "x", 2), 0);
    assert_int_equal(fx->seen[0].count, 1); /* at once, locally */
    assert_int_equal(fx->seen[0].local, 1);
    settle(fx);
    assert_int_equal(fx->seen[0].count, 1); /* and not again when the hub echoes it */
    /* The local value is visible before the hub has it. */
    nanostate_value v;
    int64_t i;
    assert_int_equal(nanostate_app_set_int(a, "x", 3), 0);
    assert_int_equal(nanostate_app_get(a, "x", &v, NULL), 0);
    assert_int_equal(nanostate_value_get_int(&v, &i), 0);
    assert_int_equal(i, 3);
    assert_true(nanostate_app_pending(a) >= 1);
}

/* --- connection state and the event-loop contract ----------------------- */

typedef struct conn_wait {
    nanostate_app *app;
    int want;
} conn_wait;

static int connected_is(void *arg)
{
    conn_wait *w = arg;
    return nanostate_app_is_connected(w->app) == w->want;
}

static void on_connect(void *user, int connected) { *(int *)user += connected ? 1 : 100; }

static void test_connected_follows_the_hub_within_two_heartbeats(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "a");
    int events = 0;
    nanostate_app_on_connect(a, on_connect, &events);
    conn_wait w = {a, 1};
    assert_int_equal(testutil_wait_hub_and_apps(fx->hub, &a, 1, connected_is, &w, WAIT_MS), 0);
    assert_int_equal(events, 1);
    assert_int_equal(nanostate_app_set_str(a, "owned", "mine"), 0);
    settle(fx);

    /* The hub goes away: within two heartbeat periods (100 ms) plus slack. */
    nanostate_hub_close(fx->hub);
    fx->hub = NULL;
    int64_t gone = testutil_now_ms();
    w.want = 0;
    assert_int_equal(testutil_wait_apps(&a, 1, connected_is, &w, WAIT_MS), 0);
    int64_t noticed = testutil_now_ms() - gone;
    printf("# hub loss noticed after %lld ms (heartbeat 100 ms)\n", (long long)noticed);
    assert_true(noticed < 3 * 100); /* two periods + scheduling slack, not a third */
    assert_int_equal(events, 101);

    /* A new hub on the same address: connected again, and what this App
     * wrote last is published again without user code. */
    assert_int_equal(nanostate_hub_create(&fx->hub), 0);
    assert_int_equal(nanostate_hub_set_int_option(fx->hub, NANOSTATE_OPT_HEARTBEAT_MS, 100), 0);
    assert_int_equal(nanostate_hub_bind(fx->hub, fx->url), 0);
    w.want = 1;
    assert_int_equal(testutil_wait_hub_and_apps(fx->hub, &a, 1, connected_is, &w, WAIT_MS), 0);
    settle(fx);
    nanostate_hub_state st;
    assert_int_equal(nanostate_hub_get(fx->hub, "owned", &st), 0);
    assert_string_equal(st.sender, "a");
    assert_int_equal(nanostate_app_stat(a, NANOSTATE_APP_STAT_HUB_RESTARTS), 1);
}

static void test_fd_is_level_triggered_and_dispatch_never_blocks(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "a");
    nanostate_app *b = add_app(fx, "b");
    settle(fx);
    for (int i = 0; i < 100; i++)
        nanostate_app_set_int(a, "counter", i);
    settle(fx);
    /* Drained: the fd is not readable any more, and another dispatch with
     * nothing to read returns at once instead of waiting for a frame. */
    nanostate_app_dispatch(b);
    struct pollfd pfd = {nanostate_app_fd(b), POLLIN, 0};
    assert_int_equal(poll(&pfd, 1, 0), 0);
    int64_t t0 = testutil_now_ms();
    for (int i = 0; i < 100; i++)
        assert_int_equal(nanostate_app_dispatch(b), 0);
    assert_true(testutil_now_ms() - t0 < 1000);
    /* Frames waiting make it readable until dispatched. */
    nanostate_hub_set_packed(fx->hub, "$hub/ping", "\xc3", 1);
    pfd.revents = 0;
    assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
    assert_int_equal(poll(&pfd, 1, 0), 1); /* still readable: level-triggered */
    nanostate_app_dispatch(b);
    assert_int_equal(poll(&pfd, 1, 0), 0);
    assert_true(nanostate_app_timeout(b) >= 0); /* a heartbeat deadline is armed */
}

static void test_invalid_arguments_are_refused_with_codes(void **state)
{
    fixture *fx = *state;
    nanostate_app *a = add_app(fx, "a");
    nanostate_app *x;
    assert_int_equal(nanostate_app_open(&x, "bad", "nonsense://here"), NANOSTATE_EURL);
    assert_int_equal(nanostate_app_open(&x, "bad", "tcp://"), NANOSTATE_EURL);
    assert_int_equal(nanostate_app_set_str(a, "", "v"), NANOSTATE_ENAME);
    assert_int_equal(nanostate_app_set_str(a, "$hub/clients", "v"), NANOSTATE_ENAME);
    assert_int_equal(nanostate_app_set_str(a, "bad\xff", "v"), NANOSTATE_ENAME);
    char longname[NANOSTATE_MAX_NAME + 2];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(nanostate_app_set_str(a, longname, "v"), NANOSTATE_ENAME);
    longname[NANOSTATE_MAX_NAME] = '\0';
    assert_int_equal(nanostate_app_set_str(a, longname, "v"), 0);
    assert_int_equal(nanostate_app_set_packed(a, "p", "\x92\x01", 2), NANOSTATE_EVALUE);
    assert_int_equal(nanostate_app_set_packed(a, "p", "\xc1", 1), NANOSTATE_EVALUE);
    assert_int_equal(nanostate_app_set_packed(a, "p", "\x01\x02", 2), NANOSTATE_EVALUE);
    nanostate_hub *h;
    assert_int_equal(nanostate_hub_create(&h), 0);
    assert_int_equal(nanostate_hub_bind(h, fx->url), NANOSTATE_EADDRINUSE);
    assert_int_equal(nanostate_hub_bind(h, "bogus"), NANOSTATE_EURL);
    nanostate_hub_close(h);
}

#define BOTH(fn)                                                                                   \
    cmocka_unit_test_setup_teardown(fn, setup_ipc, teardown),                                      \
        cmocka_unit_test_setup_teardown(fn, setup_tcp, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_every_value_type_round_trips_byte_for_byte),
        cmocka_unit_test_setup_teardown(test_typed_setters_and_getters_agree, setup_ipc, teardown),
        BOTH(test_late_joiner_gets_snapshot_then_live_updates_once_each),
        BOTH(test_burst_reaches_others_whole_while_batches_have_room),
        BOTH(test_large_value_is_not_echoed_to_its_writer),
        BOTH(test_removal_reaches_every_app),
        cmocka_unit_test_setup_teardown(test_equal_value_again_is_not_a_change, setup_ipc, teardown),
        cmocka_unit_test_setup_teardown(test_own_sets_reach_own_callback_only_when_asked, setup_ipc, teardown),
        BOTH(test_connected_follows_the_hub_within_two_heartbeats),
        cmocka_unit_test_setup_teardown(test_fd_is_level_triggered_and_dispatch_never_blocks, setup_ipc, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_arguments_are_refused_with_codes, setup_tcp, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
