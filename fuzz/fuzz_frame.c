/* SPDX-License-Identifier: MIT */
/*
 * fuzz_frame - frame_parse on arbitrary bytes (the input is one frame).
 *
 * A frame that parses must make sense: every span inside the input, the
 * value well-formed, names and senders within the rules, SNAPSHOT entries
 * readable one by one exactly where frame_parse skipped them. Then the
 * builders must agree with the parser:
 *   - SET, DEL and legacy frames are forwarded (frame_pack_forward) and the
 *     result must parse to the same sender, name, value bytes, op, session
 *     and aseq, plus the new seq;
 *   - every other frame is built again from its parsed fields
 *     (frame_pack_update / frame_pack_control) and must parse to the same
 *     fields.
 */
#include "fuzz.h"

#include "frame.h"
#include "utf8.h"

#include <nanostate/nanostate.h>

static int same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
    return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static frame parse_built(const msgpack_sbuffer *sb, const char *what)
{
    frame g;
    const char *why = NULL;
    int rc = frame_parse(&g, sb->data, sb->size, &why);
    FUZZ_CHECK(rc == 0, "%s does not parse: %s", what, why);
    return g;
}

static void check_same_head(const frame *f, const frame *g, const char *what)
{
    FUZZ_CHECK(same_bytes(f->sender, f->sender_len, g->sender, g->sender_len), "%s: sender differs",
               what);
    FUZZ_CHECK(same_bytes(f->name, f->name_len, g->name, g->name_len), "%s: name differs", what);
}

/* The spans and rules every parsed frame must satisfy. */
static void check_fields(const frame *f, const uint8_t *data, size_t size)
{
    FUZZ_CHECK(f->count >= FRAME_LEN_LEGACY, "count %u", f->count);
    FUZZ_CHECK(f->op >= OP_LEGACY && f->op <= OP_BATCH, "op %d", f->op);
    FUZZ_CHECK((f->op == OP_LEGACY) == (f->count == FRAME_LEN_LEGACY), "legacy iff 3 elements");
    FUZZ_CHECK(fuzz_inside(f->sender, f->sender_len, data, size), "sender outside the frame");
    FUZZ_CHECK(fuzz_inside(f->name, f->name_len, data, size), "name outside the frame");
    FUZZ_CHECK(fuzz_inside(f->value, f->value_len, data, size), "value outside the frame");
    FUZZ_CHECK(f->body_off < size && f->fields_end <= size, "offsets past the end");
    FUZZ_CHECK(f->sender_len <= NANOSTATE_MAX_IDENTITY && text_valid(f->sender, f->sender_len),
               "bad sender accepted");
    FUZZ_CHECK(nanostate_value_validate(f->value, f->value_len) == 0, "value does not validate");
    if (f->op == OP_LEGACY || f->op == OP_SET || f->op == OP_DEL)
        FUZZ_CHECK(f->name_len >= 1 && f->name_len <= NANOSTATE_MAX_NAME &&
                       text_valid(f->name, f->name_len),
                   "bad name accepted");
    else
        FUZZ_CHECK(f->name_len == 0, "control frame with a name accepted");
}

/* Reads every SNAPSHOT entry; each one that reads must end exactly where
 * frame_parse's skip of it ended. Returns the end of the last entry. */
static const uint8_t *check_entries(const frame *f, const uint8_t *data, size_t size)
{
    reader entries = f->entries;
    reader skip = f->entries;
    for (uint32_t i = 0; i < f->entry_count; i++) {
        FUZZ_CHECK(reader_skip(&skip, NANOSTATE_MAX_DEPTH + 1, NULL, NULL) == 0,
                   "entry %u does not skip although the frame parsed", i);
        snap_entry e;
        const char *why = NULL;
        if (frame_next_entry(&entries, &e, &why) != 0) {
            FUZZ_CHECK(why != NULL, "entry error without a reason");
            entries = skip; /* frame_parse does not promise readable entries */
            continue;
        }
        FUZZ_CHECK(entries.p == skip.p, "entry %u read %td bytes, skip took %td", i,
                   entries.p - data, skip.p - data);
        FUZZ_CHECK(fuzz_inside(e.name, e.name_len, data, size), "entry name outside");
        FUZZ_CHECK(e.name_len >= 1 && e.name_len <= NANOSTATE_MAX_NAME &&
                       text_valid(e.name, e.name_len),
                   "bad entry name accepted");
        if (e.removed) {
            FUZZ_CHECK(e.value == NULL && e.value_len == 0, "removed entry with a value");
            continue;
        }
        FUZZ_CHECK(fuzz_inside(e.sender, e.sender_len, data, size), "entry sender outside");
        FUZZ_CHECK(e.sender_len <= NANOSTATE_MAX_IDENTITY && text_valid(e.sender, e.sender_len),
                   "bad entry sender accepted");
        FUZZ_CHECK(fuzz_inside(e.value, e.value_len, data, size), "entry value outside");
        FUZZ_CHECK(nanostate_value_validate(e.value, e.value_len) == 0,
                   "entry value does not validate");
    }
    return skip.p;
}

