import { randomBytes } from 'node:crypto';
import type { KnownCredential } from './auth';

/**
 * The temporary credentials the emulator hands out (metadata securitykey, IAM assume-role). The
 * gateway accepts each only with its security token and only until it expires on the emulator's
 * clock; both services answer with the same `credential` object.
 */

/** The `credential` object of a securitykey or assume-role answer (reference §1.3, §5). */
export interface CredentialBody {
  readonly access: string;
  readonly secret: string;
  readonly securitytoken: string;
  /** RFC 3339 UTC with microseconds, e.g. `2026-12-03T20:00:00.000000Z`. */
  readonly expires_at: string;
}

export interface IssuedCredential extends KnownCredential {
  readonly securityToken: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** Enough for any test run; a long-running CLI emulator must not grow without bound. */
const MAX_ISSUED = 10_000;

const ACCESS_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export class TemporaryCredentials {
  /** By access key, oldest first; expired ones stay, so their refusal says they expired. */
  private readonly issued = new Map<string, IssuedCredential>();
  private ttlCapMs: number | undefined;

  constructor(
    /** The emulator's clock, in epoch milliseconds. */
    private readonly now: () => number,
    ttlCapMs: number | undefined,
  ) {
    this.ttlCapMs = ttlCapMs;
  }

  /** Caps the life of every credential issued from now on; undefined removes the cap. */
  setTtlCap(ms: number | undefined): void {
    this.ttlCapMs = ms;
  }

  issue(lifetimeMs: number, principal: string | undefined): IssuedCredential {
    const issuedAt = this.now();
    const credential: IssuedCredential = {
      // Shaped like Huawei's: 20 upper-case characters, a 40-character secret, a long opaque token.
      accessKey: Array.from(randomBytes(20), (byte) => ACCESS_KEY_ALPHABET[byte % ACCESS_KEY_ALPHABET.length]).join(''),
      secretKey: randomBytes(30).toString('base64url'),
      securityToken: `gQ${randomBytes(192).toString('base64url')}`,
      issuedAt,
      expiresAt: issuedAt + Math.min(lifetimeMs, this.ttlCapMs ?? Infinity),
      principal,
    };
    this.issued.set(credential.accessKey, credential);
    if (this.issued.size > MAX_ISSUED) this.issued.delete(this.issued.keys().next().value!);
    return credential;
  }

  find(accessKey: string): IssuedCredential | undefined {
    return this.issued.get(accessKey);
  }

  /** Forgets every credential issued (they are refused from now on as unknown). */
  clear(): void {
    this.issued.clear();
  }
}

export function credentialBody(credential: IssuedCredential): { credential: CredentialBody } {
  return {
    credential: {
      access: credential.accessKey,
      secret: credential.secretKey,
      securitytoken: credential.securityToken,
      expires_at: new Date(credential.expiresAt).toISOString().replace(/Z$/, '000Z'),
    },
  };
}
