/**
 * The fault matrix: each class of failure the API or the network can produce, driven through real
 * Terraform against the emulator's fault injection, measured. One emulator process per scenario,
 * so that rate limits and clock offsets stay apart. Run by test/e2e/fault-matrix.test.ts (CI) and
 * by tools/reliability-report.ts (`npx projen reliability`, which writes docs/RELIABILITY.md).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cli, requestSeen, sortPairs, Workspace } from './workspace';
import { FpgaImageAssociation, FpgaImageAssociationProps } from '../../src';
import type { EmulatorControl } from '../../src/emulator/process';
import { startEmulatorProcess } from '../../src/emulator/process';
import type { FaultRule, Relation, RequestRecord } from '../../src/emulator/server';

/** Distinctive credentials, so that the secret scan of every row looks for values nothing else contains. */
export const MATRIX_CREDENTIALS = {
  accessKey: 'MATRIXACCESSKEY7Q2W9',
  secretKey: 'matrix-secret-key-3f9c1e7a5b2d4c6e8f0a',
  wrongSecretKey: 'matrix-wrong-secret-8d1f3b5a7c9e2d4f6a8b',
};

const FPGA_IMAGE_ID = '4010a32b5f231f04015f24259efd0429';
const WRONG_PROJECT_ID = 'ffffffffffffffffffffffffffffffff';

const THROTTLED = {
  error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:200,time:5 minute',
  error_code: 'APIGW.0308',
  request_id: 'd4e8174b8df00840aef0c6907ec0e384',
};
const NGINX_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const HTML_400 = '<!DOCTYPE html><html><head><title>400 Bad Request</title></head><body><h1>Bad Request</h1><p>Your browser sent a request that this server could not understand.</p></body></html>';

export type Phase = 'apply' | 'destroy';

export interface Expectation {
  /** The handler's exit code in every run of the phase: 0 done, 3 refused, 4 authentication, 5 gave up. Not checked for an interrupted phase. */
  readonly exit: number;
  /**
   * Whether Terraform's state and the cloud agree right after the phase: false where the state
   * cannot know what the API did (its answer was lost), until the next apply or destroy settles it.
   * Default true.
   */
  readonly agrees?: boolean;
  /** API requests the emulator saw in the phase: exact, or [min, max]. */
  readonly attempts: number | readonly [number, number];
  /** The longest handler run must have lasted at least this long (a wait the API asked for). */
  readonly minHandlerMs?: number;
  /** What the row shows as expected. */
  readonly outcome: string;
}

export interface Scenario {
  /** The class of failure, as the issue names it. */
  readonly name: string;
  /** What the emulator does, in a few words. */
  readonly fault: string;
  /** The phase the fault hits; `both` measures apply and destroy, each a row. */
  readonly phase: Phase | 'both';
  /** Associations in the stack (one FPGA image, that many ECS images). */
  readonly count?: number;
  /** `-parallelism` for the measured commands. */
  readonly parallelism?: number;
  /** The construct's tuning props. */
  readonly tuning?: Pick<FpgaImageAssociationProps, 'attemptTimeoutSeconds' | 'totalTimeoutSeconds' | 'maxAttempts'>;
  /** Retry delays and the like, from Terraform's environment (FAST_RETRIES otherwise). */
  readonly env?: Readonly<Record<string, string>>;
  /** The construct's projectId; the emulator's otherwise. */
  readonly projectId?: string;
  /** HW_SECRET_KEY for the measured phase only. */
  readonly secretKey?: string;
  /** Interrupts the phase's CLI once the emulator has seen a request with this method: Ctrl-C (SIGINT to its process group) or `kill -9` (SIGKILL to it alone). */
  readonly interrupt?: { readonly signal: 'SIGINT' | 'SIGKILL'; readonly once: 'POST' | 'DELETE' };
  /** Sets the fault up, just before the measured phase. */
  readonly arrange: (world: World) => Promise<void>;
  /** Puts the world right before the cleanup (the fault rules, rate limit and clock are always cleared). */
  readonly restore?: (world: World) => Promise<void>;
  readonly expect: Expectation | { readonly apply: Expectation; readonly destroy: Expectation };
}

