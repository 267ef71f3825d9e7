import { oneLine } from './errors';

const PREFIX = 'fpga-image-association: ';
const REDACTED = '[redacted]';

/**
 * The handler's output: one-line notes on stderr, results on stdout. Every line passes through
 * the redaction of every secret the run has learnt (the environment's keys, a profile's, the
 * temporary ones obtained later, a metadata token, a proxy password), as a last guard against an
 * echoed secret (an API message that quotes a signed header, a nested error cause).
 */
export class Log {
  private readonly secrets: string[] = [];

  public constructor(secrets: readonly (string | undefined)[] = []) {
    this.learn(...secrets);
  }

  /** Redacts these from now on. Shorter than 6 characters, they are not real secrets, and masking them would garble text. */
  public learn(...secrets: readonly (string | undefined)[]): void {
    this.secrets.push(...secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6 && !this.secrets.includes(s)));
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
