/* SPDX-License-Identifier: MIT */
/*
 * batch.h - frames gathered to go out as one message (docs/PROTOCOL.md 7.10):
 * one frame alone as it is, several as a BATCH. The hub and the App each
 * keep one while they send a burst.
 */
#ifndef NANOSTATE_BATCH_H
#define NANOSTATE_BATCH_H

#include "buffer.h"

#include <stddef.h>
#include <stdint.h>

typedef struct batch {
    buffer body; /* the frames, back to back */
    uint32_t frames;
} batch;

static inline void batch_init(batch *b) { buffer_init(&b->body, 0); b->frames = 0; }
static inline void batch_free(batch *b) { buffer_free(&b->body); b->frames = 0; }
static inline void batch_clear(batch *b) { buffer_clear(&b->body); b->frames = 0; }

/* Appends a frame; -1 when out of memory (what the batch holds stays whole). */
int batch_append(batch *b, const void *frame, size_t len);

/* The message for what the batch holds, from nn_allocmsg (sent with
 * NN_MSG): the frame alone, or a BATCH of them from `sender`. NULL when it
 * holds nothing or memory ran out. Empties the batch; *frames tells how many
 * frames the message carries. */
void *batch_take(batch *b, const char *sender, size_t sender_len, uint32_t *frames);
/* The same message in `out` (plain memory), for other transports: 0, or -1
 * when the batch held nothing or memory ran out. Empties the batch. */
int batch_take_into(batch *b, const char *sender, size_t sender_len, buffer *out,
                    uint32_t *frames);

#endif
