/**
 * npm workspaces under .toolchain/cdktn in which a user's cdktn app installs the library, and the packed
 * library itself. Third-party packages are installed once per package.json (cached); the library is packed
 * from the current build and unpacked into a workspace on every run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureJsiiAssembly, ROOT, run, withBuildLock } from '../python/artifacts';

export const CDKTN_VERSION = '0.24.0';
/** cdktn 0.24.0 peers constructs >=10.6.0 <10.8.0. */
export const CDKTN_CONSTRUCTS_VERSION = '10.7.2';
/** The cdktn-native null binding: on PyPI only (npm answers 404); its npm tarball is inside the wheel. */
export const CDKTN_NULL_PROVIDER_VERSION = '15.0.2';

const DIR = path.join(ROOT, '.toolchain', 'cdktn');
const NULL_PROVIDER_TARBALL = path.join(DIR, `cdktn-provider-null-${CDKTN_NULL_PROVIDER_VERSION}.tgz`);
const NULL_PROVIDER_DEPENDENCY = `file:${path.basename(NULL_PROVIDER_TARBALL)}`;

export interface WorkspaceSpec {
  readonly name: string;
  readonly dependencies: Record<string, string>;
  readonly overrides?: Record<string, string>;
}

/** The library's package peers (cdktf 0.21.0 and its null binding) installed next to cdktn. */
export const SIDE_BY_SIDE: WorkspaceSpec = {
  name: 'side-by-side',
  dependencies: {
    'cdktn': CDKTN_VERSION,
    'constructs': CDKTN_CONSTRUCTS_VERSION,
    'cdktf': '0.21.0',
    '@cdktf/provider-null': '11.0.1',
  },
};

/** `cdktf` is cdktn under the old name, for the library and its null binding; also the cdktn-native binding. */
export const ALIASED: WorkspaceSpec = {
  name: 'aliased',
  dependencies: {
    'cdktn': CDKTN_VERSION,
    'cdktf': `npm:cdktn@${CDKTN_VERSION}`,
    'constructs': CDKTN_CONSTRUCTS_VERSION,
    '@cdktf/provider-null': '11.0.1',
    '@cdktn/provider-null': NULL_PROVIDER_DEPENDENCY,
  },
  // Without it npm refuses the alias: @cdktf/provider-null (and the library) peer cdktf ^0.21.0.
  overrides: { cdktf: '$cdktf' },
};

/** The workspace's directory, its dependencies installed. */
export async function ensureWorkspace(spec: WorkspaceSpec): Promise<string> {
  const dir = path.join(DIR, spec.name);
  const manifest = `${JSON.stringify({ name: `cdktn-${spec.name}`, private: true, dependencies: spec.dependencies, overrides: spec.overrides }, null, 2)}\n`;
  const installed = () => readText(path.join(dir, 'package.json')) === manifest && fs.existsSync(path.join(dir, 'node_modules', '.package-lock.json'));
  if (installed()) return dir;
  await withBuildLock(async () => {
    if (installed()) return;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    if (Object.values(spec.dependencies).includes(NULL_PROVIDER_DEPENDENCY)) {
      await ensureCdktnNullProviderTarball();
      fs.copyFileSync(NULL_PROVIDER_TARBALL, path.join(dir, path.basename(NULL_PROVIDER_TARBALL)));
    }
    fs.writeFileSync(path.join(dir, 'package.json'), manifest);
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  });
  return dir;
}

/** Packs the library from the current build into `destination`; returns the tarball. */
export async function packLibrary(destination: string): Promise<string> {
  await ensureJsiiAssembly();
  const [{ filename }] = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: ROOT }));
  return path.join(destination, filename);
}

/** Installs the packed library into the workspace (it has no dependencies of its own, only peers). */
export async function installLibrary(workspace: string, tarball: string): Promise<void> {
  const target = path.join(workspace, 'node_modules', 'cdktf-fpga-image-association');
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  await run('tar', ['xzf', tarball, '--strip-components=1', '-C', target], { cwd: workspace });
}

async function ensureCdktnNullProviderTarball(): Promise<void> {
  if (fs.existsSync(NULL_PROVIDER_TARBALL)) return;
  fs.mkdirSync(DIR, { recursive: true });
  const download = fs.mkdtempSync(path.join(DIR, 'download-'));
  try {
    await run('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--dest', download, `cdktn-provider-null==${CDKTN_NULL_PROVIDER_VERSION}`], { cwd: DIR });
    const [wheel] = fs.readdirSync(download).filter((name) => name.endsWith('.whl'));
    const extract = [
      'import sys, zipfile',
      'wheel = zipfile.ZipFile(sys.argv[1])',
      '[name] = [n for n in wheel.namelist() if n.endswith(".jsii.tgz")]',
      'open(sys.argv[2], "wb").write(wheel.read(name))',
    ].join('\n');
    await run('python3', ['-c', extract, path.join(download, wheel), `${NULL_PROVIDER_TARBALL}.partial`], { cwd: DIR });
    fs.renameSync(`${NULL_PROVIDER_TARBALL}.partial`, NULL_PROVIDER_TARBALL);
  } finally {
    fs.rmSync(download, { recursive: true, force: true });
  }
}

function readText(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}
