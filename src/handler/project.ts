import { createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CREDENTIAL_ENV, INPUT_ENV } from '../contract';
import { checkId, showValue } from '../rules';
import type { IamSettings, ProjectSettings } from './config';
import type { Agency } from './credentials/assume-role';
import type { Profile } from './credentials/profile';
import { describeFault, InvalidInputError, readFault, RejectedError, UnexpectedResponseError } from './errors';
import { lockFile, type FileLockOptions } from './file-lock';
import { readJsonFile } from './file-read';
import type { ApiClient } from './http-client';
import { jsonValue } from './json-text';
import type { Log } from './log';
import { privateDirectory, userDirectory, writePrivateFile } from './private-directory';

/**
 * The project to act in, as terraform-provider-huaweicloud finds it: the association's projectId,
 * else HW_PROJECT_ID, else the profile's, else IAM's one project named after the region (a signed
 * GET /v3/projects?name={region}; never created). IAM's answer is cached in the per-user private
 * directory, so that the parallel handlers of an apply make one lookup: the first takes a lock,
 * looks up and writes; the others wait for the lock, then read. An answer the ECS API refuses is dropped.
 */

export interface Project {
  readonly id: string;
  /** Where the ID came from, for messages. */
  readonly source: string;
  /** Whether it is IAM's answer read from the cache (rather than asked for in this run). */
  readonly cached?: boolean;
}

export type ProjectPlan =
  | { readonly project: Project }
  | { readonly lookup: { readonly region: string; readonly iamOrigin: string } };

/** Decides where the project comes from, before any request; throws when it would be IAM's and IAM cannot be asked. */
export function planProject(settings: ProjectSettings, profile: Profile | undefined, iam: IamSettings): ProjectPlan {
  if (settings.explicit) return { project: { id: settings.explicit, source: INPUT_ENV.projectId } };
  if (settings.environment) return { project: { id: settings.environment.value, source: settings.environment.name } };
  if (profile?.projectId) return { project: { id: profile.projectId, source: `projectId of ${profile.label}` } };
  const unset = `${INPUT_ENV.projectId} is empty, ${CREDENTIAL_ENV.projectId.join(' and ')} are not set${profile ? `, ${profile.label} has no projectId` : ''}`;
  const hint = `Or set ${CREDENTIAL_ENV.projectId[0]} (or the association's projectId). Nothing was sent to the API`;
  if (settings.region === undefined) {
    throw new InvalidInputError(`no project: ${unset}, and there is no region to look it up by: set ${INPUT_ENV.region} (e.g. cn-north-1)`, { hint });
  }
  if (iam.origin === undefined) {
    throw new InvalidInputError(`no project: ${unset}, so IAM is to name the project of region ${settings.region}, but ${iam.problem}`, { hint });
  }
  return { lookup: { region: settings.region, iamOrigin: iam.origin } };
}

/** An entry is `{"projectId":"…"}`. */
const MAX_ENTRY_BYTES = 1024;

/** The lookup's lock is held for one IAM call: a holder older than an attempt is taken to be dead, or too slow to wait for. */
function lookupLock(attemptTimeoutMs: number): FileLockOptions {
  return { staleMs: attemptTimeoutMs + 1_000, waitMs: attemptTimeoutMs + 1_500, pollMs: 10 };
}

export interface LookupOptions {
  /** IAM, signing with the credentials the ECS API will see (after any agency). */
  readonly iam: ApiClient;
  /** With the agency, what the answer depends on: the cache is keyed by them. */
  readonly baseAccessKey: string;
  readonly agency?: Agency;
  readonly attemptTimeoutMs: number;
  readonly log: Log;
}

/** IAM's project of a region, through the per-machine cache. */
export class ProjectLookup {
  private readonly source: string;
  private readonly key: string;
  private cacheFile?: string;

  public constructor(private readonly lookup: { readonly region: string; readonly iamOrigin: string }, private readonly options: LookupOptions) {
    this.source = `the project IAM names for region ${lookup.region}`;
    const { agency } = options;
    this.key = createHash('sha256')
      .update([lookup.iamOrigin, lookup.region, options.baseAccessKey, agency?.agencyName ?? '', agency?.domainName ?? agency?.domainId ?? ''].join('\n'))
      .digest('hex')
      .slice(0, 24);
  }

  /** The cached answer, else IAM's, asked by one process at a time so that the others read its answer. */
  public async find(): Promise<Project> {
    return this.read() ?? this.askUnderLock(true);
  }

