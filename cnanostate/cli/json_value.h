/* SPDX-License-Identifier: MIT */
/*
 * json_value.h - the one mapping between JSON (jansson) and Nanostate values
 * (one msgpack object each), used by every JSON input and output of the
 * nanostate tool.
 *
 *   JSON                               msgpack
 *   ---------------------------------  -----------------------------------
 *   null                           <-> nil
 *   true, false                    <-> bool
 *   integer                        <-> int / uint (smallest encoding)
 *   real                           <-> float64 (float32 is read too)
 *   string                         <-> str
 *   array                          <-> array
 *   object                         <-> map with str keys, in order
 *   {"base64": "..."}              <-> bin
 *   {"ext": TYPE, "base64": "..."} <-> ext (TYPE -128..127)
 *
 * Reading JSON: an object whose keys are exactly "base64", or exactly "ext"
 * and "base64", is always taken as bin or ext and must then hold valid
 * base64 (padding optional) and an integer type; otherwise it is an error.
 * JSON integers outside int64 are rejected by jansson ("too big integer").
 * Strings may contain \u0000.
 *
 * Writing JSON, where msgpack says more than JSON can:
 *   - uint above INT64_MAX becomes a string of decimal digits (jansson's
 *     integers are int64; a real would silently lose digits).
 *   - NaN and +-Inf become null.
 *   - float32 is written as the shortest decimal that reads back as the same
 *     float32 (0.7f prints 0.7, not 0.699999988079071).
 *   - Reals are written with the fewest significant digits that read back
 *     exactly, the same count for every real of one document (jansson has a
 *     single precision per dump), and always with a '.' or exponent.
 *   - A str that is not valid UTF-8 is written as {"base64": "..."}.
 *   - A map key that is not a str (or not UTF-8) becomes the compact JSON
 *     text of the key: 1 -> "1", [1,2] -> "[1,2]"; when two keys map to the
 *     same text the later one wins.
 *   - msgpack-c's unpacker refuses values nested deeper than 32 arrays/maps;
 *     such a value cannot be written and yields an error instead.
 */
#ifndef NANOSTATE_CLI_JSON_VALUE_H
#define NANOSTATE_CLI_JSON_VALUE_H

#include <stddef.h>

#include <jansson.h>
#include <msgpack.h>

/* Why a conversion failed, as one line of text. */
typedef struct json_value_error {
    char text[JSON_ERROR_TEXT_LENGTH + 96];
} json_value_error;

/* Parses len bytes of JSON text (any JSON value, not only objects) and
 * appends it to out as one msgpack object. Returns 0, or -1 with err holding
 * jansson's message and the line, column and byte position, or the mapping
 * error (e.g. bad base64). On error out may hold a partial object. */
int json_value_parse(const char *text, size_t len, msgpack_sbuffer *out, json_value_error *err);

/* Packs a JSON value as one msgpack object. 0, or -1 with err filled. */
int json_value_pack(const json_t *json, msgpack_packer *packer, json_value_error *err);

/* Converts one packed msgpack object to JSON. Returns a new reference the
 * caller json_decref()s, or NULL with err filled (malformed, nested deeper
 * than msgpack-c's 32 levels, out of memory). */
json_t *json_value_from_packed(const void *packed, size_t size, json_value_error *err);

/* Compact JSON text of any value, reals in their shortest exact form (see
 * above). Returns a string the caller free()s, or NULL when out of memory. */
char *json_value_dumps(const json_t *json);

#endif /* NANOSTATE_CLI_JSON_VALUE_H */
