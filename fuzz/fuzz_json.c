/* SPDX-License-Identifier: MIT */
/*
 * fuzz_json - the CLI's one JSON <-> msgpack mapping (cnanostate/cli/
 * json_value.c). Every input is tried both ways:
 *
 *   as JSON text: json_value_parse must succeed exactly when jansson parses
 *   it and the mapping's rules hold; the msgpack it makes must validate
 *   exactly when it is nested at most 64 deep, convert back to JSON exactly
 *   when at most 32 deep (msgpack-c's limit), and that JSON, printed and
 *   parsed again, must give the same msgpack bytes;
 *
 *   as msgpack: when nanostate_value_validate accepts it (the CLI converts
 *   only values an App accepted), json_value_from_packed must succeed exactly
 *   when it is at most 32 deep, and printing that JSON and reading it back
 *   must give what packing the JSON directly gives (reals printed with too
 *   few digits, or strings escaped wrongly, would differ); the printed text
 *   then goes through the JSON-text checks too, and is at most 64 times as
 *   long as the msgpack (plus 64 bytes).
 */
#include "fuzz.h"

#include "json_value.h"
#include "reader.h"

#include <nanostate/nanostate.h>

/* The mapping's {"base64"} and {"ext", "base64"} objects are leaves. */
static int json_depth(const json_t *json)
{
    int deepest = 0;
    size_t index;
    const char *key;
    json_t *child;
    switch (json_typeof(json)) {
    case JSON_ARRAY:
        json_array_foreach((json_t *)json, index, child)
        {
            int d = json_depth(child);
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    case JSON_OBJECT:
        if ((json_object_size(json) == 1 && json_object_get(json, "base64")) ||
            (json_object_size(json) == 2 && json_object_get(json, "ext") &&
             json_object_get(json, "base64")))
            return 0;
        json_object_foreach((json_t *)json, key, child)
        {
            int d = json_depth(child);
            deepest = d > deepest ? d : deepest;
        }
        return deepest + 1;
    default: return 0;
    }
}

static int same_buffers(const msgpack_sbuffer *a, const msgpack_sbuffer *b)
{
    return a->size == b->size && (a->size == 0 || memcmp(a->data, b->data, a->size) == 0);
}

/* JSON text -> msgpack -> JSON -> text -> msgpack. */
static void from_text(const uint8_t *data, size_t size)
{
    json_value_error err;
    msgpack_sbuffer first;
    msgpack_sbuffer_init(&first);
    int rc = json_value_parse((const char *)data, size, &first, &err);
    json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    FUZZ_CHECK(rc != 0 || doc != NULL, "json_value_parse accepted what jansson refuses");
    FUZZ_CHECK(rc == 0 || err.text[0] != '\0', "json_value_parse failed without a reason");
    if (rc != 0 || !doc) {
        json_decref(doc);
        msgpack_sbuffer_destroy(&first);
        return;
    }
    int depth = json_depth(doc);
    json_decref(doc);

    int valid = nanostate_value_validate(first.data, first.size) == 0;
    FUZZ_CHECK(valid == (depth <= NANOSTATE_MAX_DEPTH), "validate says %d for depth %d", valid,
               depth);
    json_t *back = valid ? json_value_from_packed(first.data, first.size, &err) : NULL;
    if (valid)
        FUZZ_CHECK((back != NULL) == (depth <= 32), "from_packed gave %p for depth %d: %s",
                   (void *)back, depth, back ? "" : err.text);
    if (back) {
        char *text = json_value_dumps(back);
        FUZZ_CHECK(text != NULL, "json_value_dumps failed");
        msgpack_sbuffer second;
        msgpack_sbuffer_init(&second);
        rc = json_value_parse(text, strlen(text), &second, &err);
        FUZZ_CHECK(rc == 0, "the printed JSON does not read back: %s: %s", err.text, text);
        FUZZ_CHECK(same_buffers(&first, &second), "JSON round trip changed the value: %s", text);
        msgpack_sbuffer_destroy(&second);
        free(text);
        json_decref(back);
    }
    msgpack_sbuffer_destroy(&first);
}

/* Known bug "json-key-blowup": a map key that is not a str is written as
 * the JSON text of the key, and a key inside that key as text inside that
 * text, escaped once more: the output doubles with every level. 65 bytes of
 * msgpack (maps nested 32 deep, each the key of the one around it) make
 * 8 GiB of JSON. key_depth() counts those levels: from 2 on, the output is
 * no longer proportional to the input. */
static int key_depth(const msgpack_object *o)
{
    int deepest = 0;
    if (o->type == MSGPACK_OBJECT_ARRAY) {
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            int d = key_depth(&o->via.array.ptr[i]);
            deepest = d > deepest ? d : deepest;
        }
    } else if (o->type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            int k = kv->key.type == MSGPACK_OBJECT_STR ? 0 : 1 + key_depth(&kv->key);
            int v = key_depth(&kv->val);
            deepest = k > deepest ? k : deepest;
            deepest = v > deepest ? v : deepest;
        }
    }
    return deepest;
}

