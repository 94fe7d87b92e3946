/* SPDX-License-Identifier: MIT */
/*
 * fuzz_value - values (the input is one packed msgpack value, or garbage).
 *
 * Three readers of msgpack must agree:
 *   - libnanostate: nanostate_value_validate, reader_skip at several depths,
 *     and the typed getters;
 *   - msgpack-c's unpacker (msgpack_unpack_next), which stops at 32 levels;
 *   - walk() below, a plain recursive reading of the msgpack specification
 *     written for this check only.
 * validate must accept exactly what walk() finds well-formed and at most 64
 * deep; msgpack-c must accept exactly what walk() finds well-formed and at
 * most 32 deep; where msgpack-c accepts, every getter must return what
 * msgpack-c decoded, byte for byte. Getters on garbage must stay inside the
 * input.
 */
#include "fuzz.h"

#include "reader.h"

#include <math.h>
#include <msgpack.h>
#include <nanostate/nanostate.h>

/* Deeper than any limit checked here; walk() stops there. */
#define WALK_MAX_DEPTH 100

enum { WALK_OK, WALK_BAD, WALK_TOO_DEEP };

typedef struct walk_state {
    const uint8_t *p, *end;
    int max_depth; /* deepest container nesting seen */
    int overclaim; /* a container claimed more items than bytes remain */
} walk_state;

static uint64_t walk_be(walk_state *w, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | *w->p++;
    return v;
}

/* Heads 0xc4 to 0xdf: bytes of the length, then bytes that follow the head
 * whatever the length (a number, or an ext's type byte), then 1 for an
 * array, 2 for a map. */
static const struct {
    uint8_t lenbytes, fixed, container;
} heads[] = {
    {1, 0, 0}, {2, 0, 0}, {4, 0, 0},                        /* c4-c6 bin */
    {1, 1, 0}, {2, 1, 0}, {4, 1, 0},                        /* c7-c9 ext */
    {0, 4, 0}, {0, 8, 0},                                   /* ca-cb float */
    {0, 1, 0}, {0, 2, 0}, {0, 4, 0}, {0, 8, 0},             /* cc-cf uint */
    {0, 1, 0}, {0, 2, 0}, {0, 4, 0}, {0, 8, 0},             /* d0-d3 int */
    {0, 2, 0}, {0, 3, 0}, {0, 5, 0}, {0, 9, 0}, {0, 17, 0}, /* d4-d8 fixext */
    {1, 0, 0}, {2, 0, 0}, {4, 0, 0},                        /* d9-db str */
    {2, 0, 1}, {4, 0, 1}, {2, 0, 2}, {4, 0, 2},             /* dc-df array, map */
};

/* Reads one object nested at `depth` (0: the top). */
static int walk(walk_state *w, int depth)
{
    if (w->p >= w->end)
        return WALK_BAD;
    uint8_t b = *w->p++;
    size_t left = (size_t)(w->end - w->p);
    uint64_t skip = 0, items = 0;
    int container = 0;
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return WALK_OK;
    if (b == 0xc1)
        return WALK_BAD; /* never used */
    if (b <= 0x8f) {
        container = 2;
        items = b & 0x0f;
    } else if (b <= 0x9f) {
        container = 1;
        items = b & 0x0f;
    } else if (b <= 0xbf) {
        skip = b & 0x1f;
    } else {
        int lenbytes = heads[b - 0xc4].lenbytes;
        container = heads[b - 0xc4].container;
        skip = heads[b - 0xc4].fixed;
        if (left < (size_t)lenbytes)
            return WALK_BAD;
        uint64_t n = walk_be(w, lenbytes);
        left -= (size_t)lenbytes;
        if (container)
            items = n;
        else
            skip += n;
    }
    if (!container) {
        if (skip > left)
            return WALK_BAD;
        w->p += skip;
        return WALK_OK;
    }
    if (depth + 1 > w->max_depth)
        w->max_depth = depth + 1;
    if (depth + 1 > WALK_MAX_DEPTH)
        return WALK_TOO_DEEP;
    items *= (uint64_t)container;
    if (items > left) {
        w->overclaim = 1;
        return WALK_BAD;
    }
    for (uint64_t i = 0; i < items; i++) {
        int rc = walk(w, depth + 1);
        if (rc != WALK_OK)
            return rc;
    }
    return WALK_OK;
}

