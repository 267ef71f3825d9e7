import { oneLine } from './errors';
import { learnSecrets, redact } from './redaction';

const PREFIX = 'fpga-image-association: ';
/** A note longer than this is cut, after redaction (./redaction). */
const NOTE_LENGTH = 2000;

/**
 * The handler's output: one-line notes on stderr, results on stdout. Every line passes through
 * the redaction of every secret the run has learnt (the environment's keys, a profile's, the
 * temporary ones obtained later, a metadata token, a proxy password), as a last guard against an
 * echoed secret (an API message that quotes a signed header, a nested error cause).
 */
export class Log {
  public constructor(secrets: readonly (string | undefined)[] = []) {
    this.learn(...secrets);
  }

  /** Redacts these from now on, in this process's every line. */
  public learn(...secrets: readonly (string | undefined)[]): void {
    learnSecrets(...secrets);
  }

  /** A note for people, on stderr. */
  public note(text: string): void {
    process.stderr.write(`${PREFIX}${oneLine(text, NOTE_LENGTH)}\n`);
  }

  /** A machine-readable result, one JSON line on stdout. */
  public result(value: object): void {
    process.stdout.write(`${redact(JSON.stringify(value))}\n`);
  }
}
