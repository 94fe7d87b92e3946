/* SPDX-License-Identifier: MIT */
/* Raw nanomsg NN_BUS: one frame "name\0value", no table, no acks. */
#include "transport.h"

#include <nanomsg/bus.h>
#include <nanomsg/nn.h>

#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct bench_conn {
    int sock;
    int fd;
    char *buf;
    size_t cap;
};

static int nm_open(bench_conn **out, const char *url, const char *filter, int flags)
{
    (void)filter;
    bench_conn *c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->sock = nn_socket(AF_SP, NN_BUS);
    int max = -1;
    nn_setsockopt(c->sock, NN_SOL_SOCKET, NN_RCVMAXSIZE, &max, sizeof max);
    size_t fdlen = sizeof c->fd;
    if (c->sock < 0 || ((flags & BENCH_BIND) ? nn_bind(c->sock, url) : nn_connect(c->sock, url)) < 0 ||
        nn_getsockopt(c->sock, NN_SOL_SOCKET, NN_RCVFD, &c->fd, &fdlen) < 0) {
        if (c->sock >= 0)
            nn_close(c->sock);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

static int nm_send(bench_conn *c, const char *name, const void *val, size_t len)
{
    size_t nl = strlen(name) + 1;
    if (c->cap < nl + len) {
        free(c->buf);
        c->cap = nl + len;
        c->buf = malloc(c->cap);
    }
    memcpy(c->buf, name, nl);
    memcpy(c->buf + nl, val, len);
    return nn_send(c->sock, c->buf, nl + len, NN_DONTWAIT) < 0 ? -1 : 0;
}

static int nm_poll(bench_conn *c, int timeout_ms, bench_recv_fn fn, void *user)
{
    struct pollfd pfd = {c->fd, POLLIN, 0};
    if (timeout_ms != 0 && poll(&pfd, 1, timeout_ms) <= 0)
        return 0;
    int n = 0;
    for (;;) {
        void *msg;
        int len = nn_recv(c->sock, &msg, NN_MSG, NN_DONTWAIT);
        if (len < 0)
            break;
        const char *end = memchr(msg, 0, (size_t)len);
        if (end && fn) {
            size_t nl = (size_t)(end - (const char *)msg) + 1;
            fn(user, msg, (const char *)msg + nl, (size_t)len - nl);
        }
        nn_freemsg(msg);
        n++;
    }
    return n;
}

static void nm_flush(bench_conn *c, int timeout_ms)
{
    (void)c;
    (void)timeout_ms; /* nothing to wait for: BUS has no acks */
}

static void nm_close(bench_conn *c)
{
    nn_close(c->sock);
    free(c->buf);
    free(c);
}

const bench_transport bench_transport_nanomsg = {"nanomsg", nm_open, nm_send, nm_poll, nm_flush, nm_close};
