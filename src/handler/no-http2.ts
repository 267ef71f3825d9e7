/**
 * What assets/handler.js gets for Node's `http2` module (esbuild's alias in tools/bundle-handler.ts). undici's Client
 * loads http2 as it starts, and http2 loads tls, crypto, fs/promises and readline with it: about
 * 10 ms of every run, only to speak HTTP/2 where TLS negotiates it, which the handler never offers
 * (undici's `allowH2` is off). This is the shape undici falls back to where http2 is missing.
 */
export const constants = {};
