import * as http from 'node:http';
import * as https from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { PROXY_ENV } from '../contract';
import { isLoopbackHost, showValue } from '../rules';

/**
 * How requests reach the API: directly, or through an HTTP proxy from HTTPS_PROXY / HTTP_PROXY,
 * unless NO_PROXY exempts the host. An https origin is reached through a CONNECT tunnel, so TLS
 * (and its certificate check) runs end to end with the API; an http origin, which can only be a
 * loopback emulator, is sent to the proxy as absolute-form requests.
 */

/** An HTTP proxy. Its credentials are kept apart from what may be shown. */
export interface Proxy {
  /** `http://host:port`: safe to show, never carries the credentials. */
  readonly origin: string;
  /** Without IPv6 brackets, as node:http wants it. */
  readonly hostname: string;
  readonly port: number;
  /** `Basic …` from the URL's user:password, sent as Proxy-Authorization. */
  readonly authorization?: string;
  /** The decoded password, so that the log can redact it should anything echo it. */
  readonly password?: string;
}

/** The proxy variables as found: the first name set of each, and its value. */
export interface ProxyVariables {
  readonly https?: { readonly name: string; readonly value: string };
  readonly http?: { readonly name: string; readonly value: string };
  readonly noProxy?: string;
  readonly loopback?: string;
}

const EXPECTED_PROXY = 'expected http://[user:password@]host[:port]';

/**
 * Whether NO_PROXY exempts `hostname`, by curl's rules: a comma-separated list; `*` exempts every
 * host; a name exempts itself and its subdomains (a leading `.` or `*.` changes nothing), never a
 * longer name that merely ends with it; an IP address exempts itself; a CIDR block, its range.
 */
export function exemptFromProxy(noProxy: string, hostname: string): boolean {
  const host = bare(hostname);
  const family = isIP(host);
  return noProxy
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .some((entry) => {
      if (entry === '*') return true;
      const cidr = /^([^/]+)\/(\d{1,3})$/.exec(entry);
      if (cidr) return family !== 0 && inBlock(host, bare(cidr[1]), Number(cidr[2]), family);
      const name = bare(entry).replace(/^\*?\./, '');
      if (name === '') return false;
      if (isIP(name) !== 0) return family === isIP(name) && inBlock(host, name, family === 4 ? 32 : 128, family);
      return host === name || host.endsWith(`.${name}`);
    });
}

/** Lower case, no IPv6 brackets, no trailing dot. */
function bare(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/** BlockList compares addresses, not spellings (`::1` is `0:0::1`). */
function inBlock(host: string, network: string, prefix: number, family: number): boolean {
  if (isIP(network) !== family) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  try {
    block.addSubnet(network, prefix, type);
  } catch {
    return false;
  }
  return block.check(host, type);
}

/**
 * Reads a proxy URL. A value without a scheme means http://, as in curl and Terraform. Messages
 * show the variable's name and at most the proxy's origin: the value may carry a password.
 */
export function parseProxy(name: string, value: string): { proxy?: Proxy; error?: string } {
  let url: URL;
  let user: string;
  let password: string;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    user = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    return { error: `invalid ${name}: it is not a URL (not shown: it may hold a password); ${EXPECTED_PROXY}` };
  }
  if (url.protocol !== 'http:') {
    return {
      error: `invalid ${name}: ${showValue(url.protocol.slice(0, -1))} proxies are not supported; ${EXPECTED_PROXY} `
        + '(the connection to the API stays TLS end to end, through a CONNECT tunnel)',
    };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return { error: `invalid ${name}: a proxy at ${showValue(url.origin)} takes no path or query; ${EXPECTED_PROXY}` };
  }
  const credentials = user || password ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, password: password || undefined } : {};
  return { proxy: { origin: url.origin, hostname: bare(url.hostname), port: Number(url.port || 80), ...credentials } };
}

/**
 * The proxy for `origin`, or none: the variable for its scheme, unless NO_PROXY exempts the host,
 * or the host is loopback and FPGA_ASSOC_PROXY_LOOPBACK is not 1 (the local emulator must keep
 * working when a corporate proxy is set, as Terraform's own requests do).
 */
