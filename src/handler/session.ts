import type { HandlerConfig } from './config';
import { obtainCredentials, planCredentials } from './credentials/chain';
import type { CredentialSource } from './credentials/credentials';
import { RejectedError } from './errors';
import { ApiClient, HttpConnection } from './http-client';
import { Log } from './log';
import { planProject, ProjectLookup, type Project } from './project';
import { RateBudget } from './rate-budget';
import { RetryPolicy } from './retry';

/**
 * What every command that talks to the ECS API needs, whoever runs it (the handler under Terraform,
 * the operator CLI): the credentials of the chain, the project (given or IAM's), and an ApiClient
 * that signs, retries and paces within the run's total timeout. Opened in steps, so that a caller can
 * say how far it got (the CLI's `doctor`); everything that can be decided without a request is, first:
 * a run that cannot work sends nothing.
 */

export interface SessionOptions {
  /** Called just before V8's flags change: the launcher makes its code cache then. */
  readonly beforeV8FlagChange?: () => void;
}

/** Where the credentials came from, by name (never a value), and what the sources before it lacked. */
export interface CredentialReport {
  readonly source: string;
  readonly skipped: readonly string[];
}

/** A log that redacts the secrets known from `config`; those of the other sources are learnt as they are read or obtained. */
export function logFor(config: HandlerConfig): Log {
  const { accessKey, secretKey, securityToken } = config.credentials.environment;
  return new Log([secretKey?.value, accessKey?.value, securityToken?.value, config.proxy?.password, config.iam.proxy?.password]);
}

/** Common.0018: the project in the URL is not the credentials' project. */
function refusesProject(error: unknown): boolean {
  return error instanceof RejectedError && error.fault?.code === 'Common.0018';
}

export class Session {
  /**
   * Plans the credentials and the project (files and the environment only: throws InvalidInputError
   * before any request when they cannot work), then obtains the credentials.
   */
  public static async open(config: HandlerConfig, log: Log, options: SessionOptions = {}): Promise<Session> {
    const plan = planCredentials(config.credentials, config.iam, log);
    const projectPlan = planProject(config.project, plan.profile, config.iam);
    const { tuning } = config;
    const deadline = Date.now() + tuning.totalTimeoutMs;
    const parent = process.ppid;
    // The process that started this one (Terraform, a shell) is gone: nothing more is to be sent.
    const abandoned = () => process.ppid !== parent;
    const { beforeV8FlagChange } = options;
    const iamConnection = config.iam.origin === undefined ? undefined : new HttpConnection(config.iam.origin, config.iam.proxy, beforeV8FlagChange);
    const iamRetry = new RetryPolicy(tuning, deadline, log, undefined, abandoned);
    const iam = (credentials: CredentialSource) => new ApiClient(iamConnection!, credentials, iamRetry);
    const ecsConnection = new HttpConnection(config.origin, config.proxy, beforeV8FlagChange);
    const close = () => {
      ecsConnection.close();
      iamConnection?.close();
    };
    try {
      const { credentials, baseAccessKey } = await obtainCredentials(plan, { log, iam, beforeV8FlagChange });
      const lookup = 'lookup' in projectPlan
        ? new ProjectLookup(projectPlan.lookup, {
          iam: iam(credentials), baseAccessKey, agency: plan.agency, attemptTimeoutMs: tuning.attemptTimeoutMs, log,
        })
        : undefined;
      const rate = tuning.maxRequestsPerSecond;
      const budget = rate === undefined ? undefined : RateBudget.open({
        origin: config.origin,
        // The base key, which the parallel handlers share even when each assumes an agency of its own.
        accessKey: baseAccessKey,
        requestsPerSecond: rate,
        onUnavailable: (reason) => log.note(reason),
      });
      const api = new ApiClient(ecsConnection, credentials, new RetryPolicy(tuning, deadline, log, budget, abandoned));
      // Held already: this names the source without obtaining anything again.
      const { source } = await credentials.credentials(Date.now());
      return new Session(api, { source, skipped: plan.lacks }, 'project' in projectPlan ? projectPlan.project : undefined, lookup, close);
    } catch (error) {
      close();
      throw error;
    }
  }

  private found?: Promise<Project>;

  private constructor(
    public readonly api: ApiClient,
    public readonly credentials: CredentialReport,
    private readonly given: Project | undefined,
    private readonly lookup: ProjectLookup | undefined,
    /** Closes kept-alive connections, so that the process can exit. */
    public readonly close: () => void,
  ) {}

  /** The project: the one given, else IAM's for the region (asked once, through the per-machine cache). */
  public project(): Promise<Project> {
    return (this.found ??= this.given ? Promise.resolve(this.given) : this.lookup!.find());
  }

  /**
   * Runs `work` in the project. When the ECS API refuses a project that IAM named (Common.0018), the
   * answer is dropped from the cache and, if it came from there, `work` runs once more in IAM's fresh one.
   */
  public async inProject<T>(work: (project: Project) => Promise<T>): Promise<T> {
    const project = await this.project();
    try {
      return await work(project);
    } catch (error) {
      const fresh = this.lookup && refusesProject(error) ? await this.lookup.refused(project) : undefined;
      if (fresh === undefined) throw error;
      this.found = Promise.resolve(fresh);
      return work(fresh);
    }
  }
}
