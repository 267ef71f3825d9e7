import { EXIT_CODES, OPERATIONS, type Operation } from '../contract';
import { associate, associatedImages, disassociate, isAssociated, type Association } from './association';
import { readConfig, readQueryConfig, type HandlerConfig } from './config';
import { driftAnswer, driftProblem, readStdin } from './drift-query';
import { HandlerError, InvalidInputError } from './errors';
import type { ApiClient } from './http-client';
import { Log } from './log';
import { logFor, Session, type SessionOptions } from './session';

/**
 * The program Terraform runs: `node handler.js associate` at create time, `node handler.js
 * disassociate` at destroy time; `status` and `list` are for people and scripts. Inputs come from the
 * environment (see ../contract); the exit code says how it went. `drift-query` is the drift check's
 * external data source: its inputs come on stdin, its answer (failures included) on stdout.
 * assets/handler.js is ./launcher, which compiles this program and calls `start`.
 */

/** What the launcher gives the program it starts. */
export type StartOptions = SessionOptions;

export function start(options: StartOptions = {}): void {
  void main(options);
}

function parseOperation(args: readonly string[]): Operation {
  const [operation, ...extra] = args;
  if (extra.length === 0 && (OPERATIONS as readonly string[]).includes(operation)) return operation as Operation;
  throw new InvalidInputError(`usage: node handler.js <${OPERATIONS.join('|')}>, with the inputs in FPGA_ASSOC_* environment variables`, {
    hint: `Got ${args.length > 0 ? JSON.stringify(args.join(' ')) : 'no arguments'}`,
  });
}

/** The operation itself, on the pair in `a`; its outcome goes to the log. */
async function perform(operation: Operation, api: ApiClient, a: Association, log: Log): Promise<void> {
  if (operation === 'list') {
    log.result({ fpgaImageId: a.fpgaImageId, imageIds: await associatedImages(api, a) });
  } else if (operation === 'status' || operation === 'drift-query') {
    const associated = await isAssociated(api, a);
    log.result(operation === 'status' ? { fpgaImageId: a.fpgaImageId, imageId: a.imageId, associated } : driftAnswer(associated));
  } else {
    log.note(await (operation === 'associate' ? associate : disassociate)(api, a));
  }
}

async function run(operation: Operation, config: HandlerConfig, log: Log, options: StartOptions): Promise<void> {
  const session = await Session.open(config, log, options);
  try {
    await session.inProject((p) => perform(operation, session.api, { ...config.association, projectId: p.id, projectSource: p.source }, log));
  } finally {
    session.close();
  }
}

async function main(options: StartOptions): Promise<void> {
  let log = new Log();
  let operation: Operation | undefined;
  try {
    operation = parseOperation(process.argv.slice(2));
    const config = operation === 'drift-query' ? readQueryConfig(await readStdin()) : readConfig(process.env, { imageId: operation !== 'list' });
    log = logFor(config);
    await run(operation, config, log, options);
    process.exitCode = EXIT_CODES.ok;
  } catch (error) {
    if (operation === 'drift-query') {
      log.result(driftProblem(error));
      process.exitCode = EXIT_CODES.ok;
    } else if (operation === 'disassociate' && error instanceof InvalidInputError && error.invalidAssociation) {
      // Its associate refused the same inputs before sending anything: destroy must not be stuck on it.
      log.note(`nothing to disassociate: ${error.message}. The associate refuses such inputs before sending anything, so no association was made with them`);
      process.exitCode = EXIT_CODES.ok;
    } else if (error instanceof HandlerError) {
      log.note(error.describe());
      process.exitCode = error.exitCode;
    } else {
      log.note(`internal error: ${error instanceof Error ? error.message : String(error)}. This is a bug in the handler: please report it`);
      process.exitCode = EXIT_CODES.internal;
    }
  }
}

