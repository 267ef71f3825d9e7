import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lockFile, type FileLockOptions } from './file-lock';
import { readJsonFile } from './file-read';
import { privateDirectory, userDirectory, writePrivateFile } from './private-directory';

/**
 * A request rate shared by the handler processes Terraform runs in parallel: each process reserves
 * the next free send slot, `max(now, next)`, and moves `next` on by 1/R, in a small state file
 * under the shared file lock (./file-lock), then sleeps until its slot. Throttling is so avoided rather than retried.
 * The file lives in a private per-user directory of the temp dir and is named after a hash of the
 * endpoint and the access key, so that runs with other keys or endpoints keep their own budgets.
 *
 * Best effort by design: pacing is an optimisation, not a guarantee. When the budget cannot be kept
 * (no private writable directory, a lock held too long) requests go out unpaced and the retry
 * policy deals with any throttling, as it would without a budget: a run never fails because of it.
 */

/** A slot further ahead than this is a leftover of a clock change or a corrupt file, not a queue. */
const MAX_AHEAD_MS = 15 * 60_000;
/**
 * A holder needs well under a millisecond, so a 2 s old lock was left by a process that died; past
 * 1 s of waiting, the process sends unpaced rather than keep waiting.
 */
const LOCK: FileLockOptions = { staleMs: 2_000, waitMs: 1_000, pollMs: 2 };

export interface RateBudgetOptions {
  /** `scheme://host[:port]` of the API. */
  readonly origin: string;
  readonly accessKey: string;
  readonly requestsPerSecond: number;
  /** Where the state lives; default a private directory in os.tmpdir(). */
  readonly directory?: string;
  /** Says once why the budget is not kept, when it is not. */
  readonly onUnavailable?: (reason: string) => void;
}

interface State {
  /** Epoch milliseconds of the next free slot. */
  readonly next: number;
}

/** The state is `{"next":…}`. */
const MAX_STATE_BYTES = 1024;

function readState(file: string, now: number): State {
  const next = (readJsonFile(file, MAX_STATE_BYTES) as Partial<State> | null | undefined)?.next;
  return { next: typeof next === 'number' && next <= now + MAX_AHEAD_MS ? next : 0 };
}

export class RateBudget {
  /** A budget of `requestsPerSecond` shared by every process using the same origin and access key. */
  public static open(options: RateBudgetOptions): RateBudget {
    const directory = options.directory ?? userDirectory();
    const key = createHash('sha256').update(`${options.origin}\n${options.accessKey}`).digest('hex').slice(0, 24);
    return new RateBudget(directory, `rate-${key}`, 1000 / options.requestsPerSecond, options.onUnavailable);
  }

  private file: string | undefined;
  private unavailable = false;

  private constructor(
    private readonly directory: string,
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly onUnavailable?: (reason: string) => void,
  ) {}

  /**
   * Reserves the next send slot and waits for it, but never past `deadline` (epoch ms). Returns the
   * milliseconds waited. Never throws: without a usable budget it returns at once.
   */
  public async take(deadline: number): Promise<number> {
    const slot = await this.reserve();
    const waitMs = Math.min(slot ?? 0, deadline) - Date.now();
    if (waitMs <= 0) return 0;
    await sleep(waitMs);
    return waitMs;
  }

  /** Reserves the next send slot: its epoch time in ms, or undefined when the budget is not kept. */
  public async reserve(): Promise<number | undefined> {
    return this.update((state) => {
      const at = Math.max(Date.now(), state.next);
      return { at, state: { next: at + this.intervalMs } };
    });
  }

  /** Holds every process's next request until `until` (epoch ms): the API said to slow down. */
  public async defer(until: number): Promise<void> {
    await this.update((state) => ({ at: until, state: { next: Math.max(state.next, until) } }));
  }

  /** Read-modify-write of the state under the lock; undefined when the budget is not kept. */
  private async update(change: (state: State) => { at: number; state: State }): Promise<number | undefined> {
    const file = this.stateFile();
    if (file === undefined) return undefined;
    const lock = await lockFile(`${file}.lock`, LOCK);
    if ('problem' in lock) {
      this.giveUp(lock.problem);
      return undefined;
    }
    try {
      const { at, state } = change(readState(file, Date.now()));
      const problem = writePrivateFile(file, JSON.stringify(state));
      if (problem === undefined) return at;
      this.giveUp(`cannot write ${file}: ${problem}`);
      return undefined;
    } finally {
      lock.release();
    }
  }

  private stateFile(): string | undefined {
    if (this.unavailable) return undefined;
    if (this.file === undefined) {
      // Its state decides only when to send, within MAX_AHEAD_MS: kept even where ownership cannot be verified.
      const { path, problem } = privateDirectory(this.directory, { acceptUnverified: true });
      if (problem !== undefined) {
        this.giveUp(problem);
        return undefined;
      }
      this.file = join(path!, this.name);
    }
    return this.file;
  }

  private giveUp(reason: string): void {
    this.unavailable = true;
    this.onUnavailable?.(`${reason}; sending without the shared rate budget`);
  }
}
