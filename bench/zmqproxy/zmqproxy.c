/* SPDX-License-Identifier: MIT */
/*
 * nanostate-bench-zmqproxy XSUB_URL XPUB_URL
 *
 * The ZeroMQ reference broker: zmq_proxy between an XSUB socket publishers
 * connect to and an XPUB socket subscribers connect to. Runs until SIGTERM.
 */
#include <zmq.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: nanostate-bench-zmqproxy XSUB_URL XPUB_URL\n");
        return 2;
    }
    void *ctx = zmq_ctx_new();
    void *xsub = zmq_socket(ctx, ZMQ_XSUB), *xpub = zmq_socket(ctx, ZMQ_XPUB);
    if (zmq_bind(xsub, argv[1]) != 0 || zmq_bind(xpub, argv[2]) != 0) {
        fprintf(stderr, "nanostate-bench-zmqproxy: %s\n", zmq_strerror(zmq_errno()));
        return 1;
    }
    zmq_proxy(xsub, xpub, NULL);
    return 0;
}
