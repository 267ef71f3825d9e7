/**
 * OpenTofu built from the Go module proxy into `.toolchain/bin/tofu`: when there is no CLI at all, or for `--all`
 * on a machine that cannot reach the registry.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Found } from './cli';
import { fingerprint, isExecutable, makeWritable } from './files';
import { findGo } from './go';
import { run, seconds } from './run';
import { Context, ToolchainError } from './types';

/** The OpenTofu release built from source when no `tofu` is on PATH: the newest the proxy serves that builds with Go 1.26. */
export const OPENTOFU_VERSION = '1.12.6';
const TOFU_LDFLAGS = "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'";

export function builtTofuPath(ctx: Context): string {
  return path.join(ctx.dir, 'bin', 'tofu');
}

/**
 * `.toolchain/bin/tofu`, built from the Go module proxy unless it is there and `tofu version` reports OPENTOFU_VERSION.
 * Undefined (only when build=false) means it must be built or checked.
 */
export async function builtTofu(ctx: Context, build: boolean): Promise<Found | undefined> {
  const binary = builtTofuPath(ctx);
  if (isExecutable(binary)) {
    const fp = fingerprint(binary);
    const cached = ctx.cached?.clis?.find((c) => c.binary === binary && c.fingerprint === fp);
    if (cached?.version === OPENTOFU_VERSION) return { binary, origin: 'built' };
    if (!build) return undefined;
    const runs = spawnSync(binary, ['version'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    if (runs.status === 0 && runs.stdout.includes(`OpenTofu v${OPENTOFU_VERSION}\n`)) return { binary, origin: 'built' };
    ctx.log(`${path.relative(ctx.root, binary)} is not a working OpenTofu v${OPENTOFU_VERSION}: rebuilding`);
  }
  if (!build) return undefined;
  await buildTofu(ctx, binary);
  return { binary, origin: 'built' };
}

async function buildTofu(ctx: Context, out: string): Promise<void> {
  const go = findGo();
  if (!go) throw new ToolchainError('Go is not installed (no `go` on PATH): install Go 1.26 or newer, or put terraform/tofu on PATH.');
  const started = Date.now();
  const module = `github.com/opentofu/opentofu@v${OPENTOFU_VERSION}`;
  ctx.log(`building OpenTofu v${OPENTOFU_VERSION} from the Go module proxy (a cold build takes ~5 min on 2 cores)...`);
  const buildRoot = path.join(ctx.dir, 'build');
  fs.mkdirSync(buildRoot, { recursive: true });

  // `go install module@version` refuses modules whose go.mod has replace directives, so build it as the main module.
  const download = await run(ctx, go, ['mod', 'download', '-json', module], { cwd: buildRoot, label: 'go mod download' });
  let moduleDir: string;
  try {
    moduleDir = JSON.parse(download).Dir;
  } catch {
    throw new ToolchainError(`go mod download ${module} gave no module directory: ${download}`);
  }
  const src = path.join(buildRoot, `opentofu-${OPENTOFU_VERSION}-${process.pid}`);
  fs.rmSync(src, { recursive: true, force: true });
  fs.cpSync(moduleDir, src, { recursive: true });
  makeWritable(src);
  ctx.log(`  source: ${moduleDir} (${seconds(started)})`);

  const tmp = `${out}.tmp-${process.pid}`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  try {
    await run(ctx, go, ['build', '-mod=readonly', '-trimpath', '-buildvcs=false', '-ldflags', TOFU_LDFLAGS, '-o', tmp, './cmd/tofu'], {
      cwd: src,
      env: { CGO_ENABLED: '0' },
      label: 'go build ./cmd/tofu',
      heartbeat: true,
      hint: 'OpenTofu needs the Go version its go.mod names; with GOTOOLCHAIN=local an older Go cannot build it (GOTOOLCHAIN=auto fetches it from the proxy).',
    });
    const check = spawnSync(tmp, ['version'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    if (check.status !== 0) throw new ToolchainError(`the built tofu does not run: ${check.stderr}`);
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(src, { recursive: true, force: true });
  }
  ctx.log(`built ${path.relative(ctx.root, out)} (OpenTofu v${OPENTOFU_VERSION}) in ${seconds(started)}`);
}
