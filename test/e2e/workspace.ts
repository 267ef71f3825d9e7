/**
 * A synthesized CDKTF stack driven by a real Terraform-compatible CLI, against the emulator. Every
 * command runs as a child process with the project's toolchain (CLI config, provider mirror) and the
 * emulator's credentials in its environment: exactly what a user's `terraform apply` would get.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import type { EmulatorControl } from '../../src/emulator/process';
import { describeProviders, ensureToolchain } from '../../tools/toolchain';
import { expectNoSecret, secretsIn } from '../security/secret-scan';

export interface Cli {
  readonly binary: string;
  readonly binaryName: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let announced = false;

/** The CLIs to run end-to-end tests against: terraform and tofu where both are available. Says once which providers they install. */
export async function availableClis(): Promise<Cli[]> {
  const toolchain = await ensureToolchain();
  if (!announced) {
    announced = true;
    process.stderr.write(`[e2e] ${toolchain.clis.map((c) => `${c.binaryName} ${c.version}`).join(', ')} with ${describeProviders(toolchain)}\n`);
  }
  return [...toolchain.clis];
}

/** Fast retries so that fault scenarios finish in seconds; the handler reads these from Terraform's environment. */
export const FAST_RETRIES = {
  FPGA_ASSOC_RETRY_BASE_DELAY_MS: '20',
  FPGA_ASSOC_RETRY_MAX_DELAY_MS: '200',
  FPGA_ASSOC_ATTEMPT_TIMEOUT_MS: '3000',
};

/**
 * A command ended mid-run: once `when` resolves, `signal` goes to the command's whole process group
 * for SIGINT, as Ctrl-C in a terminal does (Terraform and the handler it runs both get it), or to the
 * CLI's process alone for SIGKILL, as `kill -9` or an OOM kill does (what it started runs on, orphaned).
 */
export interface Interruption {
  readonly signal: 'SIGINT' | 'SIGKILL';
  readonly when: () => Promise<void>;
}

/**
 * Where a workspace's commands run when not as this process: a simulated runner (test/runner). Its environment
 * replaces this process's (and wins over the CLI's), and its user, if any, runs them and is given the workspace before each.
 */
export interface Host {
  readonly env: Readonly<Record<string, string>>;
  readonly user?: { readonly uid: number; readonly gid: number };
  /** Makes `dir` and everything in it the user's (the test writes there as itself). */
  adopt(dir: string): void;
}

export class Workspace {
  /** Everything every command printed, to scan for secrets. */
  public readonly transcript: string[] = [];
  public readonly outdir: string;

  constructor(
    private readonly cli: Cli,
    private readonly env: Readonly<Record<string, string>>,
    private readonly stackName = 'e2e',
    private readonly host?: Host,
  ) {
    this.outdir = fs.mkdtempSync(path.join(os.tmpdir(), `fpga-e2e-${cli.binaryName}-`));
  }

  get dir(): string {
    return path.join(this.outdir, 'stacks', this.stackName);
  }

  /**
   * (Re-)synthesizes the stack into the same directory; state and .terraform stay. The state lives in
   * the stack directory: cdktf's default local backend puts it in the synthesizing process's cwd,
   * where parallel tests would share it.
   */
  synth(define: (stack: TerraformStack) => void): this {
    const app = new App({ outdir: this.outdir });
    const stack = new TerraformStack(app, this.stackName);
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    define(stack);
    app.synth();
    return this;
  }

