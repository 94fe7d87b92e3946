/* SPDX-License-Identifier: MIT */
/*
 * rawbus.h - a peer without libnanostate: a plain (AF_SP) NN_BUS socket
 * connected to a hub, as the original Nanostate Apps use, sending frames the
 * test built byte by byte and reading whatever the hub sends.
 *
 * Frames are sent as they are, never checked. Waits are bounded and wait for
 * a condition; while waiting, the given libnanostate Apps are dispatched too.
 */
#ifndef NANOSTATE_RAWBUS_H
#define NANOSTATE_RAWBUS_H

#include <nanostate/nanostate.h>

#include <msgpack.h>
#include <stddef.h>

/* Opens the socket and connects it to url: the socket, or -1. */
int rawbus_open(const char *url);
/* Closes a socket from rawbus_open; a negative one is ignored. */
void rawbus_close(int sock);

/* Sends one frame (size 0 is allowed). 0, or -1. BUS drops what a full pipe
 * cannot take: send a large frame only to an idle pipe. */
int rawbus_send(int sock, const void *frame, size_t size);

/* Packs the frame of an original App, [sender, name, data], into sbuf (which
 * the caller initialised): data as bin (C and Python Apps) or, when as_str
 * is set, as str (browser Apps). The name is name_len bytes, so it may hold
 * any bytes. */
void rawbus_pack_legacy(msgpack_sbuffer *sbuf, const char *sender, const char *name,
                        size_t name_len, const void *data, size_t len, int as_str);
/* rawbus_pack_legacy with a NUL-terminated name, then rawbus_send. */
int rawbus_send_legacy(int sock, const char *sender, const char *name, const void *data, size_t len,
                       int as_str);

/* Called with every frame the socket receives while waiting; the frame is
 * borrowed (valid during the call). */
typedef void (*rawbus_frame_fn)(void *arg, const void *frame, size_t size);

/* Reads the socket (each frame to on_frame, or dropped when it is NULL) and
 * dispatches the n apps (apps may be NULL when n is 0) until cond(arg)
 * returns non-zero (0) or timeout_ms passes (-1). cond is checked after
 * every wake-up, and at least every 100 ms. */
int rawbus_wait(int sock, nanostate_app **apps, int n, rawbus_frame_fn on_frame,
                int (*cond)(void *), void *arg, int timeout_ms);

/* Waits until the socket receives a frame from the hub (a heartbeat at the
 * latest): from then on its frames reach the hub. 0, or -1 on timeout. */
int rawbus_wait_connected(int sock, int timeout_ms);

#endif
