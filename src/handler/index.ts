import { EXIT_CODES, OPERATIONS, type Operation } from '../contract';
import { associate, disassociate, isAssociated } from './association';
import { readConfig, type HandlerConfig } from './config';
import { HandlerError, InvalidInputError } from './errors';
import { ApiClient } from './http-client';
import { Log } from './log';
import { RetryPolicy } from './retry';

/**
 * The program Terraform runs: `node handler.js associate` at create time, `node handler.js
 * disassociate` at destroy time; `status` is for people and scripts. Inputs come from the
 * environment (see ../contract); the exit code says how it went.
 */

function parseOperation(args: readonly string[]): Operation {
  const [operation, ...extra] = args;
  if (extra.length === 0 && (OPERATIONS as readonly string[]).includes(operation)) return operation as Operation;
  throw new InvalidInputError(`usage: node handler.js <${OPERATIONS.join('|')}>, with the inputs in FPGA_ASSOC_* environment variables`, {
    hint: `Got ${args.length > 0 ? JSON.stringify(args.join(' ')) : 'no arguments'}`,
  });
}

async function run(operation: Operation, config: HandlerConfig, log: Log): Promise<void> {
  const retry = new RetryPolicy(config.tuning, Date.now() + config.tuning.totalTimeoutMs, log);
  const api = new ApiClient(config.origin, config.credentials, retry);
  try {
    if (operation === 'status') {
      const associated = await isAssociated(api, config.association);
      log.result({ fpgaImageId: config.association.fpgaImageId, imageId: config.association.imageId, associated });
    } else {
      log.note(await (operation === 'associate' ? associate : disassociate)(api, config.association));
    }
  } finally {
    api.close();
  }
}

async function main(): Promise<void> {
  let log = new Log();
  try {
    const operation = parseOperation(process.argv.slice(2));
    const config = readConfig();
    const { accessKey, secretKey, securityToken } = config.credentials;
    log = new Log([secretKey, accessKey, securityToken]);
    await run(operation, config, log);
    process.exitCode = EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof HandlerError) {
      log.note(error.describe());
      process.exitCode = error.exitCode;
    } else {
      log.note(`internal error: ${error instanceof Error ? error.message : String(error)}. This is a bug in the handler: please report it`);
      process.exitCode = EXIT_CODES.internal;
    }
  }
}

void main();
