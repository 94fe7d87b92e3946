/* SPDX-License-Identifier: MIT */
/*
 * buffer.h - a growable byte buffer that msgpack-c's packer writes into.
 *
 * With nn set, the memory comes from nn_allocmsg so a finished frame is handed
 * to nn_send(NN_MSG) without another copy.
 */
#ifndef NANOSTATE_BUFFER_H
#define NANOSTATE_BUFFER_H

#include <msgpack.h>
#include <stddef.h>

typedef struct buffer {
    char *data;
    size_t len;
    size_t cap;
    int nn;     /* memory from nn_allocmsg */
    int failed; /* an allocation failed: the content is incomplete */
} buffer;

void buffer_init(buffer *b, int nn);
void buffer_free(buffer *b);
static inline void buffer_clear(buffer *b) { b->len = 0; b->failed = 0; }
int buffer_reserve(buffer *b, size_t extra);
int buffer_append(buffer *b, const void *data, size_t len);
/* Gives up the memory (nn_freemsg/free is the taker's) and leaves b empty. */
void *buffer_take(buffer *b);
/* The msgpack_packer write callback; data is a buffer*. */
int buffer_write(void *data, const char *buf, size_t len);

static inline void buffer_packer(buffer *b, msgpack_packer *pk)
{
    msgpack_packer_init(pk, b, buffer_write);
}

#endif
