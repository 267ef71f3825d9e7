/**
 * No secret anywhere: temporary credentials (AK, SK and security token) with distinctive values go
 * through a whole Terraform life (plan, apply, plan, show, a trace-logged apply, failed destroys,
 * destroy) and through the handler directly (successes, failures, an API that echoes the
 * credentials back). Then every file the run wrote and every line any process printed is scanned
 * for the actual values.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FpgaImageAssociation } from '../../src';
import { DEMO_AGENCY, DEMO_REGION, FpgaApiEmulator } from '../../src/emulator/server';
import { availableClis, Workspace } from '../e2e/workspace';
import { envFor, FPGA_IMAGE_ID, IMAGE_ID, runHandler, type HandlerRun } from '../handler/harness';

/** A distinctive core per secret, so that a part of one that leaks is found too. */
const core = () => randomBytes(10).toString('hex');
const SECRETS = {
  accessKey: `AK${core().toUpperCase()}`,
  secretKey: `sk-${core()}-${core()}`,
  securityToken: `token-${core()}-${core()}-${core()}`,
  wrongSecretKey: `wrong-sk-${core()}`,
  wrongSecurityToken: `wrong-token-${core()}`,
  metadataAccessKey: `MD${core().toUpperCase()}`,
  metadataSecretKey: `md-sk-${core()}-${core()}`,
  metadataToken: `md-token-${core()}-${core()}-${core()}`,
  assumedAccessKey: `AS${core().toUpperCase()}`,
  assumedSecretKey: `as-sk-${core()}-${core()}`,
  assumedToken: `as-token-${core()}-${core()}-${core()}`,
};
/** The values and their middles (12 characters): what a scan must never find. */
const NEEDLES = Object.entries(SECRETS).flatMap(([name, value]) => [
  [name, value],
  [`part of ${name}`, value.slice(Math.floor(value.length / 2) - 6, Math.floor(value.length / 2) + 6)],
]);

const CREDENTIALS = { HW_ACCESS_KEY: SECRETS.accessKey, HW_SECRET_KEY: SECRETS.secretKey, HW_SECURITY_TOKEN: SECRETS.securityToken };

let emulator: FpgaApiEmulator;
beforeAll(async () => {
  emulator = await FpgaApiEmulator.start({
    credentials: [
      { accessKey: SECRETS.accessKey, secretKey: SECRETS.secretKey, securityToken: SECRETS.securityToken },
      // What the metadata service and assume-role hand out below: values the scans know.
      { accessKey: SECRETS.metadataAccessKey, secretKey: SECRETS.metadataSecretKey, securityToken: SECRETS.metadataToken },
      { accessKey: SECRETS.assumedAccessKey, secretKey: SECRETS.assumedSecretKey, securityToken: SECRETS.assumedToken },
    ],
  });
});
afterAll(() => emulator.stop());

