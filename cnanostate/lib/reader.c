/* SPDX-License-Identifier: MIT */
#include "reader.h"

#include <nanostate/nanostate.h>
#include <string.h>

static uint64_t load_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Decodes the head of the next object without moving: its type, the length
 * of the head, and the payload length (bytes for str/bin/ext, items for
 * array/map; for scalars the bytes after the head). */
typedef struct head {
    int type;
    size_t head_len;
    uint64_t n;
    int8_t ext_type;
    uint8_t first;
} head;

static int read_head(const reader *r, head *h)
{
    size_t left = reader_left(r);
    if (left == 0)
        return -1;
    uint8_t b = r->p[0];
    h->first = b;
    h->n = 0;
    h->head_len = 1;
    h->ext_type = 0;
    int lenbytes = 0;
    if (b <= 0x7f) {
        h->type = NANOSTATE_TYPE_UINT;
        return 0;
    }
    if (b >= 0xe0) {
        h->type = NANOSTATE_TYPE_INT;
        return 0;
    }
    if ((b & 0xf0) == 0x80) {
        h->type = NANOSTATE_TYPE_MAP;
        h->n = b & 0x0f;
        return 0;
    }
    if ((b & 0xf0) == 0x90) {
        h->type = NANOSTATE_TYPE_ARRAY;
        h->n = b & 0x0f;
        return 0;
    }
    if ((b & 0xe0) == 0xa0) {
        h->type = NANOSTATE_TYPE_STR;
        h->n = b & 0x1f;
        return 0;
    }
    switch (b) {
    case 0xc0: h->type = NANOSTATE_TYPE_NIL; return 0;
    case 0xc2:
    case 0xc3: h->type = NANOSTATE_TYPE_BOOL; return 0;
    case 0xc4: h->type = NANOSTATE_TYPE_BIN; lenbytes = 1; break;
    case 0xc5: h->type = NANOSTATE_TYPE_BIN; lenbytes = 2; break;
    case 0xc6: h->type = NANOSTATE_TYPE_BIN; lenbytes = 4; break;
    case 0xc7: h->type = NANOSTATE_TYPE_EXT; lenbytes = 1; break;
    case 0xc8: h->type = NANOSTATE_TYPE_EXT; lenbytes = 2; break;
    case 0xc9: h->type = NANOSTATE_TYPE_EXT; lenbytes = 4; break;
    case 0xca: h->type = NANOSTATE_TYPE_FLOAT; h->n = 4; return left >= 5 ? 0 : -1;
    case 0xcb: h->type = NANOSTATE_TYPE_FLOAT; h->n = 8; return left >= 9 ? 0 : -1;
    case 0xcc: h->type = NANOSTATE_TYPE_UINT; h->n = 1; return left >= 2 ? 0 : -1;
    case 0xcd: h->type = NANOSTATE_TYPE_UINT; h->n = 2; return left >= 3 ? 0 : -1;
    case 0xce: h->type = NANOSTATE_TYPE_UINT; h->n = 4; return left >= 5 ? 0 : -1;
    case 0xcf: h->type = NANOSTATE_TYPE_UINT; h->n = 8; return left >= 9 ? 0 : -1;
    case 0xd0: h->type = NANOSTATE_TYPE_INT; h->n = 1; return left >= 2 ? 0 : -1;
    case 0xd1: h->type = NANOSTATE_TYPE_INT; h->n = 2; return left >= 3 ? 0 : -1;
    case 0xd2: h->type = NANOSTATE_TYPE_INT; h->n = 4; return left >= 5 ? 0 : -1;
    case 0xd3: h->type = NANOSTATE_TYPE_INT; h->n = 8; return left >= 9 ? 0 : -1;
    case 0xd4: h->type = NANOSTATE_TYPE_EXT; h->n = 1; h->head_len = 2; break;
    case 0xd5: h->type = NANOSTATE_TYPE_EXT; h->n = 2; h->head_len = 2; break;
    case 0xd6: h->type = NANOSTATE_TYPE_EXT; h->n = 4; h->head_len = 2; break;
    case 0xd7: h->type = NANOSTATE_TYPE_EXT; h->n = 8; h->head_len = 2; break;
    case 0xd8: h->type = NANOSTATE_TYPE_EXT; h->n = 16; h->head_len = 2; break;
    case 0xd9: h->type = NANOSTATE_TYPE_STR; lenbytes = 1; break;
    case 0xda: h->type = NANOSTATE_TYPE_STR; lenbytes = 2; break;
    case 0xdb: h->type = NANOSTATE_TYPE_STR; lenbytes = 4; break;
    case 0xdc: h->type = NANOSTATE_TYPE_ARRAY; lenbytes = 2; break;
    case 0xdd: h->type = NANOSTATE_TYPE_ARRAY; lenbytes = 4; break;
    case 0xde: h->type = NANOSTATE_TYPE_MAP; lenbytes = 2; break;
    case 0xdf: h->type = NANOSTATE_TYPE_MAP; lenbytes = 4; break;
    default: return -1; /* 0xc1 is never used */
    }
    if (h->type == NANOSTATE_TYPE_EXT && lenbytes == 0) {
        if (left < 2)
            return -1;
        h->ext_type = (int8_t)r->p[1];
        return 0;
    }
    if (left < 1 + (size_t)lenbytes)
        return -1;
    h->n = load_be(r->p + 1, lenbytes);
    h->head_len = 1 + lenbytes;
    if (h->type == NANOSTATE_TYPE_EXT) {
        if (left < h->head_len + 1)
            return -1;
        h->ext_type = (int8_t)r->p[h->head_len];
        h->head_len += 1;
    }
    return 0;
}