/** What a scenario's arrange and restore act on. */
export interface World {
  readonly control: EmulatorControl;
  /** The stack's workspace, for a restore that takes a user's own step (a `terraform state rm`). */
  readonly workspace: Workspace;
  readonly fpgaImageId: string;
  readonly imageIds: readonly string[];
}

/** One measured phase of one scenario. */
export interface MatrixRow {
  readonly name: string;
  readonly fault: string;
  readonly phase: Phase;
  readonly expected: Expectation;
  /** The row's own settings (`-parallelism=10, totalTimeoutSeconds: 120, …`), empty for the matrix's defaults. */
  readonly settings: string;
  /** API requests the emulator saw during the phase. */
  readonly attempts: number;
  /** The same, run-length encoded in arrival order (`POST 429 ×3, POST 204`), or counted when long. */
  readonly requests: string;
  /** Wall time of the longest handler run in the phase, as Terraform ran it. */
  readonly handlerMs: number;
  /** Wall time of the whole terraform command. */
  readonly terraformMs: number;
  readonly terraformExit: number | null;
  /** The signal the CLI got mid-phase, if the row interrupts it. */
  readonly interrupted?: 'SIGINT' | 'SIGKILL';
  /** Exit codes of the handler runs in the phase. */
  readonly handlerExits: readonly number[];
  /** The configured total timeout of one handler run. */
  readonly totalTimeoutMs: number;
  /** Terraform's state and the emulator's relations agreed after the phase (as expected: see Expectation.agrees). */
  readonly agreedAfterPhase: boolean;
  /** They agreed after the cleanup `destroy` (the ordinary next step, with the fault removed), and nothing of this stack was left. */
  readonly agreement: boolean;
  /** This stack's relations left in the emulator after the cleanup `destroy`. */
  readonly leftAfterDestroy: number;
  /** No credential in cdk.tf.json, the state files or any command's output. */
  readonly noSecret: boolean;
  /** Every way the row missed its expectation or a target; empty when it met them all. */
  readonly problems: readonly string[];
}

/** Every row's total timeout unless it sets its own: far above what the retries need, so that a stuck run shows. */
const DEFAULT_TOTAL_TIMEOUT_SECONDS = 20;

