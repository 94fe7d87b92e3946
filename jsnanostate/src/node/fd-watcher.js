// SPDX-License-Identifier: MIT
// fd-watcher.js - calls back on the main thread whenever a file descriptor
// is readable. Node has no public way to watch an arbitrary fd (the hub's is
// an eventfd, which net.Socket does not take), and a poll() left blocking in
// libuv's thread pool would take one of its four threads for good. So a
// thread of its own (fd-watcher-thread.js) blocks in poll(): no polling loop,
// and the fd is only ever polled there, never read.

import { Worker } from 'node:worker_threads';

export const POLLIN = 0x0001; // the same on Linux, the BSDs and macOS
// Indexes in the Int32Array the two threads share.
export const GO = 0;   // 1: the main thread has done its work, poll again
export const STOP = 1; // 1: the thread ends

// Threads not yet ended: process.exit() while one is still inside a koffi
// call can abort the process (seen as SIGABRT after SIGTERM, rarely).
const running = new Set();

/** Resolves when the thread of every closed watcher has ended. */
export function watchersEnded() {
    return Promise.all([...running]);
}

export class FdWatcher {
    #state = new Int32Array(new SharedArrayBuffer(8));
    #libc;
    #wake;
    #worker;
    #closed = false;
    #exited = false; // the thread ended: its pipe is closed

    /**
     * @param koffi the koffi module (for the wake pipe)
     * @param {number} fd polled for reading only
     * @param {() => void} onReadable runs on the main thread each time fd is
     *   readable; watching goes on when it returns
     * @param {(err: Error) => void} onError the thread failed
     */
    constructor(koffi, fd, onReadable, onError) {
        const libc = koffi.load(null);
        this.#libc = {
            write: libc.func('intptr_t write(int fd, const void *buf, size_t count)'),
            close: libc.func('int close(int fd)'),
        };
        const ends = new Int32Array(2);
        if (libc.func('int pipe(_Out_ int *fds)')(ends) !== 0)
            throw new Error(`pipe() failed: errno ${koffi.errno()}`);
        this.#wake = [...ends];
        this.#worker = new Worker(new URL('./fd-watcher-thread.js', import.meta.url), {
            workerData: { fd, wake: this.#wake[0], shared: this.#state.buffer },
        });
        this.#worker.on('message', () => {
            if (this.#closed)
                return;
            try {
                onReadable();
            } finally {
                Atomics.store(this.#state, GO, 1);
                Atomics.notify(this.#state, GO);
            }
        });
        this.#worker.on('error', (err) => this.#closed || onError(err));
        const ended = new Promise((resolve) => this.#worker.once('exit', resolve));
        running.add(ended);
        this.#worker.on('exit', () => {
            this.#exited = true;
            running.delete(ended);
            this.#wake.forEach((end) => this.#libc.close(end));
        });
    }

    /** Stops watching at once: the fd may be closed right after. The thread
     * is woken (from poll() or its wait) and ends by itself. */
    close() {
        if (this.#closed)
            return;
        this.#closed = true;
        Atomics.store(this.#state, STOP, 1);
        Atomics.store(this.#state, GO, 1);
        Atomics.notify(this.#state, GO);
        if (!this.#exited)
            this.#libc.write(this.#wake[1], Buffer.from([1]), 1);
    }
}
