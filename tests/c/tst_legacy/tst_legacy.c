/* SPDX-License-Identifier: MIT */
/*
 * Compatibility with the original Nanostate Apps (docs/PROTOCOL.md, section
 * 8), against a real nanostate-hub process over ipc:// and tcp://.
 *
 * An original App is a plain NN_BUS socket that sends [sender, name, data]
 * (data a bin from C and Python, a str from the browser) and reads elements
 * 0 to 2 of every frame it receives. Here it is a raw socket whose frames are
 * packed with msgpack-c and read back with msgpack_unpack_next, as such an
 * App would.
 */
#include "rawbus.h"
#include "testutil.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <msgpack.h>

#define WAIT_MS 5000
#define MAX_APPS 4
#define MAX_RAW 4
#define TEXT_CAP 256

/* ---- One hub per test, and everything the test opened on it ------------- */

typedef struct fixture {
    char *url;
    pid_t hub;
    nanostate_app *apps[MAX_APPS];
    int napps;
    int raw[MAX_RAW];
    int nraw;
} fixture;

/* Setup: *state is the transport ("ipc" or "tcp") on entry. */
static int hub_up(void **state)
{
    static int sockets;
    const char *transport = *state;
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    if (strcmp(transport, "ipc") == 0) {
        char name[32];
        snprintf(name, sizeof name, "legacy-%d.sock", ++sockets);
        f->url = testutil_ipc_url(name);
    } else {
        f->url = testutil_tcp_url();
    }
    if (!f->url)
        return -1;
    f->hub = testutil_start_hub(f->url, NULL);
    return f->hub > 0 ? 0 : -1;
}

/* Teardown, also after a failed test: the hub must still end cleanly. */
static int hub_down(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < f->napps; i++)
        nanostate_app_close(f->apps[i]);
    for (int i = 0; i < f->nraw; i++)
        rawbus_close(f->raw[i]);
    int status = f->hub > 0 ? testutil_stop(f->hub, SIGTERM, 2000) : 0;
    if (status != 0)
        fprintf(stderr, "# the hub ended with status %d\n", status);
    free(f->url);
    free(f);
    return status == 0 ? 0 : -1;
}

static int synced(void *arg) { return nanostate_app_is_synced(arg); }

/* A libnanostate App on the fixture's hub, synced. fn (may be NULL) sees
 * every update from the first snapshot on. */
static nanostate_app *new_app(fixture *f, const char *identity, nanostate_update_fn fn, void *user)
{
    assert_true(f->napps < MAX_APPS);
    nanostate_app *app;
    assert_int_equal(nanostate_app_create(&app, identity), 0);
    f->apps[f->napps++] = app;
    if (fn)
        nanostate_app_on_update(app, fn, user, 0);
    assert_int_equal(nanostate_app_connect(app, f->url), 0);
    assert_int_equal(testutil_wait_apps(&app, 1, synced, app, WAIT_MS), 0);
    return app;
}

/* An original App on the fixture's hub, its pipe up. */
static int new_raw(fixture *f)
{
    assert_true(f->nraw < MAX_RAW);
    int sock = rawbus_open(f->url);
    assert_true(sock >= 0);
    f->raw[f->nraw++] = sock;
    assert_int_equal(rawbus_wait_connected(sock, WAIT_MS), 0);
    return sock;
}

/* ---- What an original App reads: elements 0 to 2 -------------------------- */

typedef struct legacy_frame {
    uint32_t count; /* elements of the array */
    msgpack_object_type type[3];
    char sender[TEXT_CAP], name[TEXT_CAP]; /* NUL-terminated, cut at TEXT_CAP - 1 */
    unsigned char data[TEXT_CAP];          /* element 2 when str or bin */
    size_t data_len;
    int64_t op; /* element 3 when an unsigned integer, else -1; for messages */
} legacy_frame;

static void copy_text(char *to, const msgpack_object *o)
{
    size_t n = o->via.str.size < TEXT_CAP - 1 ? o->via.str.size : TEXT_CAP - 1;
    memcpy(to, o->via.str.ptr, n);
    to[n] = '\0';
}

/* Decodes a frame as an original App does. 0, or -1 if it is not one msgpack
 * array. */
