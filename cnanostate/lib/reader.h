/* SPDX-License-Identifier: MIT */
/*
 * reader.h - a bounds-checked, zero-copy msgpack cursor.
 *
 * msgpack-c packs our frames, but its C unpacker builds an object tree in a
 * zone and stops at 32 levels of nesting; the protocol allows 64 and the hub
 * only needs to find the fields of a frame and the byte span of a value.
 * This cursor reads in place, never allocates, and checks every declared
 * length against the bytes that remain.
 */
#ifndef NANOSTATE_READER_H
#define NANOSTATE_READER_H

#include <stddef.h>
#include <stdint.h>

typedef struct reader {
    const uint8_t *p;   /* next byte */
    const uint8_t *end; /* one past the last byte */
} reader;

static inline void reader_init(reader *r, const void *data, size_t size)
{
    r->p = (const uint8_t *)data;
    r->end = r->p + size;
}

static inline size_t reader_left(const reader *r) { return (size_t)(r->end - r->p); }

/* Each returns 0, or -1 when the next object is not of that kind or is
 * truncated; on -1 the cursor has not moved. */
int reader_array(reader *r, uint32_t *count);
int reader_map(reader *r, uint32_t *count);
int reader_str(reader *r, const char **s, uint32_t *len);
/* bin, or str: the original Apps send text as either. */
int reader_bytes(reader *r, const void **data, uint32_t *len);
int reader_uint(reader *r, uint64_t *v);
int reader_int(reader *r, int64_t *v);
int reader_bool(reader *r, int *v);
int reader_nil(reader *r);
int reader_double(reader *r, double *v);
int reader_ext(reader *r, int8_t *type, const void **data, uint32_t *len);

/* Skips one object and everything nested in it, refusing nesting deeper than
 * max_depth (0: scalars only). Stores the object's span when span != NULL. */
int reader_skip(reader *r, int max_depth, const uint8_t **span, size_t *span_len);

/* NANOSTATE_TYPE_* of the next object without moving, INVALID at the end. */
int reader_peek_type(const reader *r);

#endif
