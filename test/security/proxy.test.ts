/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY, through a loopback proxy written for the test that records
 * what it was asked. The API's host is `ecs.fpga.invalid`: a name only the proxy resolves (to the
 * emulator), and that can never resolve anywhere else (RFC 6761). So a success proves the request
 * went through the proxy, and a bypass fails fast with ENOTFOUND, sending nothing anywhere.
 */
import { createServer, Server } from 'node:net';
import { CertificateDirectory } from './certificates';
import { LoopbackProxy } from './loopback-proxy';
import { EXIT_CODES } from '../../src/contract';
import { FpgaApiEmulator } from '../../src/emulator/server';
import { associationPath } from '../../src/rules';
import { envFor, FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, runHandler, useEmulator } from '../handler/harness';

const API_HOST = 'ecs.fpga.invalid';
const PROXY_USER = 'proxy-user-5b7d';
const PROXY_PASSWORD = 'proxy-pass-c41e9a27f3';
const WRONG_PASSWORD = 'wrong-pass-08d2b6e4a1';

const certificates = new CertificateDirectory();
const certificate = certificates.selfSigned([API_HOST, '127.0.0.1']);
const context = useEmulator({ tls: { cert: certificate.cert, key: certificate.key } });
let proxy: LoopbackProxy;
/** A second, plain-http emulator: http origins are only ever loopback. */
let plain: FpgaApiEmulator;

beforeAll(async () => {
  proxy = await LoopbackProxy.start({
    credentials: `${PROXY_USER}:${PROXY_PASSWORD}`,
    resolve: (host) => (host === API_HOST ? '127.0.0.1' : host),
  });
  plain = await FpgaApiEmulator.start();
});
afterAll(async () => {
  await proxy.stop();
  await plain.stop();
  certificates.remove();
});
beforeEach(() => {
  proxy.seen.length = 0;
  plain.reset();
});

const apiPort = () => new URL(context.emu.url).port;
const proxyUrl = (password = PROXY_PASSWORD) => proxy.url(`${PROXY_USER}:${password}`);
const basic = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`;

/** The https emulator under the name only the proxy knows, its certificate trusted. */
function viaProxy(overrides: Record<string, string | undefined> = {}) {
  return envFor(context.emu, {
    FPGA_ASSOC_ENDPOINT: `https://${API_HOST}:${apiPort()}`,
    NODE_EXTRA_CA_CERTS: certificate.certFile,
    HTTPS_PROXY: proxyUrl(),
    ...overrides,
  });
}

