/* SPDX-License-Identifier: MIT */
/*
 * nanostate.h - the public API of libnanostate.
 *
 * Processes share states: named values ("robot/speed" -> 0.7). An App keeps
 * a replica of every state and publishes its own; a Hub keeps the table and
 * forwards updates. Transport is nanomsg NN_BUS, every frame is msgpack; the
 * wire protocol is specified in docs/PROTOCOL.md.
 *
 * This header is the contract: anything not declared here is internal and
 * may change without notice.
 *
 * Conventions
 *   - Every function that can fail returns 0 or a positive NANOSTATE_E* code;
 *     nanostate_strerror() turns a code into text. There is no errno channel.
 *   - Constructors take an out-parameter: nanostate_app_open(&app, ...).
 *   - Strings are UTF-8 and NUL-terminated unless a length is passed.
 *   - Pointers handed to a callback, and nanostate_value views returned by a
 *     getter, are borrowed: they stay valid until the next call on the same
 *     handle. Copy what you keep.
 *   - Thread safety: a handle (app or hub) may be used from one thread at a
 *     time; different handles are independent. The library starts no threads
 *     of its own (nanomsg runs its I/O worker thread internally) and keeps no
 *     global state. Each function below is tagged:
 *       [any thread]   pure, callable from any thread at any time;
 *       [handle]       call only from the thread that currently uses that
 *                      handle (moving a handle to another thread is fine
 *                      between calls);
 *       [not in callback]  [handle], and never from inside this handle's own
 *                      callbacks (it dispatches or frees).
 */
#ifndef NANOSTATE_NANOSTATE_H
#define NANOSTATE_NANOSTATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(NANOSTATE_BUILDING) && defined(__GNUC__)
#define NANOSTATE_EXPORT __attribute__((visibility("default")))
#else
#define NANOSTATE_EXPORT
#endif

/* ======================================================================== */
/* Version and defaults                                                     */
/* ======================================================================== */

#define NANOSTATE_VERSION_MAJOR 1
#define NANOSTATE_VERSION_MINOR 0
#define NANOSTATE_VERSION_PATCH 0
#define NANOSTATE_VERSION_STRING "1.0.0"

/* Where Apps connect and hubs bind when nothing else is said. */
#define NANOSTATE_DEFAULT_URL "tcp://127.0.0.1:15000"
/* Environment variable the tools read for the URL. */
#define NANOSTATE_URL_ENV "NANOSTATE_URL"

/* Protocol limits (docs/PROTOCOL.md, "Limits"). */
#define NANOSTATE_MAX_NAME 1024              /* bytes of UTF-8, at least 1 */
#define NANOSTATE_MAX_IDENTITY 1024          /* bytes of UTF-8 */
#define NANOSTATE_MAX_DEPTH 64               /* nesting of arrays and maps */
#define NANOSTATE_DEFAULT_MAX_FRAME (16u * 1024u * 1024u)
#define NANOSTATE_DEFAULT_HEARTBEAT_MS 1000

/* ======================================================================== */
/* Errors                                                                   */
/* ======================================================================== */

enum nanostate_error {
    NANOSTATE_OK = 0,
    NANOSTATE_EINVAL,     /* an argument is invalid (NULL, out of range) */
    NANOSTATE_ENOMEM,     /* out of memory */
    NANOSTATE_EURL,       /* the URL is malformed or its transport unknown */
    NANOSTATE_EADDRINUSE, /* the address to bind is already in use */
    NANOSTATE_EADDRNOTAVAIL, /* the address to bind is not local */
    NANOSTATE_ETRANSPORT, /* the transport (nanomsg) failed otherwise */
    NANOSTATE_ETIMEDOUT,  /* the wait ended before the condition was met */
    NANOSTATE_ENOTFOUND,  /* no state of that name */
    NANOSTATE_ENAME,      /* the name is empty, too long, not UTF-8, or reserved */
    NANOSTATE_EVALUE,     /* the value is not well-formed msgpack, or nested too deep */
    NANOSTATE_ETOOBIG,    /* the frame would exceed the maximum frame size */
    NANOSTATE_ETYPE,      /* the value is of another type than asked for */
    NANOSTATE_ERANGE,     /* the value does not fit the type asked for */
    NANOSTATE_EPROTO,     /* a frame is malformed (hub input) */
    NANOSTATE_EIO,        /* reading or writing a file failed */
    NANOSTATE_ECLOSED,    /* the handle is not connected / already closed */
    NANOSTATE_EUNKNOWN    /* unknown option or statistic */
};

