import { CREDENTIAL_ENV, PROXY_ENV } from '../../src/contract';

/**
 * The suite's secret scan: no output of any process the suite runs may contain a fragment of 8 or
 * more characters of a secret the test set. The harnesses that run processes (test/handler/harness.ts
 * for the handler, test/e2e/workspace.ts for Terraform) check every output they capture against the
 * secrets in the environment they gave it and those a test declared (in a file, an emulator's answer).
 */

/** Fragments shorter than this could be ordinary words. */
export const FRAGMENT_LENGTH = 8;

/** Secrets a test put where no environment variable shows them (a profile, a fault's body), for this test file. */
const declared = new Set<string>();

/** Declares `value` a secret of this test file; returns it. */
export function secret(value: string): string {
  declared.add(value);
  return value;
}

/** The secrets an environment holds: credential variables, and the password of any proxy or npm registry URL. */
export function secretsIn(env: Readonly<Record<string, string | undefined>>): string[] {
  const credentials = [...CREDENTIAL_ENV.accessKey, ...CREDENTIAL_ENV.secretKey, ...CREDENTIAL_ENV.securityToken].map((name) => env[name]);
  // npm reads its registry setting in any case, and so does the node launcher.
  const registries = Object.keys(env).filter((name) => name.toLowerCase() === 'npm_config_registry');
  const proxies = [...PROXY_ENV.https, ...PROXY_ENV.http, ...registries].map((name) => {
    try {
      return decodeURIComponent(new URL(env[name] ?? '').password);
    } catch {
      return undefined;
    }
  });
  return [...credentials, ...proxies].filter((value): value is string => !!value);
}

/** The first fragment of a secret (declared, or in `secrets`) that `text` contains, or undefined. */
export function secretFragmentIn(text: string, secrets: readonly string[] = []): string | undefined {
  for (const value of new Set([...declared, ...secrets])) {
    for (let at = 0; at + FRAGMENT_LENGTH <= value.length; at++) {
      const fragment = value.slice(at, at + FRAGMENT_LENGTH);
      if (text.includes(fragment)) return fragment;
    }
  }
  return undefined;
}

/** Throws when `text` holds a fragment of a secret; `where` names the output. */
export function expectNoSecret(where: string, text: string, secrets: readonly string[] = []): void {
  const fragment = secretFragmentIn(text, secrets);
  if (fragment !== undefined) throw new Error(`${where} holds ${JSON.stringify(fragment)}, part of a secret the test set:\n${text}`);
}
