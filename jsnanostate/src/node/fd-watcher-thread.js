// SPDX-License-Identifier: MIT
// fd-watcher-thread.js - the thread of an FdWatcher (fd-watcher.js): it
// blocks in libc poll() on the fd and the wake pipe, tells the main thread
// when the fd is readable, then sleeps (Atomics.wait) until the main thread
// has done its work, since the fd stays readable until then. It never
// reads the fd nor touches what owns it.

import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

import { GO, POLLIN, STOP } from './fd-watcher.js';

const POLLNVAL = 0x0020;
const koffi = createRequire(import.meta.url)('koffi');
const libc = koffi.load(null); // the symbols of the process: Node's libc
// nfds_t is unsigned long on Linux, unsigned int on macOS: the same register.
const poll = libc.func('int poll(_Inout_ void *fds, unsigned long nfds, int timeout)');

const { fd, wake, shared } = workerData;
const state = new Int32Array(shared);
// struct pollfd { int fd; short events; short revents; } twice, native order.
const fds = new Int32Array(4);
const halves = new Int16Array(fds.buffer);
fds[0] = fd;
halves[2] = POLLIN;
fds[2] = wake;
halves[6] = POLLIN;

while (!Atomics.load(state, STOP)) {
    halves[3] = 0;
    halves[7] = 0;
    const n = poll(fds, 2, -1);
    if (Atomics.load(state, STOP))
        break;
    if (n < 0) {
        if (koffi.errno() === koffi.os.errno.EINTR)
            continue;
        throw new Error(`poll() failed: errno ${koffi.errno()}`);
    }
    if (halves[3] & POLLNVAL)
        throw new Error(`fd ${fd} is not open`);
    if (halves[3]) {
        Atomics.store(state, GO, 0);
        parentPort.postMessage(0);
        Atomics.wait(state, GO, 0);
    }
}