/* Text for a NANOSTATE_E* code; never NULL, for unknown codes too. */
/* [any thread] */
NANOSTATE_EXPORT const char *nanostate_strerror(int err);

/* Version string of the library at run time ("1.0.0"). */
/* [any thread] */
NANOSTATE_EXPORT const char *nanostate_version(void);

/* ======================================================================== */
/* Values                                                                   */
/*                                                                          */
/* A value is one msgpack object: nil, bool, int, uint, float, str, bin,    */
/* array, map or ext. The library stores and forwards it as packed bytes;   */
/* a nanostate_value is a read-only view on those bytes.                    */
/* ======================================================================== */

typedef struct nanostate_value {
    const void *packed; /* one msgpack object */
    size_t size;        /* its length in bytes */
} nanostate_value;

enum nanostate_type {
    NANOSTATE_TYPE_INVALID = 0,
    NANOSTATE_TYPE_NIL,
    NANOSTATE_TYPE_BOOL,
    NANOSTATE_TYPE_INT,   /* negative integer */
    NANOSTATE_TYPE_UINT,  /* non-negative integer */
    NANOSTATE_TYPE_FLOAT, /* float32 or float64 */
    NANOSTATE_TYPE_STR,
    NANOSTATE_TYPE_BIN,
    NANOSTATE_TYPE_ARRAY,
    NANOSTATE_TYPE_MAP,
    NANOSTATE_TYPE_EXT
};

/* Checks that `size` bytes at `packed` are exactly one well-formed msgpack
 * object nested at most NANOSTATE_MAX_DEPTH deep. 0 or NANOSTATE_EVALUE. */
/* [any thread] */
NANOSTATE_EXPORT int nanostate_value_validate(const void *packed, size_t size);

/* [any thread] Type of the value, NANOSTATE_TYPE_INVALID if the view is empty. */
NANOSTATE_EXPORT int nanostate_value_type(const nanostate_value *v);
/* [any thread] Name of a NANOSTATE_TYPE_* ("nil", "bool", "int", ...). */
NANOSTATE_EXPORT const char *nanostate_type_name(int type);

/* [any thread] Typed getters: 0, NANOSTATE_ETYPE if the value has another type, or
 * NANOSTATE_ERANGE if it does not fit. get_int accepts int and uint that fit
 * int64_t; get_double accepts float, int and uint. get_str and get_bytes
 * return a pointer into the value (not NUL-terminated); get_str accepts only
 * str, get_bytes accepts bin and str. */
NANOSTATE_EXPORT int nanostate_value_get_bool(const nanostate_value *v, int *out);
NANOSTATE_EXPORT int nanostate_value_get_int(const nanostate_value *v, int64_t *out);
NANOSTATE_EXPORT int nanostate_value_get_uint(const nanostate_value *v, uint64_t *out);
NANOSTATE_EXPORT int nanostate_value_get_double(const nanostate_value *v, double *out);
NANOSTATE_EXPORT int nanostate_value_get_str(const nanostate_value *v, const char **out, size_t *len);
NANOSTATE_EXPORT int nanostate_value_get_bytes(const nanostate_value *v, const void **out, size_t *len);

/* [any thread] Compares two values by their packed bytes: 1 if equal, else 0. */
NANOSTATE_EXPORT int nanostate_value_equal(const nanostate_value *a, const nanostate_value *b);

