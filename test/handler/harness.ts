import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { INPUT_ENV, METADATA_DEFAULT_ENDPOINT, METADATA_OFF } from '../../src/contract';
import { DEMO_CREDENTIALS, DEMO_PROJECT_ID, FpgaApiEmulator, type EmulatorOptions, type RequestRecord } from '../../src/emulator/server';
import { expectNoSecret, secretsIn } from '../security/secret-scan';

/**
 * Runs the built handler bundle as Terraform does, in a child process whose environment holds
 * only what a test gives it, against an emulator on a real loopback socket.
 */

const ROOT = path.join(__dirname, '..', '..');
export const BUNDLE = path.join(ROOT, 'assets', 'handler.js');
/** The operator CLI, built with the handler from the same code (test/cli). */
export const CLI_BUNDLE = path.join(ROOT, 'assets', 'cli.js');
const BUNDLE_SOURCES = ['src/handler', 'src/cli', 'src/signing', 'src/rules.ts', 'src/contract.ts'];

export const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
export const IMAGE_ID = '18efee75-e058-4c52-a49c-9e3ba4d1c8de';
export const { accessKey: ACCESS_KEY, secretKey: SECRET_KEY } = DEMO_CREDENTIALS;

/** Small delays so that retry tests take milliseconds; each test overrides what it exercises. */
export const FAST_RETRIES = {
  FPGA_ASSOC_RETRY_BASE_DELAY_MS: '20',
  FPGA_ASSOC_RETRY_MAX_DELAY_MS: '100',
  FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '3000',
  FPGA_ASSOC_TOTAL_TIMEOUT_MS: '15000',
};

export interface HandlerRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the child process. */
  readonly ms: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Every run of this test file, for the credential scan. */
const runs: HandlerRun[] = [];

function newestSource(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(entry).map((name) => newestSource(path.join(entry, name))));
}

/** The tests run the bundles, so a bundle older than its sources would test old code. */
function checkBundle(): void {
  const newest = Math.max(...BUNDLE_SOURCES.map((source) => newestSource(path.join(ROOT, source))));
  for (const bundle of [BUNDLE, CLI_BUNDLE]) {
    const built = (() => {
      try {
        return statSync(bundle).mtimeMs;
      } catch {
        return -1;
      }
    })();
    if (built < newest) {
      throw new Error(`${bundle} is ${built < 0 ? 'missing' : 'older than its sources'}: run \`npx projen bundle\` (or npm test) first`);
    }
  }
}

/** An emulator for the whole test file, reset before each test. */
export function useEmulator(options?: EmulatorOptions): { readonly emu: FpgaApiEmulator } {
  const context = {} as { emu: FpgaApiEmulator };
  beforeAll(async () => {
    checkBundle();
    context.emu = await FpgaApiEmulator.start(options);
  });
  beforeEach(() => context.emu.reset());
  afterAll(() => context.emu?.stop());
  return context;
}

/** The inputs of an association with the demo project and credentials, against `emu`. */
export function envFor(emu: FpgaApiEmulator, overrides: Env = {}): Env {
  return {
    FPGA_ASSOC_PROJECT_ID: DEMO_PROJECT_ID,
    FPGA_ASSOC_FPGA_IMAGE_ID: FPGA_IMAGE_ID,
    FPGA_ASSOC_IMAGE_ID: IMAGE_ID,
    FPGA_ASSOC_ENDPOINT: emu.url,
    HW_ACCESS_KEY: ACCESS_KEY,
    HW_SECRET_KEY: SECRET_KEY,
    ...FAST_RETRIES,
    ...overrides,
  };
}

/**
 * `node assets/handler.js <args>` with exactly `env` (undefined values left out), and `input` on stdin
 * if given; plus FPGA_ASSOC_METADATA_ENDPOINT=off unless `env` points it elsewhere (the emulator):
 * no test may send anything to the real metadata address. Rejects when the run printed a fragment of
 * a secret in `env` or declared by the test (../security/secret-scan).
 */
export function runHandler(args: readonly string[], env: Env, input?: string, bundle: string = BUNDLE): Promise<HandlerRun> {
  const childEnv = childEnvironment(env);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(recordRun({ code, stdout, stderr, ms: Date.now() - started }, `node ${path.basename(bundle)} ${args.join(' ')}`, childEnv));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** A child's environment: exactly `env`, undefined values left out, and the metadata source off unless `env` points it at the emulator. */
export function childEnvironment(env: Env): Record<string, string> {
  if (INPUT_ENV.metadataEndpoint in env && env[INPUT_ENV.metadataEndpoint] === undefined) {
    throw new Error(`${INPUT_ENV.metadataEndpoint} left unset would send the handler to ${METADATA_DEFAULT_ENDPOINT}: set it to ${METADATA_OFF} or the emulator's URL`);
  }
  return Object.fromEntries(Object.entries({ [INPUT_ENV.metadataEndpoint]: METADATA_OFF, ...env })
    .filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * Keeps a run (also one made another way: the CLI on a pseudo-terminal) for the credential scan of its test file, and
 * throws when its output holds a fragment of a secret in the environment it ran with or declared by the test.
 */
export function recordRun(run: HandlerRun, command: string, env: Readonly<Record<string, string | undefined>>): HandlerRun {
  runs.push(run);
  expectNoSecret(`the output of ${command}`, run.stdout + run.stderr, secretsIn(env));
  return run;
}

/** `METHOD status` of each request the emulator saw, e.g. `POST 204` or `DELETE reset`. */
export function seen(emu: FpgaApiEmulator): string[] {
  return emu.requests().map((r: RequestRecord) => `${r.method} ${r.status ?? r.fault}`);
}

/** `service METHOD status` of each request, e.g. `metadata PUT 200`, `iam GET 200`, `ecs POST 204`. */
export function traffic(emu: FpgaApiEmulator): string[] {
  return emu.requests().map((r: RequestRecord) => `${r.service} ${r.method} ${r.status ?? r.fault}`);
}

/** The requests that reached the ECS API (not IAM, not the metadata service). */
export function ecsRequests(emu: FpgaApiEmulator): RequestRecord[] {
  return emu.requests().filter((r) => r.service === 'ecs');
}

/** The stderr lines of a run. */
export function lines(run: HandlerRun): string[] {
  return run.stderr.split('\n').filter((line) => line !== '');
}

/**
 * The last test of each file: no run printed a credential or any part of an Authorization header.
 * `secrets` are the values used beyond the demo credentials (a wrong key, a security token).
 */
export function itNeverPrintsCredentials(secrets: readonly string[] = []): void {
  it('never prints a credential, the Authorization header or a string-to-sign', () => {
    expect(runs.length).toBeGreaterThan(0);
    const forbidden = [ACCESS_KEY, SECRET_KEY, ...secrets, 'SDK-HMAC-SHA256', 'Signature=', 'Access='];
    for (const run of runs) {
      for (const value of forbidden) {
        expect(run.stdout).not.toContain(value);
        expect(run.stderr).not.toContain(value);
      }
    }
  });
}
