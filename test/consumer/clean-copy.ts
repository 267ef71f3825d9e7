/**
 * A copy of the repository as a fresh clone has it: the files git tracks (and new ones it does not ignore), as they
 * are in the working tree, without anything built (lib/, assets/, dist/, .jsii, .toolchain/). node_modules is linked,
 * not installed: `npm ci` is not what these tests are about.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

export function cleanCopy(prefix: string): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const source = path.join(ROOT, file);
    // Deleted in the working tree but not yet in the index.
    if (!fs.existsSync(source)) continue;
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(source, path.join(copy, file));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  return copy;
}
