/** One toolchain build at a time across processes (jest workers, parallel commands). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readText } from './files';
import { Context, ToolchainError } from './types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A lock directory (mkdir is atomic) holding the owner's pid; a lock whose owner is gone is taken over. */
export async function withLock<T>(ctx: Context, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(ctx.dir, '.lock');
  const owner = path.join(lock, 'owner');
  const deadline = Date.now() + 60 * 60_000;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(owner, `${process.pid} ${os.hostname()}`);
      break;
    } catch (err: any) {
      if (err.code !== 'EEXIST') throw err;
    }
    const [pid, host] = (readText(owner) ?? '').split(' ');
    let age = 0;
    try {
      age = Date.now() - fs.statSync(lock).mtimeMs;
    } catch {
      continue; // released meanwhile
    }
    const ownerGone = pid ? host === os.hostname() && !processAlive(Number(pid)) : age > 30_000;
    if (ownerGone) {
      fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new ToolchainError(`timed out waiting for ${lock} (held by pid ${pid})`);
    if (!announced) {
      ctx.log(`waiting for another toolchain run (pid ${pid || '?'}) to finish...`);
      announced = true;
    }
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: any) {
    return err.code === 'EPERM';
  }
}