/* --- getters against msgpack-c --------------------------------------------- */

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* The same bytes of the input (where an empty one points does not matter). */
static int same_span(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || a == b);
}

static void check_getters_match(const nanostate_value *v, const msgpack_object *o)
{
    int type = nanostate_value_type(v);
    int b;
    int64_t i;
    uint64_t u;
    double d;
    const char *s;
    const void *bytes;
    size_t len;
    int rb = nanostate_value_get_bool(v, &b);
    int ri = nanostate_value_get_int(v, &i);
    int ru = nanostate_value_get_uint(v, &u);
    int rd = nanostate_value_get_double(v, &d);
    int rs = nanostate_value_get_str(v, &s, &len);
    size_t slen = len;
    int ry = nanostate_value_get_bytes(v, &bytes, &len);
    size_t ylen = len;

    switch (o->type) {
    case MSGPACK_OBJECT_NIL: FUZZ_CHECK(type == NANOSTATE_TYPE_NIL, "type %d", type); break;
    case MSGPACK_OBJECT_BOOLEAN:
        FUZZ_CHECK(type == NANOSTATE_TYPE_BOOL, "type %d", type);
        FUZZ_CHECK(rb == 0 && b == o->via.boolean, "get_bool");
        break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        /* A non-negative number in a signed encoding (d0 05) is typed INT by
         * nanostate_value_type although it is no negative integer; the
         * getters read it as the number it is. */
        FUZZ_CHECK(type == NANOSTATE_TYPE_UINT || type == NANOSTATE_TYPE_INT, "type %d", type);
        FUZZ_CHECK(ru == 0 && u == o->via.u64, "get_uint");
        if (o->via.u64 <= INT64_MAX)
            FUZZ_CHECK(ri == 0 && (uint64_t)i == o->via.u64, "get_int");
        else
            FUZZ_CHECK(ri == NANOSTATE_ERANGE, "get_int of a big uint: %d", ri);
        FUZZ_CHECK(rd == 0 && same_double(d, (double)o->via.u64), "get_double of a uint");
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        FUZZ_CHECK(type == NANOSTATE_TYPE_INT, "type %d", type);
        FUZZ_CHECK(ri == 0 && i == o->via.i64, "get_int");
        FUZZ_CHECK(ru == NANOSTATE_ERANGE, "get_uint of a negative int: %d", ru);
        FUZZ_CHECK(rd == 0 && same_double(d, (double)o->via.i64), "get_double of an int");
        break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        FUZZ_CHECK(type == NANOSTATE_TYPE_FLOAT, "type %d", type);
        FUZZ_CHECK(rd == 0 && same_double(d, o->via.f64), "get_double");
        break;
    case MSGPACK_OBJECT_STR:
        FUZZ_CHECK(type == NANOSTATE_TYPE_STR, "type %d", type);
        FUZZ_CHECK(rs == 0 && same_span(s, slen, o->via.str.ptr, o->via.str.size), "get_str");
        FUZZ_CHECK(ry == 0 && same_span(bytes, ylen, o->via.str.ptr, o->via.str.size), "get_bytes");
        break;
    case MSGPACK_OBJECT_BIN:
        FUZZ_CHECK(type == NANOSTATE_TYPE_BIN, "type %d", type);
        FUZZ_CHECK(ry == 0 && same_span(bytes, ylen, o->via.bin.ptr, o->via.bin.size), "get_bytes");
        break;
    case MSGPACK_OBJECT_EXT: FUZZ_CHECK(type == NANOSTATE_TYPE_EXT, "type %d", type); break;
    case MSGPACK_OBJECT_ARRAY: FUZZ_CHECK(type == NANOSTATE_TYPE_ARRAY, "type %d", type); break;
    case MSGPACK_OBJECT_MAP: FUZZ_CHECK(type == NANOSTATE_TYPE_MAP, "type %d", type); break;
    }
    /* Everything that is not of the getter's type is ETYPE. */
    int number =
        o->type == MSGPACK_OBJECT_POSITIVE_INTEGER || o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
    if (o->type != MSGPACK_OBJECT_BOOLEAN)
        FUZZ_CHECK(rb == NANOSTATE_ETYPE, "get_bool: %d", rb);
    if (!number) {
        FUZZ_CHECK(ri == NANOSTATE_ETYPE, "get_int: %d", ri);
        FUZZ_CHECK(ru == NANOSTATE_ETYPE, "get_uint: %d", ru);
    }
    if (!number && o->type != MSGPACK_OBJECT_FLOAT32 && o->type != MSGPACK_OBJECT_FLOAT64)
        FUZZ_CHECK(rd == NANOSTATE_ETYPE, "get_double: %d", rd);
    if (o->type != MSGPACK_OBJECT_STR)
        FUZZ_CHECK(rs == NANOSTATE_ETYPE, "get_str: %d", rs);
    if (o->type != MSGPACK_OBJECT_STR && o->type != MSGPACK_OBJECT_BIN)
        FUZZ_CHECK(ry == NANOSTATE_ETYPE, "get_bytes: %d", ry);
}

