// SPDX-License-Identifier: MIT
// emitter.js - a tiny event emitter that works the same in browsers and Node.

export class Emitter {
    #listeners = new Map();

    /** Calls fn(...args) on every `event`; returns a function that stops it. */
    on(event, fn) {
        let set = this.#listeners.get(event);
        if (!set)
            this.#listeners.set(event, (set = new Set()));
        set.add(fn);
        return () => this.off(event, fn);
    }

    /** Like on(), for the next `event` only. */
    once(event, fn) {
        const off = this.on(event, (...args) => {
            off();
            fn(...args);
        });
        return off;
    }

    off(event, fn) {
        this.#listeners.get(event)?.delete(fn);
    }

    /** Calls the listeners in the order they were added. A listener that
     * throws does not stop the others nor the caller: the exception is
     * reported (reportError in browsers, an 'error' event otherwise). */
    emit(event, ...args) {
        const set = this.#listeners.get(event);
        if (!set || set.size === 0)
            return false;
        for (const fn of [...set]) {
            try {
                fn(...args);
            } catch (err) {
                if (event !== 'error' && this.#listeners.get('error')?.size)
                    this.emit('error', err);
                else if (typeof reportError === 'function')
                    reportError(err);
                else
                    console.error(err);
            }
        }
        return true;
    }
}
