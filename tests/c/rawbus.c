/* SPDX-License-Identifier: MIT */
/* rawbus.c - a plain NN_BUS peer for tests: raw frames out, every frame in. */
#include "rawbus.h"

#include "testutil.h"

#include <errno.h>
#include <nanomsg/bus.h>
#include <nanomsg/nn.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define MAX_APPS 16
/* Safety net for conditions no fd signals (a log file another process
 * writes): never sleep longer than this between checks. */
#define POLL_CAP_MS 100

int rawbus_open(const char *url)
{
    int sock = nn_socket(AF_SP, NN_BUS);
    if (sock < 0)
        return -1;
    if (nn_connect(sock, url) < 0) {
        nn_close(sock);
        return -1;
    }
    return sock;
}

void rawbus_close(int sock)
{
    if (sock >= 0)
        nn_close(sock);
}

int rawbus_send(int sock, const void *frame, size_t size)
{
    /* nn_send may not read a NULL buffer even for 0 bytes. */
    static const char none[1];
    return nn_send(sock, size ? frame : none, size, 0) == (int)size ? 0 : -1;
}

void rawbus_pack_legacy(msgpack_sbuffer *sbuf, const char *sender, const char *name,
                        size_t name_len, const void *data, size_t len, int as_str)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sbuf, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 3);
    msgpack_pack_str_with_body(&pk, sender, strlen(sender));
    msgpack_pack_str_with_body(&pk, name, name_len);
    if (as_str)
        msgpack_pack_str_with_body(&pk, data, len);
    else
        msgpack_pack_bin_with_body(&pk, data, len);
}

int rawbus_send_legacy(int sock, const char *sender, const char *name, const void *data, size_t len,
                       int as_str)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init(&sbuf);
    rawbus_pack_legacy(&sbuf, sender, name, strlen(name), data, len, as_str);
    int rc = rawbus_send(sock, sbuf.data, sbuf.size);
    msgpack_sbuffer_destroy(&sbuf);
    return rc;
}

static void drain(int sock, rawbus_frame_fn on_frame, void *arg)
{
    for (;;) {
        void *msg = NULL;
        int n = nn_recv(sock, &msg, NN_MSG, NN_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* EAGAIN: drained */
        }
        if (on_frame)
            on_frame(arg, msg, (size_t)n);
        nn_freemsg(msg);
    }
}

static void add_fd(struct pollfd *fds, int *count, int fd, int timeout, int *wait)
{
    fds[*count].fd = fd;
    fds[*count].events = POLLIN;
    fds[*count].revents = 0;
    (*count)++;
    if (timeout >= 0 && timeout < *wait)
        *wait = timeout;
}

int rawbus_wait(int sock, nanostate_app **apps, int n, rawbus_frame_fn on_frame,
                int (*cond)(void *), void *arg, int timeout_ms)
{
    if (n < 0 || n > MAX_APPS)
        return -1;
    int raw_fd = -1;
    size_t fd_size = sizeof raw_fd;
    if (nn_getsockopt(sock, NN_SOL_SOCKET, NN_RCVFD, &raw_fd, &fd_size) < 0)
        return -1;
    struct pollfd fds[MAX_APPS + 1];
    int64_t deadline = testutil_now_ms() + timeout_ms;
    for (;;) {
        drain(sock, on_frame, arg);
        if (cond(arg))
            return 0;
        int64_t left = deadline - testutil_now_ms();
        if (left <= 0)
            return -1;
        int wait = left < POLL_CAP_MS ? (int)left : POLL_CAP_MS;
        int count = 0;
        add_fd(fds, &count, raw_fd, -1, &wait);
        for (int i = 0; i < n; i++)
            add_fd(fds, &count, nanostate_app_fd(apps[i]), nanostate_app_timeout(apps[i]), &wait);
        poll(fds, (nfds_t)count, wait);
        for (int i = 0; i < n; i++)
            nanostate_app_dispatch(apps[i]);
    }
}

static void count_frame(void *arg, const void *frame, size_t size)
{
    (void)frame;
    (void)size;
    ++*(int *)arg;
}

static int any_frame(void *arg) { return *(int *)arg > 0; }

int rawbus_wait_connected(int sock, int timeout_ms)
{
    int frames = 0;
    return rawbus_wait(sock, NULL, 0, count_frame, any_frame, &frames, timeout_ms);
}
