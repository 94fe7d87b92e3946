/* SPDX-License-Identifier: MIT */
#include "batch.h"

#include "frame.h"

#include <nanostate/nanostate.h>
#include <nanomsg/nn.h>
#include <string.h>

int batch_append(batch *b, const void *frame, size_t len)
{
    if (buffer_append(&b->body, frame, len) != 0) {
        b->body.failed = 0; /* nothing was appended */
        return -1;
    }
    b->frames++;
    return 0;
}

/* Empties the batch into head[*head_len] (none for one frame) and what
 * b->body still holds: 0, or -1 when it held nothing (or the head failed,
 * and the frames are dropped). The caller clears b->body. */
static int take_head(batch *b, const char *sender, size_t sender_len, uint8_t *head, size_t cap,
                     size_t *head_len, uint32_t *frames)
{
    *frames = b->frames;
    b->frames = 0;
    *head_len = 0;
    if (*frames == 0)
        return -1;
    if (*frames > 1) {
        *head_len = frame_batch_head(head, cap, sender, sender_len, *frames);
        if (*head_len == 0)
            return -1;
    }
    return 0;
}

void *batch_take(batch *b, const char *sender, size_t sender_len, uint32_t *frames)
{
    uint8_t head[BATCH_HEAD_ROOM(NANOSTATE_MAX_IDENTITY)];
    size_t head_len;
    void *msg = NULL;
    if (take_head(b, sender, sender_len, head, sizeof head, &head_len, frames) == 0 &&
        (msg = nn_allocmsg(head_len + b->body.len, 0))) {
        memcpy(msg, head, head_len);
        memcpy((char *)msg + head_len, b->body.data, b->body.len);
    }
    buffer_clear(&b->body);
    return msg;
}

int batch_take_into(batch *b, const char *sender, size_t sender_len, buffer *out, uint32_t *frames)
{
    uint8_t head[BATCH_HEAD_ROOM(NANOSTATE_MAX_IDENTITY)];
    size_t head_len;
    buffer_clear(out);
    int rc = take_head(b, sender, sender_len, head, sizeof head, &head_len, frames);
    if (rc == 0 && (buffer_append(out, head, head_len) != 0 ||
                    buffer_append(out, b->body.data, b->body.len) != 0))
        rc = -1;
    buffer_clear(&b->body);
    return rc;
}
