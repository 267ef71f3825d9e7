/**
 * No secret anywhere: temporary credentials (AK, SK and security token) with distinctive values go
 * through a whole Terraform life (plan, apply, plan, show, a trace-logged apply, failed destroys,
 * destroy) and through the handler directly (successes, failures, an API that echoes the
 * credentials back). Then every file the run wrote and every line any process printed is scanned
 * for the actual values.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FpgaImageAssociation } from '../../src';
import { FpgaApiEmulator } from '../../src/emulator/server';
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
    credentials: [{ accessKey: SECRETS.accessKey, secretKey: SECRETS.secretKey, securityToken: SECRETS.securityToken }],
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