/* ======================================================================== */
/* Options (typed setters by suffix; see each handle for which apply)       */
/* ======================================================================== */

enum nanostate_option {
    /* int, bytes: largest frame sent or accepted. Default 16 MiB. (hub) */
    NANOSTATE_OPT_MAX_FRAME = 1,
    /* int, ms: heartbeat period. Default 1000. (hub) */
    NANOSTATE_OPT_HEARTBEAT_MS,
    /* int, bytes: transport receive buffer per connection (NN_RCVBUF).
     * Default 1 MiB. (app, hub) */
    NANOSTATE_OPT_RECV_BUFFER,
    /* int, bytes: transport send buffer per connection (NN_SNDBUF): what
     * waits for a slow reader before frames to it are dropped (it resyncs).
     * Default 1 MiB. (app, hub) */
    NANOSTATE_OPT_SEND_BUFFER,
    /* int, bytes: most bytes of own updates in flight before the App waits
     * for the hub to accept them (later sets conflate). Default 512 KiB. (app) */
    NANOSTATE_OPT_SEND_WINDOW,
    /* string: state file path; "" or NULL turns persistence off. (hub) */
    NANOSTATE_OPT_STATE_FILE,
    /* int, ms: delay between a change and its persistence. Default 200. (hub) */
    NANOSTATE_OPT_SAVE_DELAY_MS,
    /* int, ms: publish the hub's figures as read-only states every so often:
     * $hub/clients, $hub/clients/nanomsg, $hub/clients/other (peers of other
     * transports), $hub/messages_in_per_s, $hub/messages_out_per_s,
     * $hub/rejected, $hub/states, $hub/uptime_s. 0 (default): off. (hub) */
    NANOSTATE_OPT_STATS_MS,
    /* int, 0 or 1: pack several frames into one BATCH message under load
     * (docs/PROTOCOL.md 3.3). Default 1. An App batches what it sends; a hub
     * batches what it sends over nanomsg only while every connection belongs
     * to an App that declared it reads batches, so original Apps get plain
     * frames. (app, hub) */
    NANOSTATE_OPT_BATCH
};

/* ======================================================================== */
/* App                                                                      */
/* ======================================================================== */

typedef struct nanostate_app nanostate_app;

/* One change of a state as an App sees it. Borrowed: valid only during the
 * callback. */
typedef struct nanostate_update {
    const char *name;      /* NUL-terminated */
    size_t name_len;
    nanostate_value value; /* empty (size 0) when removed */
    const char *sender;    /* identity of the App that wrote it, NUL-terminated */
    uint64_t version;      /* hub sequence number of this change, 0 if local */
    int removed;           /* 1 if the state was deleted */
    int from_snapshot;     /* 1 if learnt from a snapshot/resync, not live */
    int local;             /* 1 if this App made the change (set/remove) */
} nanostate_update;

typedef void (*nanostate_update_fn)(void *user, const nanostate_update *update);
typedef void (*nanostate_connect_fn)(void *user, int connected);

/* Creates an App that is not connected yet. identity: a name for this App
 * shown to others (NULL: "app-<pid>"); it need not be unique. Set options,
 * then nanostate_app_connect(). */
/* [any thread] */
NANOSTATE_EXPORT int nanostate_app_create(nanostate_app **out, const char *identity);

/* Connects to a hub (NULL url: NANOSTATE_DEFAULT_URL). Returns at once: the
 * connection is made in the background and re-made whenever it breaks.
 * NANOSTATE_EURL for a malformed URL. */
/* [handle] */
NANOSTATE_EXPORT int nanostate_app_connect(nanostate_app *app, const char *url);

/* create + connect. */
/* [any thread] */
NANOSTATE_EXPORT int nanostate_app_open(nanostate_app **out, const char *identity, const char *url);

/* Closes the connection and frees everything. Sets not yet accepted by the
 * hub are lost: call nanostate_app_flush() first to wait for them. NULL is
 * accepted. */
