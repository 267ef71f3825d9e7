import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  ASSUME_ROLE_DURATION, CREDENTIAL_ENV, HANDLER_DEFAULTS, INPUT_ENV, isRequestsPerSecond, METADATA_DEFAULT_ENDPOINT, METADATA_OFF, PROXY_ENV,
  REQUESTS_PER_SECOND_EXPECTED,
} from '../contract';
import { checkAgencyField, checkEndpoint, checkId, checkRegion, endpointForRegion, isLoopbackHost, regionOfEndpoint, showValue, type IdField } from '../rules';
import type { Agency } from './credentials/assume-role';
import type { EnvironmentKeys, Variable } from './credentials/environment';
import type { MetadataSettings } from './credentials/metadata';
import type { ProfileSettings } from './credentials/profile';
import { InvalidInputError } from './errors';
import { parseJson } from './json-text';
import { proxyFor, type Proxy } from './proxy';
import type { Tuning } from './retry';

/**
 * The one place that reads the environment: the association's inputs, the tuning numbers, where
 * the credentials and the project are to come from, IAM and the proxy, all checked before anything
 * is sent. The credential sources (./credentials) and the project resolver (./project) get what it read.
 */

/** The images to associate; the project is settled later (./project), from ProjectSettings. */
export interface AssociationInputs {
  readonly fpgaImageId: string;
  readonly imageId: string;
}

/** Where the credential sources look, in their order (./credentials/chain). */
export interface CredentialSettings {
  /** The KooCLI profile, when HW_SHARED_CONFIG_FILE or HW_PROFILE is set. */
  readonly profile?: ProfileSettings;
  readonly environment: EnvironmentKeys;
  /** Undefined when FPGA_ASSOC_METADATA_ENDPOINT is `off`. */
  readonly metadata?: MetadataSettings;
  /** The agency of the construct's assumeRole (FPGA_ASSOC_ASSUME_ROLE_*), and that of HW_ASSUME_ROLE_*. */
  readonly agency: { readonly fromProp?: Agency; readonly fromEnvironment?: Agency };
}

export interface ProjectSettings {
  /** FPGA_ASSOC_PROJECT_ID; undefined when empty or unset. */
  readonly explicit?: string;
  /** HW_PROJECT_ID or HUAWEICLOUD_SDK_PROJECT_ID. */
  readonly environment?: Variable;
  /** The region whose project IAM names: FPGA_ASSOC_REGION, else that of a Huawei ECS endpoint. */
  readonly region?: string;
}

/** IAM, for assume-role and the project lookup; only an error when something needs it. */
export interface IamSettings {
  /** `scheme://host[:port]`. */
  readonly origin?: string;
  readonly proxy?: Proxy;
  /** Why IAM cannot be reached, said when it is needed. */
  readonly problem?: string;
}

export interface HandlerConfig {
  readonly association: AssociationInputs;
  readonly project: ProjectSettings;
  /** `scheme://host[:port]` of the ECS API. */
  readonly origin: string;
  readonly tuning: Tuning;
  readonly credentials: CredentialSettings;
  readonly iam: IamSettings;
  /** The HTTP proxy to reach the origin through, or undefined to connect directly. */
  readonly proxy?: Proxy;
}

type Env = Readonly<Record<string, string | undefined>>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function readId(env: Env, field: IdField, problems: string[]): string {
  const name = INPUT_ENV[field];
  const id = value(env, name);
  if (id === undefined) {
    problems.push(`${name} is not set`);
    return '';
  }
  const problem = checkId(field, id, name);
  if (problem) problems.push(problem);
  return id;
}

/** The region, when set; checked whether or not the endpoint is set, as the construct passes both. */
function readRegion(env: Env, problems: string[]): string | undefined {
  const region = value(env, INPUT_ENV.region);
  const problem = region === undefined ? undefined : checkRegion(region, INPUT_ENV.region);
  if (problem) problems.push(problem);
  return problem ? undefined : region;
}

