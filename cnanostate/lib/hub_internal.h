/* SPDX-License-Identifier: MIT */
/*
 * hub_internal.h - the hub engine's state, shared by its source files:
 * hub.c (frames in, table, frames out), hub_snapshot.c (SYNC answers),
 * hub_peers.c (other transports), hub_statefile.c (persistence).
 */
#ifndef NANOSTATE_HUB_INTERNAL_H
#define NANOSTATE_HUB_INTERNAL_H

#include "batch.h"
#include "buffer.h"
#include "frame.h"
#include "senders.h"
#include "table.h"

#include <nanostate/nanostate.h>

/* Where a frame came from, and so where its answers go. */
typedef struct source {
    uint64_t peer; /* 0: a nanomsg pipe */
    void *nn_ctrl; /* nanomsg: the pipe's header, to exclude it from a broadcast */
} source;

/* A removal, remembered so an App that was away learns of it. */
typedef struct tombstone {
    uint64_t seq;
    char *name;
    uint32_t name_len;
} tombstone;

typedef struct peer {
    uint64_t id;
    int paused; /* the front end sends it no broadcasts meanwhile */
    int reads_batch; /* its last SYNC or HELLO declared FEATURE_BATCH */
    char *identity;
} peer;

/* Frames for peers gathered during one engine call, to go out as BATCHes
 * (hub_peers.c): the broadcasts while every peer reads BATCH frames, and
 * the replies to one peer that does. Both wait at once only while the
 * broadcasts exclude the peer the replies go to, so every peer gets its
 * frames in the order they were made. */
typedef struct peer_out {
    int gathering;
    batch broadcasts;
    uint64_t except; /* of the broadcasts waiting */
    batch replies;
    uint64_t to;     /* of the replies waiting */
} peer_out;

enum { ST_FRAMES_IN, ST_FRAMES_OUT, ST_UPDATES, ST_REJECTED, ST_OUT_OF_ORDER, ST_SNAPSHOTS,
       ST_BATCHES_OUT, ST_PEER_BATCHES_OUT, HUB_STAT_COUNT };

/* What the nanomsg pipes declared they understand (hub_census.c): their
 * FEATURE_* bits. nanomsg does not say which pipe closed, only that one
 * did: then the hub forgets them all and asks every App to declare itself
 * again. */
typedef struct census {
    struct census_pipe {
        uint64_t id; /* 0 = free (open addressing) */
        uint64_t features;
    } *pipes;
    size_t cap, used;
    size_t count; /* pipes that read BATCH frames */
    uint64_t gone;   /* dropped + broken connections when last checked */
    uint64_t round;  /* 0, or the number in the heartbeats asking for HELLOs */
} census;

struct nanostate_hub {
    table table;
    senders senders;
    uint64_t epoch;
    uint64_t seq;

    /* Recent removals, oldest first, in a ring. tomb_floor: the newest seq
     * forgotten; a SYNC from before it must be answered in full. */
    tombstone *tombs;
    size_t tomb_cap, tomb_start, tomb_count;
    uint64_t tomb_floor;

    int sock; /* raw NN_BUS, or -1 */
    int fd;
    int bound; /* endpoints bound */

    size_t max_frame;
    int heartbeat_ms;
    int save_delay_ms;
    size_t chunk_bytes;
    int recv_buffer, send_buffer;
    char *state_file;

    int64_t next_heartbeat; /* monotonic ms */
    int64_t settle_due;     /* 0: none; early heartbeat after a burst */
    int64_t save_due;       /* 0: nothing unsaved */
    int64_t next_expire;
    int64_t started_at;
    int stats_ms;           /* $hub/ figures period; 0: off */
    int64_t next_figures;
    int64_t figures_at;     /* when the last figures were taken */
    uint64_t figures_in, figures_out;

    peer *peers; /* sorted by id */
    size_t npeers, peers_cap;
    size_t peers_reading_batch;
    peer_out peer_out;
    uint64_t next_peer_id;

    nanostate_hub_output_fn output_fn;
    void *output_user;
    nanostate_hub_state_fn change_fn;
    void *change_user;
    nanostate_log_fn log_fn;
    void *log_user;

    uint64_t stats[HUB_STAT_COUNT];
    buffer scratch; /* a BATCH for peers, while the front end sends it */