/* [not in callback] */
NANOSTATE_EXPORT void nanostate_app_close(nanostate_app *app);

/* [handle] */
NANOSTATE_EXPORT int nanostate_app_set_int_option(nanostate_app *app, int option, int value);

/* [handle] The identity given at creation (or the default). */
NANOSTATE_EXPORT const char *nanostate_app_identity(const nanostate_app *app);

/* --- Writing states ---------------------------------------------------- */
/* [handle, also from callbacks] A set updates the local replica at once and is sent to the hub; the App
 * re-sends it until the hub has accepted it (see nanostate_app_pending).
 * It goes out at once while few of the App's frames are in flight; in a
 * burst the rest go out together, packed in one message, at the next
 * nanostate_app_dispatch (nanostate_app_timeout then returns 0; the hub's
 * answers to those in flight make the fd readable too).
 * nanostate_app_flush sends and waits for all of them.
 * Repeated sets of one name before the hub accepted the first are
 * conflated: only the newest value is guaranteed to arrive.
 * NANOSTATE_ENAME: name empty, over NANOSTATE_MAX_NAME bytes, not UTF-8, or
 * starting with '$' (reserved for the hub). NANOSTATE_ETOOBIG: the frame
 * would exceed the hub's maximum frame size. */
NANOSTATE_EXPORT int nanostate_app_set_str(nanostate_app *app, const char *name, const char *value);
NANOSTATE_EXPORT int nanostate_app_set_strn(nanostate_app *app, const char *name, const char *value, size_t len);
NANOSTATE_EXPORT int nanostate_app_set_bytes(nanostate_app *app, const char *name, const void *data, size_t len);
NANOSTATE_EXPORT int nanostate_app_set_int(nanostate_app *app, const char *name, int64_t value);
NANOSTATE_EXPORT int nanostate_app_set_uint(nanostate_app *app, const char *name, uint64_t value);
NANOSTATE_EXPORT int nanostate_app_set_double(nanostate_app *app, const char *name, double value);
NANOSTATE_EXPORT int nanostate_app_set_bool(nanostate_app *app, const char *name, int value);
NANOSTATE_EXPORT int nanostate_app_set_nil(nanostate_app *app, const char *name);
/* Sets any value given as one packed msgpack object (validated: EVALUE). The
 * bytes are copied. This is the entry point for language bindings. */
NANOSTATE_EXPORT int nanostate_app_set_packed(nanostate_app *app, const char *name, const void *packed, size_t size);

/* Removes a state: every App sees it disappear. Removing a state that does
 * not exist is not an error (the removal still reaches the hub). */
/* [handle] */
NANOSTATE_EXPORT int nanostate_app_remove(nanostate_app *app, const char *name);

/* --- Reading the replica ----------------------------------------------- */
/* The replica holds the hub's table as last seen, with this App's own
 * not-yet-accepted sets on top. */

/* Current value of a state: 0, or NANOSTATE_ENOTFOUND. The view is borrowed
 * (valid until the next call on app). sender may be NULL. */
/* [handle] */
NANOSTATE_EXPORT int nanostate_app_get(nanostate_app *app, const char *name, nanostate_value *out,
                                       const char **sender);

/* Number of states in the replica. */
/* [handle] */
NANOSTATE_EXPORT size_t nanostate_app_count(const nanostate_app *app);

/* Calls fn once per state, in no particular order, with update->from_snapshot
 * and ->removed 0. Do not change the app from fn. */
/* [handle] */
NANOSTATE_EXPORT void nanostate_app_foreach(nanostate_app *app, nanostate_update_fn fn, void *user);

/* --- Events ------------------------------------------------------------ */
/* [handle] fn is called from dispatch for every change of the replica made by
 * another App (a value that really changed, or a removal), and, when
 * local_too is set, also for this App's own sets and removes. */
NANOSTATE_EXPORT void nanostate_app_on_update(nanostate_app *app, nanostate_update_fn fn, void *user,
                                              int local_too);
