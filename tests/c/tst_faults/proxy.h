/* SPDX-License-Identifier: MIT */
/*
 * proxy.h - a byte proxy between Apps and a hub, for partition tests: it
 * listens on a tcp:// or ipc:// URL and joins each connection to a new one
 * to the target URL, copying bytes both ways. nanomsg's framing passes
 * through untouched.
 *
 * It runs in a process of its own (tst_faults --proxy LISTEN TARGET), so the
 * test cuts the link with SIGKILL and restores it by starting another proxy
 * on the same URL, or freezes it with SIGSTOP and thaws it with SIGCONT:
 * then the connections stay open but nothing gets through.
 */
#ifndef NANOSTATE_TST_FAULTS_PROXY_H
#define NANOSTATE_TST_FAULTS_PROXY_H

/* Serves until killed. Returns 1 (with a message on stderr) only when it
 * cannot listen. */
int proxy_main(const char *listen_url, const char *target_url);

#endif
