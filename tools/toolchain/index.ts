/**
 * Toolchain provisioning for the end-to-end tests and the demo: a Terraform-compatible CLI and the
 * `hashicorp/null` 3.2.4 and `hashicorp/external` 2.3.5 providers, cached under `.toolchain/` and idempotent.
 *
 * Registry first: the CLI installs the real providers the way the user's own setup does (registry.ts). Only where
 * that is not reachable are schema-compatible stand-ins built from tools/*-provider with Go (providers.ts) into a
 * project-local mirror (mirror.ts), and, with `--all`, OpenTofu from the Go module proxy (opentofu.ts). The CLIs
 * come from PATH or TERRAFORM_BINARY_NAME (cli.ts); builds are serialized across processes (lock.ts). The command
 * line is main.ts. See docs/TOOLCHAIN.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliOnPath, DescribedCli, describeCli, explicitCli, Found } from './cli';
import { readText, writeAtomic } from './files';
import { findGo, readGoInfo } from './go';
import { withLock } from './lock';
import { mirrorCliConfig } from './mirror';
import { builtTofu, builtTofuPath } from './opentofu';
import { ensureStandIn, EXTERNAL_PROVIDER, EXTERNAL_PROVIDER_VERSION, NULL_PROVIDER, NULL_PROVIDER_VERSION } from './providers';
import { decisionDigest, describeUserCliConfig, probeRegistry, userCliConfig } from './registry';
import { seconds } from './run';
import { Context, EnsureOptions, ProviderSource, Toolchain, ToolchainCli, ToolchainError, ToolchainProvider, ToolchainProviders } from './types';

export { OPENTOFU_VERSION } from './opentofu';
export { EXTERNAL_PROVIDER_ADDRESSES, EXTERNAL_PROVIDER_VERSION, NULL_PROVIDER_ADDRESSES, NULL_PROVIDER_VERSION } from './providers';
export * from './types';

const SCHEMA_VERSION = 2;
const SOURCES: readonly ProviderSource[] = ['registry', 'stand-in'];

/**
 * Returns the project's toolchain, provisioning whatever is missing or stale. Fast (no check, no build, no lock)
 * when `.toolchain/` is up to date and `recheck` is not asked for; safe to call from many processes at once.
 */
export async function ensureToolchain(options: EnsureOptions = {}): Promise<Toolchain> {
  const root = path.resolve(options.root ?? path.join(__dirname, '..', '..'));
  const dir = path.resolve(options.dir ?? (process.env.TOOLCHAIN_DIR || path.join(root, '.toolchain')));
  const envSource = process.env.TOOLCHAIN_PROVIDERS || undefined;
  if (envSource && !SOURCES.includes(envSource as ProviderSource)) {
    throw new ToolchainError(`TOOLCHAIN_PROVIDERS must be 'registry' or 'stand-in', not '${envSource}'`);
  }
  const ctx: Context = {
    root,
    dir,
    all: options.all ?? process.env.TOOLCHAIN_ALL === '1',
    forcedSource: options.providers ?? (envSource as ProviderSource | undefined),
    recheck: options.recheck ?? false,
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    verbose: options.verbose ?? false,
    cached: recorded(dir),
  };

  if (!ctx.recheck) {
    const quick = await resolve(ctx, false);
    if (quick) return quick;
  }
  fs.mkdirSync(dir, { recursive: true });
  return withLock(ctx, async () => (await resolve({ ...ctx, cached: recorded(dir) }, true))!);
}

/** One line: which providers the toolchain's CLIs install, and why. */
export function describeProviders(toolchain: Toolchain): string {
  return describeSource(toolchain.providers);
}

function describeSource(providers: ToolchainProviders): string {
  const names = `hashicorp/null ${NULL_PROVIDER_VERSION} and hashicorp/external ${EXTERNAL_PROVIDER_VERSION}`;
  if (providers.source === 'registry') return `the real ${names}, installed by ${providers.reason}; nothing built`;
  return `stand-ins for ${names}, built from tools/null-provider and tools/external-provider with Go: ${providers.reason}`;
}

function recorded(dir: string): Toolchain | undefined {
  const text = readText(path.join(dir, 'toolchain.json'));
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text);
    return value?.schemaVersion === SCHEMA_VERSION ? value : undefined;
  } catch {
    return undefined;
  }
}

