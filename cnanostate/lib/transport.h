/* SPDX-License-Identifier: MIT */
/* transport.h - the nanomsg calls App and hub share. */
#ifndef NANOSTATE_TRANSPORT_H
#define NANOSTATE_TRANSPORT_H

#include <stddef.h>

/* Send and receive buffer of every connection (NN_SNDBUF, NN_RCVBUF) unless
 * NANOSTATE_OPT_SEND_BUFFER / NANOSTATE_OPT_RECV_BUFFER say otherwise. */
#define TRANSPORT_BUFFER (1024 * 1024)

/* A NN_BUS socket (raw for the hub, which needs to know the sender's pipe). */
int transport_socket(int raw, size_t max_frame, int *sock);
void transport_set_max_frame(int sock, size_t max_frame);
/* Maps nanomsg's errno after a failed call to a NANOSTATE_E* code. */
int transport_error(int err);
/* Checks the URL's form before nanomsg sees it (it accepts some nonsense). */
int transport_check_url(const char *url);
/* The readable-when-frames-wait descriptor. */
int transport_recv_fd(int sock);

#endif