/* fn is called from dispatch when the hub becomes reachable or is lost
 * (no heartbeat for two heartbeat periods). */
NANOSTATE_EXPORT void nanostate_app_on_connect(nanostate_app *app, nanostate_connect_fn fn, void *user);

/* --- Event loop integration (three levels, like mosquitto) ------------- */
/* 1. A file descriptor for poll/select/epoll/QSocketNotifier: readable
 *    (level-triggered) when frames wait. Poll it for reading only; never read
 *    it. Valid until close. */
/* [any thread (the number does not change)] */
NANOSTATE_EXPORT int nanostate_app_fd(const nanostate_app *app);
/* 2. Does all work that is due without blocking: drains every frame that
 *    waits, runs timers (resync, re-send, connection loss), sends queued sets.
 *    Safe to call when nothing is pending. */
/* [not in callback] */
NANOSTATE_EXPORT int nanostate_app_dispatch(nanostate_app *app);
/* 3. Milliseconds until dispatch has timer work to do (0: now, -1: none).
 *    Arm a one-shot timer with it after every dispatch. */
/* [handle] */
NANOSTATE_EXPORT int nanostate_app_timeout(const nanostate_app *app);
/* Blocking helper for simple programs: waits up to timeout_ms (-1: forever)
 * for work, dispatching as it comes. Returns 0 after dispatching once work
 * arrived, NANOSTATE_ETIMEDOUT if none did. */
/* [not in callback] */
NANOSTATE_EXPORT int nanostate_app_wait(nanostate_app *app, int timeout_ms);

/* --- Status ------------------------------------------------------------ */
/* [handle, for every status function] 1 if a hub heartbeat or answer arrived within two heartbeat periods. */
NANOSTATE_EXPORT int nanostate_app_is_connected(const nanostate_app *app);
/* 1 once the replica holds the hub's whole table (after the first snapshot)
 * and no resync is under way. */
NANOSTATE_EXPORT int nanostate_app_is_synced(const nanostate_app *app);
/* Number of this App's sets and removes the hub has not accepted yet. */
NANOSTATE_EXPORT size_t nanostate_app_pending(const nanostate_app *app);
/* Dispatches until the App is synced and nothing is pending, or timeout_ms
 * passes (NANOSTATE_ETIMEDOUT). */
/* [not in callback] */
NANOSTATE_EXPORT int nanostate_app_flush(nanostate_app *app, int timeout_ms);

enum nanostate_app_stat {
    NANOSTATE_APP_STAT_FRAMES_IN = 1,  /* frames received from the hub */
    NANOSTATE_APP_STAT_FRAMES_OUT,     /* frames sent to the hub */
    NANOSTATE_APP_STAT_UPDATES_IN,     /* live updates applied */
    NANOSTATE_APP_STAT_GAPS,           /* sequence gaps detected */
    NANOSTATE_APP_STAT_RESYNCS,        /* resyncs completed */
    NANOSTATE_APP_STAT_RESENDS,        /* own updates sent again after a loss */
    NANOSTATE_APP_STAT_REJECTED,       /* malformed frames ignored */
    NANOSTATE_APP_STAT_HUB_RESTARTS    /* new hub epochs seen */
};
/* Value of a counter, 0 for unknown ones. */
/* [handle] */
NANOSTATE_EXPORT uint64_t nanostate_app_stat(const nanostate_app *app, int stat);

/* ======================================================================== */
/* Hub                                                                      */
/*                                                                          */
/* The hub engine is transport-agnostic at its heart: frames in, frames     */
/* out, the table. nanostate_hub_bind() adds nanomsg endpoints it serves    */
/* itself; any other transport (the Qt hub-ws's WebSockets) feeds frames    */
/* through the peer functions below and receives frames through an output   */
/* callback.                                                                */
/* ======================================================================== */

typedef struct nanostate_hub nanostate_hub;

/* [any thread] */
NANOSTATE_EXPORT int nanostate_hub_create(nanostate_hub **out);
/* Saves the state file (if any), closes every endpoint, frees everything.
 * NULL is accepted. */
