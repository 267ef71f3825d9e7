import * as fs from 'node:fs';
import * as path from 'node:path';
import { BenchContext, BenchResult } from './lib/bench';
import { mustTime } from './lib/process';
import { interleave, ms, summarize, Summary } from './lib/stats';
import { startNpmRegistry } from '../test/runner/npm-registry';
import { ensurePinnedTarballs } from '../test/runner/pinned-node';
import { createRunner } from '../test/runner/runner';

/**
 * What a runner without Node pays for the launcher's first fetch of the pinned Node, from a loopback npm mirror
 * (the real tarball, as the tests serve it): a run with an empty cache (download, sha512, extract, `--version`,
 * rename, then the program) against the same run with the cache filled, and against a bare `curl` of the tarball
 * from the same mirror, interleaved. The program is an empty script: the launcher's part only.
 */

const VARIANTS = ['first', 'cached', 'download'] as const;
type Variant = (typeof VARIANTS)[number];

export interface FirstFetchData {
  readonly tarballBytes: number;
  readonly runMs: Record<Variant, Summary>;
}

export async function firstFetch(context: BenchContext): Promise<BenchResult> {
  const [tarball] = await ensurePinnedTarballs();
  const registry = await startNpmRegistry([tarball]);
  const runner = await createRunner({ registry: registry.url });
  try {
    const script = path.join(runner.home, 'empty.js');
    fs.writeFileSync(script, '');
    const scratch = fs.mkdtempSync(path.join(context.buildDir, 'first-fetch-'));
    const cached = path.join(scratch, 'cached');
    const launch = (cache: string) => mustTime('sh', [context.nodeLauncher, script], { env: { ...runner.env, XDG_CACHE_HOME: cache } });
    await launch(cached);
    // A run that did not do what it is measured for would look cheap (or dear): each says what it did.
    const expectFetch = (fetched: boolean, run: { ms: number; stderr: string }) => {
      if (run.stderr.includes(': fetching Node.js') !== fetched) throw new Error(`the launcher ${fetched ? 'did not fetch' : 'fetched'} where it should${fetched ? '' : ' not'}: ${run.stderr}`);
      return run.ms;
    };
    const samples = await interleave(context.rounds(9, 3), VARIANTS, async (variant, round) => {
      if (variant === 'cached') return expectFetch(false, await launch(cached));
      const fresh = path.join(scratch, `${variant}-${round}`);
      fs.mkdirSync(fresh);
      try {
        if (variant === 'first') return expectFetch(true, await launch(fresh));
        return (await mustTime('curl', ['-fsS', '-o', path.join(fresh, 'download.tgz'), registry.tarballUrl(tarball)], { env: runner.env })).ms;
      } finally {
        fs.rmSync(fresh, { recursive: true, force: true });
      }
    });
    fs.rmSync(scratch, { recursive: true, force: true });
    const runMs = Object.fromEntries(VARIANTS.map((v) => [v, summarize(samples[v])])) as Record<Variant, Summary>;
    context.progress(`first fetch ${ms(runMs.first.median)}, cached ${ms(runMs.cached.median)}, curl alone ${ms(runMs.download.median)}`);
    const data: FirstFetchData = { tarballBytes: fs.statSync(tarball.file).size, runMs };
    return { goals: [], data };
  } finally {
    runner.cleanup();
    await registry.stop();
  }
}