static int decode(const void *frame, size_t size, legacy_frame *out)
{
    memset(out, 0, sizeof *out);
    out->op = -1;
    msgpack_unpacked msg;
    msgpack_unpacked_init(&msg);
    size_t off = 0;
    /* The objects point into frame: read them before it is freed. */
    int ok = msgpack_unpack_next(&msg, frame, size, &off) == MSGPACK_UNPACK_SUCCESS &&
             msg.data.type == MSGPACK_OBJECT_ARRAY;
    if (ok) {
        const msgpack_object_array *a = &msg.data.via.array;
        out->count = a->size;
        for (uint32_t i = 0; i < a->size && i < 3; i++)
            out->type[i] = a->ptr[i].type;
        if (a->size >= 1 && a->ptr[0].type == MSGPACK_OBJECT_STR)
            copy_text(out->sender, &a->ptr[0]);
        if (a->size >= 2 && a->ptr[1].type == MSGPACK_OBJECT_STR)
            copy_text(out->name, &a->ptr[1]);
        if (a->size >= 3 &&
            (a->ptr[2].type == MSGPACK_OBJECT_STR || a->ptr[2].type == MSGPACK_OBJECT_BIN)) {
            /* str and bin share their layout in msgpack_object. */
            size_t n = a->ptr[2].via.bin.size;
            out->data_len = n;
            memcpy(out->data, a->ptr[2].via.bin.ptr, n < TEXT_CAP ? n : TEXT_CAP);
        }
        if (a->size >= 4 && a->ptr[3].type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            out->op = (int64_t)a->ptr[3].via.u64;
    }
    msgpack_unpacked_destroy(&msg);
    return ok ? 0 : -1;
}

/* Reads a raw socket until a frame of the name `until` arrives (with an
 * empty bin as data, when until_empty is set), counting frames named
 * `forbidden` on the way. */
typedef struct watch {
    const char *until;
    int until_empty;
    const char *forbidden;
    legacy_frame found;
    int done, forbidden_seen, undecodable;
} watch;

static void watch_frame(void *arg, const void *frame, size_t size)
{
    watch *w = arg;
    legacy_frame lf;
    if (decode(frame, size, &lf) != 0) {
        w->undecodable++;
        return;
    }
    if (w->forbidden && strcmp(lf.name, w->forbidden) == 0)
        w->forbidden_seen++;
    if (w->done || strcmp(lf.name, w->until) != 0)
        return;
    if (w->until_empty && !(lf.type[2] == MSGPACK_OBJECT_BIN && lf.data_len == 0))
        return;
    w->found = lf;
    w->done = 1;
}

static int watch_done(void *arg) { return ((watch *)arg)->done; }

/* ---- What a libnanostate App saw of one state ------------------------------ */

typedef struct seen {
    const char *name;
    int updates;
    int from_snapshot;
    char sender[TEXT_CAP];
} seen;

static void record(void *user, const nanostate_update *u)
{
    seen *s = user;
    if (strcmp(u->name, s->name) != 0)
        return;
    s->updates++;
    s->from_snapshot = u->from_snapshot;
    snprintf(s->sender, sizeof s->sender, "%s", u->sender);
}

static int seen_some(void *arg) { return ((seen *)arg)->updates > 0; }

/* The App holds `name` = data, as a bin or str, written by `sender`. */
static void assert_app_has(nanostate_app *app, const char *name, int type, const void *data,
                           size_t len, const char *sender)
{
    nanostate_value v;
    const char *by = NULL;
    assert_int_equal(nanostate_app_get(app, name, &v, &by), 0);
    assert_string_equal(by, sender);
    assert_int_equal(nanostate_value_type(&v), type);
    const void *bytes;
    size_t n;
    assert_int_equal(nanostate_value_get_bytes(&v, &bytes, &n), 0);
    assert_int_equal(n, len);
    assert_memory_equal(bytes, data, len);
}

/* ---- Tests --------------------------------------------------------------------- */

/* Bytes that would confuse a decoder that took them for msgpack. */
static const unsigned char blob[] = {0x00, 0xff, 0xc1, 0x93, 'o', 'l', 'd', 0x80, 0xc4, 0x00};
static const char text[] = "h\xc3\xa9llo from the browser";

static void original_set_reaches_app(fixture *f, int as_str)
{
    const char *name = as_str ? "legacy/text" : "legacy/blob";
    const void *data = as_str ? (const void *)text : blob;
    size_t len = as_str ? strlen(text) : sizeof blob;
    const char *sender = as_str ? "old-browser" : "old-c";

    seen s = {.name = name};
    nanostate_app *app = new_app(f, "new-app", record, &s);
    int raw = new_raw(f);
    assert_int_equal(rawbus_send_legacy(raw, sender, name, data, len, as_str), 0);

    assert_int_equal(testutil_wait_apps(&app, 1, seen_some, &s, WAIT_MS), 0);
    assert_int_equal(s.updates, 1);
    assert_false(s.from_snapshot);
    assert_string_equal(s.sender, sender);
    assert_app_has(app, name, as_str ? NANOSTATE_TYPE_STR : NANOSTATE_TYPE_BIN, data, len, sender);
}

static void test_original_bin_set_reaches_app(void **state) { original_set_reaches_app(*state, 0); }

static void test_original_str_set_reaches_app(void **state) { original_set_reaches_app(*state, 1); }

static void test_app_str_set_reaches_original_app_as_sender_name_data(void **state)
{
    fixture *f = *state;
    nanostate_app *app = new_app(f, "new-app", NULL, NULL);
    int raw = new_raw(f);
    assert_int_equal(nanostate_app_set_str(app, "new/greeting", "hello, old app"), 0);

    watch w = {.until = "new/greeting"};
    assert_int_equal(rawbus_wait(raw, &app, 1, watch_frame, watch_done, &w, WAIT_MS), 0);
    assert_int_equal(w.undecodable, 0);
    assert_true(w.found.count >= 3);
    assert_int_equal(w.found.type[0], MSGPACK_OBJECT_STR);
    assert_int_equal(w.found.type[1], MSGPACK_OBJECT_STR);
    assert_int_equal(w.found.type[2], MSGPACK_OBJECT_STR);
    assert_string_equal(w.found.sender, "new-app");
    assert_string_equal(w.found.name, "new/greeting");
    assert_int_equal(w.found.data_len, strlen("hello, old app"));
    assert_memory_equal(w.found.data, "hello, old app", w.found.data_len);
}

static void test_app_removal_reaches_original_app_as_empty_bin(void **state)
{
    fixture *f = *state;
    nanostate_app *app = new_app(f, "new-app", NULL, NULL);
    int raw = new_raw(f);
    assert_int_equal(nanostate_app_set_str(app, "new/gone", "soon gone"), 0);
    watch set = {.until = "new/gone"};
    assert_int_equal(rawbus_wait(raw, &app, 1, watch_frame, watch_done, &set, WAIT_MS), 0);

    assert_int_equal(nanostate_app_remove(app, "new/gone"), 0);
    watch removal = {.until = "new/gone", .until_empty = 1};
    assert_int_equal(rawbus_wait(raw, &app, 1, watch_frame, watch_done, &removal, WAIT_MS), 0);
    assert_int_equal(removal.found.type[0], MSGPACK_OBJECT_STR);
    assert_string_equal(removal.found.sender, "new-app");
}

static void test_original_app_gets_no_echo_of_its_own_set(void **state)
{
    fixture *f = *state;
    seen s = {.name = "legacy/mine"};
    nanostate_app *app = new_app(f, "new-app", record, &s);
    int writer = new_raw(f);
    int other = new_raw(f); /* another original App, which must get it */

    assert_int_equal(rawbus_send_legacy(writer, "old-a", "legacy/mine", "mine", 4, 0), 0);
    /* Once the App has it, the hub has forwarded it: an echo would come
     * before anything the App sets next. */
    assert_int_equal(testutil_wait_apps(&app, 1, seen_some, &s, WAIT_MS), 0);
    assert_int_equal(nanostate_app_set_str(app, "new/after", "later"), 0);

    watch own = {.until = "new/after", .forbidden = "legacy/mine"};
    assert_int_equal(rawbus_wait(writer, &app, 1, watch_frame, watch_done, &own, WAIT_MS), 0);
    assert_int_equal(own.undecodable, 0);
    if (own.forbidden_seen)
        fail_msg("the original App received its own set back %d time(s)", own.forbidden_seen);

    watch theirs = {.until = "legacy/mine"};
    assert_int_equal(rawbus_wait(other, &app, 1, watch_frame, watch_done, &theirs, WAIT_MS), 0);
    assert_int_equal(theirs.found.type[0], MSGPACK_OBJECT_STR);
    assert_int_equal(theirs.found.type[2], MSGPACK_OBJECT_BIN);
    assert_string_equal(theirs.found.sender, "old-a");
    assert_int_equal(theirs.found.data_len, 4);
    assert_memory_equal(theirs.found.data, "mine", 4);
}

static void test_late_app_sees_state_set_only_by_original_app(void **state)
{
    fixture *f = *state;
    int writer = new_raw(f);
    int observer = new_raw(f);
    assert_int_equal(rawbus_send_legacy(writer, "old-a", "legacy/early", blob, sizeof blob, 0), 0);
    /* The hub has it once it forwarded it to the other original App. */
    watch w = {.until = "legacy/early"};
    assert_int_equal(rawbus_wait(observer, NULL, 0, watch_frame, watch_done, &w, WAIT_MS), 0);

    seen s = {.name = "legacy/early"};
    nanostate_app *app = new_app(f, "late-app", record, &s);
    assert_int_equal(s.updates, 1);
    assert_true(s.from_snapshot);
    assert_string_equal(s.sender, "old-a");
    assert_app_has(app, "legacy/early", NANOSTATE_TYPE_BIN, blob, sizeof blob, "old-a");
}

/* Every frame an original App reads must decode as [str, str, data], and a
 * control frame as [str, "", empty bin]. */
typedef struct controls {
    int frames, control;
    int saw_op[8];
    int bad;
    char why[200];
} controls;

static void check_frame(void *arg, const void *frame, size_t size)
{
    controls *c = arg;
    legacy_frame lf;
    c->frames++;
    const char *problem = NULL;
    if (decode(frame, size, &lf) != 0)
        problem = "not one msgpack array";
    else if (lf.count < 3)
        problem = "fewer than 3 elements";
    else if (lf.type[0] != MSGPACK_OBJECT_STR || lf.type[1] != MSGPACK_OBJECT_STR)
        problem = "element 0 or 1 is not a str";
    else if (lf.name[0] == '\0' && (lf.type[2] != MSGPACK_OBJECT_BIN || lf.data_len != 0))
        problem = "a frame named \"\" whose data is not an empty bin";
    if (problem) {
        if (!c->bad++)
            snprintf(c->why, sizeof c->why, "frame %d (op %lld): %s", c->frames, (long long)lf.op,
                     problem);
        return;
    }
    if (lf.name[0] == '\0') {
        c->control++;
        if (lf.op >= 0 && lf.op < 8)
            c->saw_op[lf.op]++;
    }
}

/* A few frames, heartbeats, snapshots and ACKs among them. */
static int enough_controls(void *arg)
{
    controls *c = arg;
    return c->bad || (c->control >= 5 && c->saw_op[4] && c->saw_op[5] && c->saw_op[6]);
}

static void test_control_frames_look_like_empty_sets_to_original_app(void **state)
{
    fixture *f = *state;
    int raw = new_raw(f);
    /* A joining App's SYNC is answered with a SNAPSHOT to every peer. */
    nanostate_app *app = new_app(f, "new-app", NULL, NULL);
    assert_int_equal(nanostate_app_set_str(app, "new/x", "y"), 0);
    /* A PING is answered with an ACK to every peer: [sender, "", b"", 7 |
     * REBASE (a session's first frame), session, aseq 1]. */
    msgpack_sbuffer ping;
    msgpack_packer pk;
    msgpack_sbuffer_init(&ping);
    msgpack_packer_init(&pk, &ping, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 6);
    msgpack_pack_str_with_body(&pk, "probe", 5);
    msgpack_pack_str_with_body(&pk, "", 0);
    msgpack_pack_bin(&pk, 0);
    msgpack_pack_uint8(&pk, 0x17);
    msgpack_pack_uint64(&pk, 0x1234);
    msgpack_pack_uint8(&pk, 1);
    assert_int_equal(rawbus_send(raw, ping.data, ping.size), 0);
    msgpack_sbuffer_destroy(&ping);

    controls c;
    memset(&c, 0, sizeof c);
    int rc = rawbus_wait(raw, &app, 1, check_frame, enough_controls, &c, WAIT_MS);
    if (c.bad)
        fail_msg("%d of %d frames would break an original App; first: %s", c.bad, c.frames, c.why);
    if (rc != 0)
        fail_msg("in %d frames: %d control frames, %d snapshots, %d heartbeats, %d ACKs", c.frames,
                 c.control, c.saw_op[4], c.saw_op[5], c.saw_op[6]);
}

/* Each test once over ipc:// and once over tcp://, on a hub of its own. */
#define OVER(test, transport)                                                                      \
    {                                                                                              \
#test "_over_" transport, test, hub_up, hub_down, (void *)transport                        \
    }
#define OVER_BOTH(test) OVER(test, "ipc"), OVER(test, "tcp")

int main(void)
{
    const struct CMUnitTest tests[] = {
        OVER_BOTH(test_original_bin_set_reaches_app),
        OVER_BOTH(test_original_str_set_reaches_app),
        OVER_BOTH(test_app_str_set_reaches_original_app_as_sender_name_data),
        OVER_BOTH(test_app_removal_reaches_original_app_as_empty_bin),
        OVER_BOTH(test_original_app_gets_no_echo_of_its_own_set),
        OVER_BOTH(test_late_app_sees_state_set_only_by_original_app),
        OVER_BOTH(test_control_frames_look_like_empty_sets_to_original_app),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
