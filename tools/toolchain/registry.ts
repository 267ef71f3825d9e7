/**
 * Registry first: can the CLI install the real providers the way the user's own setup does (the public registry,
 * or the mirror the user's CLI configuration names)? A configuration that requires nothing but the two providers
 * is `init`ed with the user's CLI configuration; where nothing is reachable that fails in a fraction of a second.
 * What it installs lands in the toolchain's plugin cache, so later inits link it instead of fetching it again.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribedCli } from './cli';
import { readText } from './files';
import { PROVIDERS } from './providers';
import { Context } from './types';

/** A first `init` on a slow link downloads ~30 MB; a hung network is given up on after this. */
const PROBE_TIMEOUT_MS = 180_000;

export interface UserCliConfig {
  /** What TF_CLI_CONFIG_FILE should be for the user's own setup: their value, or '' (Terraform's default). */
  readonly envValue: string;
  /** The file Terraform reads for it: TF_CLI_CONFIG_FILE, else ~/.terraformrc; '' when there is none. */
  readonly file: string;
}

/** The user's CLI configuration. A TF_CLI_CONFIG_FILE naming the toolchain's own (an `eval` of --print-env) is not theirs. */
export function userCliConfig(ctx: Context): UserCliConfig {
  const value = process.env.TF_CLI_CONFIG_FILE ?? '';
  const ours = value !== '' && path.resolve(value).startsWith(ctx.dir + path.sep);
  const envValue = ours ? '' : value;
  if (envValue) return { envValue, file: envValue };
  const home = path.join(os.homedir(), '.terraformrc');
  return { envValue, file: fs.existsSync(home) ? home : '' };
}

/** How the one-line report names the user's CLI configuration. */
export function describeUserCliConfig(file: string): string {
  if (!file) return 'the public registry: no CLI configuration';
  return fs.existsSync(file) ? `CLI configuration ${file}` : `the public registry: CLI configuration ${file} does not exist`;
}

/** What the decision depends on: the user's CLI configuration (name and content) and the CLIs. */
export function decisionDigest(config: UserCliConfig, clis: readonly DescribedCli[], forced: string | undefined): string {
  const inputs = {
    forced: forced ?? null,
    envValue: config.envValue,
    file: config.file,
    content: config.file ? (readText(config.file) ?? null) : null,
    clis: clis.map((c) => `${c.binary}:${c.fingerprint}`),
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

export interface ProbeResult {
  readonly reached: boolean;
  /** When not reached: Terraform's error, condensed to one line. */
  readonly detail: string;
}

/** `init` of a configuration requiring both providers, run with `env` (the user's CLI configuration and the plugin cache). */
export async function probeRegistry(ctx: Context, cli: DescribedCli, env: Record<string, string>): Promise<ProbeResult> {
  fs.mkdirSync(ctx.dir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(ctx.dir, `probe-${cli.binaryName}-`));
  const required = Object.fromEntries(PROVIDERS.map((p) => [p.name, { source: `hashicorp/${p.name}`, version: p.version }]));
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: required } }));
  try {
    const { status, output } = await new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn(cli.binary, ['init', '-input=false', '-backend=false', '-no-color'], {
        cwd: dir,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: PROBE_TIMEOUT_MS,
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.stderr.on('data', (d) => (text += d));
      child.on('error', (err) => resolve({ status: null, output: err.message }));
      child.on('close', (code, signal) => resolve({ status: code, output: signal ? `${text}\nError: no answer in ${PROBE_TIMEOUT_MS / 1000} s` : text }));
    });
    return status === 0 ? { reached: true, detail: '' } : { reached: false, detail: firstError(output) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Terraform's reason, short and the same from run to run (it reports the providers in no fixed order): the host it
 * could not connect to, or the provider no installation method has, else the error's title.
 */
function firstError(output: string): string {
  const text = output.replace(/\s+/g, ' ');
  const causes = [...text.matchAll(/could not connect to [\w.-]+|provider [\w./-]+ was not found in any of the search locations/g)].map((m) => m[0]);
  if (causes.length) return causes.sort()[0];
  return /Error: ([^.]*)/.exec(text)?.[1].trim() ?? (text.trim().slice(-200) || 'no output');
}
