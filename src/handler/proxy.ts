import { BlockList, isIP } from 'node:net';
import { PROXY_ENV } from '../contract';
import { isLoopbackHost, showValue } from '../rules';

/**
 * The route decision: directly, or through the HTTP proxy from HTTPS_PROXY / HTTP_PROXY, unless
 * NO_PROXY exempts the host (curl's rules, which undici's own reading of NO_PROXY does not follow:
 * no CIDR blocks) or the host is loopback. Carrying the requests, tunnels included, is undici's
 * job (./dispatchers).
 */

/** An HTTP proxy. Its credentials are kept apart from what may be shown. */
export interface Proxy {
  /** `http://host:port`: safe to show, never carries the credentials. */
  readonly origin: string;
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
  return { proxy: { origin: url.origin, ...credentials } };
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
