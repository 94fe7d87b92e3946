// SPDX-License-Identifier: MIT
// The Node.js-only part of the package (import from 'nanostate/hub'): the
// C hub engine of libnanostate as a Hub, and the WebSocket front end of
// nanostate-hubws-node. Nothing here is part of the browser bundle, which
// starts from src/nanostate.js.

export { Hub } from './hub.js';
export { LibraryNotFoundError, searchPath } from './library.js';
export { WsServer } from './ws-server.js';
