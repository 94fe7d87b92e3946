/* SPDX-License-Identifier: MIT */
#include "json_value.h"

#include "base64.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_error(json_value_error *err, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(err->text, sizeof err->text, format, args);
    va_end(args);
}

/* ======================================================================== */
/* JSON -> msgpack                                                          */
/* ======================================================================== */

static int pack_any(const json_t *json, msgpack_packer *packer, json_value_error *err);

static int decode_base64_member(const json_t *object, unsigned char **bytes, size_t *len,
                                json_value_error *err)
{
    const json_t *text = json_object_get(object, "base64");
    if (!json_is_string(text) ||
        base64_decode(json_string_value(text), json_string_length(text), bytes, len) != 0) {
        set_error(err, "\"base64\" must hold a base64 string");
        return -1;
    }
    return 0;
}

/* {"base64": "..."} -> bin */
static int pack_bin_object(const json_t *object, msgpack_packer *packer, json_value_error *err)
{
    unsigned char *bytes;
    size_t len;
    if (decode_base64_member(object, &bytes, &len, err) != 0)
        return -1;
    int rc = msgpack_pack_bin_with_body(packer, bytes, len);
    free(bytes);
    return rc;
}

/* {"ext": TYPE, "base64": "..."} -> ext */
static int pack_ext_object(const json_t *object, msgpack_packer *packer, json_value_error *err)
{
    const json_t *type = json_object_get(object, "ext");
    if (!json_is_integer(type) || json_integer_value(type) < INT8_MIN ||
        json_integer_value(type) > INT8_MAX) {
        set_error(err, "\"ext\" must hold an integer from -128 to 127");
        return -1;
    }
    unsigned char *bytes;
    size_t len;
    if (decode_base64_member(object, &bytes, &len, err) != 0)
        return -1;
    int rc = msgpack_pack_ext_with_body(packer, bytes, len, (int8_t)json_integer_value(type));
    free(bytes);
    return rc;
}

static int is_bin_object(const json_t *object)
{
    return json_object_size(object) == 1 && json_object_get(object, "base64");
}

static int is_ext_object(const json_t *object)
{
    return json_object_size(object) == 2 && json_object_get(object, "ext") &&
           json_object_get(object, "base64");
}

static int pack_object(const json_t *object, msgpack_packer *packer, json_value_error *err)
{
    if (is_bin_object(object))
        return pack_bin_object(object, packer, err);
    if (is_ext_object(object))
        return pack_ext_object(object, packer, err);
    if (msgpack_pack_map(packer, json_object_size(object)) != 0)
        return -1;
    const char *key;
    size_t key_len;
    json_t *member;
    json_object_keylen_foreach((json_t *)object, key, key_len, member)
    {
        if (msgpack_pack_str_with_body(packer, key, key_len) != 0 ||
            pack_any(member, packer, err) != 0)
            return -1;
    }
    return 0;
}

static int pack_array(const json_t *array, msgpack_packer *packer, json_value_error *err)
{
    if (msgpack_pack_array(packer, json_array_size(array)) != 0)
        return -1;
    size_t index;
    json_t *element;
    json_array_foreach(array, index, element)
    {
        if (pack_any(element, packer, err) != 0)
            return -1;
    }
    return 0;
}

static int pack_any(const json_t *json, msgpack_packer *packer, json_value_error *err)
{
    switch (json_typeof(json)) {
    case JSON_OBJECT: return pack_object(json, packer, err);
    case JSON_ARRAY: return pack_array(json, packer, err);
    case JSON_STRING:
        return msgpack_pack_str_with_body(packer, json_string_value(json),
                                          json_string_length(json));
    case JSON_INTEGER: return msgpack_pack_int64(packer, json_integer_value(json));
    case JSON_REAL: return msgpack_pack_double(packer, json_real_value(json));
    case JSON_TRUE: return msgpack_pack_true(packer);
    case JSON_FALSE: return msgpack_pack_false(packer);
    case JSON_NULL: return msgpack_pack_nil(packer);
    }
    set_error(err, "unknown JSON type");
    return -1;
}

int json_value_pack(const json_t *json, msgpack_packer *packer, json_value_error *err)
{
    set_error(err, "out of memory");
    return pack_any(json, packer, err) == 0 ? 0 : -1;
}

