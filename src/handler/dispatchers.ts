import { setFlagsFromString } from 'node:v8';
/* eslint-disable import/no-extraneous-dependencies -- undici is bundled into assets/handler.js: the package ships no node_modules */
import type { Dispatcher } from 'undici';
import Client from 'undici/lib/dispatcher/client';
/* eslint-enable import/no-extraneous-dependencies */
import type { Proxy } from './proxy';

/**
 * The undici dispatcher that carries the handler's requests to its one origin: a Client straight
 * to it, or a ProxyAgent through the proxy that the route decision (./proxy) picked, which reaches
 * an https origin through a CONNECT tunnel, TLS end to end, and an http one (loopback only) with
 * absolute-form requests. Certificates are always verified: `rejectUnauthorized` given outright
 * outranks NODE_TLS_REJECT_UNAUTHORIZED=0, and Node's default CA store includes NODE_EXTRA_CA_CERTS.
 */

const VERIFIED_TLS = { rejectUnauthorized: true } as const;
/** Each attempt's own timer bounds connecting, tunnelling, headers and body (./http-client): undici's are off. */
const NO_TIMEOUT = 0;

/** `beforeV8FlagChange` runs once V8's flags are about to change, after which no code cache it makes would be accepted. */
export async function openDispatcher(origin: URL, proxy?: Proxy, beforeV8FlagChange?: () => void): Promise<Dispatcher> {
  const dispatcher = proxy
    ? await proxyAgent(proxy)
    : new Client(origin, { connect: { ...VERIFIED_TLS, timeout: NO_TIMEOUT }, headersTimeout: NO_TIMEOUT, bodyTimeout: NO_TIMEOUT });
  compileParserWithLiftoffOnly(origin, beforeV8FlagChange);
  return dispatcher;
}

/** Loaded only when a proxy is used: most runs never pay for the proxy agent's code. */
async function proxyAgent(proxy: Proxy): Promise<Dispatcher> {
  /* eslint-disable import/no-extraneous-dependencies -- bundled, as above */
  const [{ default: ProxyAgent }, { default: BaseDispatcher }, { default: connect }] = await Promise.all([
    import('undici/lib/dispatcher/proxy-agent'),
    import('undici/lib/dispatcher/dispatcher'),
    import('undici/lib/api/api-connect'),
  ]);
  /* eslint-enable import/no-extraneous-dependencies */
  // The agent opens its tunnels with `connect()`, one of the request APIs that undici's index attaches to every dispatcher.
  BaseDispatcher.prototype.connect = connect;
  return new ProxyAgent({
    uri: proxy.origin,
    token: proxy.authorization,
    // One kept-alive connection (a Client, not a Pool), as direct: the requests of a run go one after another.
    connections: 1,
    // Tunnels for https only: http requests go to the proxy as they are (absolute-form), so that it sees what is asked.
    proxyTunnel: false,
    requestTls: { ...VERIFIED_TLS, timeout: NO_TIMEOUT },
    proxyTls: { timeout: NO_TIMEOUT },
    headersTimeout: NO_TIMEOUT,
    bodyTimeout: NO_TIMEOUT,
  });
}

/**
 * undici parses HTTP with llhttp, WebAssembly that V8 compiles at the first connection: quickly with
 * Liftoff, its baseline compiler, and then again with TurboFan in the background, which costs a
 * process about 200 ms of CPU before it can exit, for a parser that reads a few short answers.
 * `--liftoff-only` keeps the baseline code. It is set as late as it can be: once a V8 flag changes,
 * V8 refuses any code cache made with other flags: Node's, of its built-in modules, so each built-in
 * loaded afterwards is compiled from source, and the handler's own (./launcher), which is therefore
 * made just before. Everything a request loads is loaded by now, except tls, loaded first.
 */
function compileParserWithLiftoffOnly(origin: URL, beforeV8FlagChange?: () => void): void {
  // A plain require: the launcher compiles the program as a script, where import() has no loader.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (origin.protocol === 'https:') require('node:tls');
  beforeV8FlagChange?.();
  setFlagsFromString('--liftoff-only');
}
