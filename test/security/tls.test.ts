/**
 * TLS verification stays on. The handler bundle runs as a child process against an https emulator
 * whose certificate is self-signed: refused, unless the user supplies that certificate as a CA
 * through NODE_EXTRA_CA_CERTS, which Node reads only at process start. This machine's environment
 * may set NODE_EXTRA_CA_CERTS, so every run sets or unsets it explicitly (runHandler passes exactly
 * the environment given).
 */
import { existsSync } from 'node:fs';
import { CertificateDirectory } from './certificates';
import { EXIT_CODES } from '../../src/contract';
import { FpgaApiEmulator } from '../../src/emulator/server';
import { envFor, FPGA_IMAGE_ID, IMAGE_ID, itNeverPrintsCredentials, lines, runHandler, useEmulator } from '../handler/harness';

const certificates = new CertificateDirectory();
const loopback = certificates.selfSigned(['localhost', '127.0.0.1']);
const context = useEmulator({ tls: { cert: loopback.cert, key: loopback.key } });
afterAll(() => certificates.remove());

const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

function env(overrides: Record<string, string | undefined> = {}) {
  return envFor(context.emu, { NODE_EXTRA_CA_CERTS: undefined, ...overrides });
}

test('the emulator serves https', () => {
  expect(context.emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
});

describe('a certificate nobody vouches for is refused before any request is sent', () => {
  const cases: [string, Record<string, string | undefined>][] = [
    ['without NODE_EXTRA_CA_CERTS', {}],
    ['with only the system CAs in NODE_EXTRA_CA_CERTS', { NODE_EXTRA_CA_CERTS: existsSync(SYSTEM_CA_BUNDLE) ? SYSTEM_CA_BUNDLE : undefined }],
    ['even with NODE_TLS_REJECT_UNAUTHORIZED=0', { NODE_TLS_REJECT_UNAUTHORIZED: '0' }],
  ];
  it.each(cases)('%s', async (_, overrides) => {
    const run = await runHandler(['associate'], env(overrides));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(context.emu.requests()).toEqual([]);
    expect(context.emu.relations()).toEqual([]);
    // Node itself warns about NODE_TLS_REJECT_UNAUTHORIZED; the handler prints one line.
    expect(lines(run).filter((line) => line.startsWith('fpga-image-association: '))).toHaveLength(1);
    expect(run.stderr).toMatch(/gave up after 1 attempt .*\(not a transient error\); the last got self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
  });
});

test('NODE_EXTRA_CA_CERTS naming the certificate: associate, status and disassociate succeed', async () => {
  const trusted = env({ NODE_EXTRA_CA_CERTS: loopback.certFile });
  expect((await runHandler(['associate'], trusted)).code).toBe(EXIT_CODES.ok);
  expect(context.emu.relations()).toEqual([{ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID }]);

  const status = await runHandler(['status'], trusted);
  expect(JSON.parse(status.stdout)).toEqual({ fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID, associated: true });

  expect((await runHandler(['disassociate'], trusted)).code).toBe(EXIT_CODES.ok);
  expect(context.emu.relations()).toEqual([]);
});

test('a trusted certificate for another name is refused: the host name is checked too', async () => {
  const other = certificates.selfSigned(['ecs.other.example']);
  const emulator = await FpgaApiEmulator.start({ tls: { cert: other.cert, key: other.key } });
  try {
    const run = await runHandler(['associate'], envFor(emulator, { NODE_EXTRA_CA_CERTS: other.certFile }));

    expect(run.code).toBe(EXIT_CODES.gaveUp);
    expect(run.stderr).toContain("Hostname/IP does not match certificate's altnames");
    expect(run.stderr).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(emulator.requests()).toEqual([]);
  } finally {
    await emulator.stop();
  }
});

describe('plain http is refused for anything but loopback, before anything is sent', () => {
  it.each([
    'http://ecs.cn-north-1.myhuaweicloud.com',
    'http://10.0.0.8:8080',
    'http://127.0.0.1.nip.io:8080',
    'http://localhost.example.com',
    'http://[::ffff:127.0.0.1]:8080',
    'http://0.0.0.0:8080',
  ])('%s', async (endpoint) => {
    const run = await runHandler(['associate'], env({ FPGA_ASSOC_ENDPOINT: endpoint }));

    expect(run.code).toBe(EXIT_CODES.invalidInput);
    expect(run.stderr).toContain('plain http is allowed only to a loopback host (localhost, 127.0.0.0/8, ::1); use https');
    expect(run.stderr).toContain('Nothing was sent to the API');
  });
});

itNeverPrintsCredentials();