int json_value_parse(const char *text, size_t len, msgpack_sbuffer *out, json_value_error *err)
{
    json_error_t parse_error;
    json_t *json = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &parse_error);
    if (!json) {
        set_error(err, "%s (line %d, column %d, position %d)", parse_error.text, parse_error.line,
                  parse_error.column, parse_error.position);
        return -1;
    }
    msgpack_packer packer;
    msgpack_packer_init(&packer, out, msgpack_sbuffer_write);
    int rc = json_value_pack(json, &packer, err);
    json_decref(json);
    return rc;
}

/* ======================================================================== */
/* msgpack -> JSON                                                          */
/* ======================================================================== */

static json_t *json_from_object(const msgpack_object *object);

static json_t *base64_string(const void *data, size_t len)
{
    char *text = base64_encode(data, len);
    json_t *json = text ? json_string(text) : NULL;
    free(text);
    return json;
}

static json_t *bin_object(const void *data, size_t len)
{
    json_t *base64 = base64_string(data, len);
    return base64 ? json_pack("{s:o}", "base64", base64) : NULL;
}

static json_t *ext_object(const msgpack_object_ext *ext)
{
    json_t *base64 = base64_string(ext->ptr, ext->size);
    return base64 ? json_pack("{s:i,s:o}", "ext", (int)ext->type, "base64", base64) : NULL;
}

static json_t *json_from_str(const msgpack_object_str *str)
{
    /* msgpack-c leaves ptr NULL for "", which jansson refuses. */
    json_t *json = str->size ? json_stringn(str->ptr, str->size) : json_string("");
    return json ? json : bin_object(str->ptr, str->size); /* not UTF-8 */
}

static json_t *json_from_uint(uint64_t value)
{
    if (value <= INT64_MAX)
        return json_integer((json_int_t)value);
    char digits[24];
    snprintf(digits, sizeof digits, "%" PRIu64, value);
    return json_string(digits);
}

static json_t *json_from_double(double value)
{
    return isfinite(value) ? json_real(value) : json_null();
}

/* msgpack-c widens float32 to double: 0.7f arrives as 0.699999988079071.
 * Take the shortest decimal that reads back as the same float instead. */
static json_t *json_from_float32(double widened)
{
    float value = (float)widened;
    if (!isfinite(value))
        return json_null();
    char text[32];
    for (int precision = 1; precision <= 9; precision++) {
        snprintf(text, sizeof text, "%.*g", precision, widened);
        if (strtof(text, NULL) == value)
            break;
    }
    return json_real(strtod(text, NULL));
}

static json_t *json_from_array(const msgpack_object_array *array)
{
    json_t *json = json_array();
    for (uint32_t i = 0; json && i < array->size; i++) {
        if (json_array_append_new(json, json_from_object(&array->ptr[i])) != 0) {
            json_decref(json);
            json = NULL;
        }
    }
    return json;
}

/* 1 if o holds a map with a key that is not a str. As a key itself, such an
 * object would be written as JSON text inside JSON text, escaped again at
 * every level: 65 bytes of msgpack would print as 8 GiB. */
static int holds_nonstring_key(const msgpack_object *o)
{
    if (o->type == MSGPACK_OBJECT_ARRAY) {
        for (uint32_t i = 0; i < o->via.array.size; i++)
            if (holds_nonstring_key(&o->via.array.ptr[i]))
                return 1;
    } else if (o->type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            if (kv->key.type != MSGPACK_OBJECT_STR || holds_nonstring_key(&kv->val))
                return 1;
        }
    }
    return 0;
}

/* 1 if some map key inside o holds a map with a key that is not a str. */
static int holds_nonstring_key_in_key(const msgpack_object *o)
{
    if (o->type == MSGPACK_OBJECT_ARRAY) {
        for (uint32_t i = 0; i < o->via.array.size; i++)
            if (holds_nonstring_key_in_key(&o->via.array.ptr[i]))
                return 1;
    } else if (o->type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            if (holds_nonstring_key(&kv->key) || holds_nonstring_key_in_key(&kv->val))
                return 1;
        }
    }
    return 0;
}

/* Sets member under the key's string, or under the key's JSON text when the
 * key is no (UTF-8) string. Takes member's reference. */