function readOrigin(env: Env, region: string | undefined, problems: string[]): string {
  const endpoint = value(env, INPUT_ENV.endpoint);
  if (endpoint !== undefined) {
    const { origin, error } = checkEndpoint(endpoint, INPUT_ENV.endpoint);
    if (error) problems.push(error);
    return origin ?? '';
  }
  if (region === undefined && value(env, INPUT_ENV.region) === undefined) {
    problems.push(`neither ${INPUT_ENV.region} nor ${INPUT_ENV.endpoint} is set: set the region (e.g. cn-north-1) or the ECS endpoint`);
  }
  return region === undefined ? '' : endpointForRegion(region);
}

/** FPGA_ASSOC_PROJECT_ID, checked when set; empty or unset means "find the project" (./project). */
function readProjectId(env: Env, problems: string[]): string | undefined {
  const id = value(env, INPUT_ENV.projectId);
  const problem = id === undefined ? undefined : checkId('projectId', id, INPUT_ENV.projectId);
  if (problem) problems.push(problem);
  return id;
}

function readTuning(env: Env, problems: string[]): Tuning {
  const read = (key: keyof typeof HANDLER_DEFAULTS): number => {
    const raw = value(env, INPUT_ENV[key]);
    if (raw === undefined) return HANDLER_DEFAULTS[key];
    // Nine digits at most: Node's timers cannot wait longer than 2^31-1 ms.
    if (/^[1-9]\d{0,8}$/.test(raw)) return Number(raw);
    problems.push(`invalid ${INPUT_ENV[key]} ${JSON.stringify(raw)}: expected a whole number from 1 to 999999999 (default ${HANDLER_DEFAULTS[key]})`);
    return HANDLER_DEFAULTS[key];
  };
  return {
    attemptTimeoutMs: read('attemptTimeoutMs'),
    totalTimeoutMs: read('totalTimeoutMs'),
    maxAttempts: read('maxAttempts'),
    retryBaseDelayMs: read('retryBaseDelayMs'),
    retryMaxDelayMs: read('retryMaxDelayMs'),
    maxRequestsPerSecond: readRate(env, problems),
  };
}

/** The shared request rate (0.5 is one request every 2 s), or undefined when unset. */
function readRate(env: Env, problems: string[]): number | undefined {
  const raw = value(env, INPUT_ENV.maxRequestsPerSecond);
  if (raw === undefined) return undefined;
  if (isRequestsPerSecond(raw)) return Number(raw);
  problems.push(`invalid ${INPUT_ENV.maxRequestsPerSecond} ${JSON.stringify(raw)}: expected ${REQUESTS_PER_SECOND_EXPECTED} (unset: requests are not paced)`);
  return undefined;
}

/** The first variable of `names` that is set, and its name. */
function firstSet(env: Env, names: readonly string[]): Variable | undefined {
  for (const name of names) {
    const found = value(env, name);
    if (found !== undefined) return { name, value: found };
  }
  return undefined;
}

/** KooCLI's file, as terraform-provider-huaweicloud finds it: `~` is the home directory. */
const DEFAULT_SHARED_CONFIG_FILE = '~/.hcloud/config.json';

function readProfileSettings(env: Env): ProfileSettings | undefined {
  const file = value(env, CREDENTIAL_ENV.sharedConfigFile);
  const profile = value(env, CREDENTIAL_ENV.profile);
  if (file === undefined && profile === undefined) return undefined;
  const path = file ?? DEFAULT_SHARED_CONFIG_FILE;
  return {
    file: path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path,
    fileFrom: file === undefined ? `the default file, as ${CREDENTIAL_ENV.profile} is set` : CREDENTIAL_ENV.sharedConfigFile,
    profile,
  };
}

/** The metadata service: the well-known address, or a test's https or loopback stand-in; undefined when `off`. */
function readMetadata(env: Env, problems: string[]): MetadataSettings | undefined {
  const endpoint = value(env, INPUT_ENV.metadataEndpoint) ?? METADATA_DEFAULT_ENDPOINT;
  if (endpoint === METADATA_OFF) return undefined;
  // The one plain-http address that is not loopback: where every ECS serves its metadata.
  if (endpoint === METADATA_DEFAULT_ENDPOINT) return { origin: endpoint };
  const { origin, error } = checkEndpoint(endpoint, INPUT_ENV.metadataEndpoint);
  if (error) problems.push(`${error}; or ${METADATA_DEFAULT_ENDPOINT} (the default), or ${METADATA_OFF}`);
  return { origin: origin ?? '' };
}

