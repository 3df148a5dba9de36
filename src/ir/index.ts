/** The IR: plain data between `translate/` and `xds/translate/`. */
export type * from './proxy.js';
export type * from './authentication.js';
export type * from './authorization.js';
export type * from './traffic.js';
export type * from './outbound.js';