static int set_member(json_t *object, const msgpack_object *key, json_t *member)
{
    if (holds_nonstring_key(key)) {
        json_decref(member);
        return -1;
    }
    json_t *key_json = json_from_object(key);
    if (!key_json) {
        json_decref(member);
        return -1;
    }
    int rc;
    if (json_is_string(key_json)) {
        rc = json_object_setn_new(object, json_string_value(key_json), json_string_length(key_json),
                                  member);
    } else {
        char *text = json_value_dumps(key_json);
        if (text) {
            rc = json_object_set_new(object, text, member);
        } else {
            json_decref(member);
            rc = -1;
        }
        free(text);
    }
    json_decref(key_json);
    return rc;
}

static json_t *json_from_map(const msgpack_object_map *map)
{
    json_t *json = json_object();
    for (uint32_t i = 0; json && i < map->size; i++) {
        json_t *member = json_from_object(&map->ptr[i].val);
        if (!member || set_member(json, &map->ptr[i].key, member) != 0) {
            json_decref(json);
            json = NULL;
        }
    }
    return json;
}

/* NULL when out of memory or a key cannot be written (set_member). */
static json_t *json_from_object(const msgpack_object *object)
{
    switch (object->type) {
    case MSGPACK_OBJECT_NIL: return json_null();
    case MSGPACK_OBJECT_BOOLEAN: return json_boolean(object->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER: return json_from_uint(object->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return json_integer(object->via.i64);
    case MSGPACK_OBJECT_FLOAT32: return json_from_float32(object->via.f64);
    case MSGPACK_OBJECT_FLOAT64: return json_from_double(object->via.f64);
    case MSGPACK_OBJECT_STR: return json_from_str(&object->via.str);
    case MSGPACK_OBJECT_BIN: return bin_object(object->via.bin.ptr, object->via.bin.size);
    case MSGPACK_OBJECT_EXT: return ext_object(&object->via.ext);
    case MSGPACK_OBJECT_ARRAY: return json_from_array(&object->via.array);
    case MSGPACK_OBJECT_MAP: return json_from_map(&object->via.map);
    }
    return json_null();
}

json_t *json_value_from_packed(const void *packed, size_t size, json_value_error *err)
{
    msgpack_unpacked unpacked;
    msgpack_unpacked_init(&unpacked);
    size_t offset = 0;
    msgpack_unpack_return rc = msgpack_unpack_next(&unpacked, packed, size, &offset);
    json_t *json = NULL;
    if (rc == MSGPACK_UNPACK_NOMEM_ERROR)
        set_error(err, "value nested deeper than 32 levels cannot be converted to JSON "
                       "(msgpack-c limit)");
    else if (rc != MSGPACK_UNPACK_SUCCESS || offset != size)
        set_error(err, "value is not one well-formed msgpack object");
    else if (!(json = json_from_object(&unpacked.data)))
        set_error(err, holds_nonstring_key_in_key(&unpacked.data)
                           ? "a map key holds a map with keys that are not strings: "
                             "no JSON text for it"
                           : "out of memory");
    msgpack_unpacked_destroy(&unpacked);
    return json;
}

/* ======================================================================== */
/* Writing reals                                                            */
/* ======================================================================== */

/* Fewest significant digits "%.*g" needs to read back as exactly value,
 * raised when needed so that numbers below 1e17 print without exponent
 * ("100.0", not "1e2"). */
static int shortest_precision(double value)
{
    char text[40];
    int precision = 1;
    for (; precision < 17; precision++) {
        snprintf(text, sizeof text, "%.*g", precision, value);
        if (strtod(text, NULL) == value)
            break;
    }
    snprintf(text, sizeof text, "%.*g", precision, value);
    const char *exponent = strchr(text, 'e');
    long power = exponent ? strtol(exponent + 1, NULL, 10) : 0;
    if (power >= precision && power < 17)
        precision = (int)power + 1;
    return precision;
}

static int max_real_precision(const json_t *json)
{
    int precision = 1;
    size_t index;
    const char *key;
    json_t *child;
    switch (json_typeof(json)) {
    case JSON_REAL: return shortest_precision(json_real_value(json));
    case JSON_ARRAY:
        json_array_foreach((json_t *)json, index, child)
        {
            int child_precision = max_real_precision(child);
            precision = child_precision > precision ? child_precision : precision;
        }
        return precision;
    case JSON_OBJECT:
        json_object_foreach((json_t *)json, key, child)
        {
            int child_precision = max_real_precision(child);
            precision = child_precision > precision ? child_precision : precision;
        }
        return precision;
    default: return precision;
    }
}

char *json_value_dumps(const json_t *json)
{
    size_t flags = JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(max_real_precision(json));
    return json_dumps(json, flags);
}
