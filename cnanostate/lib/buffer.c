/* SPDX-License-Identifier: MIT */
#include "buffer.h"

#include <nanomsg/nn.h>
#include <stdlib.h>
#include <string.h>

void buffer_init(buffer *b, int nn)
{
    memset(b, 0, sizeof *b);
    b->nn = nn;
}

void buffer_free(buffer *b)
{
    if (b->data)
        b->nn ? nn_freemsg(b->data) : free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int buffer_reserve(buffer *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    void *p;
    if (b->nn)
        p = b->data ? nn_reallocmsg(b->data, cap) : nn_allocmsg(cap, 0);
    else
        p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int buffer_append(buffer *b, const void *data, size_t len)
{
    if (len == 0)
        return 0; /* b->data may still be NULL: memcpy must not see it */
    if (buffer_reserve(b, len) != 0)
        return -1;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

void *buffer_take(buffer *b)
{
    void *p = b->data;
    /* nanomsg sends a chunk's whole allocated size: make it exact. */
    if (b->nn && p && b->len != b->cap) {
        void *q = nn_reallocmsg(p, b->len ? b->len : 1);
        if (q)
            p = q;
    }
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

int buffer_write(void *data, const char *buf, size_t len)
{
    return buffer_append((buffer *)data, buf, len);
}
