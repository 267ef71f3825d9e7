/**
 * Toolchain provisioning for the end-to-end tests and the demo: a Terraform-compatible CLI and the
 * `hashicorp/null` 3.2.4 and `hashicorp/external` 2.3.5 providers, cached under `.toolchain/` and idempotent. Nothing is installed by hand
 * and nothing outside `.toolchain/` (and Go's own module and build caches) is written.
 *
 *   npx ts-node --transpile-only tools/toolchain.ts [--all] [--json | --print-env] [--provider=external]
 *
 * The CLI: `TERRAFORM_BINARY_NAME` (a name on PATH or a path; the variable cdktf reads), else `terraform` on PATH,
 * else `tofu` on PATH, else OpenTofu built from the Go module proxy into `.toolchain/bin/tofu`.
 *
 * The providers: schema-compatible stand-ins for hashicorp/null 3.2.4 and hashicorp/external 2.3.5 (the drift check's
 * data source), built from `tools/null-provider/` and `tools/external-provider/` (our source) into a filesystem mirror
 * under `.toolchain/plugins/`, because the real ones cannot be downloaded here.
 * `.toolchain/terraformrc` points Terraform/OpenTofu at that mirror; only commands run with `toolchain.env` use it.
 * See docs/TOOLCHAIN.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The OpenTofu release built from source when no `tofu` is on PATH: the newest the proxy serves that builds with Go 1.26. */
export const OPENTOFU_VERSION = '1.12.6';
/** The null provider version `@cdktf/provider-null@11.0.1` pins (`required_providers.null.version`). */
export const NULL_PROVIDER_VERSION = '3.2.4';
/** Hostnames under which the bare source `"null"` resolves: Terraform's and OpenTofu's default registries. */
export const NULL_PROVIDER_ADDRESSES = ['registry.terraform.io/hashicorp/null', 'registry.opentofu.org/hashicorp/null'];
/** The external provider version the stand-in reports: the newest 2.3.x, which `~> 2.3` (the drift check's constraint) accepts. */
export const EXTERNAL_PROVIDER_VERSION = '2.3.5';
/** Hostnames under which `hashicorp/external` resolves. */
export const EXTERNAL_PROVIDER_ADDRESSES = ['registry.terraform.io/hashicorp/external', 'registry.opentofu.org/hashicorp/external'];

/** A provider built from our own source (tools/<name>-provider) into the mirror. */
interface StandIn {
  readonly name: 'null' | 'external';
  readonly version: string;
  readonly addresses: readonly string[];
}

const NULL_STAND_IN: StandIn = { name: 'null', version: NULL_PROVIDER_VERSION, addresses: NULL_PROVIDER_ADDRESSES };
const EXTERNAL_STAND_IN: StandIn = { name: 'external', version: EXTERNAL_PROVIDER_VERSION, addresses: EXTERNAL_PROVIDER_ADDRESSES };

const SCHEMA_VERSION = 1;
const TOFU_LDFLAGS = "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'";

export type CliName = 'terraform' | 'tofu';

export interface ToolchainCli {
  /** Absolute path of the executable. */
  readonly binary: string;
  readonly binaryName: CliName;
  /** e.g. `1.11.4`. */
  readonly version: string;
  /** Where it came from: the TERRAFORM_BINARY_NAME variable, PATH, or built from source into `.toolchain/bin`. */
  readonly origin: 'TERRAFORM_BINARY_NAME' | 'PATH' | 'built';
  /** Environment to run this CLI with (merge over process.env). */
  readonly env: Readonly<Record<string, string>>;
  /** Size and mtime of the binary when its version was read: the version is re-read only when these change. */
  readonly fingerprint: string;
}

export interface Toolchain {
  readonly schemaVersion: number;
  /** The primary CLI (the first of `clis`). */
  readonly binary: string;
  readonly binaryName: CliName;
  readonly version: string;
  /** `.toolchain/terraformrc`, or in external-provider mode the user's TF_CLI_CONFIG_FILE (possibly ''). */
  readonly cliConfigFile: string;
  readonly env: Readonly<Record<string, string>>;
  /** Every CLI to run end-to-end tests against: the primary first. */
  readonly clis: readonly ToolchainCli[];
  readonly nullProvider: ToolchainProvider;
  /** hashicorp/external, which the opt-in drift check's data source needs; same modes as the null provider. */
  readonly externalProvider: ToolchainProvider;
  readonly pluginCacheDir?: string;
}