const respond = (method: string, status: number, body: FaultRule['body'], extra: Partial<FaultRule> = {}): FaultRule =>
  ({ method, path: '/association', action: 'respond', status, body, ...extra });

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'throttling: 429 APIGW.0308, no Retry-After',
    fault: 'POST answered 429 three times',
    phase: 'apply',
    arrange: ({ control }) => control.addFaults([respond('POST', 429, THROTTLED, { times: 3 })]),
    expect: { exit: 0, attempts: 4, outcome: 'recovers with backoff' },
  },
  {
    name: 'throttling: 429 APIGW.0308, Retry-After: 2',
    fault: 'POST answered 429 once, asking for 2 s',
    phase: 'apply',
    arrange: ({ control }) => control.addFaults([respond('POST', 429, THROTTLED, { headers: { 'Retry-After': '2' } })]),
    expect: { exit: 0, attempts: 2, minHandlerMs: 2000, outcome: 'waits 2 s, then recovers' },
  },
  {
    name: 'throttling: Common.0024',
    fault: 'POST answered 202 Common.0024 twice',
    phase: 'apply',
    arrange: ({ control }) => control.addFaults([respond('POST', 202, { error: { code: 'Common.0024', message: 'exceeds flow over limit' } }, { times: 2 })]),
    expect: { exit: 0, attempts: 3, outcome: 'recovers' },
  },
  {
    name: 'throttling: Common.1503',
    fault: 'POST answered 503 Common.1503 twice',
    phase: 'apply',
    arrange: ({ control }) => control.addFaults([respond('POST', 503, { error: { code: 'Common.1503', message: 'Api flow control Error because busy.' } }, { times: 2 })]),
    expect: { exit: 0, attempts: 3, outcome: 'recovers' },
  },
  {
    name: '500, malformed JSON body',
    fault: 'POST answered 500 `{"error": {"code": "Ecs.00`',
    phase: 'apply',
    arrange: ({ control }) => control.addFaults([respond('POST', 500, '{"error": {"code": "Ecs.00', { headers: { 'Content-Type': 'application/json' } })]),
    expect: { exit: 0, attempts: 2, outcome: 'recovers' },
  },
  {
    name: '502, HTML error page',
    fault: 'DELETE answered an nginx 502 page twice',
    phase: 'destroy',
    arrange: ({ control }) => control.addFaults([respond('DELETE', 502, NGINX_502, { times: 2, headers: { 'Content-Type': 'text/html' } })]),
    expect: { exit: 0, attempts: 3, outcome: 'recovers' },
  },
  {
    name: '503',
    fault: 'POST answered 503 (ECS shape) once',
    phase: 'apply',
    arrange: ({ control }) => control.addFaults([respond('POST', 503, { error: { code: 'Common.0001', message: 'service unavailable' } })]),
    expect: { exit: 0, attempts: 2, outcome: 'recovers' },
  },
  {
    name: '504',
    fault: 'DELETE answered 504 (empty body) twice',
    phase: 'destroy',
    arrange: ({ control }) => control.addFaults([respond('DELETE', 504, undefined, { times: 2 })]),
    expect: { exit: 0, attempts: 3, outcome: 'recovers' },
  },
  {
    name: 'connection reset',
    fault: 'DELETE connection reset (TCP RST) twice',
    phase: 'destroy',
    arrange: ({ control }) => control.addFaults([{ method: 'DELETE', path: '/association', action: 'reset', times: 2 }]),
    expect: { exit: 0, attempts: 3, outcome: 'recovers' },
  },
  {
    name: 'hung connection, once',
    fault: 'POST never answered, once',
    phase: 'apply',
    tuning: { attemptTimeoutSeconds: 1, totalTimeoutSeconds: 4 },
    arrange: ({ control }) => control.addFaults([{ method: 'POST', path: '/association', action: 'hang' }]),
    expect: { exit: 0, attempts: 2, minHandlerMs: 1000, outcome: 'times the attempt out, recovers' },
  },
  {
    name: 'hung connection, always',
    fault: 'POST never answered',
    phase: 'apply',
    // 3 s does not divide 4 s: the second attempt must be cut to the 1 s left.
    tuning: { attemptTimeoutSeconds: 3, totalTimeoutSeconds: 4 },
    arrange: ({ control }) => control.addFaults([{ method: 'POST', path: '/association', action: 'hang', times: -1 }]),
    expect: { exit: 5, attempts: 2, minHandlerMs: 4000, outcome: 'gives up (exit 5) at the total timeout, the last attempt cut short' },
  },
  {
    name: 'slow response',
    fault: 'POST answered after 1.5 s (attempt timeout 3 s)',
    phase: 'apply',
    arrange: ({ control }) => control.addFaults([{ method: 'POST', path: '/association', action: 'delay', delayMs: 1500 }]),
    expect: { exit: 0, attempts: 1, minHandlerMs: 1500, outcome: 'waits, no retry' },
  },
  {
    name: 'HTML error body on a refusal',
    fault: 'POST answered an HTML 400 page',
    phase: 'apply',
    arrange: ({ control }) => control.addFaults([respond('POST', 400, HTML_400, { headers: { 'Content-Type': 'text/html' } })]),
    expect: { exit: 3, attempts: 2, outcome: 'fails (exit 3) with an excerpt, after one query' },
  },
  {
    name: 'clock skew rejected by the server',
    fault: "the API's clock 20 min ahead",
    phase: 'both',
    arrange: async ({ control }) => control.setClockOffset(20 * 60_000),
    expect: {
      apply: { exit: 0, attempts: 2, outcome: 're-signs once with the Date offset, recovers' },
      destroy: { exit: 0, attempts: 2, outcome: 're-signs once with the Date offset, recovers' },
    },
  },
  {
    name: 'bad AK/SK (401)',
    fault: 'a wrong secret key',
    phase: 'apply',
    secretKey: MATRIX_CREDENTIALS.wrongSecretKey,
    arrange: async () => undefined,
    expect: { exit: 4, attempts: 1, outcome: 'fails (exit 4), not retried' },
  },
  {
    name: 'forbidden (403)',
    fault: 'DELETE answered 403 APIGW.0302',
    phase: 'destroy',
    arrange: ({ control }) => control.addFaults([respond('DELETE', 403, { error_msg: 'The IAM user is not authorized to access the API.', error_code: 'APIGW.0302', request_id: 'r' })]),
    expect: { exit: 4, attempts: 1, outcome: 'fails (exit 4), not retried; stays in state' },
  },
  {
    name: '404 on delete',
    fault: 'the relation was removed outside Terraform',
    phase: 'destroy',
    arrange: ({ control }) => control.reset(),
    expect: { exit: 0, attempts: 2, outcome: 'already gone (exit 0), after one query' },
  },
  {
    name: '"relation already exist"',
    fault: 'the relation exists before apply',
    phase: 'apply',
    arrange: ({ control, fpgaImageId, imageIds }) => control.addRelations([{ fpgaImageId, imageId: imageIds[0] }]),
    expect: { exit: 0, attempts: 2, outcome: 'already done (exit 0), after one query' },
  },
  {
    name: 'shared image, on create',
    fault: 'the ECS image is shared',
    phase: 'apply',
    arrange: ({ control, imageIds }) => control.addImages({ images: [{ id: imageIds[0], visibility: 'shared' }] }),
    expect: { exit: 3, attempts: 2, outcome: 'fails (exit 3): cancel sharing first' },
  },
  {
    name: 'shared image, on destroy',
    fault: 'the ECS image became shared',
    phase: 'destroy',
    arrange: ({ control, imageIds }) => control.addImages({ images: [{ id: imageIds[0], visibility: 'shared' }] }),
    restore: ({ control, imageIds }) => control.addImages({ images: [{ id: imageIds[0], visibility: 'private' }] }),
    expect: { exit: 3, attempts: 2, outcome: 'fails (exit 3); stays in state' },
  },
  {
    name: 'the 10-per-image limit',
    fault: 'the ECS image has 10 FPGA images',
    phase: 'apply',
    arrange: ({ control, imageIds }) =>
      control.addRelations(Array.from({ length: 10 }, (_, i) => ({ fpgaImageId: `${i}`.repeat(32), imageId: imageIds[0] }))),
    expect: { exit: 3, attempts: 2, outcome: 'fails (exit 3), after one query' },
  },
  {
    name: 'wrong project id',
    fault: "projectId is not the credentials' project",
    phase: 'apply',
    projectId: WRONG_PROJECT_ID,
    arrange: async () => undefined,
    // The association is in the state, and its destroy is refused the same way: it can't tell that these
    // credentials never made it (another account's could have). What the error says to do: `state rm`.
    restore: async ({ workspace }) => {
      const addresses = (await workspace.mustRun(['state', 'list'])).stdout.split('\n').filter(Boolean);
      await workspace.mustRun(['state', 'rm', ...addresses]);
    },
    expect: { exit: 3, attempts: 2, outcome: 'fails (exit 3): Common.0018; destroy is refused too, until `terraform state rm`' },
  },
  {
    name: 'concurrency: 50 associations, parallelism 10',
    fault: 'rate limit 8 requests/s, burst 2',
    phase: 'both',
    count: 50,
    parallelism: 10,
    tuning: { maxAttempts: 40, totalTimeoutSeconds: 120 },
    env: { FPGA_ASSOC_RETRY_BASE_DELAY_MS: '100', FPGA_ASSOC_RETRY_MAX_DELAY_MS: '1000' },
    arrange: async ({ control }) => control.setRateLimit({ requestsPerSecond: 8, burst: 2 }),
    expect: {
      apply: { exit: 0, attempts: [50, 1000], outcome: '50 of 50 associated' },
      destroy: { exit: 0, attempts: [50, 1000], outcome: '50 of 50 disassociated' },
    },
  },
  {
    name: 'outcome unknown: the POST acts, its answer is lost',
    fault: 'POST carried out, then the connection reset, every time',
    phase: 'apply',
    tuning: { maxAttempts: 3 },
    arrange: ({ control }) => control.addFaults([{ method: 'POST', path: '/association', action: 'reset', takesEffect: true, times: -1 }]),
    expect: {
      exit: 5,
      attempts: 3,
      agrees: false,
      outcome: 'gives up (exit 5) saying the association may have been made; only the step is tainted, so destroy removes it',
    },
  },
  {
    name: 'outcome unknown: the POST acts, the gateway answers 502',
    fault: 'POST carried out, then answered 502, every time',
    phase: 'apply',
    tuning: { maxAttempts: 3 },
    arrange: ({ control }) => control.addFaults([respond('POST', 502, NGINX_502, { takesEffect: true, times: -1, headers: { 'Content-Type': 'text/html' } })]),
    expect: { exit: 5, attempts: 3, agrees: false, outcome: 'gives up (exit 5) saying it may have been made; destroy removes it' },
  },
  {
    name: 'outcome unknown: the POST acts, its answer is lost once',
    fault: 'POST carried out, then the connection reset, once',
    phase: 'apply',
    arrange: ({ control }) => control.addFaults([{ method: 'POST', path: '/association', action: 'reset', takesEffect: true }]),
    expect: { exit: 0, attempts: 3, outcome: 'the retry finds it made (400, then one query): done (exit 0)' },
  },
  {
    name: 'outcome unknown: the DELETE acts, its answer is lost',
    fault: 'DELETE carried out, then the connection reset, every time',
    phase: 'destroy',
    tuning: { maxAttempts: 3 },
    arrange: ({ control }) => control.addFaults([{ method: 'DELETE', path: '/association', action: 'reset', takesEffect: true, times: -1 }]),
    expect: { exit: 5, attempts: 3, agrees: false, outcome: 'gives up (exit 5); the association stays in state, so the next destroy confirms it gone' },
  },
  {
    name: 'outcome unknown: the DELETE acts, its answer is lost once',
    fault: 'DELETE carried out, then the connection reset, once',
    phase: 'destroy',
    arrange: ({ control }) => control.addFaults([{ method: 'DELETE', path: '/association', action: 'reset', takesEffect: true }]),
    expect: { exit: 0, attempts: 3, outcome: 'the retry finds it gone (one query): done (exit 0)' },
  },
  {
    name: 'interrupted apply: Ctrl-C',
    fault: 'SIGINT to the CLI and the handler while the POST (carried out) waits 30 s for its answer',
    phase: 'apply',
    interrupt: { signal: 'SIGINT', once: 'POST' },
    arrange: ({ control }) => control.addFaults([{ method: 'POST', path: '/association', action: 'delay', delayMs: 30_000, takesEffect: true }]),
    expect: { exit: 0, attempts: 1, agrees: false, outcome: 'the apply stops (exit 1); only the step is tainted, so destroy removes the association' },
  },
  {
    name: 'interrupted apply: kill -9',
    fault: 'SIGKILL to the CLI while the POST (carried out) waits 30 s for its answer',
    phase: 'apply',
    interrupt: { signal: 'SIGKILL', once: 'POST' },
    arrange: ({ control }) => control.addFaults([{ method: 'POST', path: '/association', action: 'delay', delayMs: 30_000, takesEffect: true }]),
    // The README's recovery after a killed run: apply (it adopts the pair, even one the state did not record), then destroy.
    restore: async ({ workspace }) => void (await workspace.mustRun(['apply', '-auto-approve', '-input=false', '-no-color'])),
    expect: { exit: 0, attempts: 1, outcome: 'the CLI dies (137); terraform had written the association to its state; apply, then destroy, removes it' },
  },
  {
    name: 'interrupted destroy: Ctrl-C',
    fault: 'SIGINT to the CLI and the handler while the DELETE (carried out) waits 30 s for its answer',
    phase: 'destroy',
    interrupt: { signal: 'SIGINT', once: 'DELETE' },
    arrange: ({ control }) => control.addFaults([{ method: 'DELETE', path: '/association', action: 'delay', delayMs: 30_000, takesEffect: true }]),
    expect: { exit: 0, attempts: 1, agrees: false, outcome: 'the destroy stops (exit 1); the association stays in state, so the next destroy confirms it gone' },
  },
];