/** With build=false it only checks: undefined when anything must be probed, built or written. */
async function resolve(ctx: Context, build: boolean): Promise<Toolchain | undefined> {
  const started = Date.now();
  // Notes on cached parts are printed (verbose only) when this pass succeeds, so a pass that gives up stays silent.
  const notes: { line: string; warning: boolean }[] = [];
  const info = (line: string) => notes.push({ line, warning: false });
  const warn = (line: string) => notes.push({ line, warning: true });

  // 1. The CLIs at hand (OpenTofu is built here only when there is none at all).
  const found = await clisAtHand(ctx, build);
  if (!found) return undefined;

  // 2. Where the providers come from.
  const decision = await decideProviders(ctx, found, build);
  if (!decision) return undefined;
  const { providers } = decision;
  const clis: DescribedCli[] = [...decision.clis];

  // 3. What that source needs.
  let nullProvider: ToolchainProvider;
  let externalProvider: ToolchainProvider;
  let cliConfigFile: string;
  let pluginCacheDir: string;
  if (providers.source === 'registry') {
    // Separate from the stand-ins' cache, which holds binaries under the real providers' names.
    pluginCacheDir = path.join(ctx.dir, 'registry-plugin-cache');
    cliConfigFile = userCliConfig(ctx).envValue;
    nullProvider = { version: NULL_PROVIDER_VERSION, mode: 'registry' };
    externalProvider = { version: EXTERNAL_PROVIDER_VERSION, mode: 'registry' };
    if (ctx.all && !clis.some((c) => c.binaryName === 'tofu')) {
      warn('--all: no tofu on PATH, and OpenTofu is built from source only where the registry is not reachable; continuing without tofu');
    }
  } else {
    pluginCacheDir = path.join(ctx.dir, 'plugin-cache');
    const mirror = path.join(ctx.dir, 'plugins');
    const go = findGo();
    const goInfo = go ? readGoInfo(go) : undefined;
    const dirs = { mirror, cache: pluginCacheDir };
    const nullBuilt = await ensureStandIn(ctx, NULL_PROVIDER, dirs, goInfo, build, { info, warn });
    const externalBuilt = nullBuilt && (await ensureStandIn(ctx, EXTERNAL_PROVIDER, dirs, goInfo, build, { info, warn }));
    if (!nullBuilt || !externalBuilt) return undefined;
    nullProvider = nullBuilt;
    externalProvider = externalBuilt;

    cliConfigFile = path.join(ctx.dir, 'terraformrc');
    const rc = mirrorCliConfig(mirror, pluginCacheDir);
    if (readText(cliConfigFile) !== rc) {
      if (!build) return undefined;
      writeAtomic(cliConfigFile, rc);
      ctx.log(`wrote ${cliConfigFile}`);
    }
    if (ctx.all && !clis.some((c) => c.binaryName === 'tofu')) {
      if (!go) {
        warn('--all: Go is not installed, so OpenTofu cannot be built; continuing without tofu');
      } else {
        const tofu = await builtTofu(ctx, build);
        const described = tofu && describeCli(ctx, tofu, build);
        if (!described) return undefined;
        clis.push(described);
      }
    }
  }
  if (ctx.all && !clis.some((c) => c.binaryName === 'terraform')) {
    warn('--all: no terraform on PATH (it is not built from source); continuing with tofu only');
  }

  const baseEnv: Record<string, string> = {
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    // '' (no file) lets Terraform use its default, and overrides a TF_CLI_CONFIG_FILE the caller inherited.
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TF_PLUGIN_CACHE_DIR: pluginCacheDir,
    // Tests init in fresh directories without a lock file: link the cached provider rather than fetch it again.
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: 'true',
  };
  const withEnv: ToolchainCli[] = clis.map((c) => ({
    binary: c.binary,
    binaryName: c.binaryName,
    version: c.version,
    origin: c.origin,
    env: { ...baseEnv, TERRAFORM_BINARY_NAME: c.binary },
    fingerprint: c.fingerprint,
  }));
  const primary = withEnv[0];
  const toolchain: Toolchain = {
    schemaVersion: SCHEMA_VERSION,
    binary: primary.binary,
    binaryName: primary.binaryName,
    version: primary.version,
    cliConfigFile,
    env: primary.env,
    clis: withEnv,
    providers,
    nullProvider,
    externalProvider,
    pluginCacheDir,
  };

  const json = `${JSON.stringify(toolchain, undefined, 2)}\n`;
  const jsonFile = path.join(ctx.dir, 'toolchain.json');
  const summary = withEnv.map((c) => `${c.binaryName} ${c.version}`).join(', ');
  if (readText(jsonFile) !== json) {
    if (!build) return undefined;
    writeAtomic(jsonFile, json);
    ctx.log(`wrote ${jsonFile}: ${summary} (${seconds(started)})`);
  } else {
    info(`toolchain up to date: ${summary} (${seconds(started)})`);
  }
  notes.filter((n) => n.warning || ctx.verbose).forEach((n) => ctx.log(n.line));
  return toolchain;
}