export interface ToolchainProvider {
  readonly version: string;
  /** 'stand-in': built from tools/<name>-provider into the mirror. 'external': whatever the user's CLI config installs. */
  readonly mode: 'stand-in' | 'external';
  readonly mirror?: string;
  readonly binary?: string;
  /** sha256 of the provider source, the Go version and the build recipe. */
  readonly buildHash?: string;
}

export interface EnsureOptions {
  /** Also provision the other CLI (terraform and tofu both, tofu built from source if needed). Default: env TOOLCHAIN_ALL=1. */
  readonly all?: boolean;
  /** 'external' skips the stand-ins: the user's own CLI config (registry or mirror) supplies the real providers. Default: env TOOLCHAIN_NULL_PROVIDER. */
  readonly provider?: 'stand-in' | 'external';
  /** Project root; default: the parent of this file's directory. */
  readonly root?: string;
  /** Progress lines; default: stderr, but only when something is built (the cached path is silent). */
  readonly log?: (line: string) => void;
  /** Log every step, not just builds. */
  readonly verbose?: boolean;
}

class ToolchainError extends Error {}

interface Context {
  readonly root: string;
  readonly dir: string;
  readonly all: boolean;
  readonly providerMode: 'stand-in' | 'external';
  readonly log: (line: string) => void;
  readonly verbose: boolean;
  readonly cached?: Toolchain;
}

