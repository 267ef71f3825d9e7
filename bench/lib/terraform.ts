import { TerraformStack } from 'cdktf';
import { Target } from './stacks';
import { HANDLER_DEFAULTS, INPUT_ENV } from '../../src/contract';
import { EmulatorProcess, startEmulatorProcess } from '../../src/emulator/process';
import { DEMO_CREDENTIALS } from '../../src/emulator/server';
import { availableClis, Cli, Workspace } from '../../test/e2e/workspace';

/**
 * Real Terraform against the emulator in its own process, as the end-to-end tests run it, but with
 * the handler's default retry timing: a benchmark measures what users get.
 */

export const PARALLELISM = 10;

export interface Lab {
  readonly cli: Cli;
  readonly emulator: EmulatorProcess;
  readonly target: Target;
}

export async function openLab(): Promise<Lab> {
  const [cli] = await availableClis();
  const emulator = await startEmulatorProcess();
  return { cli, emulator, target: { projectId: emulator.projectId, endpoint: emulator.url } };
}

export function closeLab(lab: Lab | undefined): Promise<void> {
  return lab?.emulator.stop() ?? Promise.resolve();
}

const DEFAULT_RETRIES = {
  [INPUT_ENV.retryBaseDelayMs]: String(HANDLER_DEFAULTS.retryBaseDelayMs),
  [INPUT_ENV.retryMaxDelayMs]: String(HANDLER_DEFAULTS.retryMaxDelayMs),
  [INPUT_ENV.attemptTimeoutMs]: String(HANDLER_DEFAULTS.attemptTimeoutMs),
};

/** A synthesized and initialised stack directory; `define` fills the stack. */
export async function workspace(lab: Lab, name: string, define: (stack: TerraformStack) => void): Promise<Workspace> {
  const credentials = { HW_ACCESS_KEY: DEMO_CREDENTIALS.accessKey, HW_SECRET_KEY: DEMO_CREDENTIALS.secretKey };
  const ws = new Workspace(lab.cli, { ...credentials, ...DEFAULT_RETRIES }, name);
  ws.synth(define);
  await ws.init();
  return ws;
}

export interface CommandRun {
  readonly ms: number;
  readonly ok: boolean;
  readonly output: string;
}

/** `apply` or `destroy` at PARALLELISM, timed. */
export async function timedCommand(ws: Workspace, command: 'apply' | 'destroy', extraEnv: Record<string, string> = {}): Promise<CommandRun> {
  const started = process.hrtime.bigint();
  const result = await ws.run([command, '-auto-approve', '-input=false', '-no-color', `-parallelism=${PARALLELISM}`], extraEnv);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, ok: result.status === 0, output: `${result.stdout}\n${result.stderr}` };
}

/** Like timedCommand, but a failure stops the benchmark with Terraform's output. */
export async function mustTimeCommand(ws: Workspace, command: 'apply' | 'destroy', extraEnv: Record<string, string> = {}): Promise<number> {
  const run = await timedCommand(ws, command, extraEnv);
  if (!run.ok) throw new Error(`terraform ${command} failed:\n${run.output.slice(-3000)}`);
  return run.ms;
}
