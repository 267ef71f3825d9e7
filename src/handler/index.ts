import { EXIT_CODES, OPERATIONS, type Operation } from '../contract';
import { associate, associatedImages, disassociate, isAssociated, type Association } from './association';
import { readConfig, readQueryConfig, type HandlerConfig } from './config';
import { obtainCredentials, planCredentials } from './credentials/chain';
import type { CredentialSource } from './credentials/credentials';
import { driftAnswer, driftProblem, readStdin } from './drift-query';
import { HandlerError, InvalidInputError, RejectedError } from './errors';
import { ApiClient, HttpConnection } from './http-client';
import { Log } from './log';
import { planProject, ProjectLookup, type Project } from './project';
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

/** Common.0018: the project in the URL is not the credentials' project. */
function refusesProject(error: unknown): boolean {
  return error instanceof RejectedError && error.fault?.code === 'Common.0018';
}

async function run(operation: Operation, config: HandlerConfig, log: Log, options: StartOptions): Promise<void> {
  // Everything that can be decided without a request is, first: a run that cannot work sends nothing.
  const plan = planCredentials(config.credentials, config.iam, log);
  const projectPlan = planProject(config.project, plan.profile, config.iam);
  const { tuning } = config;
  const deadline = Date.now() + tuning.totalTimeoutMs;
  const parent = process.ppid;
  const abandoned = () => process.ppid !== parent;
  const { beforeV8FlagChange } = options;
  const iamConnection = config.iam.origin === undefined ? undefined : new HttpConnection(config.iam.origin, config.iam.proxy, beforeV8FlagChange);
  const iamRetry = new RetryPolicy(tuning, deadline, log, undefined, abandoned);
  const iam = (credentials: CredentialSource) => new ApiClient(iamConnection!, credentials, iamRetry);
  const ecsConnection = new HttpConnection(config.origin, config.proxy, beforeV8FlagChange);
  try {
    const { credentials, baseAccessKey } = await obtainCredentials(plan, { log, iam, beforeV8FlagChange });
    const { attemptTimeoutMs } = tuning;
    const lookup = 'lookup' in projectPlan
      ? new ProjectLookup(projectPlan.lookup, { iam: iam(credentials), baseAccessKey, agency: plan.agency, attemptTimeoutMs, log })
      : undefined;
    const project = 'project' in projectPlan ? projectPlan.project : await lookup!.find();
    const rate = tuning.maxRequestsPerSecond;
    const budget = rate === undefined ? undefined : RateBudget.open({
      origin: config.origin,
      // The base key, which the parallel handlers share even when each assumes an agency of its own.
      accessKey: baseAccessKey,
      requestsPerSecond: rate,
      onUnavailable: (reason) => log.note(reason),
    });
    const api = new ApiClient(ecsConnection, credentials, new RetryPolicy(tuning, deadline, log, budget, abandoned));
    const pair = (p: Project): Association => ({ ...config.association, projectId: p.id, projectSource: p.source });
    try {
      await perform(operation, api, pair(project), log);
    } catch (error) {
      // IAM's answer, refused by the ECS API: dropped from the cache, and asked for again if it came from there.
      const fresh = lookup && refusesProject(error) ? await lookup.refused(project) : undefined;
      if (fresh === undefined) throw error;
      await perform(operation, api, pair(fresh), log);
    }
  } finally {
    ecsConnection.close();
    iamConnection?.close();
  }
}

async function main(options: StartOptions): Promise<void> {
  let log = new Log();
  let operation: Operation | undefined;
  try {
    operation = parseOperation(process.argv.slice(2));
    const config = operation === 'drift-query' ? readQueryConfig(await readStdin()) : readConfig(process.env, { imageId: operation !== 'list' });
    const { accessKey, secretKey, securityToken } = config.credentials.environment;
    // The secrets known now; those of the other sources are learnt as they are read or obtained.
    log = new Log([secretKey?.value, accessKey?.value, securityToken?.value, config.proxy?.password, config.iam.proxy?.password]);
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

