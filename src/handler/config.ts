import { CREDENTIAL_ENV, HANDLER_DEFAULTS, INPUT_ENV, isRequestsPerSecond, PROXY_ENV, REQUESTS_PER_SECOND_EXPECTED } from '../contract';
import { checkEndpoint, checkId, checkRegion, endpointForRegion, type IdField } from '../rules';
import { InvalidInputError } from './errors';
import { proxyFor, type Proxy } from './proxy';

/**
 * The one place that reads the environment: the association's inputs, the tuning numbers, the
 * credentials and the proxy, all checked before anything is sent.
 */

export interface Credentials {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken?: string;
  /** The variables the values came from, for messages (never the values). */
  readonly source: string;
}

export interface Tuning {
  readonly attemptTimeoutMs: number;
  readonly totalTimeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  /** Pace requests to this rate, shared by the handlers of one endpoint and access key; undefined = unpaced. */
  readonly maxRequestsPerSecond?: number;
}

export interface Association {
  readonly projectId: string;
  readonly fpgaImageId: string;
  readonly imageId: string;
}

export interface HandlerConfig {
  readonly association: Association;
  /** `scheme://host[:port]` of the ECS API. */
  readonly origin: string;
  readonly tuning: Tuning;
  readonly credentials: Credentials;
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

function readOrigin(env: Env, problems: string[]): string {
  const endpoint = value(env, INPUT_ENV.endpoint);
  if (endpoint !== undefined) {
    const { origin, error } = checkEndpoint(endpoint, INPUT_ENV.endpoint);
    if (error) problems.push(error);
    return origin ?? '';
  }
  const region = value(env, INPUT_ENV.region);
  if (region === undefined) {
    problems.push(`neither ${INPUT_ENV.region} nor ${INPUT_ENV.endpoint} is set: set the region (e.g. cn-north-1) or the ECS endpoint`);
    return '';
  }
  const problem = checkRegion(region, INPUT_ENV.region);
  if (problem) problems.push(problem);
  return endpointForRegion(region);
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
function firstSet(env: Env, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const found = value(env, name);
    if (found !== undefined) return { name, value: found };
  }
  return undefined;
}

function readCredentials(env: Env, problems: string[]): Credentials {
  const accessKey = firstSet(env, CREDENTIAL_ENV.accessKey);
  const secretKey = firstSet(env, CREDENTIAL_ENV.secretKey);
  const securityToken = firstSet(env, CREDENTIAL_ENV.securityToken);
  const missing = [
    accessKey ? undefined : `the access key (${CREDENTIAL_ENV.accessKey.join(' or ')})`,
    secretKey ? undefined : `the secret key (${CREDENTIAL_ENV.secretKey.join(' or ')})`,
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    problems.push(`no Huawei Cloud credentials: set ${missing.join(' and ')} in the environment that runs Terraform`);
  }
  return {
    accessKey: accessKey?.value ?? '',
    secretKey: secretKey?.value ?? '',
    securityToken: securityToken?.value,
    source: [accessKey?.name, secretKey?.name, securityToken?.name].filter(Boolean).join(', '),
  };
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
 * Without `imageId` (the `list` operation), the ECS image ID is not read and is left empty.
 */
export function readConfig(env: Env = process.env, { imageId = true }: { readonly imageId?: boolean } = {}): HandlerConfig {
  const problems: string[] = [];
  const association = {
    projectId: readId(env, 'projectId', problems),
    fpgaImageId: readId(env, 'fpgaImageId', problems),
    imageId: imageId ? readId(env, 'imageId', problems) : '',
  };
  const origin = readOrigin(env, problems);
  // What the association's own inputs (the construct's triggers) got wrong, as opposed to the environment.
  const invalidAssociation = problems.length > 0;
  const tuning = readTuning(env, problems);
  const credentials = readCredentials(env, problems);
  const proxy = readProxy(env, origin, problems);
  if (problems.length > 0) {
    throw new InvalidInputError(problems.join('; '), { hint: 'Nothing was sent to the API', invalidAssociation });
  }
  return { association, origin, tuning, credentials, proxy };
}

/**
 * Reads and checks the inputs of the drift check's `drift-query`: the JSON object Terraform's
 * external data source writes on stdin carries the non-secret inputs under their `INPUT_ENV` names
 * (other keys are ignored); everything else, credentials first, still comes from `env`.
 */
export function readQueryConfig(query: string, env: Env = process.env): HandlerConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(query);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidInputError(`the query on stdin is not a JSON object: ${JSON.stringify(query.slice(0, 80))}`, {
      hint: "drift-query is run by Terraform's external data source, which writes its query as a JSON object",
    });
  }
  const fields = parsed as Record<string, unknown>;
  const inputs = Object.values(INPUT_ENV)
    .filter((name) => typeof fields[name] === 'string')
    .map((name) => [name, fields[name] as string]);
  return readConfig({ ...env, ...Object.fromEntries(inputs) });
}