interface GoInfo {
  readonly go: string;
  readonly version: string;
  readonly goos: string;
  readonly goarch: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Public entry point
// ---------------------------------------------------------------------------------------------------------------

/**
 * Returns the project's toolchain, provisioning whatever is missing or stale. Fast (no build, no lock) when
 * `.toolchain/` is up to date; safe to call from many processes at once (builds are serialized by a lock).
 */
export async function ensureToolchain(options: EnsureOptions = {}): Promise<Toolchain> {
  const root = path.resolve(options.root ?? path.join(__dirname, '..'));
  const dir = path.join(root, '.toolchain');
  const envProvider = process.env.TOOLCHAIN_NULL_PROVIDER;
  if (envProvider && envProvider !== 'stand-in' && envProvider !== 'external') {
    throw new ToolchainError(`TOOLCHAIN_NULL_PROVIDER must be 'stand-in' or 'external', not '${envProvider}'`);
  }
  const ctx: Context = {
    root,
    dir,
    all: options.all ?? process.env.TOOLCHAIN_ALL === '1',
    providerMode: options.provider ?? (envProvider as 'stand-in' | 'external' | undefined) ?? 'stand-in',
    log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    verbose: options.verbose ?? false,
    cached: readJson<Toolchain>(path.join(dir, 'toolchain.json')),
  };

  const quick = await resolve(ctx, false);
  if (quick) return quick;

  fs.mkdirSync(dir, { recursive: true });
  return withLock(ctx, async () => {
    const fresh = { ...ctx, cached: readJson<Toolchain>(path.join(dir, 'toolchain.json')) };
    return (await resolve(fresh, true))!;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution: with build=false it only checks (returns undefined when anything must be built or written)
// ---------------------------------------------------------------------------------------------------------------

async function resolve(ctx: Context, build: boolean): Promise<Toolchain | undefined> {
  const started = Date.now();
  // Notes on cached parts are printed (verbose only) when this pass succeeds, so a pass that gives up stays silent.
  const notes: { line: string; warning: boolean }[] = [];
  const info = (line: string) => notes.push({ line, warning: false });
  const warn = (line: string) => notes.push({ line, warning: true });
  const done = (toolchain: Toolchain): Toolchain => {
    notes.filter((n) => n.warning || ctx.verbose).forEach((n) => ctx.log(n.line));
    return toolchain;
  };
  const rcFile = path.join(ctx.dir, 'terraformrc');
  const pluginDir = path.join(ctx.dir, 'plugins');
  const cacheDir = path.join(ctx.dir, 'plugin-cache');

  // 1. The providers (the CLI's version check below runs with the CLI config, so that comes first).
  let nullProvider: ToolchainProvider;
  let externalProvider: ToolchainProvider;
  if (ctx.providerMode === 'stand-in') {
    const go = findGo();
    const goInfo = go ? readGoInfo(go, terraformPlatform()) : undefined;
    const standIn = async (spec: StandIn) => ensureStandIn(ctx, spec, pluginDir, cacheDir, goInfo, build, info, warn);
    const nullBuilt = await standIn(NULL_STAND_IN);
    const externalBuilt = nullBuilt && (await standIn(EXTERNAL_STAND_IN));
    if (!nullBuilt || !externalBuilt) return undefined;
    nullProvider = nullBuilt;
    externalProvider = externalBuilt;

    const rc = cliConfig(pluginDir, cacheDir);
    if (readText(rcFile) !== rc) {
      if (!build) return undefined;
      writeAtomic(rcFile, rc);
      ctx.log(`wrote ${path.relative(ctx.root, rcFile)}`);
    }
  } else {
    nullProvider = { version: NULL_PROVIDER_VERSION, mode: 'external' };
    externalProvider = { version: EXTERNAL_PROVIDER_VERSION, mode: 'external' };
  }
  const cliConfigFile = ctx.providerMode === 'stand-in' ? rcFile : (process.env.TF_CLI_CONFIG_FILE ?? '');

  // 2. The CLIs.
  const baseEnv: Record<string, string> = { TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  if (cliConfigFile) baseEnv.TF_CLI_CONFIG_FILE = cliConfigFile;
  const clis: ToolchainCli[] = [];
  const add = async (found: Found | undefined): Promise<boolean> => {
    if (!found || clis.some((c) => c.binary === found.binary)) return true;
    const cli = await describeCli(ctx, found, baseEnv, build);
    if (!cli) return false;
    clis.push(cli);
    return true;
  };

  const addBuiltTofu = async (): Promise<boolean> => {
    const built = await builtTofu(ctx, build);
    return built !== undefined && add(built);
  };

  // An explicit TERRAFORM_BINARY_NAME is the only CLI (unless --all); otherwise every CLI at hand is used.
  const explicit = process.env.TERRAFORM_BINARY_NAME;
  if (explicit) {
    const found = findExplicit(explicit);
    if (found) {
      if (!(await add(found))) return undefined;
    } else if (explicit === 'tofu') {
      if (!(await addBuiltTofu())) return undefined;
    } else {
      throw new ToolchainError(`TERRAFORM_BINARY_NAME=${explicit}: no such executable${explicit.includes('/') ? '' : ' on PATH'}`);
    }
  }
  if (!explicit || ctx.all) {
    const terraform = findOnPath('terraform');
    const tofu = findOnPath('tofu');
    if (!(await add(terraform ? { binary: terraform, origin: 'PATH' } : undefined))) return undefined;
    if (!(await add(tofu ? { binary: tofu, origin: 'PATH' } : undefined))) return undefined;
    // A tofu built earlier (e.g. by --all) is used too; one is built only when there is no CLI at all, or for --all.
    const haveTofu = clis.some((c) => c.binaryName === 'tofu');
    const needTofu = clis.length === 0 || (ctx.all && !haveTofu);
    if (needTofu && !findGo()) {
      if (clis.length === 0) {
        throw new ToolchainError('No terraform or tofu on PATH, and Go is not installed to build OpenTofu: install Go 1.26 or newer, or put terraform/tofu on PATH.');
      }
      warn('--all: Go is not installed, so OpenTofu cannot be built; continuing without tofu');
    } else if (needTofu || (!haveTofu && isExecutable(builtTofuPath(ctx)))) {
      if (!(await addBuiltTofu())) return undefined;
    }
  }
  if (ctx.all && !clis.some((c) => c.binaryName === 'terraform')) {
    warn('--all: no terraform on PATH (it is not built from source); continuing with tofu only');
  }

  const primary = clis[0];
  const toolchain: Toolchain = {
    schemaVersion: SCHEMA_VERSION,
    binary: primary.binary,
    binaryName: primary.binaryName,
    version: primary.version,
    cliConfigFile,
    env: primary.env,
    clis,
    nullProvider,
    externalProvider,
    ...(ctx.providerMode === 'stand-in' ? { pluginCacheDir: cacheDir } : {}),
  };

  const json = `${JSON.stringify(toolchain, undefined, 2)}\n`;
  const jsonFile = path.join(ctx.dir, 'toolchain.json');
  if (readText(jsonFile) !== json) {
    if (!build) return undefined;
    writeAtomic(jsonFile, json);
    ctx.log(`wrote ${path.relative(ctx.root, jsonFile)}: ${clis.map((c) => `${c.binaryName} ${c.version}`).join(', ')} (${seconds(started)})`);
  } else {
    info(`toolchain up to date: ${clis.map((c) => `${c.binaryName} ${c.version}`).join(', ')} (${seconds(started)})`);
  }
  return done(toolchain);
}

// ---------------------------------------------------------------------------------------------------------------
// CLIs
// ---------------------------------------------------------------------------------------------------------------

interface Found {
  readonly binary: string;
  readonly origin: ToolchainCli['origin'];
}

function findExplicit(value: string): Found | undefined {
  if (value.includes('/') || value.includes(path.sep)) {
    const binary = path.resolve(value);
    return isExecutable(binary) ? { binary, origin: 'TERRAFORM_BINARY_NAME' } : undefined;
  }
  const onPath = findOnPath(value);
  return onPath ? { binary: onPath, origin: 'TERRAFORM_BINARY_NAME' } : undefined;
}

function fingerprint(binary: string): string {
  const st = fs.statSync(binary);
  return `${st.size}:${Math.round(st.mtimeMs)}`;
}

/** Reads the CLI's name and version, reusing the cached answer while the binary is unchanged. */
async function describeCli(ctx: Context, found: Found, baseEnv: Record<string, string>, build: boolean): Promise<ToolchainCli | undefined> {
  const fp = fingerprint(found.binary);
  const cached = ctx.cached?.clis?.find((c) => c.binary === found.binary && c.fingerprint === fp);
  let binaryName: CliName;
  let version: string;
  if (cached) {
    ({ binaryName, version } = cached);
  } else {
    if (!build) return undefined;
    ({ binaryName, version } = readCliVersion(found.binary, baseEnv));
    ctx.log(`${binaryName} ${version}: ${found.binary} (${found.origin})`);
  }
  const env = { ...baseEnv, TERRAFORM_BINARY_NAME: found.binary };
  return { binary: found.binary, binaryName, version, origin: found.origin, env, fingerprint: fp };
}

function readCliVersion(binary: string, env: Record<string, string>): { binaryName: CliName; version: string } {
  const result = spawnSync(binary, ['version', '-json'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
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
  const banner = spawnSync(binary, ['version'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 }).stdout ?? '';
  const binaryName: CliName = /OpenTofu/.test(banner) || path.basename(binary).startsWith('tofu') ? 'tofu' : 'terraform';
  return { binaryName, version };
}

function builtTofuPath(ctx: Context): string {
  return path.join(ctx.dir, 'bin', 'tofu');
}

/**
 * `.toolchain/bin/tofu`, built from the Go module proxy unless it is there and `tofu version` reports OPENTOFU_VERSION.
 * Undefined (only when build=false) means it must be built or checked.
 */
async function builtTofu(ctx: Context, build: boolean): Promise<Found | undefined> {
  const binary = builtTofuPath(ctx);
  if (isExecutable(binary)) {
    const fp = fingerprint(binary);
    const cached = ctx.cached?.clis?.find((c) => c.binary === binary && c.fingerprint === fp);
    if (cached?.version === OPENTOFU_VERSION) return { binary, origin: 'built' };
    if (!build) return undefined;
    const runs = spawnSync(binary, ['version'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    if (runs.status === 0 && runs.stdout.includes(`OpenTofu v${OPENTOFU_VERSION}\n`)) return { binary, origin: 'built' };
    ctx.log(`${path.relative(ctx.root, binary)} is not a working OpenTofu v${OPENTOFU_VERSION}: rebuilding`);
  }
  if (!build) return undefined;
  await buildTofu(ctx, binary);
  return { binary, origin: 'built' };
}

async function buildTofu(ctx: Context, out: string): Promise<void> {
  const go = findGo();
  if (!go) throw new ToolchainError('Go is not installed (no `go` on PATH): install Go 1.26 or newer, or put terraform/tofu on PATH.');
  const started = Date.now();
  const module = `github.com/opentofu/opentofu@v${OPENTOFU_VERSION}`;
  ctx.log(`building OpenTofu v${OPENTOFU_VERSION} from the Go module proxy (a cold build takes ~5 min on 2 cores)...`);
  const buildRoot = path.join(ctx.dir, 'build');
  fs.mkdirSync(buildRoot, { recursive: true });

  // `go install module@version` refuses modules whose go.mod has replace directives, so build it as the main module.
  const download = await run(ctx, go, ['mod', 'download', '-json', module], { cwd: buildRoot, label: 'go mod download' });
  let moduleDir: string;
  try {
    moduleDir = JSON.parse(download).Dir;
  } catch {
    throw new ToolchainError(`go mod download ${module} gave no module directory: ${download}`);
  }
  const src = path.join(buildRoot, `opentofu-${OPENTOFU_VERSION}-${process.pid}`);
  fs.rmSync(src, { recursive: true, force: true });
  fs.cpSync(moduleDir, src, { recursive: true });
  makeWritable(src);
  ctx.log(`  source: ${moduleDir} (${seconds(started)})`);

  const tmp = `${out}.tmp-${process.pid}`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  try {
    await run(ctx, go, ['build', '-mod=readonly', '-trimpath', '-buildvcs=false', '-ldflags', TOFU_LDFLAGS, '-o', tmp, './cmd/tofu'], {
      cwd: src,
      env: { CGO_ENABLED: '0' },
      label: 'go build ./cmd/tofu',
      heartbeat: true,
      hint: 'OpenTofu needs the Go version its go.mod names; with GOTOOLCHAIN=local an older Go cannot build it (GOTOOLCHAIN=auto fetches it from the proxy).',
    });
    const check = spawnSync(tmp, ['version'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    if (check.status !== 0) throw new ToolchainError(`the built tofu does not run: ${check.stderr}`);
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(src, { recursive: true, force: true });
  }
  ctx.log(`built ${path.relative(ctx.root, out)} (OpenTofu v${OPENTOFU_VERSION}) in ${seconds(started)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The provider stand-ins
// ---------------------------------------------------------------------------------------------------------------

/**
 * The stand-in `spec` in the mirror and the plugin cache, built when missing or when its sources changed. Undefined
 * (only when build=false) means it must be built.
 */
async function ensureStandIn(
  ctx: Context,
  spec: StandIn,
  pluginDir: string,
  cacheDir: string,
  go: GoInfo | undefined,
  build: boolean,
  info: (line: string) => void,
  warn: (line: string) => void,
): Promise<ToolchainProvider | undefined> {
  const platform = terraformPlatform();
  const binaries = spec.addresses.flatMap((address) =>
    [pluginDir, cacheDir].map((base) => path.join(base, address, spec.version, platform, providerFileName(spec))),
  );
  const stamp = path.join(ctx.dir, `${spec.name}-provider.stamp`);
  const built = readText(stamp);
  const present = built !== undefined && binaries.every((b) => isExecutable(b));
  let buildHash: string;
  if (!go) {
    if (!present) {
      throw new ToolchainError(
        `Go is not installed (no \`go\` on PATH): install Go 1.25 or newer to build the ${spec.name} provider stand-in ` +
          `(tools/${spec.name}-provider), or use TOOLCHAIN_NULL_PROVIDER=external with the real providers in your own mirror (docs/TOOLCHAIN.md).`,
      );
    }
    buildHash = built!;
    warn(`${spec.name} provider ${spec.version} (stand-in): using the one built earlier (no Go to check it against tools/${spec.name}-provider)`);
  } else {
    buildHash = providerBuildHash(ctx.root, go, spec);
    if (!present || built !== buildHash) {
      if (!build) return undefined;
      await buildProvider(ctx, go, spec, binaries);
      fs.writeFileSync(stamp, buildHash);
    } else {
      info(`${spec.name} provider ${spec.version} (stand-in): cached, build ${buildHash.slice(0, 12)}`);
    }
  }
  return { version: spec.version, mode: 'stand-in', mirror: pluginDir, binary: binaries[0], buildHash };
}

function providerFileName(spec: StandIn): string {
  return `terraform-provider-${spec.name}_v${spec.version}_x5${process.platform === 'win32' ? '.exe' : ''}`;
}

function providerSourceDir(root: string, spec: StandIn): string {
  return path.join(root, 'tools', `${spec.name}-provider`);
}

function providerLdflags(spec: StandIn): string {
  return `-s -w -X main.version=${spec.version}`;
}

/** What the build reads: Go sources and the module files (a README edit rebuilds nothing). */
function isBuildInput(name: string): boolean {
  return name.endsWith('.go') || name === 'go.mod' || name === 'go.sum';
}

/** sha256 over the Go sources and module files of tools/<name>-provider (path and content), the Go version, the target platform and the build flags. */
function providerBuildHash(root: string, go: GoInfo, spec: StandIn): string {
  const hash = createHash('sha256');
  hash.update(`go=${go.version} platform=${go.goos}_${go.goarch} ldflags=${providerLdflags(spec)} cgo=0 trimpath\n`);
  const srcDir = providerSourceDir(root, spec);
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.isFile() && isBuildInput(e.name) ? [path.join(dir, e.name)] : []));
  for (const file of walk(srcDir).sort()) {
    hash.update(`${path.relative(srcDir, file).split(path.sep).join('/')}\0`);
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Builds once, then places the binary (atomically, by rename) in the mirror and pre-seeds the plugin cache. */
async function buildProvider(ctx: Context, go: GoInfo, spec: StandIn, targets: string[]): Promise<void> {
  const started = Date.now();
  ctx.log(`building the ${spec.name} provider ${spec.version} stand-in from tools/${spec.name}-provider (${go.version})...`);
  const staging = path.join(ctx.dir, 'build', `${spec.name}-provider-${process.pid}`);
  fs.mkdirSync(path.dirname(staging), { recursive: true });
  try {
    await run(ctx, go.go, ['build', '-mod=readonly', '-trimpath', '-buildvcs=false', '-ldflags', providerLdflags(spec), '-o', staging, '.'], {
      cwd: providerSourceDir(ctx.root, spec),
      env: { CGO_ENABLED: '0', GOOS: go.goos, GOARCH: go.goarch },
      label: `go build (${spec.name} provider)`,
      heartbeat: true,
    });
    for (const target of targets) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const tmp = `${target}.tmp-${process.pid}`;
      fs.rmSync(tmp, { force: true });
      try {
        fs.linkSync(staging, tmp);
      } catch {
        fs.copyFileSync(staging, tmp);
      }
      fs.chmodSync(tmp, 0o755);
      // A rename never disturbs a terraform that is running the old binary.
      fs.renameSync(tmp, target);
    }
  } finally {
    fs.rmSync(staging, { force: true });
  }
  ctx.log(`built the ${spec.name} provider into ${path.relative(ctx.root, path.join(ctx.dir, 'plugins'))} in ${seconds(started)}`);
}

/** HCL string literal (JSON escapes are valid HCL; template sequences are escaped). */
function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, () => '$${').replace(/%\{/g, '%%{');
}

/** The CLI configuration: the mirror for the stand-in providers only, nothing that reaches the network, and a shared plugin cache. */
function cliConfig(pluginDir: string, cacheDir: string): string {
  return [
    '# Written by tools/toolchain.ts: used only by commands run with the toolchain\'s env (TF_CLI_CONFIG_FILE).',
    '# The null and external providers come from the project-local mirror; no other installation method is configured.',
    `plugin_cache_dir = ${hclString(cacheDir)}`,
    '# The cache is pre-seeded with the same binary, so inits without a lock file link it instead of rewriting it.',
    'plugin_cache_may_break_dependency_lock_file = true',
    'disable_checkpoint = true',
    '',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${hclString(pluginDir)}`,
    `    include = [${[...NULL_PROVIDER_ADDRESSES, ...EXTERNAL_PROVIDER_ADDRESSES].map(hclString).join(', ')}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Go, processes, files, lock
// ---------------------------------------------------------------------------------------------------------------

function findGo(): string | undefined {
  return findOnPath('go') ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

function readGoInfo(go: string, platform: string): GoInfo {
  const result = spawnSync(go, ['env', 'GOVERSION'], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new ToolchainError(`\`go env\` failed: ${result.stderr || result.error?.message}`);
  const [goos, goarch] = platform.split('_');
  return { go, version: result.stdout.trim(), goos, goarch };
}

/** The platform Terraform runs on here, in its own words (GOOS_GOARCH): the provider is built for it, whatever GOOS/GOARCH say. */
function terraformPlatform(): string {
  const goos: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
  const goarch: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return `${goos[process.platform] ?? process.platform}_${goarch[process.arch] ?? process.arch}`;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
  readonly label: string;
  readonly heartbeat?: boolean;
  readonly hint?: string;
}

/** Runs a command, collecting stdout; on failure throws with the tail of its output. */
function run(ctx: Context, command: string, args: string[], options: RunOptions): Promise<string> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = options.heartbeat ? setInterval(() => ctx.log(`  ... ${options.label}: ${seconds(started)}`), 30_000) : undefined;
    child.on('error', (err) => {
      if (timer) clearInterval(timer);
      reject(new ToolchainError(`${options.label}: ${err.message}`));
    });
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      if (code === 0) return resolvePromise(stdout);
      const tail = `${stdout}${stderr}`.trim().split('\n').slice(-25).join('\n');
      reject(new ToolchainError(`${options.label} failed (exit ${code}) in ${options.cwd}:\n${tail}${options.hint ? `\n${options.hint}` : ''}`));
    });
  });
}

function makeWritable(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      fs.chmodSync(p, 0o755);
      makeWritable(p);
    } else if (entry.isFile()) {
      fs.chmodSync(p, 0o644); // Go sources and data: nothing in the build executes them
    }
  }
  fs.chmodSync(dir, 0o755);
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readJson<T>(file: string): T | undefined {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text);
    return value?.schemaVersion === SCHEMA_VERSION ? value : undefined;
  } catch {
    return undefined;
  }
}

function writeAtomic(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A lock directory (mkdir is atomic) holding the owner's pid; a lock whose owner is gone is taken over. */
async function withLock<T>(ctx: Context, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(ctx.dir, '.lock');
  const owner = path.join(lock, 'owner');
  const deadline = Date.now() + 60 * 60_000;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(owner, `${process.pid} ${os.hostname()}`);
      break;
    } catch (err: any) {
      if (err.code !== 'EEXIST') throw err;
    }
    const [pid, host] = (readText(owner) ?? '').split(' ');
    let age = 0;
    try {
      age = Date.now() - fs.statSync(lock).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    const ownerGone = pid ? host === os.hostname() && !processAlive(Number(pid)) : age > 30_000;
    if (ownerGone) {
      fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new ToolchainError(`timed out waiting for ${lock} (held by pid ${pid})`);
    if (!announced) {
      ctx.log(`waiting for another toolchain run (pid ${pid || '?'}) to finish...`);
      announced = true;
    }
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: any) {
    return err.code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------------------

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv);
  if (flags.has('--help') || flags.has('-h')) {
    process.stdout.write(
      [
        'usage: tools/toolchain.ts [--all] [--json | --print-env] [--provider=external] [--quiet]',
        '  --all                also provision the other CLI (terraform and tofu; tofu is built from source if not on PATH)',
        '  --json               print .toolchain/toolchain.json',
        '  --print-env          print `export` lines for the primary CLI: eval "$(... --print-env)"',
        '  --provider=external  no stand-ins: the real providers come from your own CLI config (registry or mirror)',
        '',
      ].join('\n'),
    );
    return 0;
  }
  const known = ['--all', '--json', '--print-env', '--provider=external', '--provider=stand-in', '--quiet'];
  const unknown = argv.filter((a) => !known.includes(a));
  if (unknown.length) {
    process.stderr.write(`toolchain: unknown argument(s) ${unknown.join(' ')} (see --help)\n`);
    return 2;
  }
  const started = Date.now();
  const quiet = flags.has('--quiet');
  const log = (line: string) => !quiet && process.stderr.write(`[toolchain] ${line}\n`);
  const provider = flags.has('--provider=external') ? 'external' : flags.has('--provider=stand-in') ? 'stand-in' : undefined;
  try {
    const toolchain = await ensureToolchain({ all: flags.has('--all') || undefined, provider, log, verbose: true });
    if (flags.has('--json')) {
      process.stdout.write(`${JSON.stringify(toolchain, undefined, 2)}\n`);
    } else if (flags.has('--print-env')) {
      for (const [key, value] of Object.entries(toolchain.env)) process.stdout.write(`export ${key}=${shellQuote(value)}\n`);
    }
    const clis = toolchain.clis.map((c) => `${c.binaryName} ${c.version}`).join(', ');
    log(`ready in ${seconds(started)}: ${clis}; null ${toolchain.nullProvider.version}, external ${toolchain.externalProvider.version} (${toolchain.nullProvider.mode}); see .toolchain/toolchain.json`);
    return 0;
  } catch (err: any) {
    process.stderr.write(`[toolchain] error: ${err instanceof ToolchainError ? err.message : err?.stack ?? err}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
