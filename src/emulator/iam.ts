import { ASSUME_ROLE_DURATION } from '../contract';
import { showValue } from '../rules';
import type { KnownCredential } from './auth';
import { iamError } from './error-bodies';
import type { Reply } from './http-io';
import { field, isObject } from './json-input';
import { checkAgencies, checkProjects, DEMO_AGENCY, EmulatorAgency, EmulatorProject } from './options';
import { credentialBody, TemporaryCredentials } from './temporary-credentials';

/**
 * The two IAM calls a credential chain needs (reference §4, §5): the projects of a region and
 * assume-role. There is one emulated account; the gateway has checked the signature already.
 */

/** IAM's paths (`/v3/…` Keystone, `/v3.0/…` Huawei's extensions); the gateway tells IAM requests apart by them. */
export const IAM_PATH = /^\/v3(\.0)?\//;

export interface IamRequest {
  readonly query: URLSearchParams;
  readonly body: Buffer;
  /** Whoever signed the request. */
  readonly caller: KnownCredential;
  /** `http://host:port` as the client addressed it, for the `links` IAM returns. */
  readonly origin: string;
}

export type IamHandler = (request: IamRequest) => Reply;

/** The one emulated account: the caller's and, since one account is enough, the delegating one. */
export const ACCOUNT_DOMAIN_ID = DEMO_AGENCY.domainId;

const ASSUME_ROLE_BODY =
  'expected {"auth":{"identity":{"methods":["assume_role"],"assume_role":{"agency_name","domain_name" or "domain_id","duration_seconds"?}}}}';

/** "The request parameter is invalid" and "Policy doesn't allow … to be performed", as IAM's error-code table lists them. */
const INVALID_PARAMETER = 'IAM.0007';
const FORBIDDEN = 'IAM.0003';

interface AssumeRole {
  readonly agencyName: string;
  readonly domainName?: string;
  readonly domainId?: string;
  readonly durationSeconds: number;
}

export class IamApi {
  private projects: EmulatorProject[];
  private agencies: EmulatorAgency[];

  constructor(
    private readonly temporary: TemporaryCredentials,
    projects: readonly EmulatorProject[],
    agencies: readonly EmulatorAgency[],
  ) {
    this.projects = [...projects];
    this.agencies = [...agencies];
  }

  /** Replaces the account's projects; throws an Error naming the bad field. */
  setProjects(projects: readonly EmulatorProject[]): void {
    this.projects = checkProjects(projects, 'projects');
  }

  /** Replaces the agencies; throws an Error naming the bad field. */
  setAgencies(agencies: readonly EmulatorAgency[]): void {
    this.agencies = checkAgencies(agencies, 'agencies');
  }

  route(method: string, pathname: string): IamHandler | undefined {
    if (method === 'GET' && pathname === '/v3/projects') return (request) => this.listProjects(request);
    if (method === 'POST' && pathname === '/v3.0/OS-CREDENTIAL/securitytokens') return (request) => this.assumeRole(request);
    return undefined;
  }

  /** Filters on `name` and `domain_id`, as the provider and the SDKs query; other parameters are ignored. */
  private listProjects({ query, origin }: IamRequest): Reply {
    const name = query.get('name');
    const domainId = query.get('domain_id');
    const projects = this.projects
      .filter((project) => (name === null || project.name === name) && (domainId === null || domainId === ACCOUNT_DOMAIN_ID))
      .map((project) => ({
        id: project.id,
        name: project.name,
        domain_id: ACCOUNT_DOMAIN_ID,
        parent_id: ACCOUNT_DOMAIN_ID,
        enabled: true,
        is_domain: false,
        description: '',
        links: { self: `${origin}/v3/projects/${project.id}` },
      }));
    const search = query.toString();
    return { status: 200, body: { projects, links: { self: `${origin}/v3/projects${search ? `?${search}` : ''}`, previous: null, next: null } } };
  }

  private assumeRole({ body, caller }: IamRequest): Reply {
    const request = readAssumeRole(body);
    if (typeof request === 'string') return { status: 400, body: iamError(400, INVALID_PARAMETER, request) };
    const domain = request.domainName !== undefined ? `domain_name ${showValue(request.domainName)}` : `domain_id ${showValue(request.domainId!)}`;
    const agency = this.agencies.find(
      (candidate) =>
        candidate.agencyName === request.agencyName &&
        (request.domainName === undefined || candidate.domainName === request.domainName) &&
        (request.domainId === undefined || candidate.domainId === request.domainId),
    );
    if (!agency) {
      const message = `no agency ${showValue(request.agencyName)} in the account with ${domain} (or the name and the domain do not belong together)`;
      return { status: 403, body: iamError(403, FORBIDDEN, message) };
    }
    const trusted = agency.trustedAccessKeys === undefined || (caller.principal !== undefined && agency.trustedAccessKeys.includes(caller.principal));
    if (!trusted) {
      const message = `the agency ${showValue(agency.agencyName)} of ${showValue(agency.domainName)} does not trust the caller (access key ${showValue(caller.accessKey)})`;
      return { status: 403, body: iamError(403, FORBIDDEN, message) };
    }
    // Chained assumptions keep the configured key behind them, so trust lists stay about people, not sessions.
    const credential = this.temporary.issue(request.durationSeconds * 1000, caller.principal);
    return { status: 201, body: credentialBody(credential) };
  }
}

/** The request, or why IAM refuses its body (a message naming the field). */
function readAssumeRole(body: Buffer): AssumeRole | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return `the request body is not JSON; ${ASSUME_ROLE_BODY}`;
  }
  const identity = field(field(parsed, 'auth'), 'identity');
  const methods = field(identity, 'methods');
  if (!Array.isArray(methods) || !methods.includes('assume_role')) return `auth.identity.methods must contain "assume_role"; ${ASSUME_ROLE_BODY}`;
  const assumeRole = field(identity, 'assume_role');
  if (!isObject(assumeRole)) return `auth.identity.assume_role is missing; ${ASSUME_ROLE_BODY}`;
  const { agency_name: agencyName, domain_name: domainName, domain_id: domainId, duration_seconds: duration } = assumeRole;
  if (typeof agencyName !== 'string' || agencyName === '') return `auth.identity.assume_role.agency_name must be a non-empty string; ${ASSUME_ROLE_BODY}`;
  for (const [key, value] of [['domain_name', domainName], ['domain_id', domainId]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) return `auth.identity.assume_role.${key} must be a non-empty string`;
  }
  if (domainName === undefined && domainId === undefined) return `auth.identity.assume_role needs domain_name or domain_id; ${ASSUME_ROLE_BODY}`;
  const { min, max, default: durationDefault } = ASSUME_ROLE_DURATION;
  if (duration !== undefined && !(Number.isInteger(duration) && (duration as number) >= min && (duration as number) <= max)) {
    return `auth.identity.assume_role.duration_seconds ${showValue(String(duration))} must be a whole number of seconds from ${min} to ${max}`;
  }
  return {
    agencyName,
    domainName: domainName as string | undefined,
    domainId: domainId as string | undefined,
    durationSeconds: (duration as number | undefined) ?? durationDefault,
  };
}
