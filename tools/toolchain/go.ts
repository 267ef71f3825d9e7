/** The Go toolchain that builds the stand-ins and OpenTofu: needed only on a machine that cannot reach the registry. */
import { spawnSync } from 'node:child_process';
import { findOnPath } from './files';
import { ToolchainError } from './types';

export interface GoInfo {
  readonly go: string;
  readonly version: string;
  readonly goos: string;
  readonly goarch: string;
}

/** `go` on PATH: only there, so that taking Go off PATH is how a user (or a test) says there is none. */
export function findGo(): string | undefined {
  return findOnPath('go');
}

export function readGoInfo(go: string): GoInfo {
  const result = spawnSync(go, ['env', 'GOVERSION'], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new ToolchainError(`\`go env\` failed: ${result.stderr || result.error?.message}`);
  const [goos, goarch] = terraformPlatform().split('_');
  return { go, version: result.stdout.trim(), goos, goarch };
}

/** The platform Terraform runs on here, in its own words (GOOS_GOARCH): providers are built for it, whatever GOOS/GOARCH say. */
export function terraformPlatform(): string {
  const goos: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
  const goarch: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return `${goos[process.platform] ?? process.platform}_${goarch[process.arch] ?? process.arch}`;
}
