'use strict';
/**
 * Preloaded (`node --require`) into a handler under test: appends one JSON line per network attempt
 * to $SOCKET_RECORD_FILE — every TCP or TLS client connect (both go through net.Socket's connect),
 * every DNS lookup and every UDP socket — before letting it proceed. What the process does is then
 * known from outside, without trusting its own account of it.
 */
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');
const dgram = require('node:dgram');

const file = process.env.SOCKET_RECORD_FILE;
const record = (entry) => fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function recordedConnect(...args) {
  const [first, second] = args;
  const options = Array.isArray(first) ? first[0] : first;
  const target = typeof options === 'object' && options !== null
    ? { host: options.host, port: options.port, path: options.path }
    : { port: first, host: typeof second === 'string' ? second : undefined };
  if (target.port !== undefined) target.port = Number(target.port);
  record({ kind: 'connect', ...target });
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function recordedLookup(hostname, ...rest) {
  record({ kind: 'dns', host: hostname });
  return lookup.call(this, hostname, ...rest);
};

const createSocket = dgram.createSocket;
dgram.createSocket = function recordedSocket(...args) {
  record({ kind: 'udp' });
  return createSocket.apply(this, args);
};
