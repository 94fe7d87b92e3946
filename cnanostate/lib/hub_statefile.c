/* SPDX-License-Identifier: MIT */
/*
 * hub_statefile.c - the hub's table on disk (--state-file).
 *
 * One msgpack stream: a header ["nanostate-state", 1, seq, count], then one
 * [name, value, sender, session, seq, updates, changed_ms] per state in the
 * order of their last change. Written to PATH.tmp, synced, then renamed over
 * PATH, so a crash leaves either the old file or the new one.
 */
#define _GNU_SOURCE
#include "hub_internal.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "nanostate-state"
#define FORMAT 1

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void sync_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

int hub_statefile_save(nanostate_hub *hub)
{
    buffer b;
    msgpack_packer pk;
    buffer_init(&b, 0);
    buffer_packer(&b, &pk);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_str_with_body(&pk, MAGIC, strlen(MAGIC));
    msgpack_pack_uint8(&pk, FORMAT);
    msgpack_pack_uint64(&pk, hub->seq);
    msgpack_pack_uint64(&pk, hub->table.count);
    for (const entry *e = hub->table.head; e; e = e->next) {
        const sender *sx = e->sender;
        msgpack_pack_array(&pk, 7);
        msgpack_pack_str_with_body(&pk, entry_name(e), e->name_len);
        buffer_append(&b, entry_value(e), e->value_len);
        msgpack_pack_str_with_body(&pk, sx ? sx->identity : "", sx ? sx->identity_len : 0);
        msgpack_pack_uint64(&pk, sx ? sx->session : 0);
        msgpack_pack_uint64(&pk, e->seq);
        msgpack_pack_uint64(&pk, e->updates);
        msgpack_pack_int64(&pk, e->changed_ms);
    }
    if (b.failed) {
        buffer_free(&b);
        hub_log(hub, 1, "state file: out of memory");
        return NANOSTATE_ENOMEM;
    }
    size_t plen = strlen(hub->state_file);
    char *tmp = malloc(plen + 5);
    if (!tmp) {
        buffer_free(&b);
        return NANOSTATE_ENOMEM;
    }
    memcpy(tmp, hub->state_file, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, b.data, b.len) != 0 || fsync(fd) != 0) {
        hub_log(hub, 1, "state file: cannot write %s: %s", tmp, strerror(errno));
        rc = NANOSTATE_EIO;
    }
    if (fd >= 0)
        close(fd);
    if (rc == 0 && rename(tmp, hub->state_file) != 0) {
        hub_log(hub, 1, "state file: cannot rename %s: %s", tmp, strerror(errno));
        rc = NANOSTATE_EIO;
    }
    if (rc == 0)
        sync_dir(hub->state_file);
    else
        unlink(tmp);
    free(tmp);
    buffer_free(&b);
    return rc;
}

static int read_file(const char *path, char **data, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 1 : -1;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return -1;
    }
    char *p = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (p && got < (size_t)st.st_size) {
        ssize_t n = read(fd, p + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!p || got != (size_t)st.st_size) {
        free(p);
        return -1;
    }
    *data = p;
    *size = got;
    return 0;
}

static int load_entry(nanostate_hub *hub, reader *r, uint64_t *last_seq)
{
    uint32_t n, name_len, sender_len;
    const char *name, *sender_id;
    const uint8_t *value;
    size_t value_len;
    uint64_t session, seq, updates;
    int64_t changed;
    if (reader_array(r, &n) != 0 || n < 7 || reader_str(r, &name, &name_len) != 0 ||
        name_len == 0 || name_len > NANOSTATE_MAX_NAME ||
        reader_skip(r, NANOSTATE_MAX_DEPTH, &value, &value_len) != 0 ||
        reader_str(r, &sender_id, &sender_len) != 0 || reader_uint(r, &session) != 0 ||
        reader_uint(r, &seq) != 0 || reader_uint(r, &updates) != 0 ||
        reader_int(r, &changed) != 0)
        return -1;
    if (!text_valid(name, name_len) || sender_len > NANOSTATE_MAX_IDENTITY ||
        !text_valid(sender_id, sender_len) || seq == 0 || seq <= *last_seq)
        return -1;
    *last_seq = seq;
    for (uint32_t i = 7; i < n; i++)
        if (reader_skip(r, NANOSTATE_MAX_DEPTH, NULL, NULL) != 0)
            return -1;
    sender *sx = senders_get(&hub->senders, sender_id, sender_len, session);
    int created;
    entry *e = sx ? table_upsert(&hub->table, name, name_len, &created) : NULL;
    if (!e || entry_set_value(e, value, value_len) != 0)
        return -1;
    entry_set_sender(e, sx, &hub->senders);
    e->seq = seq;
    e->updates = (uint32_t)updates;
    e->changed_ms = changed;
    table_touch(&hub->table, e);
    if (seq > hub->seq)
        hub->seq = seq;
    return 0;
}

int hub_statefile_load(nanostate_hub *hub)
{
    char *data = NULL;
    size_t size = 0;
    int rc = read_file(hub->state_file, &data, &size);
    if (rc == 1)
        return 0; /* first run */
    if (rc != 0) {
        hub_log(hub, 1, "state file: cannot read %s: %s", hub->state_file, strerror(errno));
        return NANOSTATE_EIO;
    }
    reader r;
    reader_init(&r, data, size);
    uint32_t n, magic_len;
    const char *magic;
    uint64_t format, seq, count;
    if (reader_array(&r, &n) != 0 || n < 4 || reader_str(&r, &magic, &magic_len) != 0 ||
        magic_len != strlen(MAGIC) || memcmp(magic, MAGIC, magic_len) != 0 ||
        reader_uint(&r, &format) != 0 || format != FORMAT || reader_uint(&r, &seq) != 0 ||
        reader_uint(&r, &count) != 0) {
        free(data);
        hub_log(hub, 1, "state file: %s is not a Nanostate state file", hub->state_file);
        return NANOSTATE_EPROTO;
    }
    rc = 0;
    uint64_t last_seq = 0;
    for (uint64_t i = 0; i < count && rc == 0; i++)
        if (load_entry(hub, &r, &last_seq) != 0)
            rc = NANOSTATE_EPROTO;
    if (rc != 0)
        hub_log(hub, 1, "state file: %s is corrupt after %zu states", hub->state_file,
                hub->table.count);
    if (seq > hub->seq)
        hub->seq = seq;
    free(data);
    return rc;
}
