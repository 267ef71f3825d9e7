/**
 * The emulator's https mode, in-process (EmulatorOptions.tls) and on the command line
 * (--tls-cert / --tls-key), with a self-signed certificate made at test time.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import * as path from 'node:path';
import { CONTROL_TOKEN_HEADER } from '../../src/emulator/control-plane';
import { EMULATOR_BUNDLE, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_PROJECT_ID, FpgaApiEmulator } from '../../src/emulator/server';
import { associationPath } from '../../src/rules';
import { Certificate, CertificateDirectory } from '../security/certificates';

const FPGA = '4010a32b5f231f04015f24259efd0429';

const certificates = new CertificateDirectory();
let certificate: Certificate;
let other: Certificate;
beforeAll(() => {
  certificate = certificates.selfSigned(['localhost', '127.0.0.1']);
  other = certificates.selfSigned(['localhost']);
});
afterAll(() => certificates.remove());

type Outcome = { status?: number; body?: string; error?: string };

/** One request over https, trusting `ca` only; resolves with the answer or the error's code. */
function call(url: string, method: string, ca: Buffer, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(url, { method, ca, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', (error: Error & { code?: string }) => resolve({ error: error.code }));
    req.end();
  });
}

test('EmulatorOptions.tls: the API and the control plane over https, faults included', async () => {
  const emulator = await FpgaApiEmulator.start({ tls: { cert: certificate.cert, key: certificate.key } });
  try {
    expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const state = await call(`${emulator.url}/_emulator/state`, 'GET', certificate.cert, { [CONTROL_TOKEN_HEADER]: emulator.controlToken });
    expect(state).toEqual({ status: 200, body: expect.stringContaining(`"projectId":"${DEMO_PROJECT_ID}"`) });

    const api = `${emulator.url}${associationPath(DEMO_PROJECT_ID, FPGA)}`;
    expect((await call(api, 'POST', certificate.cert)).status).toBe(401);
    emulator.addFaults([{ method: 'POST', action: 'reset' }, { method: 'POST', action: 'respond', status: 503 }]);
    // A reset fault resets the TCP connection under the TLS one.
    expect(await call(api, 'POST', certificate.cert)).toEqual({ error: 'ECONNRESET' });
    expect((await call(api, 'POST', certificate.cert)).status).toBe(503);
    expect(emulator.requests().map((r) => r.status ?? r.fault)).toEqual([401, 'reset', 503]);

    expect(await call(`${emulator.url}/_emulator/state`, 'GET', other.cert, { [CONTROL_TOKEN_HEADER]: emulator.controlToken })).toEqual({ error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  } finally {
    await emulator.stop();
  }
});

test('EmulatorOptions.tls is checked at start, without showing the key', async () => {
  await expect(FpgaApiEmulator.start({ tls: { cert: certificate.cert, key: other.key } })).rejects.toThrow(
    /^invalid EmulatorOptions\.tls: the certificate and key cannot be used \(.*\); expected a PEM certificate and its unencrypted PEM private key$/,
  );
  await expect(FpgaApiEmulator.start({ tls: { cert: 'not a certificate', key: certificate.key } })).rejects.toThrow(/^invalid EmulatorOptions\.tls: /);
  await expect(FpgaApiEmulator.start({ tls: { cert: certificate.cert } as any })).rejects.toThrow(
    'invalid EmulatorOptions.tls: expected a PEM certificate and its PEM private key',
  );
});

test('--tls-cert and --tls-key: the ready line says https, and SIGTERM still stops it cleanly', async () => {
  const emulator = await startEmulatorProcess({ args: ['--tls-cert', certificate.certFile, '--tls-key', certificate.keyFile] });
  try {
    expect(emulator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await call(`${emulator.url}/_emulator/state`, 'GET', certificate.cert, { [CONTROL_TOKEN_HEADER]: emulator.controlToken })).status).toBe(200);
  } finally {
    await emulator.stop();
  }
});

test('bad TLS flags: exit 2 naming the flag, never the key', async () => {
  const notPem = path.join(path.dirname(certificate.certFile), 'not-pem.txt');
  writeFileSync(notPem, 'hello');
  const cases: [string[], RegExp][] = [
    [['--tls-cert', certificate.certFile], /--tls-cert and --tls-key go together/],
    [['--tls-key', certificate.keyFile], /--tls-cert and --tls-key go together/],
    [['--tls-cert', '/no/such/cert.pem', '--tls-key', certificate.keyFile], /--tls-cert \/no\/such\/cert\.pem: cannot read it \(ENOENT/],
    [['--tls-cert', certificate.certFile, '--tls-key', other.keyFile], /invalid --tls-cert .* \/ --tls-key .*: the certificate and key cannot be used/],
    [['--tls-cert', notPem, '--tls-key', certificate.keyFile], /invalid --tls-cert .*not-pem\.txt .*: the certificate and key cannot be used/],
  ];
  for (const [args, expected] of cases) {
    const { code, stderr } = await runToExit(args);
    expect({ args, code, stderr }).toEqual({ args, code: 2, stderr: expect.stringMatching(expected) });
    expect(stderr).not.toContain('PRIVATE KEY');
  }
});

test('--help lists the TLS flags', async () => {
  const { code, stdout } = await runToExit(['--help']);
  expect(code).toBe(0);
  expect(stdout).toContain('--tls-cert <file>');
  expect(stdout).toContain('--tls-key <file>');
});

function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [EMULATOR_BUNDLE, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('\n') && !args.includes('--help')) child.kill('SIGTERM');
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
