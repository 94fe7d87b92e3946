/* SPDX-License-Identifier: MIT */
#include <nanostate/nanostate.h>

NANOSTATE_EXPORT const char *nanostate_strerror(int err)
{
    switch (err) {
    case NANOSTATE_OK: return "success";
    case NANOSTATE_EINVAL: return "invalid argument";
    case NANOSTATE_ENOMEM: return "out of memory";
    case NANOSTATE_EURL: return "malformed URL or unknown transport (use tcp://HOST:PORT, ipc://PATH or ws://HOST:PORT)";
    case NANOSTATE_EADDRINUSE: return "address already in use";
    case NANOSTATE_EADDRNOTAVAIL: return "address not available on this machine";
    case NANOSTATE_ETRANSPORT: return "transport error";
    case NANOSTATE_ETIMEDOUT: return "timed out";
    case NANOSTATE_ENOTFOUND: return "no such state";
    case NANOSTATE_ENAME: return "invalid name (1..1024 bytes of UTF-8, not starting with '$')";
    case NANOSTATE_EVALUE: return "invalid value (not one well-formed msgpack object, or nested deeper than 64)";
    case NANOSTATE_ETOOBIG: return "frame larger than the maximum frame size";
    case NANOSTATE_ETYPE: return "value has another type";
    case NANOSTATE_ERANGE: return "value out of range for the type";
    case NANOSTATE_EPROTO: return "malformed frame";
    case NANOSTATE_EIO: return "file input/output error";
    case NANOSTATE_ECLOSED: return "not connected or closed";
    case NANOSTATE_EUNKNOWN: return "unknown option or statistic";
    default: return "unknown error";
    }
}

NANOSTATE_EXPORT const char *nanostate_version(void) { return NANOSTATE_VERSION_STRING; }
