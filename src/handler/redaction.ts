/**
 * The secrets this handler process has learnt (keys, tokens, proxy passwords, credentials an answer
 * carried) and their removal from any text it prints. One set per process, as a process serves one
 * run, so that every shortening of text (ApiFault messages, retry lines, the log's line limit) can
 * redact first: a secret cut in two no longer matches, and its first part would be printed.
 */

const REDACTED = '[redacted]';
/** Shorter than this, a value is not a real secret, and masking it would garble text. */
const MIN_SECRET_LENGTH = 6;

/** Longest first, so that a secret that contains another is replaced whole. */
const secrets: string[] = [];

/** Redacts these from now on. */
export function learnSecrets(...values: readonly (string | undefined)[]): void {
  for (const value of values) {
    if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH && !secrets.includes(value)) secrets.push(value);
  }
  secrets.sort((a, b) => b.length - a.length);
}

/** `text` without any secret learnt so far. */
export function redact(text: string): string {
  return secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}