/* Bytes the payload occupies after the head (0 for containers). */
static uint64_t payload_bytes(const head *h)
{
    switch (h->type) {
    case NANOSTATE_TYPE_STR:
    case NANOSTATE_TYPE_BIN:
    case NANOSTATE_TYPE_EXT:
    case NANOSTATE_TYPE_FLOAT:
        return h->n;
    case NANOSTATE_TYPE_UINT:
    case NANOSTATE_TYPE_INT:
        return h->first <= 0x7f || h->first >= 0xe0 ? 0 : h->n;
    default:
        return 0;
    }
}

/* Reads a head of the wanted type whose payload is complete. */
static int take(reader *r, int type, head *h)
{
    if (read_head(r, h) != 0 || h->type != type)
        return -1;
    uint64_t need = payload_bytes(h);
    if (need > reader_left(r) - h->head_len)
        return -1;
    return 0;
}

int reader_array(reader *r, uint32_t *count)
{
    head h;
    if (take(r, NANOSTATE_TYPE_ARRAY, &h) != 0)
        return -1;
    r->p += h.head_len;
    *count = (uint32_t)h.n;
    return 0;
}

int reader_map(reader *r, uint32_t *count)
{
    head h;
    if (take(r, NANOSTATE_TYPE_MAP, &h) != 0)
        return -1;
    r->p += h.head_len;
    *count = (uint32_t)h.n;
    return 0;
}

int reader_str(reader *r, const char **s, uint32_t *len)
{
    head h;
    if (take(r, NANOSTATE_TYPE_STR, &h) != 0)
        return -1;
    *s = (const char *)r->p + h.head_len;
    *len = (uint32_t)h.n;
    r->p += h.head_len + h.n;
    return 0;
}

int reader_bytes(reader *r, const void **data, uint32_t *len)
{
    head h;
    if (read_head(r, &h) != 0 || (h.type != NANOSTATE_TYPE_BIN && h.type != NANOSTATE_TYPE_STR))
        return -1;
    if (h.n > reader_left(r) - h.head_len)
        return -1;
    *data = r->p + h.head_len;
    *len = (uint32_t)h.n;
    r->p += h.head_len + h.n;
    return 0;
}

int reader_uint(reader *r, uint64_t *v)
{
    int64_t s;
    head h;
    if (read_head(r, &h) != 0)
        return -1;
    if (h.type == NANOSTATE_TYPE_UINT) {
        if (take(r, NANOSTATE_TYPE_UINT, &h) != 0)
            return -1;
        *v = h.first <= 0x7f ? h.first : load_be(r->p + 1, (int)h.n);
        r->p += h.first <= 0x7f ? 1 : 1 + h.n;
        return 0;
    }
    /* A signed encoding of a non-negative number is still a uint. */
    reader save = *r;
    if (reader_int(r, &s) != 0 || s < 0) {
        *r = save;
        return -1;
    }
    *v = (uint64_t)s;
    return 0;
}

