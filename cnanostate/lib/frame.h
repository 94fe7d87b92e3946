/* SPDX-License-Identifier: MIT */
/*
 * frame.h - the wire frames of docs/PROTOCOL.md: parsing and building.
 *
 * Every frame is one msgpack array whose first three elements are
 * [sender:str, name:str, data]; original Apps read no further. Element 3,
 * when present, is the op; the fields after it depend on the op.
 */
#ifndef NANOSTATE_FRAME_H
#define NANOSTATE_FRAME_H

#include "reader.h"

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

enum frame_op {
    OP_LEGACY = 0,    /* [sender, name, data]: an original App's set */
    OP_SET = 1,       /* set a state */
    OP_DEL = 2,       /* remove a state */
    OP_SYNC = 3,      /* App asks for the changes since a sequence number */
    OP_SNAPSHOT = 4,  /* hub answers SYNC with one chunk of the table */
    OP_HEARTBEAT = 5, /* hub's periodic sign of life */
    OP_ACK = 6,       /* hub tells one App how far it applied its frames */
    OP_PING = 7,      /* App asks for an ACK */
    OP_HELLO = 8,     /* App tells the hub which features it understands */
    OP_BATCH = 9      /* several frames in one message */
};
#define OP_MASK 0x0f
#define OP_FLAG_REBASE 0x10 /* App->hub: restart the in-order check here */

/* Features an App declares in SYNC and HELLO. */
#define FEATURE_BATCH 1 /* it reads BATCH frames */
#define FEATURE_SEQ_ACK 2 /* it takes an ACK with a seq for the echo of a large change */
/* A value this large is "large" for FEATURE_SEQ_ACK (PROTOCOL.md 7.4),
 * with at most one other pipe; with more, this much per other pipe: the
 * echo costs its bytes once, the ACK one more message for every pipe. */
#define SEQ_ACK_MIN_VALUE 32768

#define SNAP_FULL 1 /* the chunks replace the whole table */
#define SNAP_MORE 2 /* more chunks follow: ask again from `upto` */

/* Fields per op (elements of the array), as sent by this version. Receivers
 * accept longer arrays and ignore what follows. */
#define FRAME_LEN_LEGACY 3
#define FRAME_LEN_UPDATE_IN 6  /* App -> hub SET/DEL */
#define FRAME_LEN_UPDATE_OUT 7 /* hub -> App SET/DEL: + seq */
#define FRAME_LEN_SYNC 7          /* + features: 8 */
#define FRAME_LEN_SYNC_FEATURES 8
#define FRAME_LEN_SNAPSHOT 12
#define FRAME_LEN_HEARTBEAT 8     /* + census: 9 */
#define FRAME_LEN_HEARTBEAT_CENSUS 9
#define FRAME_LEN_ACK 8
#define FRAME_LEN_PING 6
#define FRAME_LEN_HELLO 6
#define FRAME_LEN_BATCH 5 /* the head and at least one frame */

/* Room for the head of a BATCH frame: array32 header, the sender as str16
 * at most, "", b"", op. */
#define BATCH_HEAD_ROOM(sender_len) ((size_t)(sender_len) + 16)
/* An App's SET/DEL frame beyond its packed name and value, at most. */
#define FRAME_UPDATE_ROOM(sender_len) ((size_t)(sender_len) + 32)

#define HUB_SENDER "$hub"

typedef struct frame {
    uint32_t count; /* elements in the array */
    int op;         /* OP_* */
    int rebase;     /* OP_FLAG_REBASE was set */
    const char *sender;
    uint32_t sender_len;
    const char *name;
    uint32_t name_len;
    const uint8_t *value; /* element 2, packed */
    size_t value_len;
    /* Offset of element 0 and of the end of the last field this version
     * reads: the hub forwards SET/DEL by copying this span. */
    size_t body_off;
    size_t fields_end;
    uint64_t session, aseq, seq, epoch, since, upto, hwm, trigger;
    uint64_t period_ms, max_frame;
    uint64_t features; /* SYNC, HELLO: FEATURE_* (0 when not sent) */
    uint64_t census;   /* HEARTBEAT: 0, or the hub asks every App for a HELLO */
    int snap_flags;
    reader entries; /* SNAPSHOT: on the first entry; BATCH: on the first frame */
    uint32_t entry_count;
} frame;

/* Parses and validates a whole frame. 0, or NANOSTATE_EPROTO (not our
 * shape), NANOSTATE_ENAME (bad name or sender), NANOSTATE_EVALUE (bad value);
 * *why gets a short static reason. */
int frame_parse(frame *f, const void *data, size_t size, const char **why);

/* One entry of a SNAPSHOT: [name, seq, sender, session, value] or, for a
 * removed state, [name, seq]. */
typedef struct snap_entry {
    const char *name;
    uint32_t name_len;
    uint64_t seq;
    int removed;
    const char *sender;
    uint32_t sender_len;
    uint64_t session;
    const uint8_t *value;
    size_t value_len;
} snap_entry;
/* Reads the next entry; 0, or an error code as frame_parse. */
int frame_next_entry(reader *entries, snap_entry *e, const char **why);

/* The next frame of a BATCH (f->entries, f->entry_count of them): its bytes,
 * to be parsed like a frame of its own. frame_parse checked that each is a
 * well-formed msgpack array. */
void frame_next_inner(reader *frames, const uint8_t **data, size_t *size);

/* --- building ---------------------------------------------------------- */
/* The first four elements of a frame of `count` elements. */
int frame_pack_head(msgpack_packer *pk, uint32_t count, const char *sender, size_t sender_len,
                    const char *name, size_t name_len);
/* [sender, "", b"", op]: the head of a control frame. */
int frame_pack_control(msgpack_packer *pk, uint32_t count, const char *sender, size_t sender_len,
                       int op);
/* A SET or DEL. seq 0 builds the App->hub form, else the hub->App form.
 * value NULL (DEL) packs an empty bin. */
int frame_pack_update(msgpack_packer *pk, int op, const char *sender, size_t sender_len,
                      const char *name, size_t name_len, const void *value, size_t value_len,
                      uint64_t session, uint64_t aseq, uint64_t seq);
/* The head of a BATCH of `frames` frames, into out (BATCH_HEAD_ROOM bytes);
 * returns its length, 0 when it does not fit. */
size_t frame_batch_head(uint8_t *out, size_t cap, const char *sender, size_t sender_len,
                        uint32_t frames);
/* The hub->App form of a parsed SET/DEL/legacy frame: one copy of its bytes
 * plus the sequence number. */
int frame_pack_forward(msgpack_packer *pk, const frame *f, const void *data, uint64_t seq);

#endif
