/* SPDX-License-Identifier: MIT */
#include "frame.h"

#include "utf8.h"

#include <nanostate/nanostate.h>
#include <string.h>

#define FAIL(code, reason)                                                                         \
    do {                                                                                           \
        *why = (reason);                                                                           \
        return (code);                                                                             \
    } while (0)

static int read_u64(reader *r, uint64_t *v) { return reader_uint(r, v); }

/* Reads the op-specific unsigned fields that follow element 3. */
static int read_fields(reader *r, uint64_t **fields, int n)
{
    for (int i = 0; i < n; i++)
        if (read_u64(r, fields[i]) != 0)
            return -1;
    return 0;
}

static int min_count(int op)
{
    switch (op) {
    case OP_SET:
    case OP_DEL: return FRAME_LEN_UPDATE_IN;
    case OP_SYNC: return FRAME_LEN_SYNC;
    case OP_SNAPSHOT: return FRAME_LEN_SNAPSHOT;
    case OP_HEARTBEAT: return FRAME_LEN_HEARTBEAT;
    case OP_ACK: return FRAME_LEN_ACK;
    case OP_PING: return FRAME_LEN_PING;
    case OP_HELLO: return FRAME_LEN_HELLO;
    case OP_BATCH: return FRAME_LEN_BATCH;
    default: return -1;
    }
}