static int packed_key_depth(const uint8_t *data, size_t size)
{
    msgpack_unpacked unpacked;
    msgpack_unpacked_init(&unpacked);
    size_t offset = 0;
    int depth = 0;
    if (msgpack_unpack_next(&unpacked, (const char *)data, size, &offset) == MSGPACK_UNPACK_SUCCESS)
        depth = key_depth(&unpacked.data);
    msgpack_unpacked_destroy(&unpacked);
    return depth;
}

/* Packs a JSON value with the mapping; 0 or -1. */
static int pack_json(const json_t *json, msgpack_sbuffer *out)
{
    json_value_error err;
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    return json_value_pack(json, &pk, &err);
}

/* msgpack -> JSON -> text -> msgpack, against msgpack -> JSON -> msgpack. */
static void from_packed(const uint8_t *data, size_t size)
{
    if (nanostate_value_validate(data, size) != 0)
        return;
    reader r;
    reader_init(&r, data, size);
    int shallow = reader_skip(&r, 32, NULL, NULL) == 0;
    int keys_in_keys = shallow && packed_key_depth(data, size) >= 2;
    if (KNOWN_BUG(keys_in_keys))
        return;

    json_value_error err;
    json_t *json = json_value_from_packed(data, size, &err);
    /* Refusing keys inside keys is one way to keep the output in bounds. */
    FUZZ_CHECK((json != NULL) == shallow || (keys_in_keys && !json),
               "from_packed gave %p, %s 32 deep: %s", (void *)json,
               shallow ? "at most" : "more than", json ? "" : err.text);
    if (!json)
        return;
    char *text = json_value_dumps(json);
    FUZZ_CHECK(text != NULL, "json_value_dumps failed");
    /* No msgpack byte needs more than about 9 bytes of JSON ("c4 00" is
     * {"base64":""}, escaped once more inside a key). */
    FUZZ_CHECK(strlen(text) <= 64 * size + 64, "%zu bytes of msgpack print as %zu bytes of JSON",
               size, strlen(text));

    msgpack_sbuffer direct, reread;
    msgpack_sbuffer_init(&direct);
    msgpack_sbuffer_init(&reread);
    int direct_rc = pack_json(json, &direct);
    int reread_rc = json_value_parse(text, strlen(text), &reread, &err);
    /* jansson prints an object key holding U+0000 as "\u0000" but refuses
     * to read one back: the only text it prints that it cannot read. */
    int nul_key = reread_rc != 0 && strstr(err.text, "NUL byte in object key") != NULL;
    if (!nul_key) {
        FUZZ_CHECK(direct_rc == reread_rc, "packing the JSON gives %d, reading its text %d: %s",
                   direct_rc, reread_rc, text);
        if (direct_rc == 0)
            FUZZ_CHECK(same_buffers(&direct, &reread), "printing changed the JSON: %s", text);
    }
    /* What the CLI prints is JSON it reads: it passes the checks above. */
    from_text((const uint8_t *)text, strlen(text));
    msgpack_sbuffer_destroy(&direct);
    msgpack_sbuffer_destroy(&reread);
    free(text);
    json_decref(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    from_text(data, size);
    from_packed(data, size);
    return 0;
}
