/**
 * The Terraform-compatible CLIs at hand: `TERRAFORM_BINARY_NAME` (a name on PATH or a path; the variable cdktf
 * reads), `terraform` and `tofu` on PATH, and a tofu built earlier into `.toolchain/bin`; and what each one is.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { findOnPath, fingerprint, isExecutable } from './files';
import { CliName, Context, ToolchainError } from './types';

/** A CLI found, not yet described. */
export interface Found {
  readonly binary: string;
  readonly origin: 'TERRAFORM_BINARY_NAME' | 'PATH' | 'built';
}

/** A CLI with its name and version; the environment to run it with depends on the providers and is added later. */
export interface DescribedCli extends Found {
  readonly binaryName: CliName;
  readonly version: string;
  readonly fingerprint: string;
}

/** The explicit choice: TERRAFORM_BINARY_NAME, undefined when it is not set. Throws when it names nothing. */
export function explicitCli(): { readonly name: string; readonly found?: Found } | undefined {
  const value = process.env.TERRAFORM_BINARY_NAME;
  if (!value) return undefined;
  if (value.includes('/') || value.includes(path.sep)) {
    const binary = path.resolve(value);
    if (!isExecutable(binary)) throw new ToolchainError(`TERRAFORM_BINARY_NAME=${value}: no such executable`);
    return { name: value, found: { binary, origin: 'TERRAFORM_BINARY_NAME' } };
  }
  const onPath = findOnPath(value);
  if (onPath) return { name: value, found: { binary: onPath, origin: 'TERRAFORM_BINARY_NAME' } };
  // `tofu` may still be built from source; any other name is a mistake.
  if (value !== 'tofu') throw new ToolchainError(`TERRAFORM_BINARY_NAME=${value}: no such executable on PATH`);
  return { name: value };
}

export function cliOnPath(name: CliName): Found | undefined {
  const binary = findOnPath(name);
  return binary ? { binary, origin: 'PATH' } : undefined;
}

/** Reads the CLI's name and version, reusing the recorded answer while the binary is unchanged. Undefined (only when build=false) means it must be run. */
export function describeCli(ctx: Context, found: Found, build: boolean): DescribedCli | undefined {
  const fp = fingerprint(found.binary);
  const cached = ctx.cached?.clis?.find((c) => c.binary === found.binary && c.fingerprint === fp);
  if (cached) return { ...found, binaryName: cached.binaryName, version: cached.version, fingerprint: fp };
  if (!build) return undefined;
  const { binaryName, version } = readCliVersion(found.binary);
  ctx.log(`${binaryName} ${version}: ${found.binary} (${found.origin})`);
  return { ...found, binaryName, version, fingerprint: fp };
}

function readCliVersion(binary: string): { binaryName: CliName; version: string } {
  // No CLI configuration: a missing TF_CLI_CONFIG_FILE makes OpenTofu print a warning on stdout, before the JSON.
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '' };
  const result = spawnSync(binary, ['version', '-json'], { env, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new ToolchainError(`${binary} version failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr}`);
  }
  let version: string | undefined;
  try {
    version = JSON.parse(result.stdout).terraform_version;
  } catch {
    version = /v(\d+\.\d+\.\d+\S*)/.exec(result.stdout)?.[1];
  }
  if (!version) throw new ToolchainError(`cannot read a version from \`${binary} version -json\`: ${result.stdout}`);
  // OpenTofu reports its version under the same key; tell the two apart by the plain banner.
  const banner = spawnSync(binary, ['version'], { env, encoding: 'utf8', timeout: 60_000 }).stdout ?? '';
  const binaryName: CliName = /OpenTofu/.test(banner) || path.basename(binary).startsWith('tofu') ? 'tofu' : 'terraform';
  return { binaryName, version };
}