/* The hub's forward of a SET/DEL/legacy frame as change `seq`. */
static void check_forward(const frame *f, const uint8_t *data, uint64_t seq)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    FUZZ_CHECK(frame_pack_forward(&pk, f, data, seq) == 0, "frame_pack_forward failed");
    frame g = parse_built(&sb, "forwarded frame");
    check_same_head(f, &g, "forward");
    FUZZ_CHECK(g.count == FRAME_LEN_UPDATE_OUT, "forward has %u elements", g.count);
    FUZZ_CHECK(g.op == (f->op == OP_LEGACY ? OP_SET : f->op) && !g.rebase, "forward op %d", g.op);
    FUZZ_CHECK(same_bytes(f->value, f->value_len, g.value, g.value_len), "forward value differs");
    FUZZ_CHECK(g.session == f->session && g.aseq == f->aseq, "forward session/aseq differ");
    FUZZ_CHECK(g.seq == seq, "forward seq %llu, wanted %llu", (unsigned long long)g.seq,
               (unsigned long long)seq);
    msgpack_sbuffer_destroy(&sb);
}

/* SET/DEL built again from the parsed fields. */
static void check_rebuild_update(const frame *f)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int op = f->op | (f->rebase ? OP_FLAG_REBASE : 0);
    FUZZ_CHECK(frame_pack_update(&pk, op, f->sender, f->sender_len, f->name, f->name_len, f->value,
                                 f->value_len, f->session, f->aseq, f->seq) == 0,
               "frame_pack_update failed");
    frame g = parse_built(&sb, "rebuilt update");
    check_same_head(f, &g, "rebuilt update");
    FUZZ_CHECK(g.op == f->op && g.rebase == f->rebase, "rebuilt op differs");
    FUZZ_CHECK(g.count == (f->seq ? FRAME_LEN_UPDATE_OUT : FRAME_LEN_UPDATE_IN), "count %u",
               g.count);
    FUZZ_CHECK(same_bytes(f->value, f->value_len, g.value, g.value_len), "rebuilt value differs");
    FUZZ_CHECK(g.session == f->session && g.aseq == f->aseq && g.seq == f->seq,
               "rebuilt fields differ");
    msgpack_sbuffer_destroy(&sb);
}

