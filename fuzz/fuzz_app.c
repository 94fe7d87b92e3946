/* SPDX-License-Identifier: MIT */
/*
 * fuzz_app - an App fed frames from a scripted hub.
 *
 * The "hub" is a plain NN_BUS socket bound on inproc:// (made once per
 * process); each input gets a new App connected to it. Frames go out on the
 * socket, the App dispatches them at once (inproc hands them over
 * synchronously), and whatever the App sends back is read and checked.
 *
 * Input: records [ctl, length (2 bytes, big-endian), bytes] (fuzz.h); the
 * low 3 bits of ctl pick what the record does:
 *   0-1  its bytes go to the App as one frame, unchanged
 *   2    a SNAPSHOT built from its bytes, usually for the App's session (a
 *        random 64-bit number) and answering the App's last SYNC
 *   3    a HEARTBEAT          4  an ACK for the App's session
 *   5    a SET or DEL as the hub forwards it
 *   6    the App sets or removes a state itself
 *   7    time passes (0 to 65535 ms, fuzz/fake_clock.c), then a dispatch:
 *        retries, pings, a hub that went silent
 * The built frames draw names from a small set and numbers near the ones
 * already used, so that they meet each other.
 *
 * Checks, after every record: every frame the App sends parses and is an
 * App's (SET, DEL, SYNC, PING, with its identity and session); every update
 * callback is sound, and none comes from a frame that breaks a rule;
 * nanostate_app_count equals what foreach visits, every value validates,
 * and get finds every name with the same value.
 */
#include "fuzz.h"

#include "frame.h"

#include <nanomsg/bus.h>
#include <nanomsg/nn.h>
#include <nanostate/nanostate.h>

#define IDENTITY "fuzz-app"

static const char *const names[] = {"a", "b", "robot/speed", "c", "$hub/x", "a\xc3\xa9"};
#define NAME_COUNT (sizeof names / sizeof *names)
static const uint64_t epochs[] = {0x1111, 0x2222, 0, 0xffffffffffffffffull};

typedef struct harness {
    nanostate_app *app;
    int hub;             /* the bus socket */
    uint64_t session;    /* the App's, learnt from its first frame */
    uint64_t sync_since; /* of the App's last SYNC */
    uint64_t seq;        /* the newest seq the scripted hub used */
    uint64_t aseq;       /* the App's newest aseq */
    int bad_frame;       /* the frame being dispatched breaks a rule */
} harness;

#define HUB_URL "inproc://nanostate-fuzz-app"

static int hub_socket(void)
{
    static int sock = -1;
    if (sock < 0) {
        sock = nn_socket(AF_SP, NN_BUS);
        FUZZ_CHECK(sock >= 0, "nn_socket: %s", nn_strerror(nn_errno()));
        FUZZ_CHECK(nn_bind(sock, HUB_URL) >= 0, "nn_bind: %s", nn_strerror(nn_errno()));
    }
    return sock;
}

/* Checks one frame the App sent; a BATCH's frames one by one. */
static void check_sent(harness *h, const void *data, size_t size, int in_batch)
{
    frame f;
    const char *why = NULL;
    int rc = frame_parse(&f, data, size, &why);
    FUZZ_CHECK(rc == 0, "the App sent a frame that does not parse: %s", why);
    FUZZ_CHECK(f.sender_len == strlen(IDENTITY) && memcmp(f.sender, IDENTITY, f.sender_len) == 0,
               "the App sent another identity");
    if (f.op == OP_BATCH) {
        FUZZ_CHECK(!in_batch, "the App sent a batch inside a batch");
        for (uint32_t i = 0; i < f.entry_count; i++) {
            const uint8_t *inner;
            size_t len;
            frame_next_inner(&f.entries, &inner, &len);
            check_sent(h, inner, len, 1);
        }
        return;
    }
    FUZZ_CHECK(f.op == OP_SET || f.op == OP_DEL || f.op == OP_SYNC || f.op == OP_PING ||
                   f.op == OP_HELLO,
               "the App sent op %d", f.op);
    FUZZ_CHECK(!in_batch || f.op == OP_SET || f.op == OP_DEL, "the App batched op %d", f.op);
    if (!h->session)
        h->session = f.session;
    FUZZ_CHECK(f.session == h->session, "the App changed its session");
    if (f.op == OP_SYNC)
        h->sync_since = f.since;
    else if (f.op != OP_HELLO)
        h->aseq = f.aseq;
    if (f.op == OP_SET || f.op == OP_DEL)
        FUZZ_CHECK(f.count == FRAME_LEN_UPDATE_IN && f.name[0] != '$',
                   "the App sent an update of %u elements for '%.*s'", f.count, (int)f.name_len,
                   f.name);
}