/* [not in callback] */
NANOSTATE_EXPORT void nanostate_hub_close(nanostate_hub *hub);

/* [handle] */
NANOSTATE_EXPORT int nanostate_hub_set_int_option(nanostate_hub *hub, int option, int value);
NANOSTATE_EXPORT int nanostate_hub_set_string_option(nanostate_hub *hub, int option, const char *value);

/* Loads the state file set with NANOSTATE_OPT_STATE_FILE, if it exists.
 * 0 also when there is no file yet; NANOSTATE_EIO when it cannot be read,
 * NANOSTATE_EPROTO when it is corrupt. Call before the first dispatch. */
/* [handle] */
NANOSTATE_EXPORT int nanostate_hub_load(nanostate_hub *hub);
/* Writes the state file now (atomically: a temporary file renamed). */
/* [handle] */
NANOSTATE_EXPORT int nanostate_hub_save(nanostate_hub *hub);

/* Binds a nanomsg endpoint (tcp://, ipc://, ws://). May be called several
 * times. NANOSTATE_EURL, NANOSTATE_EADDRINUSE, NANOSTATE_EADDRNOTAVAIL. */
/* [handle] */
NANOSTATE_EXPORT int nanostate_hub_bind(nanostate_hub *hub, const char *url);

/* Event loop integration, as for the App. */
NANOSTATE_EXPORT int nanostate_hub_fd(const nanostate_hub *hub);
/* [not in callback] */
NANOSTATE_EXPORT int nanostate_hub_dispatch(nanostate_hub *hub);
NANOSTATE_EXPORT int nanostate_hub_timeout(const nanostate_hub *hub);
/* [not in callback] */
NANOSTATE_EXPORT int nanostate_hub_wait(nanostate_hub *hub, int timeout_ms);

/* --- Other transports ------------------------------------------------- */
/* A frame the hub wants sent to peers of other transports, as one message:
 * a frame alone, or a BATCH of them for peers that declared they read it
 * (docs/PROTOCOL.md 7.10). Borrowed: valid only during the callback. `to` is
 * one peer, or 0 for every peer except `except` (0: none). */
typedef struct nanostate_hub_output {
    const void *frame;
    size_t size;
    uint64_t to;
    uint64_t except;
} nanostate_hub_output;
typedef void (*nanostate_hub_output_fn)(void *user, const nanostate_hub_output *out);

/* [handle] */
NANOSTATE_EXPORT void nanostate_hub_on_output(nanostate_hub *hub, nanostate_hub_output_fn fn, void *user);
/* Registers a peer of another transport; *peer gets its id (never 0). The
 * peer receives broadcasts from now on and a snapshot when it asks. */
/* [handle] */
NANOSTATE_EXPORT int nanostate_hub_peer_add(nanostate_hub *hub, uint64_t *peer);
/* Feeds one frame received from a peer. 0, or the reason the frame was
 * rejected (NANOSTATE_EPROTO, ENAME, EVALUE, ETOOBIG); a rejected frame is
 * counted and dropped, and the peer may go on. */
/* [not in callback] */
NANOSTATE_EXPORT int nanostate_hub_peer_input(nanostate_hub *hub, uint64_t peer, const void *frame,
                                              size_t size);
/* [handle] Flow control for a peer whose send queue backs up: while paused
 * the front end sends it no broadcasts (to == 0 outputs skip it: the front
 * end checks its own paused flag). On resume the peer gets a heartbeat, sees
 * from its sequence number that it fell behind, and pulls the newest value
 * of each state that changed meanwhile, one chunk at a time: its queue never
 * holds more than about one entry per state. */
