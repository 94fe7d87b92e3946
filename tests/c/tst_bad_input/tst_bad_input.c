/* SPDX-License-Identifier: MIT */
/*
 * Bad input never crashes the hub, never stops valid traffic, and is counted
 * (docs/PROTOCOL.md, sections 5 and 6).
 *
 * A raw NN_BUS socket sends a catalogue of malformed and hostile frames to a
 * real nanostate-hub process (-v, --max-frame 65536) while a libnanostate App
 * keeps publishing; the hub's log must name a reason for every rejected
 * frame, the Apps must converge and a new App must still sync. The same
 * catalogue goes through the hub engine in-process, where each frame's code
 * is checked. Bad values and names given to the App API get their
 * documented codes.
 */
#include "apptable.h"
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
#define MAX_FRAME 65536
#define MAX_FRAME_ARG "65536"
#define OVERSIZE (100 * 1024)
/* BUS drops what a busy pipe cannot take: after a frame this big the test
 * waits until the hub has handled it before sending more. */
#define BIG_FRAME 4096
#define GARBAGE_SEED 0x5eed2024u
#define GARBAGE_FRAMES 64
#define GARBAGE_MAX_LEN 128
#define SENDER "fuzzer"
#define SESSION 0x0123456789abcdefull
#define ANY_CODE (-1) /* some NANOSTATE_E* code, which depends on the bytes */

/* ---- The catalogue of bad frames ------------------------------------------ */

typedef struct bad_frame {
    unsigned char *data;
    size_t size;
    int code;           /* what nanostate_hub_peer_input returns, or ANY_CODE */
    const char *reason; /* part of the hub's log line; NULL: any reason */
} bad_frame;

typedef struct bad_class {
    const char *what;
    bad_frame *frames;
    size_t count;
} bad_class;

typedef struct catalogue {
    bad_class classes[32];
    size_t count;
} catalogue;

static bad_class *new_class(catalogue *c, const char *what)
{
    assert_true(c->count < sizeof c->classes / sizeof *c->classes);
    bad_class *k = &c->classes[c->count++];
    memset(k, 0, sizeof *k);
    k->what = what;
    return k;
}

static void add_bytes(bad_class *k, int code, const char *reason, const void *data, size_t size)
{
    bad_frame *frames = realloc(k->frames, (k->count + 1) * sizeof *frames);
    assert_non_null(frames);
    k->frames = frames;
    bad_frame *f = &k->frames[k->count++];
    f->data = malloc(size ? size : 1);
    assert_non_null(f->data);
    if (size)
        memcpy(f->data, data, size);
    f->size = size;
    f->code = code;
    f->reason = reason;
}

static void catalogue_free(catalogue *c)
{
    for (size_t i = 0; i < c->count; i++) {
        for (size_t j = 0; j < c->classes[i].count; j++)
            free(c->classes[i].frames[j].data);
        free(c->classes[i].frames);
    }
    c->count = 0;
}

/* Frames are packed with msgpack-c; deliberately broken parts are appended
 * as raw bytes with put(). */
typedef struct builder {
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
} builder;

static msgpack_packer *begin(builder *b)
{
    msgpack_sbuffer_init(&b->sbuf);
    msgpack_packer_init(&b->pk, &b->sbuf, msgpack_sbuffer_write);
    return &b->pk;
}

static void add_built(bad_class *k, builder *b, int code, const char *reason)
{
    add_bytes(k, code, reason, b->sbuf.data, b->sbuf.size);
    msgpack_sbuffer_destroy(&b->sbuf);
}

static void str(msgpack_packer *pk, const char *s) { msgpack_pack_str_with_body(pk, s, strlen(s)); }

static void put(msgpack_packer *pk, const void *bytes, size_t n)
{
    msgpack_sbuffer_write(pk->data, bytes, n);
}

static const unsigned char empty_bin[] = {0xc4, 0x00};

/* [SENDER, name, value] when op < 0 (an original App's set), else
 * [SENDER, name, value, op, SESSION, 1]. name is name_len bytes, value is
 * put as raw bytes, so either may be broken. */
static void add_update(bad_class *k, int code, const char *reason, const char *name,
                       size_t name_len, const void *value, size_t value_len, int op)
{
    builder b;
    msgpack_packer *pk = begin(&b);
    msgpack_pack_array(pk, op < 0 ? 3 : 6);
    str(pk, SENDER);
    msgpack_pack_str_with_body(pk, name, name_len);
    put(pk, value, value_len);
    if (op >= 0) {
        msgpack_pack_uint8(pk, (uint8_t)op);
        msgpack_pack_uint64(pk, SESSION);
        msgpack_pack_uint8(pk, 1);
    }
    add_built(k, &b, code, reason);
}

static void add_legacy(bad_class *k, int code, const char *reason, const char *name,
                       size_t name_len)
{
    add_update(k, code, reason, name, name_len, empty_bin, sizeof empty_bin, -1);
}

/* depth nested arrays around the integer 1: [[...[1]...]]. */
static size_t nested(unsigned char *buf, int depth, unsigned char container)
{
    int n = 0;
    for (int i = 0; i < depth; i++) {
        buf[n++] = container;
        if (container == 0x81) /* a map: {0: ...} */
            buf[n++] = 0x00;
    }
    buf[n++] = 0x01;
    return (size_t)n;
}

