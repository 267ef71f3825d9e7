/**
 * The standalone emulator, run as users and other test suites run it: `node assets/emulator.js`.
 * `npm test` builds the bundle first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { signedFetch } from './signed-fetch';
import { EMULATOR_BUNDLE, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_AGENCY, DEMO_CREDENTIALS, DEMO_PROJECT_ID } from '../../src/emulator/server';
import { associationPath } from '../../src/rules';

const FPGA = '4010a32b5f231f04015f24259efd0429';
const IMAGE = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'emulator-cli-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function seedFile(name: string, content: unknown): string {
  const file = path.join(scratch, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** Runs the CLI to completion, or until it prints its ready line and `signal` is sent to it. */
function run(args: string[], options: { env?: Record<string, string>; signal?: NodeJS.Signals } = {}) {
  const child = spawn(process.execPath, [EMULATOR_BUNDLE, ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (options.signal && stdout.includes('\n')) child.kill(options.signal);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  // 'close', not 'exit': only then has all the output been read (under load 'exit' came first, with stderr still empty).
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

const associate = (url: string, credentials: { accessKey: string; secretKey: string } = DEMO_CREDENTIALS) =>
  signedFetch(url, { method: 'POST', path: associationPath(DEMO_PROJECT_ID, FPGA), body: { image: { id: IMAGE } }, credentials });

test('starts with one JSON line, answers a signed request, logs it without secrets, exits 0 on SIGTERM', async () => {
  const emulator = await startEmulatorProcess();
  try {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.projectId).toBe(DEMO_PROJECT_ID);
    const result = await associate(emulator.url);
    expect(result.status).toBe(204);
    expect(await emulator.control.relations()).toEqual([{ fpgaImageId: FPGA, imageId: IMAGE }]);

    const requestId = result.headers.get('x-request-id')!;
    for (let i = 0; i < 100 && !emulator.stderr().includes(requestId); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const line = `POST ${associationPath(DEMO_PROJECT_ID, FPGA)} 204 request_id=${requestId}`;
    expect(emulator.stderr()).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z ${line}$`, 'm'));
    expect(emulator.stderr()).not.toMatch(/SDK-HMAC-SHA256|Signature=|Authorization/i);
    expect(emulator.stderr()).not.toContain(DEMO_CREDENTIALS.secretKey);
  } finally {
    await emulator.stop();
  }
});

test('SIGINT stops it cleanly too, and the ready line is exactly {url, projectId, controlToken}', async () => {
  const { code, stdout } = await run(['--port', '0'], { signal: 'SIGINT' });
  expect(code).toBe(0);
  expect(stdout.split('\n')).toEqual([expect.any(String), '']);
  expect(Object.keys(JSON.parse(stdout))).toEqual(['url', 'projectId', 'controlToken']);
});

test('credentials from the environment, with flags taking precedence', async () => {
  const env = { FPGA_EMULATOR_ACCESS_KEY: 'CIACCESSKEY', FPGA_EMULATOR_SECRET_KEY: 'ci-secret-from-env' };
  const fromEnv = await startEmulatorProcess({ env });
  const fromFlags = await startEmulatorProcess({ env, args: ['--access-key', 'FLAGACCESSKEY', '--secret-key', 'flag-secret'] });
  try {
    expect((await associate(fromEnv.url, { accessKey: 'CIACCESSKEY', secretKey: 'ci-secret-from-env' })).status).toBe(204);
    expect((await associate(fromEnv.url)).status).toBe(401);
    expect((await associate(fromFlags.url, { accessKey: 'FLAGACCESSKEY', secretKey: 'flag-secret' })).status).toBe(204);
    expect((await associate(fromFlags.url, { accessKey: 'CIACCESSKEY', secretKey: 'ci-secret-from-env' })).status).toBe(401);
  } finally {
    await Promise.all([fromEnv.stop(), fromFlags.stop()]);
  }
});

test('--seed, --strict-images and --project-id', async () => {
  const projectId = 'abcdefabcdefabcdefabcdefabcdef00';
  const seed = {
    images: [{ id: IMAGE, visibility: 'private' }],
    fpgaImages: [{ id: FPGA, name: 'ocl_001' }],
    relations: [{ fpgaImageId: FPGA, imageId: IMAGE }],
  };
  const emulator = await startEmulatorProcess({ args: ['--seed', seedFile('seed.json', seed), '--strict-images', '--project-id', projectId] });
  try {
    expect(emulator.projectId).toBe(projectId);
    expect(await emulator.control.state()).toEqual({ projectId, ...seed });
    const unknown = await signedFetch(emulator.url, {
      method: 'POST',
      path: associationPath(projectId, 'ffffffffffffffffffffffffffffffff'),
      body: { image: { id: IMAGE } },
    });
    expect(unknown.status).toBe(404);
  } finally {
    await emulator.stop();
  }
});

test('--region names the project IAM finds; --no-metadata-agency and --no-metadata-tokens shape the metadata service', async () => {
  const projectId = 'abcdefabcdefabcdefabcdefabcdef00';
  const emulator = await startEmulatorProcess({ args: ['--project-id', projectId, '--region', 'cn-south-1', '--no-metadata-agency', '--no-metadata-tokens'] });
  try {
    const found = await signedFetch(emulator.url, { method: 'GET', path: '/v3/projects?name=cn-south-1' });
    expect((found.json.projects as { id: string }[]).map((p) => p.id)).toEqual([projectId]);
    const byDefaultName = await signedFetch(emulator.url, { method: 'GET', path: '/v3/projects?name=cn-north-1' });
    expect(byDefaultName.json.projects).toEqual([]);
    const token = await fetch(`${emulator.url}/meta-data/latest/api/token`, { method: 'PUT', headers: { 'X-Metadata-Token-Ttl-Seconds': '60' } });
    expect(token.status).toBe(404);
    const key = await fetch(`${emulator.url}/openstack/latest/securitykey`);
    expect([key.status, await key.text()]).toEqual([404, 'Please configure Cloud Service Agency first']);
    await emulator.control.reset();
    expect((await fetch(`${emulator.url}/openstack/latest/securitykey`)).status).toBe(404);
    expect(emulator.stderr()).toContain('GET /openstack/latest/securitykey 404');
  } finally {
    await emulator.stop();
  }
});

test('by default the metadata service hands out a credential that assumes DEMO_AGENCY', async () => {
  const emulator = await startEmulatorProcess();
  try {
    const token = await (await fetch(`${emulator.url}/meta-data/latest/api/token`, { method: 'PUT', headers: { 'X-Metadata-Token-Ttl-Seconds': '60' } })).text();
    const { credential } = await (await fetch(`${emulator.url}/openstack/latest/securitykey`, { headers: { 'X-Metadata-Token': token } })).json() as { credential: Record<string, string> };
    const assumed = await signedFetch(emulator.url, {
      method: 'POST',
      path: '/v3.0/OS-CREDENTIAL/securitytokens',
      body: { auth: { identity: { methods: ['assume_role'], assume_role: { agency_name: DEMO_AGENCY.agencyName, domain_name: DEMO_AGENCY.domainName } } } },
      credentials: { accessKey: credential.access, secretKey: credential.secret },
      signedHeaders: { 'x-security-token': credential.securitytoken },
    });
    expect(assumed.status).toBe(201);
    expect(emulator.stderr()).not.toContain(credential.securitytoken);
    expect(emulator.stderr()).not.toContain(token);
  } finally {
    await emulator.stop();
  }
});

test('bad flags, variables or seed files: exit 2 with an error naming the culprit, and no secret echoed', async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--bogus'], {}, /Unknown option '--bogus'/],
    [['extra'], {}, /Unexpected argument 'extra'/],
    [['--port'], {}, /Option '--port <value>' argument missing/],
    [['--port', 'abc'], {}, /invalid --port "abc": expected an integer from 0 to 65535/],
    [['--port', '70000'], {}, /invalid --port "70000"/],
    [['--host', '0.0.0.0'], {}, /invalid --host "0.0.0.0": .* only on a loopback host/],
    [['--project-id', 'nope'], {}, /invalid --project-id "nope": expected 32 lowercase hexadecimal/],
    [['--region', 'CN North'], {}, /invalid --region "CN North": expected a region name such as cn-north-1/],
    [['--region'], {}, /Option '--region <value>' argument missing/],
    [['--no-metadata-agency=yes'], {}, /--no-metadata-agency/],
    [[], { FPGA_EMULATOR_ACCESS_KEY: 'ONLYKEY' }, /--access-key \(or \$FPGA_EMULATOR_ACCESS_KEY\) and --secret-key .* go together/],
    [['--access-key', 'A,B', '--secret-key', 'top-secret-1'], {}, /invalid --access-key "A,B"/],
    [['--access-key', 'AK', '--secret-key', ''], {}, /invalid --secret-key: expected a non-empty secret key/],
    [['--secret-key', 'top-secret-2', '--access-key', 'AK', '--what'], {}, /Unknown option '--what'/],
    [['--seed', path.join(tmpdir(), 'no-such-seed.json')], {}, /--seed .*no-such-seed.json: cannot read it as JSON/],
    [['--seed', seedFile('typo.json', { relation: [] })], {}, /--seed .*typo.json: invalid seed: unknown key "relation"/],
    [['--seed', seedFile('bad-id.json', { relations: [{ fpgaImageId: FPGA, imageId: 'x' }] })], {}, /--seed .*bad-id.json: invalid relations\[0\]\.imageId "x"/],
  ];
  const results = await Promise.all(cases.map(([args, env]) => run(args, { env })));
  results.forEach((result, i) => {
    const [args, , expected] = cases[i];
    expect({ args, ...result }).toEqual({ args, code: 2, stdout: '', stderr: expect.stringMatching(expected) });
    expect(result.stderr).toMatch(/^fpga-image-emulator: .*\nRun with --help for the options\.\n$/s);
    expect(result.stderr).not.toMatch(/top-secret/);
  });
});

test('--help prints the usage and exits 0', async () => {
  const { code, stdout } = await run(['--help']);
  expect(code).toBe(0);
  for (const flag of [
    '--host',
    '--port',
    '--project-id',
    '--access-key',
    '--secret-key',
    '--strict-images',
    '--region',
    '--no-metadata-agency',
    '--no-metadata-tokens',
    '--seed',
    'FPGA_EMULATOR_SECRET_KEY',
  ]) {
    expect(stdout).toContain(flag);
  }
});
