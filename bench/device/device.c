/* SPDX-License-Identifier: MIT */
/*
 * nanostate-bench-device URL...
 *
 * The transport floor: a raw nanomsg NN_BUS device (AF_SP_RAW + nn_device)
 * bound to every URL. It forwards each frame to every other peer and keeps
 * nothing: what a hub that does nothing costs. Runs until SIGTERM.
 */
#include <nanomsg/bus.h>
#include <nanomsg/nn.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: nanostate-bench-device URL...\n");
        return 2;
    }
    int s = nn_socket(AF_SP_RAW, NN_BUS);
    int max = -1;
    nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &max, sizeof max);
    for (int i = 1; i < argc; i++)
        if (nn_bind(s, argv[i]) < 0) {
            fprintf(stderr, "nanostate-bench-device: %s: %s\n", argv[i], nn_strerror(nn_errno()));
            return 1;
        }
    nn_device(s, -1); /* a BUS device loops one socket back onto itself */
    return 0;
}