/* Reads and checks every frame the App sent. */
static void drain(harness *h)
{
    for (;;) {
        void *msg = NULL;
        int n = nn_recv(h->hub, &msg, NN_MSG, NN_DONTWAIT);
        if (n < 0)
            break;
        check_sent(h, msg, (size_t)n, 0);
        nn_freemsg(msg);
    }
}

/* 1 if a receiver must drop the frame whole (PROTOCOL.md section 5): it
 * does not parse, or one of its SNAPSHOT entries does not. */
static int breaks_a_rule(const void *data, size_t size)
{
    frame f;
    const char *why;
    if (frame_parse(&f, data, size, &why) != 0)
        return 1;
    reader r = f.entries;
    for (uint32_t i = 0; f.op == OP_SNAPSHOT && i < f.entry_count; i++) {
        snap_entry e;
        if (frame_next_entry(&r, &e, &why) != 0)
            return 1;
    }
    return 0;
}

static void send_to_app(harness *h, const void *data, size_t size)
{
    h->bad_frame = breaks_a_rule(data, size);
    /* Zero-copy: the App gets this very chunk, which holds exactly the
     * frame, so that AddressSanitizer sees a read past its end. */
    void *msg = nn_allocmsg(size, 0);
    FUZZ_CHECK(msg != NULL, "nn_allocmsg");
    if (size)
        memcpy(msg, data, size);
    if (nn_send(h->hub, &msg, NN_MSG, NN_DONTWAIT) < 0)
        nn_freemsg(msg);
    nanostate_app_dispatch(h->app);
    h->bad_frame = 0;
    drain(h);
}

static void send_built(harness *h, msgpack_sbuffer *sb)
{
    send_to_app(h, sb->data, sb->size);
    msgpack_sbuffer_clear(sb);
}

/* Known bug "app-republishes-reserved-name": told by a hub that it wrote a
 * state whose name starts with '$' (which no hub accepts from an App), the
 * App re-publishes that name after a hub restart and the hub refuses it
 * forever. Until fixed, built frames make no such claim. */
static int claim_own(int want, const char *name) { return want && !KNOWN_BUG(name[0] == '$'); }

/* A seq near the newest one used: mostly the next, sometimes a gap or an
 * old one. */
static uint64_t pick_seq(harness *h, fuzz_input *in)
{
    int8_t delta = (int8_t)fuzz_byte(in);
    uint64_t seq = delta >= -8 && delta <= 8 ? h->seq + 1 : h->seq + (uint64_t)(int64_t)delta;
    if ((int64_t)seq < 0)
        seq = 0;
    if (seq > h->seq)
        h->seq = seq;
    return seq;
}

static uint64_t pick_session(harness *h, fuzz_input *in)
{
    uint8_t b = fuzz_byte(in);
    return b < 0xe0 ? h->session : b; /* mostly ours */
}

/* A small valid value from the input. */
static void pack_value(msgpack_packer *pk, fuzz_input *in)
{
    uint8_t kind = fuzz_byte(in);
    switch (kind & 3) {
    case 0: msgpack_pack_uint8(pk, fuzz_byte(in)); break;
    case 1: msgpack_pack_str_with_body(pk, "v", 1); break;
    case 2: msgpack_pack_nil(pk); break;
    default:
        msgpack_pack_array(pk, 1);
        msgpack_pack_double(pk, (double)fuzz_byte(in) / 8);
        break;
    }
}

