/**
 * API.md is generated from the jsii assembly (`npx projen docgen`, also run by `npx projen build`) and
 * committed: this fails when the committed file no longer matches the public API.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureJsiiAssembly, ROOT, run } from './python/artifacts';

test('API.md matches the public API', async () => {
  await ensureJsiiAssembly();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fpga-api-docs-'));
  try {
    const generated = path.join(dir, 'API.md');
    await run(path.join(ROOT, 'node_modules', '.bin', 'jsii-docgen'), ['-o', generated], { cwd: ROOT });
    const expected = fs.readFileSync(generated, 'utf8');
    const committed = path.join(ROOT, 'API.md');
    const actual = fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8') : '';
    if (actual !== expected) {
      const line = firstDifferentLine(actual, expected);
      throw new Error(
        `API.md is stale (first difference at line ${line.number}: committed ${JSON.stringify(line.actual)}, ` +
          `generated ${JSON.stringify(line.expected)}): run \`npx projen compile && npx projen docgen\` and commit API.md`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 10 * 60_000);

function firstDifferentLine(actual: string, expected: string) {
  const a = actual.split('\n');
  const e = expected.split('\n');
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  return { number: i + 1, actual: a[i] ?? '<end of file>', expected: e[i] ?? '<end of file>' };
}