function withCredentialsInProcessEnv(synth: () => void): void {
  const saved = Object.fromEntries(Object.keys(CREDENTIALS).map((name) => [name, process.env[name]]));
  Object.assign(process.env, CREDENTIALS);
  try {
    synth();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function expectNoSecret(where: string, text: string): void {
  for (const [name, needle] of NEEDLES) {
    if (text.includes(needle)) throw new Error(`${name} found in ${where}`);
  }
}

/** Every file under `dir`, except provider binaries. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? (entry as any).path, entry.name))
    .filter((file) => !file.includes(`${path.sep}.terraform${path.sep}providers${path.sep}`));
}

test('through Terraform: cdk.tf.json, state, plan and apply output, a trace log, failures', async () => {
  const [cli] = await availableClis();
  const ws = new Workspace(cli, CREDENTIALS);
  emulator.reset();
  try {
    // `cdktf deploy` synthesizes in the environment that holds the credentials.
    withCredentialsInProcessEnv(() => ws.synth((stack) => new FpgaImageAssociation(stack, 'Assoc', {
      projectId: emulator.state().projectId, fpgaImageId: FPGA_IMAGE_ID, imageId: IMAGE_ID, endpoint: emulator.url,
    })));
    await ws.init();
    await ws.run(['plan', '-input=false', '-no-color']);
    const trace = path.join(ws.dir, 'trace.log');
    expect((await ws.apply([], { TF_LOG: 'trace', TF_LOG_PATH: trace })).status).toBe(0);
    expect(emulator.relations()).toHaveLength(1);
    expect(fs.statSync(trace).size).toBeGreaterThan(10_000);
    await ws.run(['plan', '-input=false', '-no-color']);
    await ws.mustRun(['show', '-no-color']);
    await ws.mustRun(['state', 'pull']);

    // Failures print the most: a wrong token, a wrong secret key, an API that echoes what it got.
    expect((await ws.destroy([], { HW_SECURITY_TOKEN: SECRETS.wrongSecurityToken })).status).toBe(1);
    expect((await ws.destroy([], { HW_SECRET_KEY: SECRETS.wrongSecretKey })).status).toBe(1);
    emulator.addFaults([{ method: 'DELETE', action: 'respond', status: 400, body: { error_msg: `bad request from ${SECRETS.accessKey} with ${SECRETS.securityToken} / ${SECRETS.secretKey}`, error_code: 'APIGW.0000' } }]);
    const echoed = await ws.destroy();
    expect(echoed.status).toBe(1);
    expect(echoed.stdout + echoed.stderr).toContain('bad request from [redacted] with [redacted] / [redacted]');
    expect((await ws.destroy()).status).toBe(0);
    expect(emulator.relations()).toEqual([]);

    const written = filesUnder(ws.outdir);
    expect(written.map((file) => path.basename(file))).toEqual(expect.arrayContaining(['cdk.tf.json', 'terraform.tfstate', 'terraform.tfstate.backup', 'trace.log']));
    for (const file of written) expectNoSecret(file, fs.readFileSync(file, 'latin1'));
    ws.transcript.forEach((output, i) => expectNoSecret(`the output of command #${i + 1}: ${output.split('\n')[0]}`, output));
  } finally {
    ws.cleanup();
  }
}, 180_000);

test('the handler run directly: results, notes and failure lines', async () => {
  emulator.reset();
  const env = (overrides: Record<string, string | undefined> = {}) => envFor(emulator, { ...CREDENTIALS, ...overrides });
  const runs: HandlerRun[] = [];
  const run = async (args: string[], environment: ReturnType<typeof env>, code: number) => {
    const result = await runHandler(args, environment);
    expect({ args, code: result.code }).toEqual({ args, code });
    runs.push(result);
  };

  await run(['associate'], env(), 0);
  await run(['status'], env(), 0);
  await run(['associate'], env({ HW_SECRET_KEY: SECRETS.wrongSecretKey }), 4);
  await run(['associate'], env({ HW_SECURITY_TOKEN: SECRETS.wrongSecurityToken }), 4);
  await run(['associate'], env({ HW_SECURITY_TOKEN: undefined }), 4);
  emulator.addFaults([{ method: 'DELETE', times: -1, action: 'respond', status: 503, body: { error_msg: `echo ${SECRETS.secretKey}`, error_code: 'Common.1503' } }]);
  await run(['disassociate'], env({ FPGA_ASSOC_MAX_ATTEMPTS: '2' }), 5);
  emulator.clearFaults();
  await run(['disassociate'], env(), 0);

  expect(runs.some((r) => r.stderr.includes('[redacted]'))).toBe(true);
  for (const [i, { stdout, stderr }] of runs.entries()) {
    expectNoSecret(`run #${i + 1}`, stdout + stderr);
    expect(stdout + stderr).not.toMatch(/SDK-HMAC-SHA256|Signature=|Access=/);
  }
});

/**
 * Temporary credentials that the handler obtains itself (the metadata service's, then an agency's
 * assumed on top of them) and the project it looks up and caches: the emulator hands out credentials
 * with known values, so that every file the handler writes (its private directory: project cache,
 * code cache) and every line it prints can be searched for them, an API that echoes them included.
 */
test('the handler obtaining temporary credentials and a project: its files, results, notes and failure lines', async () => {
  emulator.reset();
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  const credential = (access: string, secret: string, securitytoken: string) =>
    ({ credential: { access, secret, securitytoken, expires_at: expiresAt } });
  const fromMetadata = credential(SECRETS.metadataAccessKey, SECRETS.metadataSecretKey, SECRETS.metadataToken);
  const assumed = credential(SECRETS.assumedAccessKey, SECRETS.assumedSecretKey, SECRETS.assumedToken);
  emulator.addFaults([
    { method: 'GET', path: '/openstack/latest/securitykey', times: -1, status: 200, body: fromMetadata },
    { method: 'POST', path: '/v3.0/OS-CREDENTIAL/securitytokens', times: -1, status: 201, body: assumed },
  ]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-secrets-tmp-'));
  const env = (overrides: Record<string, string | undefined> = {}) => envFor(emulator, {
    HW_ACCESS_KEY: undefined,
    HW_SECRET_KEY: undefined,
    FPGA_ASSOC_PROJECT_ID: undefined,
    FPGA_ASSOC_REGION: DEMO_REGION,
    HW_AUTH_URL: `${emulator.url}/v3`,
    FPGA_ASSOC_METADATA_ENDPOINT: emulator.url,
    FPGA_ASSOC_ASSUME_ROLE_AGENCY_NAME: DEMO_AGENCY.agencyName,
    FPGA_ASSOC_ASSUME_ROLE_DOMAIN_NAME: DEMO_AGENCY.domainName,
    TMPDIR: tmp,
    ...overrides,
  });
  const runs: HandlerRun[] = [];
  const run = async (args: string[], environment: ReturnType<typeof env>, code: number) => {
    const result = await runHandler(args, environment);
    expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code, stderr: expect.any(String) });
    runs.push(result);
  };
  try {
    await run(['associate'], env(), 0);
    await run(['status'], env(), 0);
    await run(['list'], env(), 0);
    expect(emulator.relations()).toHaveLength(1);
    const asked = emulator.requests().map((r) => `${r.service} ${r.method} ${r.path.split('?')[0]}`);
    expect(asked).toEqual(expect.arrayContaining(['metadata GET /openstack/latest/securitykey', 'iam POST /v3.0/OS-CREDENTIAL/securitytokens', 'iam GET /v3/projects']));
    const echo = `echo ${SECRETS.assumedAccessKey} ${SECRETS.assumedSecretKey} ${SECRETS.assumedToken} ${SECRETS.metadataSecretKey} ${SECRETS.metadataToken}`;
    emulator.addFaults([{ method: 'DELETE', times: 1, action: 'respond', status: 400, body: { error_msg: echo, error_code: 'APIGW.0000' } }]);
    await run(['disassociate'], env(), 3);
    await run(['disassociate'], env(), 0);
    expect(emulator.relations()).toEqual([]);

    const written = filesUnder(tmp);
    expect(written.length).toBeGreaterThan(0);
    for (const file of written) expectNoSecret(file, fs.readFileSync(file, 'latin1'));
    expect(runs.some((r) => r.stderr.includes('[redacted]'))).toBe(true);
    for (const [i, { stdout, stderr }] of runs.entries()) {
      expectNoSecret(`run #${i + 1}`, stdout + stderr);
      expect(stdout + stderr).not.toMatch(/SDK-HMAC-SHA256|Signature=|Access=/);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