type AgencyVariables = {
  readonly agencyName: string;
  readonly domainName: string;
  readonly domainId: string;
  readonly durationSeconds: string;
};

/** An agency from `names` (the construct's or terraform-provider-huaweicloud's), checked; undefined without an agency name. */
function readAgency(env: Env, names: AgencyVariables, problems: string[]): Agency | undefined {
  const agencyName = value(env, names.agencyName);
  if (agencyName === undefined) return undefined;
  const domainName = value(env, names.domainName);
  const domainId = value(env, names.domainId);
  const duration = value(env, names.durationSeconds);
  const before = problems.length;
  const check = (problem: string | undefined) => problem && problems.push(problem);
  check(checkAgencyField('agencyName', agencyName, names.agencyName));
  // With both, the name is sent, as terraform-provider-huaweicloud's IAM v3 assume-role does.
  if (domainName === undefined && domainId === undefined) {
    problems.push(`${names.agencyName} needs ${names.domainName} or ${names.domainId} (the delegating account)`);
  }
  if (domainName !== undefined) check(checkAgencyField('domainName', domainName, names.domainName));
  if (domainId !== undefined) check(checkAgencyField('domainId', domainId, names.domainId));
  const { min, max } = ASSUME_ROLE_DURATION;
  const durationSeconds = duration === undefined ? ASSUME_ROLE_DURATION.default : Number(duration);
  if (!/^\d{1,6}$/.test(duration ?? String(min)) || durationSeconds < min || durationSeconds > max) {
    problems.push(`invalid ${names.durationSeconds} ${showValue(duration!)}: expected a whole number of seconds from ${min} to ${max} (default ${ASSUME_ROLE_DURATION.default})`);
  }
  return problems.length > before ? undefined : { agencyName, domainName, domainId, durationSeconds, from: names.agencyName };
}

function readCredentialSettings(env: Env, problems: string[]): CredentialSettings {
  return {
    profile: readProfileSettings(env),
    environment: {
      accessKey: firstSet(env, CREDENTIAL_ENV.accessKey),
      secretKey: firstSet(env, CREDENTIAL_ENV.secretKey),
      securityToken: firstSet(env, CREDENTIAL_ENV.securityToken),
    },
    metadata: readMetadata(env, problems),
    agency: {
      fromProp: readAgency(env, {
        agencyName: INPUT_ENV.assumeRoleAgencyName,
        domainName: INPUT_ENV.assumeRoleDomainName,
        domainId: INPUT_ENV.assumeRoleDomainId,
        durationSeconds: INPUT_ENV.assumeRoleDurationSeconds,
      }, problems),
      fromEnvironment: readAgency(env, {
        agencyName: CREDENTIAL_ENV.assumeRoleAgencyName,
        domainName: CREDENTIAL_ENV.assumeRoleDomainName,
        domainId: CREDENTIAL_ENV.assumeRoleDomainId,
        durationSeconds: CREDENTIAL_ENV.assumeRoleDurationSeconds,
      }, problems),
    },
  };
}

function readProjectSettings(
  env: Env, explicit: string | undefined, region: string | undefined, origin: string, problems: string[],
): ProjectSettings {
  const environment = firstSet(env, CREDENTIAL_ENV.projectId);
  const problem = environment && checkId('projectId', environment.value, environment.name);
  if (problem) problems.push(problem);
  return { explicit, environment, region: region ?? regionOfEndpoint(origin) };
}

/**
 * IAM's origin: that of HW_AUTH_URL (terraform-provider-huaweicloud's variable), else the region's
 * IAM when the ECS endpoint is Huawei's own; never guessed for another endpoint (the emulator).
 */