static void build_snapshot(harness *h, fuzz_input *in, msgpack_packer *pk)
{
    uint8_t shape = fuzz_byte(in);
    uint64_t since = shape & 1 ? fuzz_byte(in) : h->sync_since;
    uint64_t flags = (shape >> 1) & 3;
    uint64_t seq = pick_seq(h, in);
    uint64_t upto = flags & SNAP_MORE ? (since + fuzz_byte(in) + 1) : seq;
    uint32_t count = fuzz_byte(in) % 8;
    frame_pack_control(pk, FRAME_LEN_SNAPSHOT, HUB_SENDER, strlen(HUB_SENDER), OP_SNAPSHOT);
    msgpack_pack_uint64(pk, pick_session(h, in));
    msgpack_pack_uint64(pk, epochs[(shape >> 3) & 3]);
    msgpack_pack_uint64(pk, flags & SNAP_FULL ? 0 : since);
    msgpack_pack_uint64(pk, upto);
    msgpack_pack_uint64(pk, seq);
    msgpack_pack_uint64(pk, flags);
    uint8_t back = fuzz_byte(in) % 4;
    msgpack_pack_uint64(pk, h->aseq > back ? h->aseq - back : 0); /* hwm */
    msgpack_pack_array(pk, count);
    for (uint32_t i = 0; i < count; i++) {
        uint8_t e = fuzz_byte(in);
        const char *name = names[e % NAME_COUNT];
        uint64_t eseq = since + 1 + fuzz_byte(in) % 8;
        if (e & 0x80) {
            msgpack_pack_array(pk, 2);
            msgpack_pack_str_with_body(pk, name, strlen(name));
            msgpack_pack_uint64(pk, eseq);
        } else if (e & 0x40) {
            /* A malformed entry: frame_parse skips entries, the App reads
             * them one by one. */
            msgpack_pack_array(pk, 3);
            msgpack_pack_str_with_body(pk, name, strlen(name));
            msgpack_pack_uint64(pk, eseq);
            msgpack_pack_nil(pk);
        } else {
            int own = claim_own(e & 0x20, name);
            msgpack_pack_array(pk, 5);
            msgpack_pack_str_with_body(pk, name, strlen(name));
            msgpack_pack_uint64(pk, eseq);
            msgpack_pack_str_with_body(pk, own ? IDENTITY : "other", own ? 8 : 5);
            msgpack_pack_uint64(pk, own ? h->session : 7);
            pack_value(pk, in);
        }
    }
}

static void build_update(harness *h, fuzz_input *in, msgpack_packer *pk)
{
    uint8_t shape = fuzz_byte(in);
    const char *name = names[shape % NAME_COUNT];
    int own = claim_own(shape & 0x40, name);
    int op = shape & 0x80 ? OP_DEL : OP_SET;
    frame_pack_head(pk, FRAME_LEN_UPDATE_OUT, own ? IDENTITY : "other", own ? 8 : 5, name,
                    strlen(name));
    if (op == OP_DEL)
        msgpack_pack_bin(pk, 0);
    else
        pack_value(pk, in);
    msgpack_pack_uint8(pk, (uint8_t)op);
    msgpack_pack_uint64(pk, own ? h->session : 7);
    uint8_t back = fuzz_byte(in) % 4;
    msgpack_pack_uint64(pk, h->aseq > back ? h->aseq - back : 0);
    msgpack_pack_uint64(pk, pick_seq(h, in));
}

static void local_change(harness *h, fuzz_input *in)
{
    uint8_t shape = fuzz_byte(in);
    const char *name = names[shape % NAME_COUNT];
    if (shape & 0x80) {
        int rc = nanostate_app_remove(h->app, name);
        FUZZ_CHECK(rc == (name[0] == '$' ? NANOSTATE_ENAME : 0), "remove returned %d", rc);
        return;
    }
    /* The rest of the record is the value, valid or not. */
    size_t len = fuzz_left(in);
    uint8_t *value = fuzz_copy(in->p, len);
    int rc = nanostate_app_set_packed(h->app, name, value, len);
    int want = nanostate_value_validate(value, len) != 0 ? NANOSTATE_EVALUE
               : name[0] == '$'                          ? NANOSTATE_ENAME
                                                         : 0;
    FUZZ_CHECK(rc == want || (want == 0 && rc == NANOSTATE_ETOOBIG), "set_packed returned %d", rc);
    free(value);
    in->p = in->end;
}

