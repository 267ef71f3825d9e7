/**
 * The Terraform module as an HCL user gets it: generated from this checkout (the compile's last step,
 * tools/terraform-module/main.ts), packed into the npm tarball by `npm pack`, and taken out of it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MODULE_NAME, PACKAGED, writeModule } from '../../tools/terraform-module';
import { ensureJsiiAssembly, run, withBuildLock } from '../python/artifacts';

const ROOT = path.join(__dirname, '..', '..');

export interface PackedModule {
  /** The module's directory inside the unpacked package (`package/terraform/fpga-image-association`). */
  readonly dir: string;
  /** Every path the tarball holds, relative to its `package/`. */
  readonly files: readonly string[];
  readonly cleanup: () => void;
}

/** Generates the module from the current sources, packs the npm package and unpacks it into a temporary directory. */
export async function packedModule(): Promise<PackedModule> {
  await ensureJsiiAssembly();
  const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-packed-module-'));
  // The module and the pack under the build lock: another test process may be writing the same directory.
  const tarball = await withBuildLock(async () => {
    writeModule(PACKAGED);
    const name = (await run('npm', ['pack', '--silent', '--pack-destination', unpacked], { cwd: ROOT })).trim().split('\n').pop()!;
    return path.join(unpacked, name);
  });
  await run('tar', ['-xzf', tarball, '-C', unpacked], { cwd: unpacked });
  const files = (await run('tar', ['-tzf', tarball], { cwd: unpacked })).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
  return {
    dir: path.join(unpacked, 'package', 'terraform', MODULE_NAME),
    files,
    cleanup: () => fs.rmSync(unpacked, { recursive: true, force: true }),
  };
}