int reader_int(reader *r, int64_t *v)
{
    head h;
    if (read_head(r, &h) != 0)
        return -1;
    if (h.type == NANOSTATE_TYPE_UINT) {
        uint64_t u;
        reader save = *r;
        if (reader_uint(r, &u) != 0 || u > INT64_MAX) {
            *r = save;
            return -1;
        }
        *v = (int64_t)u;
        return 0;
    }
    if (take(r, NANOSTATE_TYPE_INT, &h) != 0)
        return -1;
    if (h.first >= 0xe0) {
        *v = (int8_t)h.first;
        r->p += 1;
        return 0;
    }
    uint64_t raw = load_be(r->p + 1, (int)h.n);
    switch (h.n) {
    case 1: *v = (int8_t)raw; break;
    case 2: *v = (int16_t)raw; break;
    case 4: *v = (int32_t)raw; break;
    default: *v = (int64_t)raw; break;
    }
    r->p += 1 + h.n;
    return 0;
}

int reader_bool(reader *r, int *v)
{
    head h;
    if (take(r, NANOSTATE_TYPE_BOOL, &h) != 0)
        return -1;
    *v = h.first == 0xc3;
    r->p += 1;
    return 0;
}

int reader_nil(reader *r)
{
    head h;
    if (take(r, NANOSTATE_TYPE_NIL, &h) != 0)
        return -1;
    r->p += 1;
    return 0;
}

int reader_double(reader *r, double *v)
{
    head h;
    if (take(r, NANOSTATE_TYPE_FLOAT, &h) != 0)
        return -1;
    uint64_t raw = load_be(r->p + 1, (int)h.n);
    if (h.n == 4) {
        uint32_t bits = (uint32_t)raw;
        float f;
        memcpy(&f, &bits, sizeof f);
        *v = f;
    } else {
        memcpy(v, &raw, sizeof *v);
    }
    r->p += 1 + h.n;
    return 0;
}

int reader_ext(reader *r, int8_t *type, const void **data, uint32_t *len)
{
    head h;
    if (take(r, NANOSTATE_TYPE_EXT, &h) != 0)
        return -1;
    *type = h.ext_type;
    *data = r->p + h.head_len;
    *len = (uint32_t)h.n;
    r->p += h.head_len + h.n;
    return 0;
}

int reader_skip(reader *r, int max_depth, const uint8_t **span, size_t *span_len)
{
    /* pending[d]: objects still to read at nesting level d. Each object takes
     * at least one byte, so a count larger than the bytes left is refused
     * before it can make us loop. */
    uint64_t pending[NANOSTATE_MAX_DEPTH + 2];
    int depth = 0;
    const uint8_t *start = r->p;
    const uint8_t *p = r->p;
    /* +1: a value of the deepest allowed nesting inside a snapshot entry. */
    if (max_depth > NANOSTATE_MAX_DEPTH + 1)
        max_depth = NANOSTATE_MAX_DEPTH + 1;
    pending[0] = 1;
    while (depth >= 0) {
        if (pending[depth] == 0) {
            depth--;
            continue;
        }
        pending[depth]--;
        reader at = {p, r->end};
        head h;
        if (read_head(&at, &h) != 0)
            return -1;
        size_t left = (size_t)(r->end - p) - h.head_len;
        if (h.type == NANOSTATE_TYPE_ARRAY || h.type == NANOSTATE_TYPE_MAP) {
            uint64_t items = h.type == NANOSTATE_TYPE_MAP ? h.n * 2 : h.n;
            if (items > left)
                return -1;
            if (depth + 1 > max_depth)
                return -1;
            p += h.head_len;
            if (items == 0)
                continue;
            pending[++depth] = items;
            continue;
        }
        uint64_t need = payload_bytes(&h);
        if (need > left)
            return -1;
        p += h.head_len + need;
    }
    r->p = p;
    if (span) {
        *span = start;
        *span_len = (size_t)(p - start);
    }
    return 0;
}

int reader_peek_type(const reader *r)
{
    head h;
    if (read_head(r, &h) != 0)
        return NANOSTATE_TYPE_INVALID;
    return h.type;
}
