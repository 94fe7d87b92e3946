/* SPDX-License-Identifier: MIT */
/*
 * tst_vectors.c - the wire-frame vectors of tests/vectors/frames.json run
 * against frame.c. One test per vector, named after it: the frame parses to
 * exactly the expected fields (snapshot entries included) or fails with the
 * expected code; a "canonical" vector is rebuilt byte for byte by the frame_pack_*
 * functions, and a "forwarded_from" vector is what frame_pack_forward makes
 * of the vector it names.
 *
 * The file is $NANOSTATE_SOURCE/tests/vectors/frames.json, or VECTORS_DIR's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "frame.h"

#include <jansson.h>
#include <msgpack.h>
#include <nanostate/nanostate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VECTORS_DIR
#define VECTORS_DIR "tests/vectors"
#endif

static json_t *all_vectors; /* the whole file, for forwarded_from look-ups */

/* One vector's test: the JSON object and its bytes. */
typedef struct vector {
    json_t *json;
    const char *name;
    uint8_t *data;
    size_t size;
} vector;

/* --- helpers ----------------------------------------------------------- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decodes lowercase hex into a new buffer (never NULL, even for ""). */
static uint8_t *hex_decode(const char *hex, size_t *size)
{
    size_t len = strlen(hex);
    uint8_t *out = malloc(len / 2 + 1);
    if (!out || len % 2)
        goto bad;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            goto bad;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *size = len / 2;
    return out;
bad:
    free(out);
    return NULL;
}

static const char *member_str(const vector *v, json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        fail_msg("%s: \"%s\" is missing or not a string", v->name, key);
    return s;
}

/* A 64-bit field: a JSON number, or a decimal string beyond 2^53-1. */
static uint64_t json_u64(const vector *v, json_t *j, const char *key)
{
    if (json_is_integer(j) && json_integer_value(j) >= 0)
        return (uint64_t)json_integer_value(j);
    if (json_is_string(j)) {
        char *end;
        const char *s = json_string_value(j);
        unsigned long long n = strtoull(s, &end, 10);
        if (*s && !*end)
            return n;
    }
    fail_msg("%s: \"%s\" is not an unsigned number", v->name, key);
    return 0;
}

static int error_code(const vector *v, const char *name)
{
    if (strcmp(name, "EPROTO") == 0)
        return NANOSTATE_EPROTO;
    if (strcmp(name, "ENAME") == 0)
        return NANOSTATE_ENAME;
    if (strcmp(name, "EVALUE") == 0)
        return NANOSTATE_EVALUE;
    fail_msg("%s: unknown error \"%s\"", v->name, name);
    return -1;
}

static void check_bytes(const vector *v, const char *field, const char *want_hex, const void *got,
                        size_t got_len)
{
    size_t want_len = 0;
    uint8_t *want = hex_decode(want_hex, &want_len);
    int same = want && want_len == got_len && memcmp(want, got, got_len) == 0;
    free(want);
    if (!same) {
        char got_hex[2 * 64 + 4] = "";
        for (size_t i = 0; i < got_len && i < 64; i++)
            sprintf(got_hex + 2 * i, "%02x", ((const uint8_t *)got)[i]);
        if (got_len > 64)
            strcat(got_hex, "...");
        fail_msg("%s: %s is %s, expected %s", v->name, field, got_hex, want_hex);
    }
}

static void check_str(const vector *v, const char *field, json_t *want, const char *got,
                      uint32_t got_len)
{
    const char *w = json_string_value(want);
    if (!w)
        fail_msg("%s: expected %s is not a string", v->name, field);
    if (strlen(w) != got_len || memcmp(w, got, got_len) != 0)
        fail_msg("%s: %s is \"%.*s\", expected \"%s\"", v->name, field, (int)got_len, got, w);
}

static void check_u64(const vector *v, const char *field, json_t *want, uint64_t got)
{
    uint64_t w = json_u64(v, want, field);
    if (w != got)
        fail_msg("%s: %s is %llu, expected %llu", v->name, field, (unsigned long long)got,
                 (unsigned long long)w);
}