export function proxyFor(origin: URL, variables: ProxyVariables): { proxy?: Proxy; error?: string } {
  const loopback = variables.loopback ?? '0';
  if (loopback !== '0' && loopback !== '1') {
    return { error: `invalid ${PROXY_ENV.loopback} ${showValue(loopback)}: expected 1 (loopback endpoints use the proxy too) or 0 (the default: they never do)` };
  }
  const variable = origin.protocol === 'https:' ? variables.https : variables.http;
  if (variable === undefined) return {};
  if (isLoopbackHost(origin.hostname) && loopback === '0') return {};
  if (variables.noProxy !== undefined && exemptFromProxy(variables.noProxy, origin.hostname)) return {};
  return parseProxy(variable.name, variable.value);
}

/** The header that authenticates to the proxy, if its URL had credentials. */
function proxyAuthorization(proxy: Proxy): Record<string, string> {
  return proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {};
}

/** An https agent whose connections are TLS inside a CONNECT tunnel through the proxy. */
class TunnelAgent extends https.Agent {
  /** CONNECT requests under way, cut off by destroy() so that a silent proxy cannot keep the process alive. */
  private readonly connecting = new Set<http.ClientRequest>();

  public constructor(
    private readonly proxy: Proxy,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  /** Node's Agent waits for the callback when this returns nothing. */
  public override createConnection(options: https.RequestOptions, callback?: (error: Error | null, socket: Duplex) => void): undefined {
    // With an error, Node's Agent looks at no socket.
    const done = (error: Error | null, socket?: Duplex) => callback?.(error, socket as Duplex);
    const target = `${isIP(options.host ?? '') === 6 ? `[${options.host}]` : options.host}:${options.port}`;
    const connect = http.request({
      host: this.proxy.hostname,
      port: this.proxy.port,
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...proxyAuthorization(this.proxy) },
      agent: false,
    });
    this.connecting.add(connect);
    connect.once('connect', (response, socket) => {
      this.connecting.delete(connect);
      if (response.statusCode !== 200) {
        socket.destroy();
        const status = `HTTP ${response.statusCode}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
        done(Object.assign(new Error(`the proxy ${this.proxy.origin} answered CONNECT ${target} with ${status}`), { code: 'EPROXY' }));
        return;
      }
      done(null, tls.connect({ ...(options as tls.ConnectionOptions), socket }));
    });
    connect.once('error', (error) => {
      this.connecting.delete(connect);
      done(error);
    });
    connect.end();
    return undefined;
  }

  public override destroy(): void {
    this.connecting.forEach((connect) => connect.destroy());
    super.destroy();
  }
}

export interface RequestOptions {
  readonly method: string;
  readonly headers: Record<string, string>;
}

/**
 * The way to `origin`: one keep-alive agent (direct, tunnelling, or to an HTTP proxy) and the
 * request options that go with it. Certificates are always verified, whatever
 * NODE_TLS_REJECT_UNAUTHORIZED says; a private CA is added with NODE_EXTRA_CA_CERTS.
 */
export class Route {
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  public constructor(origin: URL, private readonly proxy?: Proxy) {
    this.secure = origin.protocol === 'https:';
    const options = { keepAlive: true, maxSockets: 1 };
    if (!this.secure) this.agent = new http.Agent(options);
    else if (proxy) this.agent = new TunnelAgent(proxy, { ...options, rejectUnauthorized: true });
    else this.agent = new https.Agent({ ...options, rejectUnauthorized: true });
  }

  public request(url: URL, options: RequestOptions, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
    if (this.secure) return https.request(url, { ...options, agent: this.agent }, onResponse);
    if (!this.proxy) return http.request(url, { ...options, agent: this.agent }, onResponse);
    // Absolute-form: the proxy is asked for the whole URL; the signed Host header still names the API.
    const { hostname, port } = this.proxy;
    const headers = { ...options.headers, ...proxyAuthorization(this.proxy) };
    return http.request({ host: hostname, port, path: url.href, method: options.method, headers, agent: this.agent }, onResponse);
  }

  /** Closes kept-alive connections, and tunnels being opened, so that the process can exit. */
  public close(): void {
    this.agent.destroy();
  }
}