int frame_parse(frame *f, const void *data, size_t size, const char **why)
{
    reader r;
    reader_init(&r, data, size);
    memset(f, 0, sizeof *f);
    if (reader_array(&r, &f->count) != 0)
        FAIL(NANOSTATE_EPROTO, "frame is not a msgpack array");
    if (f->count < FRAME_LEN_LEGACY)
        FAIL(NANOSTATE_EPROTO, "frame has fewer than 3 elements");
    f->body_off = (size_t)(r.p - (const uint8_t *)data);
    if (reader_str(&r, &f->sender, &f->sender_len) != 0)
        FAIL(NANOSTATE_EPROTO, "sender is not a string");
    if (f->sender_len > NANOSTATE_MAX_IDENTITY || !text_valid(f->sender, f->sender_len))
        FAIL(NANOSTATE_ENAME, "sender is not UTF-8 of at most 1024 bytes without U+0000");
    if (reader_str(&r, &f->name, &f->name_len) != 0)
        FAIL(NANOSTATE_EPROTO, "name is not a string");
    const uint8_t *v;
    if (reader_skip(&r, NANOSTATE_MAX_DEPTH, &v, &f->value_len) != 0)
        FAIL(NANOSTATE_EVALUE, "value is malformed msgpack or nested deeper than 64");
    f->value = v;
    if (f->count == FRAME_LEN_LEGACY) {
        f->op = OP_LEGACY;
    } else {
        uint64_t op;
        if (read_u64(&r, &op) != 0 || op > 0xff)
            FAIL(NANOSTATE_EPROTO, "op is not a small unsigned integer");
        f->op = (int)(op & OP_MASK);
        f->rebase = (op & OP_FLAG_REBASE) != 0;
        int need = min_count(f->op);
        if (need < 0 || (op & ~(uint64_t)(OP_MASK | OP_FLAG_REBASE)))
            FAIL(NANOSTATE_EPROTO, "unknown op");
        if (f->count < (uint32_t)need)
            FAIL(NANOSTATE_EPROTO, "too few fields for the op");
    }
    int is_update = f->op == OP_LEGACY || f->op == OP_SET || f->op == OP_DEL;
    if (is_update) {
        if (f->name_len < 1 || f->name_len > NANOSTATE_MAX_NAME)
            FAIL(NANOSTATE_ENAME, "name is empty or longer than 1024 bytes");
        if (!text_valid(f->name, f->name_len))
            FAIL(NANOSTATE_ENAME, "name is not UTF-8 without U+0000");
    } else if (f->name_len != 0) {
        FAIL(NANOSTATE_EPROTO, "control frame with a name");
    }

    int ok = 0;
    switch (f->op) {
    case OP_LEGACY: break;
    case OP_SET:
    case OP_DEL:
    case OP_PING: {
        uint64_t *fl[] = {&f->session, &f->aseq};
        ok = read_fields(&r, fl, 2);
        f->fields_end = (size_t)(r.p - (const uint8_t *)data);
        if (ok == 0 && f->op != OP_PING && f->count >= FRAME_LEN_UPDATE_OUT)
            ok = read_u64(&r, &f->seq);
        break;
    }
    case OP_SYNC: {
        uint64_t *fl[] = {&f->session, &f->epoch, &f->since, &f->features};
        ok = read_fields(&r, fl, f->count >= FRAME_LEN_SYNC_FEATURES ? 4 : 3);
        break;
    }
    case OP_HELLO: {
        uint64_t *fl[] = {&f->session, &f->features};
        ok = read_fields(&r, fl, 2);
        break;
    }
    case OP_BATCH: {
        /* Each frame is checked as a frame when it is read; here only that
         * it is one well-formed array, so that reading them cannot fail. */
        f->entries = r;
        f->entry_count = f->count - 4;
        for (uint32_t i = 0; i < f->entry_count; i++) {
            reader one = r;
            uint32_t n;
            if (reader_array(&one, &n) != 0)
                FAIL(NANOSTATE_EPROTO, "batch element is not a frame");
            if (reader_skip(&r, NANOSTATE_MAX_DEPTH + 1, NULL, NULL) != 0)
                FAIL(NANOSTATE_EVALUE, "batch element is malformed");
        }
        f->fields_end = (size_t)(r.p - (const uint8_t *)data);
        break;
    }
    case OP_SNAPSHOT: {
        uint64_t flags = 0;
        uint64_t *fl[] = {&f->session, &f->epoch, &f->since, &f->upto, &f->seq, &flags, &f->hwm};
        ok = read_fields(&r, fl, 7);
        f->snap_flags = (int)flags;
        if (ok == 0 && reader_array(&r, &f->entry_count) != 0)
            FAIL(NANOSTATE_EPROTO, "snapshot entries are not an array");
        f->entries = r;
        /* The entries are validated one by one as they are read. */
        if (ok == 0) {
            reader all = r;
            for (uint32_t i = 0; i < f->entry_count; i++)
                if (reader_skip(&all, NANOSTATE_MAX_DEPTH + 1, NULL, NULL) != 0)
                    FAIL(NANOSTATE_EVALUE, "snapshot entry is malformed");
            r = all;
        }
        break;
    }
    case OP_HEARTBEAT: {
        uint64_t *fl[] = {&f->epoch, &f->seq, &f->period_ms, &f->max_frame, &f->census};
        ok = read_fields(&r, fl, f->count >= FRAME_LEN_HEARTBEAT_CENSUS ? 5 : 4);
        break;
    }
    case OP_ACK: {
        uint64_t *fl[] = {&f->session, &f->hwm, &f->trigger, &f->seq};
        ok = read_fields(&r, fl, 4);
        break;
    }
    }
    if (ok != 0)
        FAIL(NANOSTATE_EPROTO, "a field of the op is not an unsigned integer");
    if (f->fields_end == 0)
        f->fields_end = (size_t)(r.p - (const uint8_t *)data);
    /* Elements this version does not know are skipped, but must be sound. */
    int known = f->op == OP_LEGACY ? 3 : min_count(f->op);
    if (f->op == OP_SET || f->op == OP_DEL)
        known = f->count >= FRAME_LEN_UPDATE_OUT ? FRAME_LEN_UPDATE_OUT : FRAME_LEN_UPDATE_IN;
    else if (f->op == OP_SYNC && f->count >= FRAME_LEN_SYNC_FEATURES)
        known = FRAME_LEN_SYNC_FEATURES;
    else if (f->op == OP_HEARTBEAT && f->count >= FRAME_LEN_HEARTBEAT_CENSUS)
        known = FRAME_LEN_HEARTBEAT_CENSUS;
    else if (f->op == OP_BATCH)
        known = (int)f->count;
    for (uint32_t i = (uint32_t)known; i < f->count; i++)
        if (reader_skip(&r, NANOSTATE_MAX_DEPTH, NULL, NULL) != 0)
            FAIL(NANOSTATE_EPROTO, "trailing field is malformed");
    if (reader_left(&r) != 0)
        FAIL(NANOSTATE_EPROTO, "bytes after the end of the frame");
    return 0;
}

int frame_next_entry(reader *entries, snap_entry *e, const char **why)
{
    uint32_t n;
    memset(e, 0, sizeof *e);
    if (reader_array(entries, &n) != 0 || (n != 2 && n < 5))
        FAIL(NANOSTATE_EPROTO, "snapshot entry is not [name, seq] or [name, seq, sender, session, value]");
    if (reader_str(entries, &e->name, &e->name_len) != 0 || e->name_len == 0 ||
        e->name_len > NANOSTATE_MAX_NAME || !text_valid(e->name, e->name_len))
        FAIL(NANOSTATE_ENAME, "snapshot entry name is invalid");
    if (reader_uint(entries, &e->seq) != 0)
        FAIL(NANOSTATE_EPROTO, "snapshot entry seq is not an unsigned integer");
    if (n == 2) {
        e->removed = 1;
        return 0;
    }
    if (reader_str(entries, &e->sender, &e->sender_len) != 0 ||
        e->sender_len > NANOSTATE_MAX_IDENTITY || !text_valid(e->sender, e->sender_len))
        FAIL(NANOSTATE_ENAME, "snapshot entry sender is invalid");
    if (reader_uint(entries, &e->session) != 0)
        FAIL(NANOSTATE_EPROTO, "snapshot entry session is not an unsigned integer");
    const uint8_t *v;
    if (reader_skip(entries, NANOSTATE_MAX_DEPTH, &v, &e->value_len) != 0)
        FAIL(NANOSTATE_EVALUE, "snapshot entry value is malformed");
    e->value = v;
    for (uint32_t i = 5; i < n; i++)
        if (reader_skip(entries, NANOSTATE_MAX_DEPTH, NULL, NULL) != 0)
            FAIL(NANOSTATE_EPROTO, "snapshot entry trailing field is malformed");
    return 0;
}

