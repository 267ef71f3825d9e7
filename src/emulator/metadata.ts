import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { showValue } from '../rules';
import type { Reply } from './http-io';
import { EmulatorMetadata, mergeMetadata } from './options';
import { credentialBody, IssuedCredential, TemporaryCredentials } from './temporary-credentials';

/**
 * The ECS metadata service, as an ECS whose agency hands out temporary credentials shows it
 * (reference §1.3, §2.3): a session token, then the security key. Unsigned, as on a real server.
 */

/** The metadata service's paths; the gateway tells metadata requests apart by them. */
export const METADATA_PATH = /^\/(meta-data|openstack)\//;

/** The Go SDK's ConfigAgencyError: what the service says when the server has no agency. */
export const NO_AGENCY_MESSAGE = 'Please configure Cloud Service Agency first';

const TOKEN_PATH = '/meta-data/latest/api/token';
const SECURITY_KEY_PATH = '/openstack/latest/securitykey';
/** The Go SDK's DefaultTokenTTLSeconds, also the most the emulator grants (inferred, as on other clouds' metadata services). */
const MAX_TOKEN_TTL_SECONDS = 21_600;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class MetadataService {
  private settings: Required<EmulatorMetadata>;
  /** Session tokens and when they expire, on the emulator's clock. */
  private readonly tokens = new Map<string, number>();
  private current: IssuedCredential | undefined;

  constructor(
    private readonly temporary: TemporaryCredentials,
    /** The emulator's clock, in epoch milliseconds. */
    private readonly now: () => number,
    settings: Required<EmulatorMetadata>,
  ) {
    this.settings = settings;
  }

  /** Changes the given settings (the others stay); throws an Error naming the bad field. The next credential is a new one. */
  configure(update: EmulatorMetadata): void {
    this.settings = mergeMetadata(this.settings, update, 'metadata');
    this.forgetCredential();
  }

  /** The next securitykey hands out a new credential, e.g. after the lifetime cap changed. */
  forgetCredential(): void {
    this.current = undefined;
  }

  /** Back to `settings`, with no session token or credential handed out. */
  reset(settings: Required<EmulatorMetadata>): void {
    this.settings = settings;
    this.tokens.clear();
    this.forgetCredential();
  }

  answer(method: string, pathname: string, headers: IncomingHttpHeaders): Reply {
    if (pathname === TOKEN_PATH) return method === 'PUT' ? this.issueToken(headers) : notAllowed('PUT');
    if (pathname === SECURITY_KEY_PATH) return method === 'GET' ? this.securityKey(headers) : notAllowed('GET');
    return { status: 404, body: `Not Found: ${pathname}` };
  }

  private issueToken(headers: IncomingHttpHeaders): Reply {
    if (!this.settings.tokens) return { status: 404, body: 'Not Found: this metadata service has no session tokens' };
    const ttl = header(headers, 'x-metadata-token-ttl-seconds');
    if (ttl === undefined || !/^\d{1,5}$/.test(ttl) || Number(ttl) < 1 || Number(ttl) > MAX_TOKEN_TTL_SECONDS) {
      return { status: 400, body: `X-Metadata-Token-Ttl-Seconds ${showValue(String(ttl))} must be a whole number of seconds from 1 to ${MAX_TOKEN_TTL_SECONDS}` };
    }
    const now = this.now();
    for (const [known, expiresAt] of this.tokens) if (expiresAt <= now) this.tokens.delete(known);
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(token, now + Number(ttl) * 1000);
    return { status: 200, body: token };
  }

  private securityKey(headers: IncomingHttpHeaders): Reply {
    if (this.settings.tokens) {
      const token = header(headers, 'x-metadata-token');
      if (token === undefined) return { status: 401, body: 'Unauthorized: X-Metadata-Token is missing; PUT /meta-data/latest/api/token first' };
      const expiresAt = this.tokens.get(token);
      if (expiresAt === undefined || this.now() >= expiresAt) return { status: 401, body: 'Unauthorized: X-Metadata-Token is unknown or expired' };
    }
    if (!this.settings.agency) return { status: 404, body: NO_AGENCY_MESSAGE };
    return { status: 200, body: credentialBody(this.credential()) };
  }

  /** The same credential until a quarter of its life is left, then a new one: the real service rotates ahead of expiry. */
  private credential(): IssuedCredential {
    const current = this.current;
    if (current && this.now() < current.expiresAt - (current.expiresAt - current.issuedAt) / 4) return current;
    this.current = this.temporary.issue(this.settings.credentialTtlMs, undefined);
    return this.current;
  }
}

function notAllowed(allowed: string): Reply {
  return { status: 405, body: 'Method Not Allowed', headers: { Allow: allowed } };
}
