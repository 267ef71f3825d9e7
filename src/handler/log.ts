import { oneLine } from './errors';

const PREFIX = 'fpga-image-association: ';
const REDACTED = '[redacted]';

/**
 * The handler's output: one-line notes on stderr, results on stdout. Every line passes through
 * the redaction of the credentials in use, as a last guard against an echoed secret (an API
 * message that quotes a signed header, a nested error cause).
 */
export class Log {
  private readonly secrets: readonly string[];

  /** Secrets shorter than 6 characters are not real credentials, and masking them would garble text. */
  public constructor(secrets: readonly (string | undefined)[] = []) {
    this.secrets = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6);
  }

  /** A note for people, on stderr. */
  public note(text: string): void {
    process.stderr.write(`${PREFIX}${this.redact(oneLine(text, 2000))}\n`);
  }

  /** A machine-readable result, one JSON line on stdout. */
  public result(value: object): void {
    process.stdout.write(`${this.redact(JSON.stringify(value))}\n`);
  }

  private redact(text: string): string {
    return this.secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
  }
}