/* A packed legacy frame of exactly `size` bytes: [SENDER, name, bin]. */
static void legacy_of_size(msgpack_sbuffer *sbuf, const char *name, size_t size)
{
    size_t data_len = size - 32;
    for (int attempt = 0; attempt < 2; attempt++) {
        unsigned char *data = calloc(1, data_len);
        assert_non_null(data);
        for (size_t i = 0; i < data_len; i++)
            data[i] = (unsigned char)(i * 7);
        msgpack_sbuffer_init(sbuf);
        rawbus_pack_legacy(sbuf, SENDER, name, strlen(name), data, data_len, 0);
        free(data);
        if (sbuf->size == size)
            return;
        data_len += size - sbuf->size; /* the header width does not change */
        msgpack_sbuffer_destroy(sbuf);
    }
    fail_msg("cannot pack a frame of %zu bytes", size);
}

static uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static void build_catalogue(catalogue *c)
{
    bad_class *k;
    builder b;
    msgpack_packer *pk;
    unsigned char buf[2048];

    /* A fixed seed: the same bytes every run, so a failure can be replayed. */
    k = new_class(c, "random bytes");
    uint32_t seed = GARBAGE_SEED;
    for (int i = 0; i < GARBAGE_FRAMES; i++) {
        size_t len = 1 + xorshift32(&seed) % GARBAGE_MAX_LEN;
        for (size_t j = 0; j < len; j++)
            buf[j] = (unsigned char)xorshift32(&seed);
        add_bytes(k, ANY_CODE, NULL, buf, len);
    }

    k = new_class(c, "an empty frame");
    add_bytes(k, NANOSTATE_EPROTO, "not a msgpack array", "", 0);

    k = new_class(c, "msgpack that is not an array");
    pk = begin(&b);
    msgpack_pack_map(pk, 1);
    str(pk, "sender");
    str(pk, SENDER);
    add_built(k, &b, NANOSTATE_EPROTO, "not a msgpack array");
    pk = begin(&b);
    msgpack_pack_int(pk, 42);
    add_built(k, &b, NANOSTATE_EPROTO, "not a msgpack array");
    pk = begin(&b);
    str(pk, "hello");
    add_built(k, &b, NANOSTATE_EPROTO, "not a msgpack array");

    k = new_class(c, "an array of fewer than 3 elements");
    pk = begin(&b);
    msgpack_pack_array(pk, 2);
    str(pk, SENDER);
    str(pk, "short");
    add_built(k, &b, NANOSTATE_EPROTO, "fewer than 3 elements");
    pk = begin(&b);
    msgpack_pack_array(pk, 0);
    add_built(k, &b, NANOSTATE_EPROTO, "fewer than 3 elements");

    k = new_class(c, "a sender that is not a str");
    pk = begin(&b);
    msgpack_pack_array(pk, 3);
    msgpack_pack_int(pk, 7);
    str(pk, "bad/sender");
    put(pk, empty_bin, sizeof empty_bin);
    add_built(k, &b, NANOSTATE_EPROTO, "sender is not a string");
    pk = begin(&b);
    msgpack_pack_array(pk, 3);
    msgpack_pack_bin_with_body(pk, SENDER, strlen(SENDER));
    str(pk, "bad/sender");
    put(pk, empty_bin, sizeof empty_bin);
    add_built(k, &b, NANOSTATE_EPROTO, "sender is not a string");

    k = new_class(c, "a name that is not a str");
    pk = begin(&b);
    msgpack_pack_array(pk, 3);
    str(pk, SENDER);
    msgpack_pack_int(pk, 7);
    put(pk, empty_bin, sizeof empty_bin);
    add_built(k, &b, NANOSTATE_EPROTO, "name is not a string");
    pk = begin(&b);
    msgpack_pack_array(pk, 3);
    str(pk, SENDER);
    msgpack_pack_bin_with_body(pk, "bad/name", 8);
    put(pk, empty_bin, sizeof empty_bin);
    add_built(k, &b, NANOSTATE_EPROTO, "name is not a string");
    pk = begin(&b);
    msgpack_pack_array(pk, 3);
    str(pk, SENDER);
    msgpack_pack_nil(pk);
    put(pk, empty_bin, sizeof empty_bin);
    add_built(k, &b, NANOSTATE_EPROTO, "name is not a string");

    k = new_class(c, "a sender too long or not UTF-8");
    memset(buf, 's', 1025);
    pk = begin(&b);
    msgpack_pack_array(pk, 3);
    msgpack_pack_str_with_body(pk, buf, 1025);
    str(pk, "bad/sender");
    put(pk, empty_bin, sizeof empty_bin);
    add_built(k, &b, NANOSTATE_ENAME, "sender is not UTF-8");
    pk = begin(&b);
    msgpack_pack_array(pk, 3);
    str(pk, "\xff\xfe");
    str(pk, "bad/sender");
    put(pk, empty_bin, sizeof empty_bin);
    add_built(k, &b, NANOSTATE_ENAME, "sender is not UTF-8");

    k = new_class(c, "an empty name");
    add_legacy(k, NANOSTATE_ENAME, "name is empty", "", 0);
    add_update(k, NANOSTATE_ENAME, "name is empty", "", 0, empty_bin, sizeof empty_bin, 1);

    k = new_class(c, "a name of 1025 bytes");
    memset(buf, 'n', 1025);
    add_legacy(k, NANOSTATE_ENAME, "longer than 1024 bytes", (const char *)buf, 1025);
    add_update(k, NANOSTATE_ENAME, "longer than 1024 bytes", (const char *)buf, 1025, empty_bin,
               sizeof empty_bin, 1);

    k = new_class(c, "a name that is not UTF-8");
    static const char *const not_utf8[] = {
        "\xff",                 /* never in UTF-8 */
        "bad/\xc0\xaf",         /* overlong '/' */
        "bad/\xed\xa0\x80",     /* a surrogate */
        "bad/\xf4\x90\x80\x80", /* above U+10FFFF */
        "bad/\xe2\x82",         /* cut short */
    };
    for (size_t i = 0; i < sizeof not_utf8 / sizeof *not_utf8; i++)
        add_legacy(k, NANOSTATE_ENAME, "name is not UTF-8", not_utf8[i], strlen(not_utf8[i]));

    k = new_class(c, "a reserved name");
    add_legacy(k, NANOSTATE_ENAME, "reserved", "$hub/clients", 12);
    add_update(k, NANOSTATE_ENAME, "reserved", "$x", 2, "\x01", 1, 1);
    add_update(k, NANOSTATE_ENAME, "reserved", "$hub/clients", 12, empty_bin, sizeof empty_bin, 2);

    k = new_class(c, "truncated msgpack");
    {
        static const unsigned char value[] = {0x82, 0xa1, 'k',  0x93, 0x01, 0xcb, 0x40, 0x04,
                                              0,    0,    0,    0,    0,    0,    0xa1, 's',
                                              0xa1, 'b',  0xc4, 0x02, 0xff, 0x00};
        builder whole[2];
        pk = begin(&whole[0]);
        msgpack_pack_array(pk, 6);
        str(pk, SENDER);
        str(pk, "trunc/set");
        put(pk, value, sizeof value);
        msgpack_pack_uint8(pk, 1);
        msgpack_pack_uint64(pk, SESSION);
        msgpack_pack_uint8(pk, 1);
        begin(&whole[1]);
        rawbus_pack_legacy(&whole[1].sbuf, SENDER, "trunc/legacy", 12, "abc", 3, 1);
        for (int w = 0; w < 2; w++) {
            for (size_t cut = 1; cut < whole[w].sbuf.size; cut++)
                add_bytes(k, ANY_CODE, NULL, whole[w].sbuf.data, cut);
            msgpack_sbuffer_destroy(&whole[w].sbuf);
        }
    }

    k = new_class(c, "a str32 or bin32 length of 4 GB");
    static const unsigned char str_4g[] = {0xdb, 0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c'};
    static const unsigned char bin_4g[] = {0xc6, 0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c'};
    add_update(k, NANOSTATE_EVALUE, "value is malformed", "huge/str", 8, str_4g, sizeof str_4g, -1);
    add_update(k, NANOSTATE_EVALUE, "value is malformed", "huge/bin", 8, bin_4g, sizeof bin_4g, 1);
    pk = begin(&b);
    msgpack_pack_array(pk, 3);
    str(pk, SENDER);
    put(pk, str_4g, sizeof str_4g);
    put(pk, empty_bin, sizeof empty_bin);
    add_built(k, &b, NANOSTATE_EPROTO, "name is not a string");
    pk = begin(&b);
    msgpack_pack_array(pk, 3);
    put(pk, str_4g, sizeof str_4g);
    add_built(k, &b, NANOSTATE_EPROTO, "sender is not a string");

    k = new_class(c, "an array32 or map32 of 4 billion elements");
    static const unsigned char array_4g[] = {0xdd, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02};
    static const unsigned char map_4g[] = {0xdf, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02};
    add_update(k, NANOSTATE_EVALUE, "value is malformed", "huge/array", 10, array_4g,
               sizeof array_4g, -1);
    add_update(k, NANOSTATE_EVALUE, "value is malformed", "huge/map", 8, map_4g, sizeof map_4g, -1);
    /* As the frame itself: the fields of a SET, then nothing of the rest. */
    pk = begin(&b);
    put(pk, array_4g, 5);
    str(pk, SENDER);
    str(pk, "huge/frame");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint64(pk, SESSION);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint8(pk, 1); /* a seq: with 7 elements or more it is read */
    /* Rejected, but as "too few fields for the op": frame_parse compares
     * (int)count, which is -1 here. Any reason will do. */
    add_built(k, &b, NANOSTATE_EPROTO, NULL);
    pk = begin(&b);
    put(pk, array_4g, 5);
    str(pk, SENDER);
    str(pk, "huge/frame");
    put(pk, empty_bin, sizeof empty_bin);
    add_built(k, &b, NANOSTATE_EPROTO, "op is not a small unsigned integer");

    k = new_class(c, "a value nested 65 deep");
    size_t n = nested(buf, 65, 0x91);
    add_update(k, NANOSTATE_EVALUE, "nested deeper than 64", "deep/65", 7, buf, n, -1);
    add_update(k, NANOSTATE_EVALUE, "nested deeper than 64", "deep/65", 7, buf, n, 1);
    n = nested(buf, 65, 0x81);
    add_update(k, NANOSTATE_EVALUE, "nested deeper than 64", "deep/65map", 10, buf, n, -1);
    n = nested(buf, 300, 0x91); /* far deeper: no stack to blow */
    add_update(k, NANOSTATE_EVALUE, "nested deeper than 64", "deep/300", 8, buf, n, -1);

    k = new_class(c, "a frame over --max-frame");
    msgpack_sbuffer big;
    legacy_of_size(&big, "big/over", OVERSIZE);
    add_bytes(k, NANOSTATE_ETOOBIG, "exceeds the maximum", big.data, big.size);
    msgpack_sbuffer_destroy(&big);
    legacy_of_size(&big, "big/over", MAX_FRAME + 1);
    add_bytes(k, NANOSTATE_ETOOBIG, "exceeds the maximum", big.data, big.size);
    msgpack_sbuffer_destroy(&big);

    k = new_class(c, "an unknown op");
    static const int unknown_ops[] = {0, 10, 15, 0x20, 0x31};
    for (size_t i = 0; i < sizeof unknown_ops / sizeof *unknown_ops; i++)
        add_update(k, NANOSTATE_EPROTO, "unknown op", "op/unknown", 10, empty_bin, sizeof empty_bin,
                   unknown_ops[i]);
    pk = begin(&b);
    msgpack_pack_array(pk, 6);
    str(pk, SENDER);
    str(pk, "op/big");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_uint16(pk, 257);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint8(pk, 1);
    add_built(k, &b, NANOSTATE_EPROTO, "op is not a small unsigned integer");
    pk = begin(&b);
    msgpack_pack_array(pk, 6);
    str(pk, SENDER);
    str(pk, "op/negative");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_int(pk, -1);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint8(pk, 1);
    add_built(k, &b, NANOSTATE_EPROTO, "op is not a small unsigned integer");

    k = new_class(c, "an op only hubs send");
    pk = begin(&b); /* HEARTBEAT */
    msgpack_pack_array(pk, 8);
    str(pk, SENDER);
    str(pk, "");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_uint8(pk, 5);
    msgpack_pack_uint64(pk, 0xfeedull);
    msgpack_pack_uint64(pk, 1000000);
    msgpack_pack_uint64(pk, 100);
    msgpack_pack_uint64(pk, 1024);
    add_built(k, &b, NANOSTATE_EPROTO, "op is sent by hubs");
    pk = begin(&b); /* SNAPSHOT with FULL and no entries: would empty a table */
    msgpack_pack_array(pk, 12);
    str(pk, SENDER);
    str(pk, "");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_uint8(pk, 4);
    msgpack_pack_uint64(pk, SESSION);
    msgpack_pack_uint64(pk, 0xfeedull);
    msgpack_pack_uint8(pk, 0);
    msgpack_pack_uint8(pk, 9);
    msgpack_pack_uint8(pk, 9);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint8(pk, 0);
    msgpack_pack_array(pk, 0);
    add_built(k, &b, NANOSTATE_EPROTO, "op is sent by hubs");
    pk = begin(&b); /* ACK */
    msgpack_pack_array(pk, 8);
    str(pk, SENDER);
    str(pk, "");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_uint8(pk, 6);
    msgpack_pack_uint64(pk, SESSION);
    msgpack_pack_uint8(pk, 5);
    msgpack_pack_uint8(pk, 5);
    msgpack_pack_uint8(pk, 0);
    add_built(k, &b, NANOSTATE_EPROTO, "op is sent by hubs");

    k = new_class(c, "other broken shapes");
    add_update(k, NANOSTATE_EVALUE, "value is malformed", "bad/c1", 6, "\xc1", 1, -1);
    pk = begin(&b);
    msgpack_pack_array(pk, 4); /* a SET needs 6 */
    str(pk, SENDER);
    str(pk, "bad/short-set");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_uint8(pk, 1);
    add_built(k, &b, NANOSTATE_EPROTO, "too few fields for the op");
    pk = begin(&b);
    msgpack_pack_array(pk, 6);
    str(pk, SENDER);
    str(pk, "bad/session");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_uint8(pk, 1);
    str(pk, "session");
    msgpack_pack_uint8(pk, 1);
    add_built(k, &b, NANOSTATE_EPROTO, "not an unsigned integer");
    pk = begin(&b);
    msgpack_pack_array(pk, 7); /* a SYNC must have the name "" */
    str(pk, SENDER);
    str(pk, "bad/sync");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_uint8(pk, 3);
    msgpack_pack_uint64(pk, SESSION);
    msgpack_pack_uint8(pk, 0);
    msgpack_pack_uint8(pk, 0);
    add_built(k, &b, NANOSTATE_EPROTO, "control frame with a name");
    pk = begin(&b);
    msgpack_pack_array(pk, 3);
    str(pk, SENDER);
    str(pk, "bad/trailing");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_nil(pk); /* after the array */
    add_built(k, &b, NANOSTATE_EPROTO, "bytes after the end");
    pk = begin(&b);
    msgpack_pack_array(pk, 8); /* element 8 is unknown but must be sound */
    str(pk, SENDER);
    str(pk, "bad/extra");
    put(pk, empty_bin, sizeof empty_bin);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint64(pk, SESSION);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint8(pk, 1);
    put(pk, "\xc1", 1);
    add_built(k, &b, NANOSTATE_EPROTO, "trailing field is malformed");
}

/* Frames at the limits that must be accepted: a state of that name and
 * exactly that value (the frame's element 2) must reach every App. */
typedef struct good_frame {
    char name[1100];
    unsigned char *value;
    size_t value_len;
    msgpack_sbuffer frame;
} good_frame;

#define GOOD_FRAMES 4

static void build_good(good_frame good[GOOD_FRAMES])
{
    unsigned char deep[300];
    size_t n = nested(deep, 64, 0x91);
    memset(good, 0, GOOD_FRAMES * sizeof *good);

    snprintf(good[0].name, sizeof good[0].name, "deep/64");
    good[0].value_len = n;
    good[0].value = malloc(n);
    assert_non_null(good[0].value);
    memcpy(good[0].value, deep, n);

    n = nested(deep, 64, 0x81);
    snprintf(good[1].name, sizeof good[1].name, "deep/64map");
    good[1].value_len = n;
    good[1].value = malloc(n);
    assert_non_null(good[1].value);
    memcpy(good[1].value, deep, n);

    memset(good[2].name, 'n', 1024);
    good[2].name[1024] = '\0';
    good[2].value_len = 2;
    good[2].value = malloc(2);
    assert_non_null(good[2].value);
    memcpy(good[2].value, empty_bin, 2);

    for (int i = 0; i < 3; i++) {
        msgpack_packer pk;
        msgpack_sbuffer_init(&good[i].frame);
        msgpack_packer_init(&pk, &good[i].frame, msgpack_sbuffer_write);
        msgpack_pack_array(&pk, 3);
        str(&pk, SENDER);
        str(&pk, good[i].name);
        put(&pk, good[i].value, good[i].value_len);
    }

    /* Exactly --max-frame bytes: the limit is inclusive. */
    snprintf(good[3].name, sizeof good[3].name, "big/at-limit");
    legacy_of_size(&good[3].frame, good[3].name, MAX_FRAME);
    /* The value follows the array head and the two str. */
    size_t head = 1 + 1 + strlen(SENDER) + 1 + strlen(good[3].name);
    good[3].value_len = good[3].frame.size - head;
    good[3].value = malloc(good[3].value_len);
    assert_non_null(good[3].value);
    memcpy(good[3].value, good[3].frame.data + head, good[3].value_len);
}

static void good_free(good_frame good[GOOD_FRAMES])
{
    for (int i = 0; i < GOOD_FRAMES; i++) {
        free(good[i].value);
        msgpack_sbuffer_destroy(&good[i].frame);
    }
}

/* ---- A hub process with its log, per test --------------------------------- */

typedef struct fixture {
    char *url;
    char *log_path;
    pid_t hub;
    nanostate_app *apps[4];
    int napps;
    int raw;
    size_t log_seen; /* "rejected frame" lines already accounted for */
} fixture;

static int hub_up(void **state)
{
    static int hubs;
    const char *transport = *state;
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->raw = -1;
    char name[32];
    snprintf(name, sizeof name, "bad-input-%d.sock", ++hubs);
    f->url = strcmp(transport, "ipc") == 0 ? testutil_ipc_url(name) : testutil_tcp_url();
    snprintf(name, sizeof name, "hub-%d.log", hubs);
    f->log_path = testutil_tmp_path(name);
    if (!f->url || !f->log_path)
        return -1;
    const char *argv[] = {"nanostate-hub", "-b",          f->url, "--heartbeat", "100", "-v",
                          "--max-frame",   MAX_FRAME_ARG, NULL};
    f->hub = testutil_spawn(argv, f->log_path);
    if (f->hub < 0)
        return -1;
    /* Ready once it answers: a heartbeat reaches a fresh socket. */
    if (testutil_bus_recv(f->url, NULL, 0, NULL, WAIT_MS) != 0) {
        fprintf(stderr, "# the hub did not answer on %s\n", f->url);
        return -1;
    }
    return 0;
}

static int hub_down(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < f->napps; i++)
        nanostate_app_close(f->apps[i]);
    rawbus_close(f->raw);
    int status = f->hub > 0 ? testutil_stop(f->hub, SIGTERM, 2000) : 0;
    if (status != 0) {
        char *log = testutil_read_file(f->log_path);
        fprintf(stderr, "# the hub ended with status %d; its log:\n%s\n", status,
                log ? log : "(none)");
        free(log);
    }
    free(f->url);
    free(f->log_path);
    free(f);
    return status == 0 ? 0 : -1;
}

static int synced(void *arg) { return nanostate_app_is_synced(arg); }

static nanostate_app *new_app(fixture *f, const char *identity)
{
    assert_true(f->napps < 4);
    nanostate_app *app;
    assert_int_equal(nanostate_app_open(&app, identity, f->url), 0);
    f->apps[f->napps++] = app;
    assert_int_equal(testutil_wait_apps(&app, 1, synced, app, WAIT_MS), 0);
    return app;
}

/* The "rejected frame" lines of the hub's log, from the n-th on: a
 * malloc'd array of malloc'd lines, *count of them. */
static char **rejected_lines(const fixture *f, size_t from, size_t *count)
{
    char *log = testutil_read_file(f->log_path);
    assert_non_null(log);
    char **lines = NULL;
    size_t seen = 0;
    *count = 0;
    for (char *line = log, *end; (end = strchr(line, '\n')); line = end + 1) {
        *end = '\0'; /* a last line without its newline is not written whole yet */
        if (!strstr(line, "rejected frame") || seen++ < from)
            continue;
        lines = realloc(lines, (*count + 1) * sizeof *lines);
        assert_non_null(lines);
        lines[(*count)++] = strdup(line);
    }
    free(log);
    return lines;
}

static void free_lines(char **lines, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(lines[i]);
    free(lines);
}

typedef struct log_wait {
    fixture *f;
    size_t lines; /* wait until this many "rejected frame" lines in all */
} log_wait;

static int log_has_lines(void *arg)
{
    log_wait *w = arg;
    size_t count;
    char **lines = rejected_lines(w->f, 0, &count);
    free_lines(lines, count);
    return count >= w->lines;
}

/* The App holds `name` as a str equal to `text`. */
typedef struct str_wait {
    nanostate_app *app;
    const char *name, *text;
} str_wait;

static int app_has_str(void *arg)
{
    str_wait *w = arg;
    nanostate_value v;
    const char *s;
    size_t len;
    return nanostate_app_get(w->app, w->name, &v, NULL) == 0 &&
           nanostate_value_get_str(&v, &s, &len) == 0 && len == strlen(w->text) &&
           memcmp(s, w->text, len) == 0;
}

/* The App holds `name` with exactly these packed bytes. */
typedef struct value_wait {
    nanostate_app *app;
    const char *name;
    const void *packed;
    size_t size;
} value_wait;

static int app_has_value(void *arg)
{
    value_wait *w = arg;
    nanostate_value v;
    return nanostate_app_get(w->app, w->name, &v, NULL) == 0 && v.size == w->size &&
           memcmp(v.packed, w->packed, v.size) == 0;
}

/* Sends one class from the raw socket, then a marker set behind it; once
 * `reader` has the marker, the hub has handled the whole class (one pipe
 * keeps its order). Then every frame must have its log line. */
static void send_class(fixture *f, nanostate_app **apps, int napps, nanostate_app *reader,
                       const bad_class *k, int index)
{
    for (size_t i = 0; i < k->count; i++) {
        assert_int_equal(rawbus_send(f->raw, k->frames[i].data, k->frames[i].size), 0);
        if (k->frames[i].size > BIG_FRAME) {
            log_wait lw = {f, f->log_seen + i + 1};
            if (rawbus_wait(f->raw, apps, napps, NULL, log_has_lines, &lw, WAIT_MS) != 0)
                fail_msg("%s: no log line for frame %zu (%zu bytes)", k->what, i,
                         k->frames[i].size);
        }
    }
    char marker[32];
    snprintf(marker, sizeof marker, "after class %d", index);
    assert_int_equal(rawbus_send_legacy(f->raw, SENDER, "marker", marker, strlen(marker), 1), 0);
    str_wait sw = {reader, "marker", marker};
    if (rawbus_wait(f->raw, apps, napps, NULL, app_has_str, &sw, WAIT_MS) != 0)
        fail_msg("%s: the valid frame sent after them did not arrive", k->what);

    size_t count;
    char **lines = rejected_lines(f, f->log_seen, &count);
    if (count != k->count) {
        for (size_t i = 0; i < count; i++)
            printf("# %s\n", lines[i]);
        fail_msg("%s: %zu frames sent, %zu rejected in the hub's log", k->what, k->count, count);
    }
    for (size_t i = 0; i < count; i++)
        if (k->frames[i].reason && !strstr(lines[i], k->frames[i].reason))
            fail_msg("%s, frame %zu: the log says \"%s\", expected a reason with \"%s\"", k->what,
                     i, lines[i], k->frames[i].reason);
    free_lines(lines, count);
    f->log_seen += k->count;
}

typedef struct converge {
    nanostate_app *a, *b;
    char why[256];
} converge;

static int tables_equal(void *arg)
{
    converge *c = arg;
    if (!nanostate_app_is_synced(c->a) || !nanostate_app_is_synced(c->b) ||
        nanostate_app_pending(c->a) || nanostate_app_pending(c->b)) {
        snprintf(c->why, sizeof c->why, "not synced, or updates pending");
        return 0;
    }
    apptable ta = apptable_collect(c->a), tb = apptable_collect(c->b);
    int equal = apptable_equal(&ta, &tb, c->why, sizeof c->why);
    apptable_free(&ta);
    apptable_free(&tb);
    return equal;
}

/* ---- Tests --------------------------------------------------------------------- */

#define WRITER_STATES 3

static void test_bad_frames_are_rejected_logged_and_do_not_stop_valid_traffic(void **state)
{
    fixture *f = *state;
    catalogue cat = {0};
    good_frame good[GOOD_FRAMES];
    build_catalogue(&cat);
    build_good(good);

    nanostate_app *writer = new_app(f, "writer");
    nanostate_app *reader = new_app(f, "reader");
    nanostate_app *apps[] = {writer, reader};
    f->raw = rawbus_open(f->url);
    assert_true(f->raw >= 0);
    assert_int_equal(rawbus_wait_connected(f->raw, WAIT_MS), 0);

    size_t frames = 0;
    int64_t last_value = 0;
    for (size_t i = 0; i < cat.count; i++) {
        /* Valid updates between the classes, on a pipe of their own. */
        for (int s = 0; s < WRITER_STATES; s++) {
            char name[32];
            snprintf(name, sizeof name, "writer/%d", s);
            last_value = (int64_t)(i * 100 + (size_t)s);
            assert_int_equal(nanostate_app_set_int(writer, name, last_value), 0);
        }
        send_class(f, apps, 2, reader, &cat.classes[i], (int)i);
        frames += cat.classes[i].count;
    }
    printf("# %zu bad frames in %zu classes, each rejected with its reason\n", frames, cat.count);

    for (int i = 0; i < GOOD_FRAMES; i++) {
        assert_int_equal(rawbus_send(f->raw, good[i].frame.data, good[i].frame.size), 0);
        value_wait vw = {reader, good[i].name, good[i].value, good[i].value_len};
        if (rawbus_wait(f->raw, apps, 2, NULL, app_has_value, &vw, WAIT_MS) != 0)
            fail_msg("'%.40s' (a frame of %zu bytes) did not reach the App intact", good[i].name,
                     good[i].frame.size);
    }

    converge c = {writer, reader, ""};
    if (rawbus_wait(f->raw, apps, 2, NULL, tables_equal, &c, WAIT_MS) != 0)
        fail_msg("writer and reader did not converge: %s", c.why);
    nanostate_value v;
    int64_t got;
    assert_int_equal(nanostate_app_get(reader, "writer/2", &v, NULL), 0);
    assert_int_equal(nanostate_value_get_int(&v, &got), 0);
    assert_int_equal(got, last_value);

    /* Alive, and still serving: a new App syncs the whole table. */
    assert_int_equal(testutil_wait_exit(f->hub, 0), -1);
    nanostate_app *late;
    assert_int_equal(nanostate_app_open(&late, "late", f->url), 0);
    f->apps[f->napps++] = late;
    nanostate_app *all[] = {writer, reader, late};
    converge lc = {writer, late, ""};
    if (rawbus_wait(f->raw, all, 3, NULL, tables_equal, &lc, WAIT_MS) != 0)
        fail_msg("a new App did not sync the table (%llu frames rejected by it): %s",
                 (unsigned long long)nanostate_app_stat(late, NANOSTATE_APP_STAT_REJECTED), lc.why);
    assert_int_equal(nanostate_app_stat(reader, NANOSTATE_APP_STAT_REJECTED), 0);

    good_free(good);
    catalogue_free(&cat);
}

/* Isolates the snapshot of a value nested exactly 64 deep: a live update of
 * it is delivered, and so must be a snapshot entry holding it. */
static void test_new_app_syncs_a_table_holding_a_value_nested_64_deep(void **state)
{
    fixture *f = *state;
    unsigned char deep[80];
    size_t n = nested(deep, 64, 0x91);
    nanostate_app *writer = new_app(f, "writer");
    assert_int_equal(nanostate_app_set_packed(writer, "deep/64", deep, n), 0);
    assert_int_equal(nanostate_app_flush(writer, WAIT_MS), 0);

    nanostate_app *late;
    assert_int_equal(nanostate_app_open(&late, "late", f->url), 0);
    f->apps[f->napps++] = late;
    nanostate_app *apps[] = {writer, late};
    value_wait vw = {late, "deep/64", deep, n};
    if (testutil_wait_apps(apps, 2, app_has_value, &vw, WAIT_MS) != 0 ||
        !nanostate_app_is_synced(late))
        fail_msg("the new App did not sync: synced %d, %llu snapshot frames rejected",
                 nanostate_app_is_synced(late),
                 (unsigned long long)nanostate_app_stat(late, NANOSTATE_APP_STAT_REJECTED));
}

static void hub_log_line(void *user, int level, const char *msg)
{
    (void)level;
    snprintf(user, 512, "%s", msg);
}

static void test_hub_engine_returns_the_code_of_each_bad_frame_and_counts_it(void **state)
{
    (void)state;
    catalogue cat = {0};
    good_frame good[GOOD_FRAMES];
    build_catalogue(&cat);
    build_good(good);
    nanostate_hub *hub;
    assert_int_equal(nanostate_hub_create(&hub), 0);
    assert_int_equal(nanostate_hub_set_int_option(hub, NANOSTATE_OPT_MAX_FRAME, MAX_FRAME), 0);
    char last_log[512] = "";
    nanostate_hub_on_log(hub, hub_log_line, last_log);
    uint64_t peer;
    assert_int_equal(nanostate_hub_peer_add(hub, &peer), 0);

    uint64_t rejected = 0;
    for (size_t i = 0; i < cat.count; i++) {
        const bad_class *k = &cat.classes[i];
        for (size_t j = 0; j < k->count; j++) {
            const bad_frame *fr = &k->frames[j];
            last_log[0] = '\0';
            int rc = nanostate_hub_peer_input(hub, peer, fr->data, fr->size);
            if (fr->code == ANY_CODE ? rc == 0 : rc != fr->code)
                fail_msg("%s, frame %zu (%zu bytes): %s, expected %s", k->what, j, fr->size,
                         nanostate_strerror(rc),
                         fr->code == ANY_CODE ? "a rejection" : nanostate_strerror(fr->code));
            if (nanostate_hub_stat(hub, NANOSTATE_HUB_STAT_REJECTED) != ++rejected)
                fail_msg("%s, frame %zu: not counted as rejected", k->what, j);
            if (!strstr(last_log, "rejected frame") ||
                (fr->reason && !strstr(last_log, fr->reason)))
                fail_msg("%s, frame %zu: logged \"%s\", expected a reason with \"%s\"", k->what, j,
                         last_log, fr->reason ? fr->reason : "");
        }
    }
    assert_int_equal(nanostate_hub_stat(hub, NANOSTATE_HUB_STAT_UPDATES), 0);
    assert_int_equal(nanostate_hub_count(hub), 0);

    for (int i = 0; i < GOOD_FRAMES; i++) {
        assert_int_equal(
            nanostate_hub_peer_input(hub, peer, good[i].frame.data, good[i].frame.size), 0);
        nanostate_hub_state st;
        assert_int_equal(nanostate_hub_get(hub, good[i].name, &st), 0);
        assert_int_equal(st.value.size, good[i].value_len);
        assert_memory_equal(st.value.packed, good[i].value, good[i].value_len);
    }
    assert_int_equal(nanostate_hub_stat(hub, NANOSTATE_HUB_STAT_REJECTED), rejected);

    nanostate_hub_close(hub);
    good_free(good);
    catalogue_free(&cat);
}

typedef struct frames_wait {
    nanostate_app *app;
    uint64_t frames; /* until this many frames came in */
} frames_wait;

static int frames_arrived(void *arg)
{
    frames_wait *w = arg;
    return nanostate_app_stat(w->app, NANOSTATE_APP_STAT_FRAMES_IN) >= w->frames;
}

static void test_app_api_returns_documented_codes_for_bad_values_and_names(void **state)
{
    fixture *f = *state;
    nanostate_app *app = new_app(f, "api");
    /* max_frame comes with a heartbeat, the only frame the hub sends to an
     * idle App unasked: wait for one after the sync. */
    frames_wait fw = {app, nanostate_app_stat(app, NANOSTATE_APP_STAT_FRAMES_IN) + 1};
    assert_int_equal(testutil_wait_apps(&app, 1, frames_arrived, &fw, WAIT_MS), 0);

    /* Values: every cut of a valid one, extra bytes, c1, 65 deep. */
    static const unsigned char value[] = {0x82, 0xa1, 'a', 0x93, 0x01, 0x02, 0xcd, 0x01,
                                          0x00, 0xa1, 'b', 0xa4, 't',  'e',  'x',  't'};
    for (size_t cut = 0; cut < sizeof value; cut++)
        assert_int_equal(nanostate_app_set_packed(app, "v/cut", value, cut), NANOSTATE_EVALUE);
    static const unsigned char two[] = {0x01, 0x02};
    assert_int_equal(nanostate_app_set_packed(app, "v/two", two, sizeof two), NANOSTATE_EVALUE);
    assert_int_equal(nanostate_app_set_packed(app, "v/c1", "\xc1", 1), NANOSTATE_EVALUE);
    assert_int_equal(nanostate_app_set_packed(app, "v/null", NULL, 3), NANOSTATE_EVALUE);
    unsigned char deep[80];
    size_t n = nested(deep, 65, 0x91);
    assert_int_equal(nanostate_app_set_packed(app, "v/deep65", deep, n), NANOSTATE_EVALUE);
    n = nested(deep, 64, 0x91);
    assert_int_equal(nanostate_app_set_packed(app, "v/deep64", deep, n), 0);
    assert_int_equal(nanostate_app_set_packed(app, "v/whole", value, sizeof value), 0);

    /* Names, through every kind of setter. */
    char long_name[1026];
    memset(long_name, 'n', 1025);
    long_name[1025] = '\0';
    const char *const bad_names[] = {"",          long_name,       "$x", "$hub/clients", "\xff",
                                     "a\xc0\xaf", "a\xed\xa0\x80", NULL};
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        const char *name = bad_names[i];
        assert_int_equal(nanostate_app_set_packed(app, name, "\x01", 1), NANOSTATE_ENAME);
        assert_int_equal(nanostate_app_set_str(app, name, "x"), NANOSTATE_ENAME);
        assert_int_equal(nanostate_app_set_int(app, name, 1), NANOSTATE_ENAME);
        assert_int_equal(nanostate_app_set_bytes(app, name, "x", 1), NANOSTATE_ENAME);
        assert_int_equal(nanostate_app_remove(app, name), NANOSTATE_ENAME);
    }
    long_name[1024] = '\0';
    assert_int_equal(nanostate_app_set_str(app, long_name, "1024 bytes is fine"), 0);

    /* Sizes: the hub said --max-frame 65536. */
    unsigned char *big = calloc(1, OVERSIZE + 8);
    assert_non_null(big);
    assert_int_equal(nanostate_app_set_bytes(app, "big/over", big, OVERSIZE), NANOSTATE_ETOOBIG);
    assert_int_equal(nanostate_app_set_strn(app, "big/over", (const char *)big, OVERSIZE),
                     NANOSTATE_ETOOBIG);
    big[0] = 0xc6; /* bin32 of OVERSIZE bytes */
    big[1] = 0;
    big[2] = (OVERSIZE >> 16) & 0xff;
    big[3] = (OVERSIZE >> 8) & 0xff;
    big[4] = OVERSIZE & 0xff;
    assert_int_equal(nanostate_app_set_packed(app, "big/over", big, OVERSIZE + 5),
                     NANOSTATE_ETOOBIG);
    assert_int_equal(nanostate_app_set_bytes(app, "big/fits", big, MAX_FRAME / 2), 0);
    free(big);

    /* Only the valid sets happened, and the hub took them all. */
    const char *const refused[] = {"v/cut", "v/two", "v/c1", "v/null", "v/deep65", "big/over"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        nanostate_value v;
        assert_int_equal(nanostate_app_get(app, refused[i], &v, NULL), NANOSTATE_ENOTFOUND);
    }
    assert_int_equal(nanostate_app_count(app), 4);
    assert_int_equal(nanostate_app_flush(app, WAIT_MS), 0);
    size_t count;
    char **lines = rejected_lines(f, 0, &count);
    free_lines(lines, count);
    assert_int_equal(count, 0);
}

#define OVER(test, transport)                                                                      \
    {                                                                                              \
#test "_over_" transport, test, hub_up, hub_down, (void *)transport                        \
    }

int main(void)
{
    const struct CMUnitTest tests[] = {
        OVER(test_bad_frames_are_rejected_logged_and_do_not_stop_valid_traffic, "ipc"),
        OVER(test_bad_frames_are_rejected_logged_and_do_not_stop_valid_traffic, "tcp"),
        OVER(test_new_app_syncs_a_table_holding_a_value_nested_64_deep, "ipc"),
        cmocka_unit_test(test_hub_engine_returns_the_code_of_each_bad_frame_and_counts_it),
        OVER(test_app_api_returns_documented_codes_for_bad_values_and_names, "ipc"),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