/* On any bytes: the getters may fail, but what they return lies inside. */
static void check_getters_inside(const nanostate_value *v)
{
    int b;
    int64_t i;
    uint64_t u;
    double d;
    const char *s;
    const void *bytes;
    size_t len;
    FUZZ_CHECK(nanostate_value_type(v) <= NANOSTATE_TYPE_EXT, "type out of range");
    (void)nanostate_value_get_bool(v, &b);
    (void)nanostate_value_get_int(v, &i);
    (void)nanostate_value_get_uint(v, &u);
    (void)nanostate_value_get_double(v, &d);
    if (nanostate_value_get_str(v, &s, &len) == 0)
        FUZZ_CHECK(fuzz_inside(s, len, v->packed, v->size), "get_str outside the value");
    if (nanostate_value_get_bytes(v, &bytes, &len) == 0)
        FUZZ_CHECK(fuzz_inside(bytes, len, v->packed, v->size), "get_bytes outside the value");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The first object alone (reader_skip), then the whole input. */
    walk_state w = {data, data + size, 0, 0};
    int first = walk(&w, 0);
    size_t first_len = (size_t)(w.p - data);
    int whole_ok = first == WALK_OK && first_len == size;

    static const int depths[] = {0, 1, 2, 31, 32, 33, 63, 64, 65, 66, 1000};
    for (size_t k = 0; k < sizeof depths / sizeof *depths; k++) {
        int limit = depths[k] > NANOSTATE_MAX_DEPTH + 1 ? NANOSTATE_MAX_DEPTH + 1 : depths[k];
        reader r;
        reader_init(&r, data, size);
        const uint8_t *span = NULL;
        size_t span_len = 0;
        int rc = reader_skip(&r, depths[k], &span, &span_len);
        int want = first == WALK_OK && w.max_depth <= limit;
        FUZZ_CHECK((rc == 0) == want, "reader_skip(depth %d) = %d, walk: %d, depth %d", depths[k],
                   rc, first, w.max_depth);
        if (rc == 0)
            FUZZ_CHECK(span == data && span_len == first_len && r.p == data + first_len,
                       "reader_skip span");
        else
            FUZZ_CHECK(r.p == data, "a failed reader_skip moved the cursor");
    }

    int valid = nanostate_value_validate(data, size) == 0;
    FUZZ_CHECK(valid == (whole_ok && w.max_depth <= NANOSTATE_MAX_DEPTH),
               "validate says %d, walk: %d, depth %d, %zu of %zu bytes", valid, first, w.max_depth,
               first_len, size);

    nanostate_value v = {data, size};
    check_getters_inside(&v);

    /* msgpack-c allocates what a container header claims before reading its
     * items: skip it where walk() found a claim larger than the input. */
    if (w.overclaim && !whole_ok)
        return 0;
    msgpack_unpacked unpacked;
    msgpack_unpacked_init(&unpacked);
    size_t offset = 0;
    msgpack_unpack_return rc = msgpack_unpack_next(&unpacked, (const char *)data, size, &offset);
    int mp_ok = rc == MSGPACK_UNPACK_SUCCESS && offset == size;
    FUZZ_CHECK(mp_ok == (whole_ok && w.max_depth <= 32),
               "msgpack-c says %d (offset %zu), walk: %d, depth %d, %zu of %zu bytes", (int)rc,
               offset, first, w.max_depth, first_len, size);
    if (mp_ok)
        check_getters_match(&v, &unpacked.data);
    msgpack_unpacked_destroy(&unpacked);
    return 0;
}