/**
 * Runs the handler as Terraform runs it and appends `<operation> <exit code> <milliseconds>` to
 * $FPGA_MATRIX_HANDLER_LOG: the construct's nodeExecutable points here.
 */
function writeTimingWrapper(dir: string): string {
  const file = path.join(dir, 'timed-node');
  fs.writeFileSync(file, [
    '#!/bin/sh',
    'start=$(date +%s%N)',
    `"${process.execPath}" "$@"`,
    'code=$?',
    'echo "$2 $code $(( ($(date +%s%N) - start) / 1000000 ))" >> "$FPGA_MATRIX_HANDLER_LOG"',
    'exit $code',
    '',
  ].join('\n'), { mode: 0o755 });
  return file;
}

/** `POST 429 ×3, POST 204`; for long logs, counts per kind. */
function summarize(requests: readonly RequestRecord[]): string {
  const kinds = requests.map((r) => `${r.method} ${r.status ?? r.fault}`);
  const runs: { kind: string; n: number }[] = [];
  for (const kind of kinds) {
    const last = runs[runs.length - 1];
    if (last?.kind === kind) last.n++;
    else runs.push({ kind, n: 1 });
  }
  const show = (kind: string, n: number) => (n > 1 ? `${kind} ×${n}` : kind);
  if (runs.length <= 6) return runs.map(({ kind, n }) => show(kind, n)).join(', ');
  const counts = new Map<string, number>();
  kinds.forEach((kind) => counts.set(kind, (counts.get(kind) ?? 0) + 1));
  return [...counts].map(([kind, n]) => show(kind, n)).join(', ');
}