/* frame_parse, then every SNAPSHOT entry: what a client does with a frame. */
static int parse_all(frame *f, const void *data, size_t size, const char **why)
{
    int rc = frame_parse(f, data, size, why);
    if (rc != 0 || f->op != OP_SNAPSHOT)
        return rc;
    reader entries = f->entries;
    for (uint32_t i = 0; i < f->entry_count; i++) {
        snap_entry e;
        if ((rc = frame_next_entry(&entries, &e, why)) != 0)
            return rc;
    }
    return 0;
}

/* The frame's unsigned fields by their frame.h names. */
static uint64_t *u64_field(frame *f, const char *key)
{
    static const struct {
        const char *name;
        size_t off;
    } fields[] = {
        {"session", offsetof(frame, session)},
        {"aseq", offsetof(frame, aseq)},
        {"seq", offsetof(frame, seq)},
        {"epoch", offsetof(frame, epoch)},
        {"since", offsetof(frame, since)},
        {"upto", offsetof(frame, upto)},
        {"hwm", offsetof(frame, hwm)},
        {"trigger", offsetof(frame, trigger)},
        {"period_ms", offsetof(frame, period_ms)},
        {"max_frame", offsetof(frame, max_frame)},
        {"features", offsetof(frame, features)},
        {"census", offsetof(frame, census)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strcmp(key, fields[i].name) == 0)
            return (uint64_t *)((char *)f + fields[i].off);
    return NULL;
}

static void check_entries(const vector *v, const frame *f, json_t *want)
{
    if (!json_is_array(want))
        fail_msg("%s: expected entries is not an array", v->name);
    if (f->entry_count != json_array_size(want))
        fail_msg("%s: %u entries, expected %zu", v->name, f->entry_count, json_array_size(want));
    reader r = f->entries;
    for (uint32_t i = 0; i < f->entry_count; i++) {
        json_t *w = json_array_get(want, i);
        snap_entry e;
        const char *why = "";
        char field[64];
        if (frame_next_entry(&r, &e, &why) != 0)
            fail_msg("%s: entry %u does not parse: %s", v->name, i, why);
        snprintf(field, sizeof field, "entries[%u].name", i);
        check_str(v, field, json_object_get(w, "name"), e.name, e.name_len);
        snprintf(field, sizeof field, "entries[%u].seq", i);
        check_u64(v, field, json_object_get(w, "seq"), e.seq);
        int removed = json_is_true(json_object_get(w, "removed"));
        if (e.removed != removed)
            fail_msg("%s: entries[%u].removed is %d, expected %d", v->name, i, e.removed, removed);
        if (removed)
            continue;
        snprintf(field, sizeof field, "entries[%u].sender", i);
        check_str(v, field, json_object_get(w, "sender"), e.sender, e.sender_len);
        snprintf(field, sizeof field, "entries[%u].session", i);
        check_u64(v, field, json_object_get(w, "session"), e.session);
        snprintf(field, sizeof field, "entries[%u].value", i);
        check_bytes(v, field, member_str(v, w, "value_hex"), e.value, e.value_len);
    }
}

/* A BATCH's frames, each compared by its bytes. */
static void check_frames(const vector *v, const frame *f, json_t *want)
{
    if (!json_is_array(want) || f->entry_count != json_array_size(want))
        fail_msg("%s: %u frames, expected %zu", v->name, f->entry_count, json_array_size(want));
    reader r = f->entries;
    for (uint32_t i = 0; i < f->entry_count; i++) {
        const uint8_t *inner;
        size_t len;
        char field[32];
        frame_next_inner(&r, &inner, &len);
        snprintf(field, sizeof field, "frames[%u]", i);
        check_bytes(v, field, json_string_value(json_array_get(want, i)), inner, len);
    }
}

static void check_expect(const vector *v, frame *f, json_t *expect)
{
    const char *key;
    json_t *want;
    json_object_foreach(expect, key, want)
    {
        uint64_t *u;
        if (strcmp(key, "op") == 0)
            check_u64(v, key, want, (uint64_t)f->op);
        else if (strcmp(key, "count") == 0)
            check_u64(v, key, want, f->count);
        else if (strcmp(key, "rebase") == 0) {
            if (!json_is_boolean(want) || json_is_true(want) != (f->rebase != 0))
                fail_msg("%s: rebase is %d, expected %s", v->name, f->rebase,
                         json_is_true(want) ? "true" : "false");
        } else if (strcmp(key, "sender") == 0)
            check_str(v, key, want, f->sender, f->sender_len);
        else if (strcmp(key, "name") == 0)
            check_str(v, key, want, f->name, f->name_len);
        else if (strcmp(key, "value_hex") == 0)
            check_bytes(v, "value", json_string_value(want), f->value, f->value_len);
        else if (strcmp(key, "snap_flags") == 0)
            check_u64(v, key, want, (uint64_t)f->snap_flags);
        else if (strcmp(key, "entries") == 0)
            check_entries(v, f, want);
        else if (strcmp(key, "frames") == 0)
            check_frames(v, f, want);
        else if ((u = u64_field(f, key)) != NULL)
            check_u64(v, key, want, *u);
        else
            fail_msg("%s: unknown expected field \"%s\"", v->name, key);
    }
}

/* --- building ---------------------------------------------------------- */

/* What frame.c builds from the parsed fields. */
static void rebuild(const vector *v, frame *f, msgpack_packer *pk, msgpack_sbuffer *sb)
{
    int op = f->op | (f->rebase ? OP_FLAG_REBASE : 0);
    int rc = 0;
    switch (f->op) {
    case OP_LEGACY:
        rc = frame_pack_head(pk, FRAME_LEN_LEGACY, f->sender, f->sender_len, f->name, f->name_len);
        rc |= msgpack_sbuffer_write(sb, (const char *)f->value, f->value_len);
        break;
    case OP_SET:
    case OP_DEL:
        rc = frame_pack_update(pk, op, f->sender, f->sender_len, f->name, f->name_len, f->value,
                               f->value_len, f->session, f->aseq, f->seq);
        break;
    default: {
        /* Control frames: the head, then the fields in frame.h's order. */
        uint64_t *fields[8];
        int n = 0;
        switch (f->op) {
        case OP_SYNC:
            fields[n++] = &f->session, fields[n++] = &f->epoch, fields[n++] = &f->since;
            if (f->count >= FRAME_LEN_SYNC_FEATURES)
                fields[n++] = &f->features;
            break;
        case OP_HELLO: fields[n++] = &f->session, fields[n++] = &f->features; break;
        case OP_SNAPSHOT:
            fields[n++] = &f->session, fields[n++] = &f->epoch, fields[n++] = &f->since;
            fields[n++] = &f->upto, fields[n++] = &f->seq;
            break;
        case OP_HEARTBEAT:
            fields[n++] = &f->epoch, fields[n++] = &f->seq, fields[n++] = &f->period_ms;
            fields[n++] = &f->max_frame;
            if (f->count >= FRAME_LEN_HEARTBEAT_CENSUS)
                fields[n++] = &f->census;
            break;
        case OP_ACK:
            fields[n++] = &f->session, fields[n++] = &f->hwm, fields[n++] = &f->trigger;
            fields[n++] = &f->seq;
            break;
        case OP_PING: fields[n++] = &f->session, fields[n++] = &f->aseq; break;
        }
        rc = frame_pack_control(pk, f->count, f->sender, f->sender_len, op);
        for (int i = 0; i < n; i++)
            rc |= msgpack_pack_uint64(pk, *fields[i]);
        if (f->op == OP_SNAPSHOT) {
            rc |= msgpack_pack_uint64(pk, (uint64_t)f->snap_flags);
            rc |= msgpack_pack_uint64(pk, f->hwm);
            rc |= msgpack_pack_array(pk, f->entry_count);
            reader r = f->entries;
            for (uint32_t i = 0; i < f->entry_count; i++) {
                snap_entry e;
                const char *why;
                assert_int_equal(frame_next_entry(&r, &e, &why), 0);
                rc |= msgpack_pack_array(pk, e.removed ? 2 : 5);
                rc |= msgpack_pack_str_with_body(pk, e.name, e.name_len);
                rc |= msgpack_pack_uint64(pk, e.seq);
                if (e.removed)
                    continue;
                rc |= msgpack_pack_str_with_body(pk, e.sender, e.sender_len);
                rc |= msgpack_pack_uint64(pk, e.session);
                rc |= msgpack_sbuffer_write(sb, (const char *)e.value, e.value_len);
            }
        }
    }
    }
    if (rc != 0)
        fail_msg("%s: packing failed", v->name);
}

static json_t *find_vector(const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(all_vectors, i, v)
    {
        const char *n = json_string_value(json_object_get(v, "name"));
        if (n && strcmp(n, name) == 0)
            return v;
    }
    return NULL;
}

static void check_forward(const vector *v, const frame *f, const char *from)
{
    json_t *src = find_vector(from);
    if (!src)
        fail_msg("%s: forwarded_from names no vector \"%s\"", v->name, from);
    size_t size = 0;
    uint8_t *data = hex_decode(json_string_value(json_object_get(src, "hex")), &size);
    assert_non_null(data);
    frame sf;
    const char *why = "";
    if (frame_parse(&sf, data, size, &why) != 0) {
        free(data);
        fail_msg("%s: source %s does not parse: %s", v->name, from, why);
    }
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int rc = frame_pack_forward(&pk, &sf, data, f->seq);
    free(data);
    if (rc != 0)
        fail_msg("%s: frame_pack_forward failed", v->name);
    char field[160];
    snprintf(field, sizeof field, "the forward of %s", from);
    check_bytes(v, field, member_str(v, v->json, "hex"), sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
}

/* --- the test ---------------------------------------------------------- */

static int vector_setup(void **state)
{
    vector *v = calloc(1, sizeof *v);
    if (!v)
        return -1;
    v->json = *state;
    v->name = json_string_value(json_object_get(v->json, "name"));
    const char *hex = json_string_value(json_object_get(v->json, "hex"));
    v->data = hex ? hex_decode(hex, &v->size) : NULL;
    if (!v->name || !v->data) {
        fprintf(stderr, "vector %s: bad name or hex\n", v->name ? v->name : "?");
        free(v->data);
        free(v);
        return -1;
    }
    *state = v;
    return 0;
}

static int vector_teardown(void **state)
{
    vector *v = *state;
    free(v->data);
    free(v);
    return 0;
}

static void test_vector(void **state)
{
    const vector *v = *state;
    json_t *expect = json_object_get(v->json, "expect");
    json_t *error = json_object_get(v->json, "error");
    frame f;
    const char *why = "";
    int rc = parse_all(&f, v->data, v->size, &why);

    if (error) {
        int want = error_code(v, json_string_value(error));
        if (rc != want)
            fail_msg("%s: parsing gives %s (%s), expected %s", v->name,
                     rc ? nanostate_strerror(rc) : "success", rc ? why : "-",
                     json_string_value(error));
        return;
    }
    if (!json_is_object(expect))
        fail_msg("%s: neither \"expect\" nor \"error\"", v->name);
    if (rc != 0)
        fail_msg("%s: parsing fails with %d: %s", v->name, rc, why);
    check_expect(v, &f, expect);

    if (json_is_true(json_object_get(v->json, "canonical"))) {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        rebuild(v, &f, &pk, &sb);
        check_bytes(v, "the rebuilt frame", member_str(v, v->json, "hex"), sb.data, sb.size);
        msgpack_sbuffer_destroy(&sb);
    }
    json_t *from = json_object_get(v->json, "forwarded_from");
    if (from)
        check_forward(v, &f, json_string_value(from));
}

static json_t *load_vectors(void)
{
    char path[4096];
    const char *source = getenv("NANOSTATE_SOURCE");
    if (source && *source)
        snprintf(path, sizeof path, "%s/tests/vectors/frames.json", source);
    else
        snprintf(path, sizeof path, "%s/frames.json", VECTORS_DIR);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        fprintf(stderr, "tst_vectors: %s:%d: %s\n", path, err.line, err.text);
    else if (!json_is_array(root) || json_array_size(root) == 0) {
        fprintf(stderr, "tst_vectors: %s: not a non-empty array\n", path);
        json_decref(root);
        root = NULL;
    }
    return root;
}

int main(void)
{
    all_vectors = load_vectors();
    if (!all_vectors)
        return 1;
    size_t n = json_array_size(all_vectors);
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    if (!tests)
        return 1;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(all_vectors, i);
        const char *name = json_string_value(json_object_get(v, "name"));
        tests[i].name = name ? name : "(unnamed vector)";
        tests[i].test_func = test_vector;
        tests[i].setup_func = vector_setup;
        tests[i].teardown_func = vector_teardown;
        tests[i].initial_state = v;
    }
    int failed = _cmocka_run_group_tests("vectors", tests, n, NULL, NULL);
    free(tests);
    json_decref(all_vectors);
    return failed;
}