/**
 * TERRAFORM_BINARY_NAME alone (unless --all), else terraform and tofu on PATH and a tofu built earlier. OpenTofu is
 * built when there is no CLI at all (or TERRAFORM_BINARY_NAME=tofu names none). Undefined (build=false): work to do.
 */
async function clisAtHand(ctx: Context, build: boolean): Promise<DescribedCli[] | undefined> {
  const clis: DescribedCli[] = [];
  const add = (found: Found | undefined): boolean => {
    if (!found || clis.some((c) => c.binary === found.binary)) return true;
    const described = describeCli(ctx, found, build);
    if (described) clis.push(described);
    return described !== undefined;
  };
  const addBuiltTofu = async (): Promise<boolean> => {
    const tofu = await builtTofu(ctx, build);
    return tofu !== undefined && add(tofu);
  };

  const explicit = explicitCli();
  if (explicit) {
    if (!(explicit.found ? add(explicit.found) : await addBuiltTofu())) return undefined;
  }
  if (!explicit || ctx.all) {
    if (!add(cliOnPath('terraform')) || !add(cliOnPath('tofu'))) return undefined;
    const haveTofu = clis.some((c) => c.binaryName === 'tofu');
    const builtEarlier = fs.existsSync(builtTofuPath(ctx));
    if (clis.length === 0 && !builtEarlier && !findGo()) {
      throw new ToolchainError(
        'No terraform or tofu on PATH. Install Terraform 1.5+ (https://developer.hashicorp.com/terraform/install) or OpenTofu ' +
          '1.6+ (https://opentofu.org/docs/intro/install/), or Go 1.26+ to have OpenTofu built from source into .toolchain/bin.',
      );
    }
    // A tofu built earlier (by --all) is used too.
    if (clis.length === 0 || (!haveTofu && builtEarlier)) {
      if (!(await addBuiltTofu())) return undefined;
    }
  }
  return clis;
}

/** The recorded decision while nothing it depends on changed (and no recheck is asked for); else the check's answer. */
async function decideProviders(
  ctx: Context,
  clis: readonly DescribedCli[],
  build: boolean,
): Promise<{ providers: ToolchainProviders; clis: readonly DescribedCli[] } | undefined> {
  const config = userCliConfig(ctx);
  const decidedBy = decisionDigest(config, clis, ctx.forcedSource);
  const userCliConfigFile = config.file;
  if (ctx.forcedSource) {
    const providers: ToolchainProviders = { source: ctx.forcedSource, reason: `TOOLCHAIN_PROVIDERS=${ctx.forcedSource}: not checked`, userCliConfigFile, decidedBy };
    if (build) ctx.log(`providers: ${describeSource(providers)}`);
    return { providers, clis };
  }
  const previous = ctx.cached?.providers;
  if (!ctx.recheck && previous?.decidedBy === decidedBy) {
    // A CLI the check left out (it could not install the providers) stays out.
    const kept = previous.source === 'registry' ? clis.filter((c) => ctx.cached!.clis.some((k) => k.binary === c.binary)) : clis;
    return { providers: previous, clis: kept };
  }
  if (!build) return undefined;

  const started = Date.now();
  const env = { TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: config.envValue, TF_PLUGIN_CACHE_DIR: path.join(ctx.dir, 'registry-plugin-cache') };
  fs.mkdirSync(env.TF_PLUGIN_CACHE_DIR, { recursive: true });
  const results = await Promise.all(clis.map((cli) => probeRegistry(ctx, cli, env)));
  const reached = clis.filter((_, i) => results[i].reached);
  const failed = clis.map((cli, i) => ({ cli, ...results[i] })).filter((r) => !r.reached);
  const through = describeUserCliConfig(config.file);
  let providers: ToolchainProviders;
  if (reached.length) {
    const leftOut = failed.map((f) => `${f.cli.binaryName} could not (${f.detail}) and is left out`).join('; ');
    const reason = `${reached.map((c) => `${c.binaryName} init`).join(' and ')} from your setup (${through})${leftOut ? `; ${leftOut}` : ''}`;
    providers = { source: 'registry', reason, userCliConfigFile, decidedBy };
  } else {
    const reason = `the registry is not reachable: ${failed[0].detail} (${through})`;
    providers = { source: 'stand-in', reason, userCliConfigFile, decidedBy };
  }
  ctx.log(`providers: ${describeSource(providers)} [checked in ${seconds(started)}]`);
  return { providers, clis: reached.length ? reached : clis };
}