/** What a scenario sets beyond the matrix's defaults, for the report. */
function settingsOf(scenario: Scenario): string {
  return [
    ...(scenario.parallelism ? [`-parallelism=${scenario.parallelism}`] : []),
    ...Object.entries(scenario.tuning ?? {}).map(([prop, value]) => `${prop}: ${value}`),
    ...Object.entries(scenario.env ?? {}).map(([name, value]) => `${name}=${value}`),
  ].join(', ');
}

function expectationOf(scenario: Scenario, phase: Phase): Expectation {
  return 'exit' in scenario.expect ? scenario.expect : scenario.expect[phase];
}

/** Compares a measured phase with what was expected, and with the targets that hold for every row. */
function problemsOf(row: Omit<MatrixRow, 'problems'>): string[] {
  const { expected } = row;
  const problems: string[] = [];
  const [min, max] = typeof expected.attempts === 'number' ? [expected.attempts, expected.attempts] : expected.attempts;
  if (row.attempts < min || row.attempts > max) problems.push(`${row.attempts} API requests, expected ${min === max ? min : `${min} to ${max}`}`);
  // An interrupted handler may be killed with its CLI (Ctrl-C) or outlive it (kill -9): its exit is not the row's.
  if (!row.interrupted && row.handlerExits.length === 0) problems.push('the handler never ran');
  if (!row.interrupted && row.handlerExits.some((code) => code !== expected.exit)) {
    problems.push(`handler exit codes ${row.handlerExits.join(',')}, expected ${expected.exit}`);
  }
  const terraformExit = row.interrupted === 'SIGKILL' ? 137 : expected.exit === 0 && !row.interrupted ? 0 : 1;
  if (row.terraformExit !== terraformExit) problems.push(`terraform exited ${row.terraformExit}, expected ${terraformExit}`);
  if (expected.minHandlerMs !== undefined && row.handlerMs < expected.minHandlerMs) {
    problems.push(`the handler ran ${row.handlerMs} ms, expected at least ${expected.minHandlerMs} ms`);
  }
  if (row.handlerMs > row.totalTimeoutMs + 1000) problems.push(`the handler ran ${row.handlerMs} ms, over its total timeout ${row.totalTimeoutMs} ms + 1 s`);
  if (row.agreedAfterPhase !== (expected.agrees ?? true)) {
    problems.push(`after the ${row.phase}, Terraform's state and the emulator's relations ${row.agreedAfterPhase ? 'agree' : 'disagree'}, expected the opposite`);
  }
  if (!row.agreement) problems.push(`after the cleanup destroy, ${row.leftAfterDestroy} relation(s) left, or the state and the emulator disagree`);
  if (!row.noSecret) problems.push('a credential was written or printed');
  return problems;
}

