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
 * kept while they outlive the attempt asking, obtained again otherwise. `obtained` is told each new
 * credential before any use (the log learns its secrets).
 */
export class RenewingSource implements CredentialSource {
  private held?: Credentials;

  public constructor(
    private readonly obtain: () => Promise<Credentials>,
    private readonly obtained: (credentials: Credentials) => void,
  ) {}

  public async credentials(until: number): Promise<Credentials> {
    if (this.held === undefined || (this.held.expiresAt !== undefined && this.held.expiresAt <= until)) {
      const credentials = await this.obtain();
      this.obtained(credentials);
      this.held = credentials;
    }
    return this.held;
  }
}

/**
 * Reads `{"credential":{"access","secret","securitytoken","expires_at"}}`, the answer of both the
 * metadata service and IAM's assume-role; undefined when any of the four is missing or unreadable.
 */
export function readTemporaryCredential(body: string, source: string): Credentials | undefined {
  let credential: Record<string, unknown>;
  try {
    credential = (JSON.parse(body) as { credential?: Record<string, unknown> }).credential ?? {};
  } catch {
    return undefined;
  }
  const { access, secret, securitytoken, expires_at: expires } = credential;
  const expiresAt = typeof expires === 'string' ? Date.parse(expires) : NaN;
  if (typeof access !== 'string' || typeof secret !== 'string' || typeof securitytoken !== 'string' || Number.isNaN(expiresAt)) return undefined;
  if (!access || !secret || !securitytoken) return undefined;
  return { accessKey: access, secretKey: secret, securityToken: securitytoken, source, expiresAt };
}
