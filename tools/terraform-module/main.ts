/**
 * The last step of `npm run compile`: the module into terraform/fpga-image-association/, where the
 * npm package ships it (HCL users point `source` at it under node_modules).
 *
 * With `--archive` (`npm run package:terraform`, after the compile): that directory copied into
 * dist/terraform/fpga-image-association/, and its archive, dist/terraform/fpga-image-association-<version>.tar.gz,
 * to publish or vendor.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODULE_NAME, PACKAGED, writeModule } from '.';

const ROOT = path.join(__dirname, '..', '..');

if (process.argv.includes('--archive')) {
  if (!fs.existsSync(path.join(PACKAGED, 'main.tf'))) throw new Error(`${path.relative(ROOT, PACKAGED)}/ is missing: \`npm run compile\` writes it`);
  const out = path.join(ROOT, 'dist', 'terraform');
  const dir = path.join(out, MODULE_NAME);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(PACKAGED, dir, { recursive: true });
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const archive = path.join(out, `${MODULE_NAME}-${version}.tar.gz`);
  execFileSync('tar', ['-czf', archive, '-C', out, MODULE_NAME]);
  process.stdout.write(`wrote ${path.relative(ROOT, dir)}/ and ${path.relative(ROOT, archive)}\n`);
} else {
  writeModule(PACKAGED);
  process.stdout.write(`wrote ${path.relative(ROOT, PACKAGED)}/\n`);
}