export interface MatrixOptions {
  readonly cli: Cli;
  /** Progress, one line per row. */
  readonly log?: (line: string) => void;
}

interface Measured {
  readonly phase: Phase;
  readonly terraformExit: number | null;
  readonly terraformMs: number;
  readonly attempts: number;
  readonly requests: string;
  readonly handlerExits: readonly number[];
  readonly handlerMs: number;
  readonly agreed: boolean;
}


/** Runs one scenario from a fresh emulator and an empty stack to the end of its cleanup; one row per measured phase. */
export async function runScenario(scenario: Scenario, options: MatrixOptions): Promise<MatrixRow[]> {
  const { accessKey, secretKey, wrongSecretKey } = MATRIX_CREDENTIALS;
  const emulator = await startEmulatorProcess({ env: { FPGA_EMULATOR_ACCESS_KEY: accessKey, FPGA_EMULATOR_SECRET_KEY: secretKey } });
  const { control } = emulator;
  // Not named after the credentials: a random suffix could otherwise complete a fragment of them ("matrix-s…").
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-fault-row-'));
  const handlerLog = path.join(scratch, 'handler-runs.log');
  fs.writeFileSync(handlerLog, '');
  const ws = new Workspace(options.cli, { HW_ACCESS_KEY: accessKey, HW_SECRET_KEY: secretKey, FPGA_MATRIX_HANDLER_LOG: handlerLog, ...scenario.env });
  const imageIds = Array.from({ length: scenario.count ?? 1 }, () => randomUUID());
  const world: World = { control, workspace: ws, fpgaImageId: FPGA_IMAGE_ID, imageIds };
  const managed = new Set(world.imageIds.map((imageId) => `${FPGA_IMAGE_ID}/${imageId}`));
  const tuning = { totalTimeoutSeconds: DEFAULT_TOTAL_TIMEOUT_SECONDS, ...scenario.tuning };
  const parallelism = scenario.parallelism ? [`-parallelism=${scenario.parallelism}`] : [];

  /** State and the emulator hold the same pairs of this stack; other relations (the 10-per-image row's) are not its business. */
  const agrees = async (): Promise<boolean> => {
    const cloud = (await control.relations()).filter((r: Relation) => managed.has(`${r.fpgaImageId}/${r.imageId}`));
    return JSON.stringify(await ws.statePairs()) === JSON.stringify(sortPairs(cloud));
  };
  let handlerRunsSeen = 0;
  const newHandlerRuns = (): { code: number; ms: number }[] => {
    const lines = fs.readFileSync(handlerLog, 'utf8').split('\n').filter(Boolean);
    const fresh = lines.slice(handlerRunsSeen).map((line) => line.split(' ').map(Number));
    handlerRunsSeen = lines.length;
    return fresh.map(([, code, ms]) => ({ code, ms }));
  };
  const measure = async (phase: Phase): Promise<Measured> => {
    const before = (await control.requests()).length;
    newHandlerRuns();
    const env: Record<string, string> = scenario.secretKey ? { HW_SECRET_KEY: scenario.secretKey } : {};
    const started = Date.now();
    const { interrupt } = scenario;
    const interruption = interrupt && { signal: interrupt.signal, when: () => requestSeen(control, interrupt.once, before) };
    const result = await (phase === 'apply' ? ws.apply(parallelism, env, interruption) : ws.destroy(parallelism, env, interruption));
    const terraformMs = Date.now() - started;
    const requests = (await control.requests()).slice(before);
    const runs = newHandlerRuns();
    return {
      phase,
      terraformExit: result.status,
      terraformMs,
      attempts: requests.length,
      requests: summarize(requests),
      handlerExits: runs.map((r) => r.code),
      handlerMs: Math.max(0, ...runs.map((r) => r.ms)),
      agreed: await agrees(),
    };
  };

  const measured: Measured[] = [];
  let agreedBefore = true;
  let agreedAfterCleanup = false;
  let leftAfterDestroy = -1;
  let noSecret = false;
  try {
    ws.synth((stack) => world.imageIds.forEach((imageId, i) => new FpgaImageAssociation(stack, `Assoc${i}`, {
      projectId: scenario.projectId ?? emulator.projectId,
      fpgaImageId: FPGA_IMAGE_ID,
      imageId,
      endpoint: emulator.url,
      nodeExecutable: writeTimingWrapper(scratch),
      ...tuning,
    })));
    await ws.init();
    if (scenario.phase === 'destroy') agreedBefore = (await ws.apply(parallelism)).status === 0 && (await agrees());
    await scenario.arrange(world);
    for (const phase of scenario.phase === 'both' ? (['apply', 'destroy'] as const) : [scenario.phase]) measured.push(await measure(phase));
  } finally {
    try {
      await control.clearFaults();
      await control.setRateLimit(undefined);
      await control.setClockOffset(0);
      await scenario.restore?.(world);
      agreedAfterCleanup = (await ws.destroy(parallelism)).status === 0 && (await agrees()) && (await ws.statePairs()).length === 0;
      leftAfterDestroy = (await control.relations()).filter((r: Relation) => managed.has(`${r.fpgaImageId}/${r.imageId}`)).length;
      const written = ws.everythingWritten();
      noSecret = ![accessKey, secretKey, wrongSecretKey].some((secret) => written.includes(secret));
    } finally {
      // Whatever failed above (the secret scan of a command, say): the emulator would otherwise keep jest from exiting.
      ws.cleanup();
      fs.rmSync(scratch, { recursive: true, force: true });
      await emulator.stop();
    }
  }

  return measured.map((m) => {
    const row = {
      name: scenario.name,
      fault: scenario.fault,
      phase: m.phase,
      expected: expectationOf(scenario, m.phase),
      settings: settingsOf(scenario),
      attempts: m.attempts,
      requests: m.requests,
      handlerMs: m.handlerMs,
      terraformMs: m.terraformMs,
      terraformExit: m.terraformExit,
      interrupted: scenario.interrupt?.signal,
      handlerExits: m.handlerExits,
      totalTimeoutMs: tuning.totalTimeoutSeconds * 1000,
      agreedAfterPhase: m.agreed,
      agreement: agreedBefore && agreedAfterCleanup && leftAfterDestroy === 0,
      leftAfterDestroy,
      noSecret,
    };
    const problems = problemsOf(row);
    options.log?.(`${problems.length ? 'MISSED' : 'ok    '} ${scenario.name} (${m.phase}): ${m.requests}; handler ${m.handlerMs} ms${problems.length ? `; ${problems.join('; ')}` : ''}`);
    return { ...row, problems };
  });
}

/** Every scenario in turn (their timings are measured, so never two at once). */
export async function runMatrix(options: MatrixOptions, scenarios: readonly Scenario[] = SCENARIOS): Promise<MatrixRow[]> {
  const rows: MatrixRow[] = [];
  for (const scenario of scenarios) rows.push(...(await runScenario(scenario, options)));
  return rows;
}
