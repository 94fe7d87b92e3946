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

void *batch_take(batch *b, const char *sender, size_t sender_len, uint32_t *frames)
{
    *frames = b->frames;
    b->frames = 0;
    if (*frames == 0) {
        buffer_clear(&b->body);
        return NULL;
    }
    uint8_t head[BATCH_HEAD_ROOM(NANOSTATE_MAX_IDENTITY)];
    size_t head_len = 0;
    if (*frames > 1) {
        head_len = frame_batch_head(head, sizeof head, sender, sender_len, *frames);
        if (head_len == 0) {
            buffer_clear(&b->body);
            return NULL;
        }
    }
    void *msg = nn_allocmsg(head_len + b->body.len, 0);
    if (msg) {
        memcpy(msg, head, head_len);
        memcpy((char *)msg + head_len, b->body.data, b->body.len);
    }
    buffer_clear(&b->body);
    return msg;
}