function readIam(env: Env, region: string | undefined, origin: string): IamSettings {
  const authUrl = value(env, CREDENTIAL_ENV.authUrl);
  const endpoint = value(env, INPUT_ENV.endpoint);
  let iam: string;
  if (authUrl !== undefined) {
    const expected = 'expected https://iam.{region}.myhuaweicloud.com/v3 (plain http only to a loopback host, such as the emulator)';
    let url: URL | undefined;
    try {
      url = new URL(authUrl);
    } catch {
      url = undefined;
    }
    const allowed = url && !url.username && !url.password && (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)));
    if (!allowed) {
      // A password in the URL is a credential: never shown.
      const shown = url?.password ? Object.assign(new URL(url.href), { password: '***' }).href : authUrl;
      return { problem: `invalid ${CREDENTIAL_ENV.authUrl} ${showValue(shown)}: ${expected}` };
    }
    iam = url!.origin;
  } else if (endpoint !== undefined && regionOfEndpoint(origin) === undefined) {
    return {
      problem: `${INPUT_ENV.endpoint} (${origin}) is not a Huawei Cloud ECS endpoint, so IAM's address cannot be derived from it: `
        + `set ${CREDENTIAL_ENV.authUrl} to IAM's URL (for the emulator, the emulator's own URL)`,
    };
  } else if (region !== undefined) {
    iam = `https://iam.${region}.myhuaweicloud.com`;
  } else {
    return { problem: `IAM's address is unknown without a region: set ${INPUT_ENV.region} or ${CREDENTIAL_ENV.authUrl}` };
  }
  const proxyProblems: string[] = [];
  const proxy = readProxy(env, iam, proxyProblems);
  return proxyProblems.length > 0 ? { problem: proxyProblems.join('; ') } : { origin: iam, proxy };
}

/** The proxy variables that apply to `origin`; only the one used is checked. */
function readProxy(env: Env, origin: string, problems: string[]): Proxy | undefined {
  if (origin === '') return undefined;
  const { proxy, error } = proxyFor(new URL(origin), {
    https: firstSet(env, PROXY_ENV.https),
    http: firstSet(env, PROXY_ENV.http),
    noProxy: firstSet(env, PROXY_ENV.noProxy)?.value,
    loopback: value(env, PROXY_ENV.loopback),
  });
  if (error) problems.push(error);
  return proxy;
}

/**
 * Reads and checks everything the handler needs; throws one InvalidInputError naming every problem.
 * Without `imageId` (the `list` operation), the ECS image ID is not read and is left empty; the same
 * for `fpgaImageId` (the operator CLI's commands that take it as optional).
 */
export function readConfig(
  env: Env = process.env, { fpgaImageId = true, imageId = true }: { readonly fpgaImageId?: boolean; readonly imageId?: boolean } = {},
): HandlerConfig {
  const problems: string[] = [];
  const projectId = readProjectId(env, problems);
  const association = {
    fpgaImageId: fpgaImageId ? readId(env, 'fpgaImageId', problems) : '',
    imageId: imageId ? readId(env, 'imageId', problems) : '',
  };
  const region = readRegion(env, problems);
  const origin = readOrigin(env, region, problems);
  // What the association's own inputs (the construct's triggers) got wrong, as opposed to the environment.
  const invalidAssociation = problems.length > 0;
  const tuning = readTuning(env, problems);
  const credentials = readCredentialSettings(env, problems);
  const project = readProjectSettings(env, projectId, region, origin, problems);
  const proxy = readProxy(env, origin, problems);
  if (problems.length > 0) {
    throw new InvalidInputError(problems.join('; '), { hint: 'Nothing was sent to the API', invalidAssociation });
  }
  return { association, project, origin, tuning, credentials, iam: readIam(env, project.region, origin), proxy };
}

/**
 * Reads and checks the inputs of the drift check's `drift-query`: the JSON object Terraform's
 * external data source writes on stdin carries the non-secret inputs under their `INPUT_ENV` names
 * (other keys are ignored); everything else, credentials first, still comes from `env`.
 */
export function readQueryConfig(query: string, env: Env = process.env): HandlerConfig {
  const read = parseJson(query);
  const parsed = 'value' in read ? read.value : undefined;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidInputError(`the query on stdin is not a JSON object: it is ${'problem' in read ? read.problem : `a JSON ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed}`}`, {
      hint: "drift-query is run by Terraform's external data source, which writes its query as a JSON object",
    });
  }
  const fields = parsed as Record<string, unknown>;
  const inputs = Object.values(INPUT_ENV)
    .filter((name) => typeof fields[name] === 'string')
    .map((name) => [name, fields[name] as string]);
  return readConfig({ ...env, ...Object.fromEntries(inputs) });
}