  /**
   * The ECS API refused `project`: its cache entry goes, and a project read from the cache is looked
   * up again; returns IAM's fresh answer when it names another project, else undefined (the refusal
   * stands, and IAM's answer is not kept).
   */
  public async refused(project: Project): Promise<Project | undefined> {
    this.drop();
    if (!project.cached) return undefined;
    const fresh = await this.askUnderLock(false);
    if (fresh.id !== project.id) return fresh;
    this.drop();
    return undefined;
  }

  private async askUnderLock(readFirst: boolean): Promise<Project> {
    const file = this.file();
    const lock = file === undefined ? undefined : await lockFile(`${file}.lock`, lookupLock(this.options.attemptTimeoutMs));
    if (lock && 'problem' in lock) this.options.log.note(`${lock.problem}; asking IAM without waiting for the other handlers`);
    try {
      // Another handler may have asked while this one waited.
      const cached = readFirst ? this.read() : undefined;
      if (cached) return cached;
      const id = await this.ask();
      this.write(id);
      return { id, source: this.source };
    } finally {
      if (lock && 'release' in lock) lock.release();
    }
  }

  private async ask(): Promise<string> {
    const { region } = this.lookup;
    const operation = `look up the project of region ${region} in IAM`;
    const response = await this.options.iam.call({
      method: 'GET',
      path: `/v3/projects?${new URLSearchParams({ name: region })}`,
      operation,
      permission: 'iam:projects:listProjects',
    });
    const fault = readFault(response);
    if (response.status < 200 || response.status >= 300) {
      throw new RejectedError(describeFault(fault), { operation, fault, hint: `Check ${INPUT_ENV.region} and ${CREDENTIAL_ENV.authUrl}, or set ${CREDENTIAL_ENV.projectId[0]}` });
    }
    const projects = (jsonValue(response.body) as { projects?: unknown } | null | undefined)?.projects;
    const ids = Array.isArray(projects) ? projects.map((p: { id?: unknown }) => p?.id) : [];
    if (!Array.isArray(projects) || ids.some((id) => typeof id !== 'string' || checkId('projectId', id) !== undefined)) {
      throw new UnexpectedResponseError(`HTTP ${response.status} without a "projects" list of project IDs: ${describeFault(fault)}`, {
        operation,
        fault,
        hint: 'IAM answered in an unknown format: report this with the request id',
      });
    }
    const answer = fault.requestId ? ` (request id ${fault.requestId})` : '';
    const setProject = `set ${CREDENTIAL_ENV.projectId[0]} (or the association's projectId). Nothing was sent to the ECS API`;
    if (ids.length === 0) {
      throw new InvalidInputError(`IAM has no project named ${showValue(region)} for these credentials${answer}`, {
        operation,
        hint: `The region (${INPUT_ENV.region}) is wrong, or the credentials belong to another account than intended: fix that, or ${setProject}`,
      });
    }
    if (ids.length > 1) {
      throw new InvalidInputError(`IAM has ${ids.length} projects named ${showValue(region)}: ${ids.join(', ')}${answer}`, {
        operation,
        hint: `Which one is meant cannot be guessed: ${setProject}`,
      });
    }
    return ids[0] as string;
  }

  /** The cache file, in the private directory; undefined (no cache: every handler asks) when there is none. */
  private file(): string | undefined {
    if (this.cacheFile === undefined) {
      const { path, problem } = privateDirectory(userDirectory());
      if (problem !== undefined) {
        this.options.log.note(`${problem}; the project is not cached`);
        return undefined;
      }
      this.cacheFile = join(path!, `project-${this.key}`);
    }
    return this.cacheFile;
  }

  private read(): Project | undefined {
    const file = this.file();
    if (file === undefined) return undefined;
    // No entry yet (or none usable): ask IAM.
    const projectId = (readJsonFile(file, MAX_ENTRY_BYTES) as { projectId?: unknown } | null | undefined)?.projectId;
    return typeof projectId === 'string' && checkId('projectId', projectId) === undefined ? { id: projectId, source: this.source, cached: true } : undefined;
  }

  /** Only the project ID: no credential. */
  private write(projectId: string): void {
    const file = this.file();
    if (file === undefined) return;
    const problem = writePrivateFile(file, JSON.stringify({ projectId }));
    if (problem !== undefined) this.options.log.note(`cannot cache the project in ${file}: ${problem}`);
  }

  private drop(): void {
    const file = this.file();
    try {
      if (file !== undefined) unlinkSync(file);
    } catch {
      // Already dropped by another handler.
    }
  }
}
