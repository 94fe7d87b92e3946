/* SPDX-License-Identifier: MIT */
/* proxy.c - copies bytes between each accepted connection and the target. */
#define _GNU_SOURCE
#include "proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_TUNNELS 16
#define TUNNEL_BUF (64 * 1024)

/* One direction of a tunnel: bytes read from fd[d] wait here for fd[1 - d]. */
typedef struct flow {
    char buf[TUNNEL_BUF];
    size_t len, off;
} flow;

typedef struct tunnel {
    int fd[2]; /* the App's side, the hub's side; -1 when unused */
    flow dir[2];
} tunnel;

typedef struct address {
    struct sockaddr_storage ss;
    socklen_t len;
    int family;
} address;

static int parse_url(const char *url, address *a)
{
    memset(a, 0, sizeof *a);
    if (strncmp(url, "tcp://", 6) == 0) {
        const char *host = url + 6, *colon = strrchr(host, ':');
        char ip[64];
        if (!colon || (size_t)(colon - host) >= sizeof ip)
            return -1;
        snprintf(ip, sizeof ip, "%.*s", (int)(colon - host), host);
        struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)atoi(colon + 1));
        if (inet_pton(AF_INET, ip, &in->sin_addr) != 1)
            return -1;
        a->len = sizeof *in;
        a->family = AF_INET;
        return 0;
    }
    if (strncmp(url, "ipc://", 6) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&a->ss;
        if (strlen(url + 6) >= sizeof un->sun_path)
            return -1;
        un->sun_family = AF_UNIX;
        strcpy(un->sun_path, url + 6);
        a->len = sizeof *un;
        a->family = AF_UNIX;
        return 0;
    }
    return -1;
}

static void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static void tunnel_close(tunnel *l)
{
    for (int i = 0; i < 2; i++) {
        if (l->fd[i] >= 0)
            close(l->fd[i]);
        l->fd[i] = -1;
        l->dir[i].len = l->dir[i].off = 0;
    }
}

/* A new App connection: joined to a fresh connection to the target, or
 * closed when the target does not answer (the App will try again). */
static void accept_one(int listener, const address *target, tunnel *tunnels)
{
    int app = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (app < 0)
        return;
    tunnel *free_tunnel = NULL;
    for (int i = 0; i < MAX_TUNNELS && !free_tunnel; i++)
        if (tunnels[i].fd[0] < 0)
            free_tunnel = &tunnels[i];
    int hub = free_tunnel ? socket(target->family, SOCK_STREAM | SOCK_CLOEXEC, 0) : -1;
    if (hub < 0 || connect(hub, (const struct sockaddr *)&target->ss, target->len) != 0) {
        if (hub >= 0)
            close(hub);
        close(app);
        return;
    }
    if (target->family == AF_INET) {
        int one = 1;
        setsockopt(hub, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(app, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    set_nonblocking(app);
    set_nonblocking(hub);
    free_tunnel->fd[0] = app;
    free_tunnel->fd[1] = hub;
}

/* Moves bytes of direction d one step: read when its buffer is empty, else
 * write. 0, or -1 when the tunnel is finished. */
static int pump(tunnel *l, int d)
{
    flow *f = &l->dir[d];
    ssize_t n;
    if (f->len == 0) {
        n = read(l->fd[d], f->buf, sizeof f->buf);
        if (n > 0) {
            f->len = (size_t)n;
            f->off = 0;
        }
    } else {
        n = write(l->fd[1 - d], f->buf + f->off, f->len - f->off);
        if (n > 0 && (f->off += (size_t)n) == f->len)
            f->len = f->off = 0;
    }
    if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
        return 0;
    return -1; /* end of stream or a broken connection */
}

int proxy_main(const char *listen_url, const char *target_url)
{
    address at, target;
    if (parse_url(listen_url, &at) != 0 || parse_url(target_url, &target) != 0) {
        fprintf(stderr, "proxy: bad URL %s or %s\n", listen_url, target_url);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    int listener = socket(at.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (at.family == AF_INET)
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    else
        unlink(((struct sockaddr_un *)&at.ss)->sun_path); /* the killed proxy's */
    if (listener < 0 || bind(listener, (const struct sockaddr *)&at.ss, at.len) != 0 ||
        listen(listener, MAX_TUNNELS) != 0) {
        fprintf(stderr, "proxy: cannot listen on %s: %s\n", listen_url, strerror(errno));
        return 1;
    }

    static tunnel tunnels[MAX_TUNNELS];
    for (int i = 0; i < MAX_TUNNELS; i++)
        tunnels[i].fd[0] = tunnels[i].fd[1] = -1;
    struct pollfd fds[1 + 2 * MAX_TUNNELS];
    int owner[1 + 2 * MAX_TUNNELS]; /* tunnel * 2 + direction of each entry */
    for (;;) {
        int n = 0;
        fds[n].fd = listener;
        fds[n++].events = POLLIN;
        for (int i = 0; i < MAX_TUNNELS; i++) {
            if (tunnels[i].fd[0] < 0)
                continue;
            for (int d = 0; d < 2; d++) {
                int writing = tunnels[i].dir[d].len > 0;
                fds[n].fd = tunnels[i].fd[writing ? 1 - d : d];
                fds[n].events = writing ? POLLOUT : POLLIN;
                owner[n++] = i * 2 + d;
            }
        }
        if (poll(fds, (nfds_t)n, -1) < 0)
            continue; /* EINTR, e.g. after SIGCONT */
        for (int k = 1; k < n; k++) {
            tunnel *l = &tunnels[owner[k] / 2];
            if (fds[k].revents && l->fd[0] >= 0 && pump(l, owner[k] % 2) != 0)
                tunnel_close(l);
        }
        if (fds[0].revents & POLLIN)
            accept_one(listener, &target, tunnels);
    }
}
