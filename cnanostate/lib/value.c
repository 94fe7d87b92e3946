/* SPDX-License-Identifier: MIT */
/* Public read access to packed values. */
#include "reader.h"

#include <nanostate/nanostate.h>
#include <string.h>

NANOSTATE_EXPORT int nanostate_value_validate(const void *packed, size_t size)
{
    if (!packed || size == 0)
        return NANOSTATE_EVALUE;
    reader r;
    reader_init(&r, packed, size);
    if (reader_skip(&r, NANOSTATE_MAX_DEPTH, NULL, NULL) != 0 || reader_left(&r) != 0)
        return NANOSTATE_EVALUE;
    return 0;
}

static int open_value(const nanostate_value *v, reader *r)
{
    if (!v || !v->packed || v->size == 0)
        return -1;
    reader_init(r, v->packed, v->size);
    return 0;
}

NANOSTATE_EXPORT int nanostate_value_type(const nanostate_value *v)
{
    reader r;
    if (open_value(v, &r) != 0)
        return NANOSTATE_TYPE_INVALID;
    return reader_peek_type(&r);
}

NANOSTATE_EXPORT const char *nanostate_type_name(int type)
{
    static const char *const names[] = {"invalid", "nil", "bool", "int", "uint", "float",
                                        "str", "bin", "array", "map", "ext"};
    if (type < 0 || type > NANOSTATE_TYPE_EXT)
        return "invalid";
    return names[type];
}

/* Maps a failed typed read to ETYPE or, for a number that does not fit, ERANGE. */
static int miss(const nanostate_value *v, int numeric)
{
    int t = nanostate_value_type(v);
    if (numeric && (t == NANOSTATE_TYPE_INT || t == NANOSTATE_TYPE_UINT))
        return NANOSTATE_ERANGE;
    return NANOSTATE_ETYPE;
}

NANOSTATE_EXPORT int nanostate_value_get_bool(const nanostate_value *v, int *out)
{
    reader r;
    if (!out || open_value(v, &r) != 0)
        return NANOSTATE_EINVAL;
    return reader_bool(&r, out) == 0 ? 0 : NANOSTATE_ETYPE;
}

NANOSTATE_EXPORT int nanostate_value_get_int(const nanostate_value *v, int64_t *out)
{
    reader r;
    if (!out || open_value(v, &r) != 0)
        return NANOSTATE_EINVAL;
    return reader_int(&r, out) == 0 ? 0 : miss(v, 1);
}

NANOSTATE_EXPORT int nanostate_value_get_uint(const nanostate_value *v, uint64_t *out)
{
    reader r;
    if (!out || open_value(v, &r) != 0)
        return NANOSTATE_EINVAL;
    return reader_uint(&r, out) == 0 ? 0 : miss(v, 1);
}

NANOSTATE_EXPORT int nanostate_value_get_double(const nanostate_value *v, double *out)
{
    reader r;
    if (!out || open_value(v, &r) != 0)
        return NANOSTATE_EINVAL;
    if (reader_double(&r, out) == 0)
        return 0;
    int64_t i;
    uint64_t u;
    if (reader_int(&r, &i) == 0) {
        *out = (double)i;
        return 0;
    }
    if (reader_uint(&r, &u) == 0) {
        *out = (double)u;
        return 0;
    }
    return NANOSTATE_ETYPE;
}

NANOSTATE_EXPORT int nanostate_value_get_str(const nanostate_value *v, const char **out, size_t *len)
{
    reader r;
    uint32_t n;
    if (!out || !len || open_value(v, &r) != 0)
        return NANOSTATE_EINVAL;
    if (reader_str(&r, out, &n) != 0)
        return NANOSTATE_ETYPE;
    *len = n;
    return 0;
}

NANOSTATE_EXPORT int nanostate_value_get_bytes(const nanostate_value *v, const void **out, size_t *len)
{
    reader r;
    uint32_t n;
    if (!out || !len || open_value(v, &r) != 0)
        return NANOSTATE_EINVAL;
    if (reader_bytes(&r, out, &n) != 0)
        return NANOSTATE_ETYPE;
    *len = n;
    return 0;
}

NANOSTATE_EXPORT int nanostate_value_equal(const nanostate_value *a, const nanostate_value *b)
{
    if (!a || !b)
        return a == b;
    return a->size == b->size && (a->size == 0 || memcmp(a->packed, b->packed, a->size) == 0);
}