/* Control frames built again; a SNAPSHOT keeps its entries' bytes. */
static void check_rebuild_control(const frame *f, const uint8_t *entries_end)
{
    static const int lengths[] = {
        [OP_SYNC] = FRAME_LEN_SYNC,           [OP_SNAPSHOT] = FRAME_LEN_SNAPSHOT,
        [OP_HEARTBEAT] = FRAME_LEN_HEARTBEAT, [OP_ACK] = FRAME_LEN_ACK,
        [OP_PING] = FRAME_LEN_PING,           [OP_HELLO] = FRAME_LEN_HELLO,
    };
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int op = f->op | (f->rebase ? OP_FLAG_REBASE : 0);
    int rc = frame_pack_control(&pk, (uint32_t)lengths[f->op], f->sender, f->sender_len, op);
    switch (f->op) {
    case OP_SYNC:
        rc |= msgpack_pack_uint64(&pk, f->session);
        rc |= msgpack_pack_uint64(&pk, f->epoch);
        rc |= msgpack_pack_uint64(&pk, f->since);
        break;
    case OP_SNAPSHOT:
        rc |= msgpack_pack_uint64(&pk, f->session);
        rc |= msgpack_pack_uint64(&pk, f->epoch);
        rc |= msgpack_pack_uint64(&pk, f->since);
        rc |= msgpack_pack_uint64(&pk, f->upto);
        rc |= msgpack_pack_uint64(&pk, f->seq);
        rc |= msgpack_pack_uint64(&pk, (uint64_t)f->snap_flags);
        rc |= msgpack_pack_uint64(&pk, f->hwm);
        rc |= msgpack_pack_array(&pk, f->entry_count);
        rc |= msgpack_sbuffer_write(&sb, (const char *)f->entries.p,
                                    (size_t)(entries_end - f->entries.p));
        break;
    case OP_HEARTBEAT:
        rc |= msgpack_pack_uint64(&pk, f->epoch);
        rc |= msgpack_pack_uint64(&pk, f->seq);
        rc |= msgpack_pack_uint64(&pk, f->period_ms);
        rc |= msgpack_pack_uint64(&pk, f->max_frame);
        break;
    case OP_ACK:
        rc |= msgpack_pack_uint64(&pk, f->session);
        rc |= msgpack_pack_uint64(&pk, f->hwm);
        rc |= msgpack_pack_uint64(&pk, f->trigger);
        rc |= msgpack_pack_uint64(&pk, f->seq);
        break;
    case OP_PING:
        rc |= msgpack_pack_uint64(&pk, f->session);
        rc |= msgpack_pack_uint64(&pk, f->aseq);
        break;
    case OP_HELLO:
        rc |= msgpack_pack_uint64(&pk, f->session);
        rc |= msgpack_pack_uint64(&pk, f->features);
        break;
    }
    FUZZ_CHECK(rc == 0, "packing failed");
    frame g = parse_built(&sb, "rebuilt control frame");
    check_same_head(f, &g, "rebuilt control frame");
    FUZZ_CHECK(g.op == f->op && g.rebase == f->rebase && g.count == (uint32_t)lengths[f->op],
               "rebuilt op or count differs");
    FUZZ_CHECK(g.session == f->session && g.aseq == f->aseq && g.seq == f->seq &&
                   g.epoch == f->epoch && g.since == f->since && g.upto == f->upto &&
                   g.hwm == f->hwm && g.trigger == f->trigger && g.period_ms == f->period_ms &&
                   g.max_frame == f->max_frame && g.snap_flags == f->snap_flags &&
                   g.entry_count == f->entry_count &&
                   (f->op != OP_HELLO || g.features == f->features),
               "rebuilt fields differ");
    if (f->op == OP_SNAPSHOT)
        FUZZ_CHECK(same_bytes(f->entries.p, (size_t)(entries_end - f->entries.p), g.entries.p,
                              (size_t)(g.entries.end - g.entries.p)),
                   "rebuilt entries differ");
    msgpack_sbuffer_destroy(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    frame f;
    const char *why = NULL;
    int rc = frame_parse(&f, data, size, &why);
    if (rc != 0) {
        FUZZ_CHECK(rc == NANOSTATE_EPROTO || rc == NANOSTATE_ENAME || rc == NANOSTATE_EVALUE,
                   "frame_parse returned %d", rc);
        FUZZ_CHECK(why != NULL && *why, "rejected without a reason");
        return 0;
    }
    check_fields(&f, data, size);
    switch (f.op) {
    case OP_LEGACY:
    case OP_SET:
    case OP_DEL:
        check_forward(&f, data, 1);
        check_forward(&f, data, UINT64_MAX);
        if (f.op != OP_LEGACY)
            check_rebuild_update(&f);
        break;
    case OP_SNAPSHOT: check_rebuild_control(&f, check_entries(&f, data, size)); break;
    case OP_BATCH:
        /* Each frame of a batch lies inside it and is checked as a frame. */
        for (uint32_t i = 0; i < f.entry_count; i++) {
            const uint8_t *inner;
            size_t len;
            frame_next_inner(&f.entries, &inner, &len);
            FUZZ_CHECK(fuzz_inside(inner, len, data, size), "batch frame %u outside the batch", i);
            LLVMFuzzerTestOneInput(inner, len);
        }
        break;
    default: check_rebuild_control(&f, NULL); break;
    }
    return 0;
}
