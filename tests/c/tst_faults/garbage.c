/* SPDX-License-Identifier: MIT */
/* garbage.c - invalid frames by construction, packed into a caller's buffer. */
#include "garbage.h"

#include <msgpack.h>
#include <string.h>

#define SENDER "fuzzer"
#define SESSION 0x0badf00d0badf00dull
#define RANDOM_MAX_LEN 128
#define TYPE_TEMPLATES 9
#define LENGTH_TEMPLATES 6

/* A msgpack packer writing into a fixed buffer (no allocation per frame). */
typedef struct out {
    unsigned char *buf;
    size_t len;
} out;

static int out_write(void *data, const char *bytes, size_t n)
{
    out *o = data;
    if (o->len + n > GARBAGE_MAX)
        return -1;
    memcpy(o->buf + o->len, bytes, n);
    o->len += n;
    return 0;
}

static void raw(out *o, const void *bytes, size_t n) { out_write(o, bytes, n); }

static void str(msgpack_packer *pk, const char *s) { msgpack_pack_str_with_body(pk, s, strlen(s)); }

static uint32_t next_random(garbage *g)
{
    uint32_t x = g->seed; /* xorshift32 */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return g->seed = x;
}

void garbage_init(garbage *g, uint32_t seed)
{
    memset(g, 0, sizeof *g);
    g->seed = seed ? seed : 1;
}

const char *garbage_kind_name(int kind)
{
    static const char *const names[GARBAGE_KINDS] = {
        "random bytes", "non-str sender", "truncated SET", "wrong types", "huge lengths"};
    return kind >= 0 && kind < GARBAGE_KINDS ? names[kind] : "?";
}

static int starts_array(unsigned char b) { return (b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd; }

static int starts_str(unsigned char b)
{
    return (b & 0xe0) == 0xa0 || b == 0xd9 || b == 0xda || b == 0xdb;
}

static void random_tail(garbage *g, out *o, size_t max)
{
    size_t len = next_random(g) % (max + 1);
    for (size_t i = 0; i < len && o->len < GARBAGE_MAX; i++)
        o->buf[o->len++] = (unsigned char)next_random(g);
}

static void make_random(garbage *g, out *o)
{
    o->buf[o->len++] = 0; /* replaced below */
    random_tail(g, o, RANDOM_MAX_LEN - 1);
    unsigned char first = (unsigned char)next_random(g);
    o->buf[0] = starts_array(first) ? 0xc1 : first;
}

static void make_sender(garbage *g, out *o)
{
    o->buf[o->len++] = (unsigned char)(0x93 + next_random(g) % 13); /* 3 to 15 elements */
    unsigned char first = (unsigned char)next_random(g);
    o->buf[o->len++] = starts_str(first) ? 0xc0 : first;
    random_tail(g, o, RANDOM_MAX_LEN - 2);
}

/* [sender, name, value, op, session, aseq] as an App sends a SET. */
static void pack_set(msgpack_packer *pk, garbage *g)
{
    char name[32];
    memcpy(name, "garbage/", 8);
    size_t len = 8 + next_random(g) % 16;
    for (size_t i = 8; i < len; i++)
        name[i] = (char)('a' + next_random(g) % 26);
    msgpack_pack_array(pk, 6);
    str(pk, SENDER);
    msgpack_pack_str_with_body(pk, name, len);
    msgpack_pack_int64(pk, (int64_t)next_random(g) - 0x7fffffff);
    msgpack_pack_uint8(pk, 1);
    msgpack_pack_uint64(pk, SESSION);
    msgpack_pack_uint32(pk, next_random(g));
}

static void make_truncated(garbage *g, out *o, msgpack_packer *pk)
{
    pack_set(pk, g);
    o->len = next_random(g) % o->len; /* a strict prefix, maybe empty */
}

static void make_types(garbage *g, msgpack_packer *pk)
{
    int which = (int)(next_random(g) % TYPE_TEMPLATES);
    if (which == 8) { /* a map, not an array */
        msgpack_pack_map(pk, 1);
        str(pk, "sender");
        str(pk, SENDER);
        return;
    }
    msgpack_pack_array(pk, which < 2 || which >= 6 ? 3 : 6);
    if (which == 0)
        msgpack_pack_int(pk, 42); /* sender */
    else
        str(pk, SENDER);
    if (which == 1)
        msgpack_pack_int(pk, 42); /* name */
    else
        str(pk, which == 6 ? "" : which == 7 ? "$hub/rejected" : "garbage/typed");
    msgpack_pack_int(pk, 1);
    if (which >= 2 && which <= 5) {
        if (which == 2)
            str(pk, "set"); /* op */
        else
            msgpack_pack_uint8(pk, which == 5 ? 200 : 1);
        if (which == 3)
            str(pk, "session");
        else
            msgpack_pack_uint64(pk, SESSION);
        msgpack_pack_int(pk, which == 4 ? -1 : 1); /* aseq */
    }
}

static void make_lengths(garbage *g, out *o, msgpack_packer *pk)
{
    static const unsigned char array32[] = {0xdd, 0xff, 0xff, 0xff, 0xff};
    static const unsigned char str32[] = {0xdb, 0x7f, 0xff, 0xff, 0xff, 'a', 'b'};
    static const unsigned char bin32[] = {0xc6, 0xff, 0xff, 0xff, 0xf0, 1, 2, 3, 4};
    static const unsigned char map32[] = {0xdf, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02};
    static const unsigned char ext32[] = {0xc9, 0x7f, 0xff, 0xff, 0xff, 0x05, 0x00};
    int which = (int)(next_random(g) % LENGTH_TEMPLATES);
    if (which == 0) {
        raw(o, array32, sizeof array32);
        str(pk, SENDER);
        return;
    }
    msgpack_pack_array(pk, 3);
    if (which == 1) {
        raw(o, str32, sizeof str32); /* the sender */
        return;
    }
    str(pk, SENDER);
    if (which == 2) {
        raw(o, str32, sizeof str32); /* the name */
        return;
    }
    str(pk, "garbage/long");
    const unsigned char *value = which == 3 ? bin32 : which == 4 ? map32 : ext32;
    raw(o, value, which == 3 ? sizeof bin32 : which == 4 ? sizeof map32 : sizeof ext32);
}

size_t garbage_next(garbage *g, unsigned char *buf)
{
    uint64_t total = 0;
    for (int k = 0; k < GARBAGE_KINDS; k++)
        total += g->made[k];
    int kind = (int)(total % GARBAGE_KINDS);
    out o = {buf, 0};
    msgpack_packer pk;
    msgpack_packer_init(&pk, &o, out_write);
    switch (kind) {
    case GARBAGE_RANDOM: make_random(g, &o); break;
    case GARBAGE_SENDER: make_sender(g, &o); break;
    case GARBAGE_TRUNCATED: make_truncated(g, &o, &pk); break;
    case GARBAGE_TYPES: make_types(g, &pk); break;
    default: make_lengths(g, &o, &pk); break;
    }
    g->made[kind]++;
    return o.len;
}
