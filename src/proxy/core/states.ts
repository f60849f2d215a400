/** States of a proxy client connection and of its upstream response (shared by its two halves). */

/** Waiting for (or reading) a request head. */
export const ST_HEAD = 0;
/** Head parsed; the policy decides (filters may be asynchronous). */
export const ST_DISPATCH = 1;
/** Connecting to the upstream. */
export const ST_CONNECTING = 2;
/** Request sent (its body may still be streaming); relaying the response. */
export const ST_FORWARDING = 3;
export const ST_TUNNEL_CONNECTING = 4;
export const ST_TUNNEL = 5;
/** The proxy ended the connection and waits for the client to close. */
export const ST_CLOSING = 6;
export const ST_CLOSED = 7;

export const RS_NONE = 0;
export const RS_WAIT_HEAD = 1;
export const RS_BODY = 2;
export const RS_DONE = 3;

/** After the proxy ended a connection, the client gets this long to close its side. */
export const LINGER_MS = 2_000;