    int batch_enabled; /* NANOSTATE_OPT_BATCH */
    census census;
    /* While dispatch drains the socket or a peer's frame is handled: frames
     * for every nanomsg pipe wait here, to go out as one BATCH (1), or
     * not (0); -1: not known yet. */
    int batching;
    batch batch;
    int census_due; /* a new census round: tell the Apps in a heartbeat */
};

void hub_log(nanostate_hub *hub, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sends a finished frame: over nanomsg to every pipe (except the source's
 * pipe when exclude_source) and to every peer of other transports except
 * `except_peer`. Takes the buffer's memory. */
void hub_broadcast(nanostate_hub *hub, buffer *frame, source *src, int exclude_source,
                   uint64_t except_peer);
/* Sends a frame meant for the source only: a peer gets it alone; nanomsg
 * cannot address one pipe, so every pipe gets it and the others ignore it. */
void hub_reply(nanostate_hub *hub, buffer *frame, source *src);

/* The largest BATCH the hub sends, head included. */
size_t hub_batch_limit(const nanostate_hub *hub);
/* Adds a frame to a batch, sending what the batch holds first (flush) when
 * the frame does not fit beside it. 0 when the frame must go alone. */
int hub_batch_add(nanostate_hub *hub, batch *b, const buffer *frame,
                  void (*flush)(nanostate_hub *hub));

/* A heartbeat to one source, or to everyone when `to` is NULL. */
void hub_heartbeat(nanostate_hub *hub, source *to);

/* A buffer ready for a frame (nanomsg-allocated when nanomsg will send it). */
void hub_frame_begin(nanostate_hub *hub, buffer *b, msgpack_packer *pk);

/* hub_snapshot.c */
void hub_tombstone_add(nanostate_hub *hub, const char *name, size_t len, uint64_t seq);
void hub_tombstones_free(nanostate_hub *hub);
/* One SNAPSHOT chunk of everything changed after `since`, addressed to
 * `session`, sent to the source. */
void hub_send_snapshot(nanostate_hub *hub, source *src, uint64_t session, uint64_t epoch,
                       uint64_t since, uint64_t hwm, int continues);

/* hub_peers.c */
peer *hub_peer_find(const nanostate_hub *hub, uint64_t id);
void hub_peers_free(nanostate_hub *hub);
/* Notes whether a peer reads BATCH frames (the features of its SYNC/HELLO). */
void hub_peer_declare(nanostate_hub *hub, uint64_t id, uint64_t features);
/* Hands a frame to the front end: to peer `to`, or to every peer but
 * `except` (to == 0). While gathering, it may wait in a BATCH. */
void hub_peers_send(nanostate_hub *hub, const buffer *frame, uint64_t to, uint64_t except);
/* Starts gathering (on) or stops it (off: what waits goes out now). */
void hub_peers_gather(nanostate_hub *hub, int on);

/* hub_census.c */
/* Notes what the pipe a frame came from understands (FEATURE_* bits). */
void hub_census_note(nanostate_hub *hub, const source *src, uint64_t features);
/* The FEATURE_* bits the pipe a frame came from declared; 0 when unknown. */
uint64_t hub_census_features(const nanostate_hub *hub, const source *src);
/* 1 when an ACK with the seq should stand for the echo of a change whose
 * value has value_len bytes (PROTOCOL.md 7.4): the pipe asked for it, and
 * the value outweighs a small message to every other pipe. */
int hub_census_skips_echo(nanostate_hub *hub, const source *src, size_t value_len);
/* 1 when every nanomsg connection declared it reads batches. Forgets the
 * declarations when a connection went away, and then asks for new ones. */
int hub_census_all_batch(nanostate_hub *hub);
void hub_census_free(nanostate_hub *hub);

/* hub_figures.c: publishes $hub/clients, messages_in_per_s, ... */
void hub_figures_publish(nanostate_hub *hub);

/* hub_statefile.c */
int hub_statefile_save(nanostate_hub *hub);
int hub_statefile_load(nanostate_hub *hub);

/* hub.c: applies a change as the given writer; used by frames, the state
 * file and the hub's own states. Returns the entry (NULL after a removal). */
entry *hub_apply(nanostate_hub *hub, int op, const char *name, size_t name_len,
                 const void *value, size_t value_len, sender *writer);
void hub_notify_change(nanostate_hub *hub, const char *name, size_t name_len, const entry *e);

#endif
