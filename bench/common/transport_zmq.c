/* SPDX-License-Identifier: MIT */
/* ZeroMQ: PUB to the proxy's XSUB, SUB from its XPUB; one frame "name\0value". */
#include "transport.h"

#include <zmq.h>

#include <stdlib.h>
#include <string.h>

struct bench_conn {
    void *ctx, *pub, *sub;
    char *buf;
    size_t cap;
};

static int zq_open(bench_conn **out, const char *url, const char *filter, int flags)
{
    (void)flags;
    char pub_url[256], sub_url[256];
    const char *comma = strchr(url, ',');
    if (!comma || (size_t)(comma - url) >= sizeof pub_url || strlen(comma + 1) >= sizeof sub_url)
        return -1;
    memcpy(pub_url, url, (size_t)(comma - url));
    pub_url[comma - url] = 0;
    strcpy(sub_url, comma + 1);
    bench_conn *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->ctx = zmq_ctx_new();
    c->pub = zmq_socket(c->ctx, ZMQ_PUB);
    if (zmq_connect(c->pub, pub_url) != 0)
        goto fail;
    if (filter) {
        c->sub = zmq_socket(c->ctx, ZMQ_SUB);
        if (zmq_setsockopt(c->sub, ZMQ_SUBSCRIBE, filter, strlen(filter)) != 0 ||
            zmq_connect(c->sub, sub_url) != 0)
            goto fail;
    }
    *out = c;
    return 0;
fail:
    zmq_close(c->pub);
    if (c->sub)
        zmq_close(c->sub);
    zmq_ctx_term(c->ctx);
    free(c);
    return -1;
}

static int zq_send(bench_conn *c, const char *name, const void *val, size_t len)
{
    size_t nl = strlen(name) + 1;
    if (c->cap < nl + len) {
        free(c->buf);
        c->cap = nl + len;
        c->buf = malloc(c->cap);
    }
    memcpy(c->buf, name, nl);
    memcpy(c->buf + nl, val, len);
    return zmq_send(c->pub, c->buf, nl + len, ZMQ_DONTWAIT) < 0 ? -1 : 0;
}

static int zq_poll(bench_conn *c, int timeout_ms, bench_recv_fn fn, void *user)
{
    if (!c->sub)
        return 0;
    zmq_pollitem_t item = {c->sub, 0, ZMQ_POLLIN, 0};
    if (timeout_ms != 0 && zmq_poll(&item, 1, timeout_ms) <= 0)
        return 0;
    int n = 0;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    while (zmq_msg_recv(&msg, c->sub, ZMQ_DONTWAIT) >= 0) {
        const char *data = zmq_msg_data(&msg);
        size_t len = zmq_msg_size(&msg);
        const char *end = memchr(data, 0, len);
        if (end && fn) {
            size_t nl = (size_t)(end - data) + 1;
            fn(user, data, data + nl, len - nl);
        }
        n++;
    }
    zmq_msg_close(&msg);
    return n;
}

static void zq_flush(bench_conn *c, int timeout_ms)
{
    (void)c;
    (void)timeout_ms;
}

static void zq_close(bench_conn *c)
{
    int zero = 0;
    zmq_setsockopt(c->pub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(c->pub);
    if (c->sub) {
        zmq_setsockopt(c->sub, ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(c->sub);
    }
    zmq_ctx_term(c->ctx);
    free(c->buf);
    free(c);
}

const bench_transport bench_transport_zmq = {"zmq", zq_open, zq_send, zq_poll, zq_flush, zq_close};