describe('https through HTTPS_PROXY: a CONNECT tunnel, TLS end to end with the API', () => {
  it('associates through one tunnel, authenticated with the URL\'s user and password', async () => {
    context.emu.addRelations([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    const run = await runHandler(['associate'], viaProxy());

    expect(run.code).toBe(EXIT_CODES.ok);
    // Two API requests (POST 400, then the query) through one kept-alive tunnel.
    expect(context.emu.requests().map((r) => `${r.method} ${r.status}`)).toEqual(['POST 400', 'GET 200']);
    expect(proxy.seen).toEqual([{ method: 'CONNECT', target: `${API_HOST}:${apiPort()}`, proxyAuthorization: basic }]);
    expect(run.stderr).toContain('was already associated');
  });

  it('https_proxy (lower case) works too; HTTPS_PROXY wins when both are set', async () => {
    expect((await runHandler(['associate'], viaProxy({ HTTPS_PROXY: undefined, https_proxy: proxyUrl() }))).code).toBe(EXIT_CODES.ok);
    const deadProxy = 'http://127.0.0.1:9';
    expect((await runHandler(['status'], viaProxy({ https_proxy: deadProxy }))).code).toBe(EXIT_CODES.ok);
    expect(proxy.seen.map((r) => r.method)).toEqual(['CONNECT', 'CONNECT']);
  });

  it('a proxy URL without a scheme means http://', async () => {
    const run = await runHandler(['status'], viaProxy({ HTTPS_PROXY: `${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}` }));
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(proxy.seen).toHaveLength(1);
  });

  it.each([
    ['without the CA', {}],
    ['even with NODE_TLS_REJECT_UNAUTHORIZED=0', { NODE_TLS_REJECT_UNAUTHORIZED: '0' }],
  ])('TLS through the tunnel is still verified: %s the handshake is refused', async (_, overrides) => {
    const run = await runHandler(['associate'], viaProxy({ NODE_EXTRA_CA_CERTS: undefined, ...overrides }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(run.stderr).toContain('self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(proxy.seen).toHaveLength(1);
    expect(context.emu.requests()).toEqual([]);
  });
});

describe('NO_PROXY', () => {
  it.each(['ecs.fpga.invalid', 'fpga.invalid', '.fpga.invalid', '*.invalid', '*', 'other.example, .invalid'])(
    '%s exempts the API host: a direct connection, the proxy never asked',
    async (noProxy) => {
      const run = await runHandler(['associate'], viaProxy({ NO_PROXY: noProxy, FPGA_ASSOC_MAX_ATTEMPTS: '2' }));

      expect(run.code).toBe(EXIT_CODES.gaveUp);
      expect(run.stderr).toContain(`getaddrinfo ENOTFOUND ${API_HOST}`);
      expect(proxy.seen).toEqual([]);
      expect(context.emu.requests()).toEqual([]);
    },
  );

  it.each(['pga.invalid', 'ecs.fpga', 'ecs.fpga.invalid.example', '127.0.0.1', '10.0.0.0/8'])(
    '%s does not exempt it: through the proxy',
    async (noProxy) => {
      expect((await runHandler(['status'], viaProxy({ no_proxy: noProxy }))).code).toBe(EXIT_CODES.ok);
      expect(proxy.seen).toHaveLength(1);
    },
  );
});

describe('loopback endpoints', () => {
  const plainEnv = (overrides: Record<string, string | undefined> = {}) =>
    envFor(plain, { HTTP_PROXY: proxyUrl(), HTTPS_PROXY: proxyUrl(), ...overrides });

  it('never use the proxy by default, so the local emulator works whatever proxy is set', async () => {
    expect((await runHandler(['associate'], plainEnv())).code).toBe(EXIT_CODES.ok);
    const https = envFor(context.emu, { NODE_EXTRA_CA_CERTS: certificate.certFile, HTTPS_PROXY: proxyUrl() });
    expect((await runHandler(['status'], https)).code).toBe(EXIT_CODES.ok);
    expect(proxy.seen).toEqual([]);
  });

  it('FPGA_ASSOC_PROXY_LOOPBACK=1 sends http through HTTP_PROXY as absolute-form requests; the signature still holds', async () => {
    const run = await runHandler(['associate'], plainEnv({ FPGA_ASSOC_PROXY_LOOPBACK: '1' }));

    expect(run.code).toBe(EXIT_CODES.ok);
    expect(plain.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);
    expect(proxy.seen).toEqual([{ method: 'POST', target: `${plain.url}${associationPath(plain.state().projectId, FPGA_IMAGE_ID)}`, proxyAuthorization: basic }]);
  });

  it('FPGA_ASSOC_PROXY_LOOPBACK=1 tunnels https to a loopback host; NO_PROXY still exempts it', async () => {
    const https = envFor(context.emu, { NODE_EXTRA_CA_CERTS: certificate.certFile, HTTPS_PROXY: proxyUrl(), FPGA_ASSOC_PROXY_LOOPBACK: '1' });
    expect((await runHandler(['status'], https)).code).toBe(EXIT_CODES.ok);
    expect(proxy.seen).toEqual([{ method: 'CONNECT', target: `127.0.0.1:${apiPort()}`, proxyAuthorization: basic }]);

    expect((await runHandler(['status'], { ...https, NO_PROXY: '127.0.0.0/8' })).code).toBe(EXIT_CODES.ok);
    expect(proxy.seen).toHaveLength(1);
  });
});

describe('failures name the proxy, never its credentials', () => {
  it('a refused CONNECT (407) is not retried', async () => {
    const run = await runHandler(['associate'], viaProxy({ HTTPS_PROXY: proxyUrl(WRONG_PASSWORD) }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(lines(run)).toHaveLength(1);
    expect(run.stderr).toContain(
      `the proxy http://127.0.0.1:${proxy.port} answered CONNECT ${API_HOST}:${apiPort()} with HTTP 407 Proxy Authentication Required (EPROXY)`,
    );
    // Refused by the proxy, the request never reached the API: nothing may have been made.
    expect(run.stderr).not.toContain('may have been made');
    expect(proxy.seen).toHaveLength(1);
  });

  it('a 407 to a forwarded http request (FPGA_ASSOC_PROXY_LOOPBACK=1) is not retried either', async () => {
    const env = envFor(plain, { HTTP_PROXY: proxyUrl(WRONG_PASSWORD), FPGA_ASSOC_PROXY_LOOPBACK: '1' });
    const run = await runHandler(['associate'], env);

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(lines(run)).toHaveLength(1);
    expect(run.stderr).toContain(
      `the proxy http://127.0.0.1:${proxy.port} answered POST ${plain.url}${associationPath(plain.state().projectId, FPGA_IMAGE_ID)} with HTTP 407 Proxy Authentication Required (EPROXY)`,
    );
    expect(proxy.seen).toHaveLength(1);
    expect(plain.requests()).toEqual([]);
  });

  it('a proxy that accepts the connection and never answers: attempts time out, the run ends at its total timeout', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const env = viaProxy({ HTTPS_PROXY: `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${port}`, FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '300', FPGA_ASSOC_TOTAL_TIMEOUT_MS: '1500' });
      const run = await runHandler(['associate'], env);

      expect(run.code).toBe(EXIT_CODES.gaveUp);
      expect(run.ms).toBeLessThan(1500 + 1000);
      expect(run.stderr).toContain('(FPGA_ASSOC_TOTAL_TIMEOUT_MS=1500 reached); the last got no answer within');
    } finally {
      silent.close();
    }
  });

  it.each([
    ['an unsupported scheme', `socks5://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:1080`, 'invalid HTTPS_PROXY: "socks5" proxies are not supported; expected http://[user:password@]host[:port]'],
    ['an https:// proxy', `https://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:3129`, 'invalid HTTPS_PROXY: "https" proxies are not supported'],
    ['a path', `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:3128/proxy`, 'invalid HTTPS_PROXY: a proxy at "http://127.0.0.1:3128" takes no path or query'],
    ['bad percent-encoding', `http://${PROXY_USER}:${PROXY_PASSWORD}%zz@127.0.0.1:3128`, 'invalid HTTPS_PROXY: it is not a URL (not shown: it may hold a password)'],
  ])('%s: exit 2, nothing sent', async (_, value, message) => {
    const run = await runHandler(['associate'], viaProxy({ HTTPS_PROXY: value }));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Nothing was sent to the API');
    expect(proxy.seen).toEqual([]);
  });

  it('FPGA_ASSOC_PROXY_LOOPBACK takes 0 or 1', async () => {
    const run = await runHandler(['status'], viaProxy({ FPGA_ASSOC_PROXY_LOOPBACK: 'yes' }));
    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stderr).toContain('invalid FPGA_ASSOC_PROXY_LOOPBACK "yes": expected 1');
  });
});

itNeverPrintsCredentials([PROXY_USER, PROXY_PASSWORD, WRONG_PASSWORD]);
