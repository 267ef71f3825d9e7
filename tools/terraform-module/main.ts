/**
 * `npm run package:terraform`: the module into dist/terraform/fpga-image-association/, and an archive
 * of it (dist/terraform/fpga-image-association-<version>.tar.gz) to publish or vendor.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODULE_NAME, writeModule } from '.';

const ROOT = path.join(__dirname, '..', '..');
const out = path.join(ROOT, 'dist', 'terraform');
const dir = path.join(out, MODULE_NAME);
writeModule(dir);
const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const archive = path.join(out, `${MODULE_NAME}-${version}.tar.gz`);
execFileSync('tar', ['-czf', archive, '-C', out, MODULE_NAME]);
process.stdout.write(`wrote ${path.relative(ROOT, dir)}/ and ${path.relative(ROOT, archive)}\n`);
