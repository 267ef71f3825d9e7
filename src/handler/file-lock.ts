import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A lock between the handler processes that Terraform runs in parallel: a file created with O_EXCL
 * (`wx`), which exactly one process can create, removed to release it. Used by the rate budget
 * (held for well under a millisecond) and the project cache (held for one IAM lookup).
 */

export interface FileLockOptions {
  /** A lock file older than this was left by a process that died (or one too slow to wait for): it is removed. */
  readonly staleMs: number;
  /** How long to wait for the lock before giving up. */
  readonly waitMs: number;
  /** How often to try again while it is held. */
  readonly pollMs: number;
}

export type FileLock = { readonly release: () => void } | { readonly problem: string };

/** Takes the lock at `path`, waiting while another process holds it; returns its release, or why it could not be had. */
export async function lockFile(path: string, options: FileLockOptions): Promise<FileLock> {
  const giveUpAt = Date.now() + options.waitMs;
  for (;;) {
    try {
      closeSync(openSync(path, 'wx', 0o600));
      return { release: () => release(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return { problem: `cannot create ${path}: ${(error as Error).message}` };
    }
    if (removedAsStale(path, options.staleMs)) continue;
    if (Date.now() >= giveUpAt) return { problem: `${path} stayed locked for ${options.waitMs} ms` };
    await sleep(options.pollMs);
  }
}

function release(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already removed as stale by another process: nothing to release.
  }
}

/**
 * Removes the lock when its holder has evidently died. Two processes may both judge it stale and one
 * may then remove the other's fresh lock: the users of this lock only lose an optimisation then
 * (two requests in one slot, two project lookups), never correctness.
 */
function removedAsStale(path: string, staleMs: number): boolean {
  try {
    if (Date.now() - statSync(path).mtimeMs < staleMs) return false;
    unlinkSync(path);
    return true;
  } catch {
    // Released in the meantime: try again at once.
    return true;
  }
}
