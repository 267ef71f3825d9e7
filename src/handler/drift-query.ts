import { DRIFT_RESULT } from '../contract';
import { HandlerError } from './errors';

/**
 * The `drift-query` operation's side of Terraform's external-program protocol: the query arrives as
 * a JSON object on stdin, the answer leaves as a JSON object of strings on stdout. Every failure is
 * part of the answer (`associated: unknown` and the reason), so that the drift check reports it as a
 * warning instead of failing the plan.
 */

export type DriftAnswer = { readonly [key in (typeof DRIFT_RESULT)[keyof typeof DRIFT_RESULT]]: string };

/** All of stdin, as the external data source writes it and then closes it. */
export async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

export function driftAnswer(associated: boolean): DriftAnswer {
  return { [DRIFT_RESULT.associated]: String(associated), [DRIFT_RESULT.problem]: '' };
}

export function driftProblem(error: unknown): DriftAnswer {
  const problem =
    error instanceof HandlerError
      ? error.describe()
      : `internal error: ${error instanceof Error ? error.message : String(error)}. This is a bug in the handler: please report it`;
  return { [DRIFT_RESULT.associated]: 'unknown', [DRIFT_RESULT.problem]: problem };
}
