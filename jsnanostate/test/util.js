// SPDX-License-Identifier: MIT
// Bounded waits on an App's events, for the tests.

/** Resolves with the arguments of the next `event` of `emitter` that
 * satisfies `match`, or rejects after timeoutMs. */
export function nextEvent(emitter, event, match = () => true, timeoutMs = 3000) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            off();
            reject(new Error(`no '${event}' event in ${timeoutMs} ms`));
        }, timeoutMs);
        const off = emitter.on(event, (...args) => {
            if (!match(...args))
                return;
            clearTimeout(timer);
            off();
            resolve(args);
        });
    });
}

const EVENTS = ['update', 'remove', 'connect', 'disconnect', 'synced'];

/** Resolves when condition() holds, checked now and after every event of
 * `app`; rejects after timeoutMs with `what` in the message. */
export function until(app, condition, what = 'condition', timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
        if (condition()) {
            resolve();
            return;
        }
        const offs = [];
        const done = (err) => {
            clearTimeout(timer);
            offs.forEach((off) => off());
            if (err)
                reject(err);
            else
                resolve();
        };
        const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
        for (const event of EVENTS)
            offs.push(app.on(event, () => {
                if (condition())
                    done();
            }));
    });
}
