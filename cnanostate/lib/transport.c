/* SPDX-License-Identifier: MIT */
#include "transport.h"

#include <nanostate/nanostate.h>

#include <errno.h>
#include <nanomsg/bus.h>
#include <nanomsg/nn.h>
#include <nanomsg/tcp.h>
#include <string.h>

int transport_socket(int raw, size_t max_frame, int *sock)
{
    int s = nn_socket(raw ? AF_SP_RAW : AF_SP, NN_BUS);
    if (s < 0)
        return transport_error(errno);
    transport_set_max_frame(s, max_frame);
    /* A hub answers one set with two small frames (echo, then others'
     * traffic); Nagle would hold the second for the peer's delayed ACK. */
    int nodelay = 1;
    nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &nodelay, sizeof nodelay);
    /* nanomsg's 128 KiB per connection hold two 64 KiB values: a burst of
     * large values overflowed them, frames were dropped and Apps resynced.
     * 1 MiB each way (a bound, not an allocation) carries 64 KiB values at
     * the transport's own rate. */
    int buffer = TRANSPORT_BUFFER;
    nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &buffer, sizeof buffer);
    nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVBUF, &buffer, sizeof buffer);
    *sock = s;
    return 0;
}

void transport_set_max_frame(int sock, size_t max_frame)
{
    /* Frames up to twice our limit reach us, so they are rejected with a
     * reason and counted; only absurd lengths meet nanomsg's own limit, which
     * drops the connection instead of allocating them. */
    size_t limit = max_frame * 2 + 4096;
    int max = limit > 0x7fffffff ? 0x7fffffff : (int)limit;
    nn_setsockopt(sock, NN_SOL_SOCKET, NN_RCVMAXSIZE, &max, sizeof max);
}

int transport_error(int err)
{
    switch (err) {
    case EINVAL:
    case EPROTONOSUPPORT:
    case ENODEV:
    case ENAMETOOLONG: return NANOSTATE_EURL;
    case EADDRINUSE: return NANOSTATE_EADDRINUSE;
    case EADDRNOTAVAIL: return NANOSTATE_EADDRNOTAVAIL;
    case ENOMEM: return NANOSTATE_ENOMEM;
    case ETIMEDOUT: return NANOSTATE_ETIMEDOUT;
    case EBADF:
    case ETERM: return NANOSTATE_ECLOSED;
    default: return NANOSTATE_ETRANSPORT;
    }
}

int transport_check_url(const char *url)
{
    if (!url)
        return NANOSTATE_EURL;
    static const char *const schemes[] = {"tcp://", "ipc://", "ws://", "inproc://"};
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
        size_t n = strlen(schemes[i]);
        if (strncmp(url, schemes[i], n) == 0 && url[n] != '\0')
            return 0;
    }
    return NANOSTATE_EURL;
}

int transport_recv_fd(int sock)
{
    int fd = -1;
    size_t sz = sizeof fd;
    if (nn_getsockopt(sock, NN_SOL_SOCKET, NN_RCVFD, &fd, &sz) < 0)
        return -1;
    return fd;
}