  /**
   * Runs a command to its end, or, with an `interruption`, until its signal ends it. Throws when it
   * printed a fragment of a secret in its environment or declared by the test (../security/secret-scan).
   */
  async run(args: string[], extraEnv: Record<string, string> = {}, interruption?: Interruption): Promise<RunResult> {
    const { HW_ACCESS_KEY, HW_SECRET_KEY, HW_SECURITY_TOKEN, ...inherited } = process.env;
    this.host?.adopt(this.outdir);
    const child = spawn(this.cli.binary, args, {
      cwd: this.dir,
      env: { ...(this.host ? { ...this.cli.env, ...this.host.env } : { ...inherited, ...this.cli.env }), ...FAST_RETRIES, ...this.env, ...extraEnv },
      uid: this.host?.user?.uid,
      gid: this.host?.user?.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that a SIGINT reaches the command and what it started, as from a terminal.
      detached: interruption !== undefined,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code, killedBy) => resolve(killedBy ? 128 + os.constants.signals[killedBy] : code)));
    if (interruption) {
      await interruption.when();
      const { signal } = interruption;
      process.kill(signal === 'SIGINT' ? -child.pid! : child.pid!, signal);
    }
    const status = await closed;
    const command = `${this.cli.binaryName} ${args.join(' ')}${interruption ? ` (${interruption.signal})` : ''}`;
    this.transcript.push(`$ ${command}\n${stdout}${stderr}`);
    expectNoSecret(`the output of ${command}`, stdout + stderr, secretsIn({ ...this.env, ...extraEnv }));
    return { status, stdout, stderr };
  }

  /**
   * Processes a killed CLI left running in the stack directory, whose command line includes `match`:
   * the handlers it had started, and the provider plugins, which outlive a CLI killed with SIGKILL.
   */
  leftoverProcesses(match = ''): number[] {
    return fs.readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).map(Number).filter((pid) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/cwd`) === this.dir && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(match);
      } catch {
        return false;
      }
    });
  }

  async mustRun(args: string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
    const result = await this.run(args, extraEnv);
    if (result.status !== 0) {
      throw new Error(`${this.cli.binaryName} ${args.join(' ')} exited ${result.status}\n${result.stdout}\n${result.stderr}`);
    }
    return result;
  }

  init() {
    return this.mustRun(['init', '-input=false', '-no-color']);
  }

  apply(extraArgs: string[] = [], extraEnv: Record<string, string> = {}, interruption?: Interruption) {
    return this.run(['apply', '-auto-approve', '-input=false', '-no-color', ...extraArgs], extraEnv, interruption);
  }

  destroy(extraArgs: string[] = [], extraEnv: Record<string, string> = {}, interruption?: Interruption) {
    return this.run(['destroy', '-auto-approve', '-input=false', '-no-color', ...extraArgs], extraEnv, interruption);
  }

  /** `plan -detailed-exitcode`: 0 = no changes, 2 = changes. */
  async planExitCode(): Promise<number | null> {
    return (await this.run(['plan', '-detailed-exitcode', '-input=false', '-no-color'])).status;
  }

  /**
   * The pairs Terraform's state says are associated: each association in the state, unless the step
   * that makes it is tainted (its associate failed or was interrupted): a pair that the API related
   * all the same then shows as a disagreement with the cloud, until an apply or a destroy settles it.
   * An association whose step is gone (a destroy that the API refused) still counts.
   */
  async statePairs(): Promise<{ fpgaImageId: string; imageId: string }[]> {
    const { associations, steps } = await this.stateObjects();
    const unmade = new Set(steps.filter((r) => r.tainted).map((r) => r.values.triggers.association_id));
    return sortPairs(associations.filter((r) => !r.tainted && !unmade.has(r.values.id)).map(pairOf));
  }

  /** The pairs whose association is in the state (so destroy disassociates them), however their associate went. */
  async associationPairs(): Promise<{ fpgaImageId: string; imageId: string; tainted: boolean }[]> {
    return (await this.stateObjects()).associations.map((r) => ({ ...pairOf(r), tainted: r.tainted === true }));
  }

  /** The null_resources in the state: associations (identity triggers) and the steps that made them (with `association_id`). */
  private async stateObjects(): Promise<{ associations: any[]; steps: any[] }> {
    const { stdout } = await this.mustRun(['show', '-json', '-no-color']);
    const resources: any[] = (JSON.parse(stdout).values?.root_module?.resources ?? []).filter((r: any) => r.type === 'null_resource');
    const isStep = (r: any) => r.values.triggers.association_id !== undefined;
    return { associations: resources.filter((r) => !isStep(r)), steps: resources.filter(isStep) };
  }

  /** Every file Terraform wrote (state, backups, lock file) plus every command's output. */
  everythingWritten(): string {
    const files = fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.tfstate') || f.endsWith('.tfstate.backup') || f === 'cdk.tf.json')
      .map((f) => fs.readFileSync(path.join(this.dir, f), 'utf8'));
    return [...files, ...this.transcript].join('\n');
  }

  cleanup(): void {
    this.leftoverProcesses().forEach((pid) => process.kill(pid, 'SIGKILL'));
    fs.rmSync(this.outdir, { recursive: true, force: true });
  }
}

function pairOf(resource: any): { fpgaImageId: string; imageId: string } {
  return { fpgaImageId: resource.values.triggers.fpga_image_id, imageId: resource.values.triggers.image_id };
}

/** Until the emulator has seen a `method` request after the first `after` of its log: for interrupting a command mid-request. */
export async function requestSeen(control: EmulatorControl, method: string, after = 0): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    if ((await control.requests()).slice(after).some((r) => r.method === method)) return;
  }
  throw new Error(`no ${method} reached the emulator within 30 s`);
}

export function sortPairs<T extends { fpgaImageId: string; imageId: string }>(pairs: T[]): { fpgaImageId: string; imageId: string }[] {
  return pairs
    .map(({ fpgaImageId, imageId }) => ({ fpgaImageId, imageId }))
    .sort((a, b) => `${a.fpgaImageId}/${a.imageId}`.localeCompare(`${b.fpgaImageId}/${b.imageId}`));
}