NANOSTATE_EXPORT int nanostate_hub_peer_pause(nanostate_hub *hub, uint64_t peer);
NANOSTATE_EXPORT int nanostate_hub_peer_resume(nanostate_hub *hub, uint64_t peer);
/* [handle] */
NANOSTATE_EXPORT int nanostate_hub_peer_remove(nanostate_hub *hub, uint64_t peer);
/* [handle] Identity the peer last sent, or NULL if it sent nothing yet. */
NANOSTATE_EXPORT const char *nanostate_hub_peer_identity(const nanostate_hub *hub, uint64_t peer);

/* --- The table, read-only, for monitors -------------------------------- */
typedef struct nanostate_hub_state {
    const char *name;
    size_t name_len;
    nanostate_value value;
    const char *sender;
    uint64_t version;      /* hub sequence number of the last change */
    uint64_t updates;      /* how many times it was set */
    int64_t changed_ms;    /* wall clock of the last change, ms since epoch */
} nanostate_hub_state;
typedef void (*nanostate_hub_state_fn)(void *user, const nanostate_hub_state *state);

/* [handle] */
NANOSTATE_EXPORT size_t nanostate_hub_count(const nanostate_hub *hub);
/* [handle] */
NANOSTATE_EXPORT int nanostate_hub_get(nanostate_hub *hub, const char *name, nanostate_hub_state *out);
NANOSTATE_EXPORT void nanostate_hub_foreach(nanostate_hub *hub, nanostate_hub_state_fn fn, void *user);
/* [handle] fn is called for every change of the table (removed states have an empty
 * value), after it was forwarded. */
NANOSTATE_EXPORT void nanostate_hub_on_change(nanostate_hub *hub, nanostate_hub_state_fn fn, void *user);
/* [handle] Sets or removes a state as the hub itself (sender "$hub"); the name may
 * start with '$'. For the hub's own figures ($hub/...) and monitors. */
NANOSTATE_EXPORT int nanostate_hub_set_packed(nanostate_hub *hub, const char *name, const void *packed,
                                              size_t size);
NANOSTATE_EXPORT int nanostate_hub_remove(nanostate_hub *hub, const char *name);

/* [handle] Log lines (joins, resyncs, rejected frames with the reason). level: 0 info,
 * 1 warning. msg is borrowed. */
typedef void (*nanostate_log_fn)(void *user, int level, const char *msg);
NANOSTATE_EXPORT void nanostate_hub_on_log(nanostate_hub *hub, nanostate_log_fn fn, void *user);

enum nanostate_hub_stat {
    NANOSTATE_HUB_STAT_FRAMES_IN = 1,  /* frames received, all transports */
    NANOSTATE_HUB_STAT_FRAMES_OUT,     /* frames sent (a broadcast counts once) */
    NANOSTATE_HUB_STAT_UPDATES,        /* sets and removes accepted */
    NANOSTATE_HUB_STAT_REJECTED,       /* frames rejected as invalid */
    NANOSTATE_HUB_STAT_OUT_OF_ORDER,   /* frames refused after a loss (re-sent later) */
    NANOSTATE_HUB_STAT_SNAPSHOTS,      /* snapshot/resync chunks sent */
    NANOSTATE_HUB_STAT_SESSIONS,       /* Apps known (current) */
    NANOSTATE_HUB_STAT_STATES,         /* states in the table (current) */
    NANOSTATE_HUB_STAT_SEQ,            /* latest sequence number */
    NANOSTATE_HUB_STAT_EPOCH,          /* this hub run's epoch */
    NANOSTATE_HUB_STAT_PEERS,          /* peers of other transports (current) */
    NANOSTATE_HUB_STAT_CONNECTIONS,    /* nanomsg connections (current) */
    NANOSTATE_HUB_STAT_BATCHES_OUT,    /* BATCH messages sent over nanomsg */
    NANOSTATE_HUB_STAT_PEER_BATCHES_OUT /* BATCH messages handed to the front end for peers */
};
/* [handle] */
NANOSTATE_EXPORT uint64_t nanostate_hub_stat(const nanostate_hub *hub, int stat);

#ifdef __cplusplus
}
#endif

#endif /* NANOSTATE_NANOSTATE_H */
