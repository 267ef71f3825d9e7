import { parseJson } from '../json-text';
import { learnSecrets } from '../redaction';

/**
 * What every credential source gives, and how temporary credentials are kept valid: obtained again
 * from their source before a request that would outlive them.
 */

export interface Credentials {
  readonly accessKey: string;
  readonly secretKey: string;
  /** Temporary credentials only: sent, signed, as X-Security-Token. */
  readonly securityToken?: string;
  /** Where they came from, for messages: variable names, a profile, an endpoint, an agency; never a value. */
  readonly source: string;
  /** Epoch ms, on the API's clock, from which they are refused; undefined when no end is known (permanent keys). */
  readonly expiresAt?: number;
}

/** Credentials that stay valid: whoever signs asks for them before each attempt. */
export interface CredentialSource {
  /** Credentials valid at least until `until` (epoch ms on the API's clock) if their source can give such. */
  credentials(until: number): Promise<Credentials>;
}

/** Keys that never expire (a profile's or the environment's): always the same. */
export function fixedSource(credentials: Credentials): CredentialSource {
  return { credentials: async () => credentials };
}

/**
 * Temporary credentials from a source that hands out new ones (the metadata service, assume-role):
 * kept while they outlive the attempt asking, obtained again otherwise.
 */
export class RenewingSource implements CredentialSource {
  private held?: Credentials;

  public constructor(private readonly obtain: () => Promise<Credentials>) {}

  public async credentials(until: number): Promise<Credentials> {
    if (this.held === undefined || (this.held.expiresAt !== undefined && this.held.expiresAt <= until)) {
      this.held = await this.obtain();
    }
    return this.held;
  }
}

/**
 * Reads `{"credential":{"access","secret","securitytoken","expires_at"}}`, the answer of both the
 * metadata service and IAM's assume-role; or says what it lacks (never quoting it). Whatever secrets
 * it carries are redacted from then on, even from an answer that cannot be used.
 */
export function readTemporaryCredential(body: string, source: string): { readonly credentials: Credentials } | { readonly problem: string } {
  const parsed = parseJson(body);
  if ('problem' in parsed) return { problem: `a body that is ${parsed.problem}` };
  const { value } = parsed;
  const credential = value !== null && typeof value === 'object' && 'credential' in value ? (value as { credential: unknown }).credential : undefined;
  const fields = credential !== null && typeof credential === 'object' ? (credential as Record<string, unknown>) : {};
  const { access, secret, securitytoken, expires_at: expires } = fields;
  learnSecrets(...[access, secret, securitytoken].filter((field): field is string => typeof field === 'string'));
  const expiresAt = typeof expires === 'string' ? Date.parse(expires) : NaN;
  if (typeof access !== 'string' || typeof secret !== 'string' || typeof securitytoken !== 'string' || Number.isNaN(expiresAt)
    || !access || !secret || !securitytoken) {
    return { problem: 'no credential.access, secret, securitytoken and expires_at' };
  }
  return { credentials: { accessKey: access, secretKey: secret, securityToken: securitytoken, source, expiresAt } };
}
