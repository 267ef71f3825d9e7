/**
 * The stack that `app/main.py` defines through the Python binding, written in TypeScript against `src/`.
 * The two must synthesize the same cdk.tf.json, so keep them in step. Between them they cover both public
 * constructs, region and endpoint, every handler option, and a null provider the user declares (aliased, so
 * the library still adds the default one).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { FpgaImageAssociation, RemovedFpgaImageAssociation } from '../../src';

export const STACK_NAME = 'fpga-binding';

export function synthTypeScriptApp(outdir: string): void {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, STACK_NAME);
  new NullProvider(stack, 'SecondaryNull', { alias: 'secondary' });
  new FpgaImageAssociation(stack, 'Primary', {
    projectId: '0123456789abcdef0123456789abcdef',
    fpgaImageId: '4010a32b5f231f04015f24259efd0429',
    imageId: '18efee75-e058-4c52-a49c-9e3ba4d1c8de',
    region: 'cn-north-1',
  });
  new FpgaImageAssociation(stack, 'Tuned', {
    projectId: '0123456789abcdef0123456789abcdef',
    fpgaImageId: '4010a32b5f231f04015f24259efd0430',
    imageId: '5c0e9a5e-3f7a-4c1e-9b8d-2f6a1d3c4b5e',
    endpoint: 'http://127.0.0.1:8080/',
    enabled: true,
    attemptTimeoutSeconds: 5,
    totalTimeoutSeconds: 60,
    maxAttempts: 3,
    nodeExecutable: '/usr/local/bin/node',
  });
  new RemovedFpgaImageAssociation(stack, 'Retired', { maxAttempts: 4 });
  app.synth();
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