static void run_record(harness *h, uint8_t ctl, const uint8_t *data, size_t len)
{
    fuzz_input in;
    fuzz_input_init(&in, data, len);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    switch (ctl & 7) {
    case 0:
    case 1: send_to_app(h, data, len); break;
    case 2:
        build_snapshot(h, &in, &pk);
        send_built(h, &sb);
        break;
    case 3: {
        uint8_t shape = fuzz_byte(&in);
        frame_pack_control(&pk, FRAME_LEN_HEARTBEAT, HUB_SENDER, 4, OP_HEARTBEAT);
        msgpack_pack_uint64(&pk, epochs[shape & 3]);
        msgpack_pack_uint64(&pk, shape & 4 ? pick_seq(h, &in) : h->seq);
        msgpack_pack_uint64(&pk, shape & 8 ? fuzz_uint(&in, 4) : 1000);
        msgpack_pack_uint64(&pk, shape & 16 ? fuzz_uint(&in, 4) : 16u << 20);
        send_built(h, &sb);
        break;
    }
    case 4: {
        uint8_t a = fuzz_byte(&in) % 4, b = fuzz_byte(&in) % 4;
        frame_pack_control(&pk, FRAME_LEN_ACK, HUB_SENDER, 4, OP_ACK);
        msgpack_pack_uint64(&pk, pick_session(h, &in));
        msgpack_pack_uint64(&pk, h->aseq > a ? h->aseq - a : 0);
        msgpack_pack_uint64(&pk, h->aseq > b ? h->aseq - b : 0);
        msgpack_pack_uint64(&pk, h->seq);
        send_built(h, &sb);
        break;
    }
    case 5:
        build_update(h, &in, &pk);
        send_built(h, &sb);
        break;
    case 6:
        local_change(h, &in);
        nanostate_app_dispatch(h->app);
        drain(h);
        break;
    default:
        fuzz_clock_advance((int64_t)fuzz_uint(&in, 2));
        nanostate_app_dispatch(h->app);
        drain(h);
        break;
    }
    msgpack_sbuffer_destroy(&sb);
}

/* --- checks ---------------------------------------------------------------- */

static void on_update(void *user, const nanostate_update *u)
{
    harness *h = user;
    /* Known bug "app-applies-part-of-bad-snapshot": the App applies the
     * entries of a SNAPSHOT up to the first bad one, instead of dropping
     * the frame whole. */
    FUZZ_CHECK(!h->bad_frame || KNOWN_BUG(h->bad_frame),
               "an update for '%s' from a frame that breaks a rule", u->name);
    FUZZ_CHECK(u->name && u->name_len >= 1 && u->name_len <= NANOSTATE_MAX_NAME &&
                   u->name[u->name_len] == '\0',
               "update with a bad name");
    FUZZ_CHECK(u->sender != NULL, "update without a sender");
    if (u->removed)
        FUZZ_CHECK(u->value.size == 0, "a removal with a value");
    else
        FUZZ_CHECK(nanostate_value_validate(u->value.packed, u->value.size) == 0,
                   "an update whose value does not validate");
}

typedef struct visit {
    harness *h;
    size_t count;
} visit;

static void check_state(void *user, const nanostate_update *u)
{
    visit *v = user;
    v->count++;
    FUZZ_CHECK(u->name_len >= 1 && u->name_len <= NANOSTATE_MAX_NAME, "name of %zu bytes",
               u->name_len);
    FUZZ_CHECK(!u->removed && !u->from_snapshot, "foreach with removed/from_snapshot set");
    FUZZ_CHECK(nanostate_value_validate(u->value.packed, u->value.size) == 0,
               "a replica value does not validate");
    if (memchr(u->name, '\0', u->name_len))
        return; /* valid UTF-8, but get() takes a C string */
    char *name = fuzz_cstring(u->name, u->name_len);
    nanostate_value got;
    FUZZ_CHECK(nanostate_app_get(v->h->app, name, &got, NULL) == 0, "get does not find '%s'", name);
    FUZZ_CHECK(nanostate_value_equal(&got, &u->value), "get and foreach disagree on '%s'", name);
    free(name);
}

static void check_replica(harness *h)
{
    visit v = {h, 0};
    nanostate_app_foreach(h->app, check_state, &v);
    size_t count = nanostate_app_count(h->app);
    FUZZ_CHECK(v.count == count, "foreach visits %zu, count says %zu", v.count, count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    harness h;
    memset(&h, 0, sizeof h);
    fuzz_clock_reset();
    h.hub = hub_socket();
    drain(&h); /* whatever the last App left */
    h.session = 0;
    FUZZ_CHECK(nanostate_app_create(&h.app, IDENTITY) == 0, "app_create failed");
    nanostate_app_on_update(h.app, on_update, &h, 1);
    FUZZ_CHECK(nanostate_app_connect(h.app, HUB_URL) == 0, "app_connect failed");
    drain(&h); /* its first SYNC: the session */
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    uint8_t ctl;
    const uint8_t *record;
    size_t len;
    while (fuzz_record(&in, &ctl, &record, &len)) {
        run_record(&h, ctl, record, len);
        check_replica(&h);
    }
    nanostate_app_close(h.app);
    return 0;
}
