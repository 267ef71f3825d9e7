import { EXIT_CODES, OPERATIONS, type Operation } from '../contract';
import { associate, associatedImages, disassociate, isAssociated } from './association';
import { readConfig, readQueryConfig, type HandlerConfig } from './config';
import { driftAnswer, driftProblem, readStdin } from './drift-query';
import { HandlerError, InvalidInputError } from './errors';
import { ApiClient } from './http-client';
import { Log } from './log';
import { RateBudget } from './rate-budget';
import { RetryPolicy } from './retry';

/**
 * The program Terraform runs: `node handler.js associate` at create time, `node handler.js
 * disassociate` at destroy time; `status` and `list` are for people and scripts. Inputs come from the
 * environment (see ../contract); the exit code says how it went. `drift-query` is the drift check's
 * external data source: its inputs come on stdin, its answer (failures included) on stdout.
 * assets/handler.js is ./launcher, which compiles this program and calls `start`.
 */

export interface StartOptions {
  /** Called just before the handler changes V8's flags: the launcher makes its code cache then. */
  readonly beforeV8FlagChange?: () => void;
}

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

async function run(operation: Operation, config: HandlerConfig, log: Log, options: StartOptions): Promise<void> {
  const rate = config.tuning.maxRequestsPerSecond;
  const budget = rate === undefined ? undefined : RateBudget.open({
    origin: config.origin,
    accessKey: config.credentials.accessKey,
    requestsPerSecond: rate,
    onUnavailable: (reason) => log.note(reason),
  });
  const parent = process.ppid;
  const retry = new RetryPolicy(config.tuning, Date.now() + config.tuning.totalTimeoutMs, log, budget, () => process.ppid !== parent);
  const api = new ApiClient(config.origin, config.credentials, retry, config.proxy, options.beforeV8FlagChange);
  try {
    if (operation === 'list') {
      const { fpgaImageId } = config.association;
      log.result({ fpgaImageId, imageIds: await associatedImages(api, config.association) });
    } else if (operation === 'status' || operation === 'drift-query') {
      const associated = await isAssociated(api, config.association);
      const { fpgaImageId, imageId } = config.association;
      log.result(operation === 'status' ? { fpgaImageId, imageId, associated } : driftAnswer(associated));
    } else {
      log.note(await (operation === 'associate' ? associate : disassociate)(api, config.association));
    }
  } finally {
    api.close();
  }
}

async function main(options: StartOptions): Promise<void> {
  let log = new Log();
  let operation: Operation | undefined;
  try {
    operation = parseOperation(process.argv.slice(2));
    const config = operation === 'drift-query' ? readQueryConfig(await readStdin()) : readConfig(process.env, { imageId: operation !== 'list' });
    const { accessKey, secretKey, securityToken } = config.credentials;
    log = new Log([secretKey, accessKey, securityToken, config.proxy?.password]);
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