void frame_next_inner(reader *frames, const uint8_t **data, size_t *size)
{
    reader_skip(frames, NANOSTATE_MAX_DEPTH + 1, data, size);
}

/* A msgpack write callback into a fixed span; overflowing marks it full. */
typedef struct span {
    uint8_t *p;
    size_t len, cap;
} span;

static int span_write(void *data, const char *buf, size_t len)
{
    span *s = data;
    if (len > s->cap - s->len) {
        s->len = s->cap + 1;
        return -1;
    }
    memcpy(s->p + s->len, buf, len);
    s->len += len;
    return 0;
}

size_t frame_batch_head(uint8_t *out, size_t cap, const char *sender, size_t sender_len,
                        uint32_t frames)
{
    span s = {out, 0, cap};
    msgpack_packer pk;
    msgpack_packer_init(&pk, &s, span_write);
    if (frame_pack_control(&pk, 4 + frames, sender, sender_len, OP_BATCH) != 0 || s.len > cap)
        return 0;
    return s.len;
}

int frame_pack_head(msgpack_packer *pk, uint32_t count, const char *sender, size_t sender_len,
                    const char *name, size_t name_len)
{
    int rc = msgpack_pack_array(pk, count);
    rc |= msgpack_pack_str_with_body(pk, sender, sender_len);
    rc |= msgpack_pack_str_with_body(pk, name, name_len);
    return rc;
}

int frame_pack_control(msgpack_packer *pk, uint32_t count, const char *sender, size_t sender_len,
                       int op)
{
    int rc = frame_pack_head(pk, count, sender, sender_len, "", 0);
    rc |= msgpack_pack_bin(pk, 0);
    rc |= msgpack_pack_uint8(pk, (uint8_t)op);
    return rc;
}

int frame_pack_update(msgpack_packer *pk, int op, const char *sender, size_t sender_len,
                      const char *name, size_t name_len, const void *value, size_t value_len,
                      uint64_t session, uint64_t aseq, uint64_t seq)
{
    uint32_t count = seq ? FRAME_LEN_UPDATE_OUT : FRAME_LEN_UPDATE_IN;
    int rc = frame_pack_head(pk, count, sender, sender_len, name, name_len);
    if (value && value_len)
        rc |= pk->callback(pk->data, (const char *)value, value_len);
    else
        rc |= msgpack_pack_bin(pk, 0);
    rc |= msgpack_pack_uint8(pk, (uint8_t)op);
    rc |= msgpack_pack_uint64(pk, session);
    rc |= msgpack_pack_uint64(pk, aseq);
    if (seq)
        rc |= msgpack_pack_uint64(pk, seq);
    return rc;
}

int frame_pack_forward(msgpack_packer *pk, const frame *f, const void *data, uint64_t seq)
{
    const char *bytes = (const char *)data;
    int rc = msgpack_pack_array(pk, FRAME_LEN_UPDATE_OUT);
    if (f->op == OP_LEGACY) {
        /* An original App's frame gets the fields an update carries. */
        size_t end = (size_t)(f->value + f->value_len - (const uint8_t *)data);
        rc |= pk->callback(pk->data, bytes + f->body_off, end - f->body_off);
        rc |= msgpack_pack_uint8(pk, OP_SET);
        rc |= msgpack_pack_uint8(pk, 0);
        rc |= msgpack_pack_uint8(pk, 0);
    } else {
        /* The op byte loses the App->hub flags; everything else is copied. */
        size_t op_off = (size_t)(f->value + f->value_len - (const uint8_t *)data);
        rc |= pk->callback(pk->data, bytes + f->body_off, op_off - f->body_off);
        rc |= msgpack_pack_uint8(pk, (uint8_t)f->op);
        reader r;
        reader_init(&r, bytes + op_off, f->fields_end - op_off);
        uint64_t op;
        reader_uint(&r, &op);
        rc |= pk->callback(pk->data, (const char *)r.p, (size_t)(r.end - r.p));
    }
    rc |= msgpack_pack_uint64(pk, seq);
    return rc;
}
