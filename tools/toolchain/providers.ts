/**
 * The providers' identities, and the stand-ins for them: schema-compatible builds of tools/null-provider and
 * tools/external-provider (our source), made only when the real providers cannot be installed. Each is rebuilt
 * only when a hash of its Go sources, the Go version and the build flags changes (`.toolchain/<name>-provider.stamp`).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isExecutable, placeExecutable, readText } from './files';
import { GoInfo, terraformPlatform } from './go';
import { run, seconds } from './run';
import { Context, ToolchainError, ToolchainProvider } from './types';

/** The null provider version `@cdktf/provider-null@11.0.1` pins (`required_providers.null.version`). */
export const NULL_PROVIDER_VERSION = '3.2.4';
/** Hostnames under which the bare source `"null"` resolves: Terraform's and OpenTofu's default registries. */
export const NULL_PROVIDER_ADDRESSES = ['registry.terraform.io/hashicorp/null', 'registry.opentofu.org/hashicorp/null'];
/** The external provider version the stand-in reports: the newest 2.3.x, which `~> 2.3` (the drift check's constraint) accepts. */
export const EXTERNAL_PROVIDER_VERSION = '2.3.5';
/** Hostnames under which `hashicorp/external` resolves. */
export const EXTERNAL_PROVIDER_ADDRESSES = ['registry.terraform.io/hashicorp/external', 'registry.opentofu.org/hashicorp/external'];

/** A provider the project needs; its stand-in is built from tools/<name>-provider. */
export interface ProviderSpec {
  readonly name: 'null' | 'external';
  readonly version: string;
  readonly addresses: readonly string[];
}

export const NULL_PROVIDER: ProviderSpec = { name: 'null', version: NULL_PROVIDER_VERSION, addresses: NULL_PROVIDER_ADDRESSES };
export const EXTERNAL_PROVIDER: ProviderSpec = { name: 'external', version: EXTERNAL_PROVIDER_VERSION, addresses: EXTERNAL_PROVIDER_ADDRESSES };
export const PROVIDERS: readonly ProviderSpec[] = [NULL_PROVIDER, EXTERNAL_PROVIDER];

/**
 * The stand-in `spec` in the mirror and the plugin cache, built when missing or when its sources changed. Undefined
 * (only when build=false) means it must be built.
 */
export async function ensureStandIn(
  ctx: Context,
  spec: ProviderSpec,
  dirs: { readonly mirror: string; readonly cache: string },
  go: GoInfo | undefined,
  build: boolean,
  notes: { info: (line: string) => void; warn: (line: string) => void },
): Promise<ToolchainProvider | undefined> {
  const platform = terraformPlatform();
  const binaries = spec.addresses.flatMap((address) =>
    [dirs.mirror, dirs.cache].map((base) => path.join(base, address, spec.version, platform, providerFileName(spec))),
  );
  const stamp = path.join(ctx.dir, `${spec.name}-provider.stamp`);
  const built = readText(stamp);
  const present = built !== undefined && binaries.every((b) => isExecutable(b));
  let buildHash: string;
  if (!go) {
    if (!present) {
      throw new ToolchainError(
        `Go is not installed (no \`go\` on PATH), and it is needed here: the registry is not reachable, so the ${spec.name} provider ` +
          `stand-in must be built from tools/${spec.name}-provider. Install Go 1.25 or newer, or make hashicorp/null ${NULL_PROVIDER_VERSION} ` +
          `and hashicorp/external ${EXTERNAL_PROVIDER_VERSION} reachable (a provider mirror in your CLI configuration: docs/TOOLCHAIN.md).`,
      );
    }
    buildHash = built!;
    notes.warn(`${spec.name} provider ${spec.version} (stand-in): using the one built earlier (no Go to check it against tools/${spec.name}-provider)`);
  } else {
    buildHash = providerBuildHash(ctx.root, go, spec);
    if (!present || built !== buildHash) {
      if (!build) return undefined;
      await buildProvider(ctx, go, spec, binaries);
      fs.writeFileSync(stamp, buildHash);
    } else {
      notes.info(`${spec.name} provider ${spec.version} (stand-in): cached, build ${buildHash.slice(0, 12)}`);
    }
  }
  return { version: spec.version, mode: 'stand-in', mirror: dirs.mirror, binary: binaries[0], buildHash };
}

function providerFileName(spec: ProviderSpec): string {
  return `terraform-provider-${spec.name}_v${spec.version}_x5${process.platform === 'win32' ? '.exe' : ''}`;
}

function providerSourceDir(root: string, spec: ProviderSpec): string {
  return path.join(root, 'tools', `${spec.name}-provider`);
}

function providerLdflags(spec: ProviderSpec): string {
  return `-s -w -X main.version=${spec.version}`;
}

/** What the build reads: Go sources and the module files (a README edit rebuilds nothing). */
function isBuildInput(name: string): boolean {
  return name.endsWith('.go') || name === 'go.mod' || name === 'go.sum';
}

/** sha256 over the Go sources and module files of tools/<name>-provider (path and content), the Go version, the target platform and the build flags. */
function providerBuildHash(root: string, go: GoInfo, spec: ProviderSpec): string {
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

/** Builds once, then places the binary in the mirror and pre-seeds the plugin cache. */
async function buildProvider(ctx: Context, go: GoInfo, spec: ProviderSpec, targets: string[]): Promise<void> {
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
    placeExecutable(staging, targets);
  } finally {
    fs.rmSync(staging, { force: true });
  }
  ctx.log(`built the ${spec.name} provider stand-in into ${path.dirname(targets[0])} in ${seconds(started)}`);
}
