/**
 * The stack that `app/main.py` defines through the Python binding, built by binding-app.js (shared with the
 * cdktn test) from the library's source. The two must synthesize the same cdk.tf.json.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as nullProvider from '@cdktf/provider-null/lib/provider';
import * as cdktf from 'cdktf';
import { synthBindingApp } from './binding-app';
import * as library from '../../src';

export { STACK_NAME } from './binding-app';

export function synthTypeScriptApp(outdir: string): void {
  synthBindingApp({ ...cdktf, ...nullProvider, ...library }, outdir);
}

/**
 * Every file a synthesized app wrote, by relative path: JSON parsed, so that a difference shows as a
 * structural diff; anything else (the handler bundle) by digest.
 */
export function outputFiles(outdir: string): Record<string, unknown> {
  const files: Record<string, unknown> = {};
  for (const rel of fs.readdirSync(outdir, { recursive: true }) as string[]) {
    const file = path.join(outdir, rel);
    if (fs.statSync(file).isDirectory()) continue;
    const content = fs.readFileSync(file);
    files[rel] = rel.endsWith('.json') ? JSON.parse(content.toString('utf8')) : createHash('sha256').update(content).digest('hex');
  }
  return files;
}
