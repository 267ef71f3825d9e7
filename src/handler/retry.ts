import { setTimeout as sleep } from 'node:timers/promises';
import { INPUT_ENV } from '../contract';
import { describeFault, GaveUpError, HandlerError, readFault, type ApiFault, type ApiResponse } from './errors';
import type { Log } from './log';
import type { RateBudget } from './rate-budget';

/**
 * The retry policy: which outcomes are transient, how long to wait, when to give up, and the one
 * re-signing allowed after the API rejects a request as expired because the clocks disagree.
 */

/** Huawei throttling codes, transient whatever the HTTP status (Common.0024 comes with 202). */
const THROTTLING_CODES: ReadonlySet<string> = new Set(['APIGW.0308', 'Common.0024', 'Common.1503']);
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
/** Connection reset or refused, socket and attempt timeouts, temporary DNS failure. */
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
]);
/**
 * Failures that happen before a request can have reached the API, so it certainly did not act: no
 * connection, no name, or a proxy that refused to pass it on (EPROXY, from ./http-client).
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'EPROXY']);
/** A wait for a request slot this long is worth a line: it explains a slow apply. */
const NOTABLE_SLOT_WAIT_MS = 5_000;
/**
 * A retry is only started with at least this long left before the deadline (or the attempt timeout,
 * when that is shorter): a few milliseconds cannot get an answer, and an attempt cut that short would
 * replace the last real answer (a 503, say) with a timeout that blames the network.
 */
const MIN_RETRY_WINDOW_MS = 250;
/** Beyond this, a 401/403 is taken to be the clocks' fault (the gateway allows 15 minutes). */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** The policy's numbers, read by ../config from the environment. */
export interface Tuning {
  readonly attemptTimeoutMs: number;
  readonly totalTimeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  /** Pace requests to this rate, shared by the handlers of one endpoint and access key; undefined = unpaced. */
  readonly maxRequestsPerSecond?: number;
}

export interface AttemptSettings {
  /** The attempt must end within this, answer body included. */
  readonly timeoutMs: number;
  /** Added to the local clock when signing. */
  readonly clockOffsetMs: number;
}

/** One signed attempt: resolves with any HTTP response, rejects on network failure, or with a HandlerError when its credentials cannot be had. */
export type Attempt = (settings: AttemptSettings) => Promise<ApiResponse>;

type Outcome =
  | { readonly response: ApiResponse; readonly fault: ApiFault }
  | { readonly error: Error & { code?: string } };

type Decision =
  | { readonly kind: 'done'; readonly response: ApiResponse }
  | { readonly kind: 'retry'; readonly waitMs?: number; readonly throttled?: boolean }
  | { readonly kind: 'resign'; readonly response: ApiResponse; readonly clockOffsetMs: number }
  | { readonly kind: 'unreachable' };

/** Milliseconds to wait from a `Retry-After` header (seconds or an HTTP date); undefined if absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Whether an attempt may have reached the API and been carried out although its answer says
 * nothing of it: a 5xx (a gateway's, say) other than throttling, or a connection lost or timed out
 * after it may have been sent. Throttling answers and refused connections mean it was not.
 */
function mayHaveActed(outcome: Outcome): boolean {
  if ('error' in outcome) return !NOT_SENT_CODES.has(outcome.error.code ?? '');
  return outcome.response.status >= 500 && !THROTTLING_CODES.has(outcome.fault.code ?? '');
}

/** Capped exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffMs(attempt: number, tuning: Tuning, random: () => number = Math.random): number {
  const ceiling = Math.min(tuning.retryMaxDelayMs, tuning.retryBaseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(random() * ceiling);
}

function describeError(error: Error & { code?: string; errors?: Error[] }): string {
  const message = error.message || error.errors?.[0]?.message || 'network error';
  return error.code && !message.includes(error.code) ? `${message} (${error.code})` : message;
}

/** Retry lines stay short; the failure line gives the whole message. */
const RETRY_LINE_MESSAGE_LENGTH = 80;

function describeOutcome(outcome: Outcome, messageLength?: number): string {
  return 'response' in outcome ? describeFault(outcome.fault, messageLength) : describeError(outcome.error);
}

/** `40 ms`, `1.5 s`, `20 min`: readable at a glance in a retry line. */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export class RetryPolicy {
  private clockOffsetMs = 0;
  private resigned = false;

  /**
   * `deadline` is the epoch time in ms by which the whole run must be over. With a `budget`, each
   * attempt first waits for its slot, and a throttling answer holds back the other processes too.
   */
  public constructor(
    private readonly tuning: Tuning,
    private readonly deadline: number,
    private readonly log: Log,
    private readonly budget?: RateBudget,
    /**
     * True once the process that started the handler (Terraform) is gone, killed say: a late
     * associate would then make an association that a later destroy has already passed by.
     */
    private readonly abandoned: () => boolean = () => false,
  ) {}

  /**
   * Runs `attempt` until it gets a final answer: any response that is neither transient nor fixed
   * by re-signing, returned as it is (2xx, 4xx, a 401/403 that is not a clock problem). Throws
   * GaveUpError when the attempts or the time run out, or when the API cannot be reached at all.
   */
  public async run(operation: string, attempt: Attempt): Promise<ApiResponse> {
    const started = Date.now();
    const totalTimeout = `${INPUT_ENV.totalTimeoutMs}=${this.tuning.totalTimeoutMs}`;
    let last: Outcome | undefined;
    let unknown = false;
    const minRetryWindowMs = Math.min(this.tuning.attemptTimeoutMs, MIN_RETRY_WINDOW_MS);
    for (let n = 1; ; n++) {
      const slotWaitMs = await this.waitForSlot(operation);
      if (this.abandoned()) throw this.giveUp(operation, n - 1, started, 'the Terraform run that started this handler has ended, so nothing more is sent', last, unknown);
      const timeLeft = this.deadline - Date.now();
      if (timeLeft <= 0 || (last && timeLeft < minRetryWindowMs)) {
        const waiting = slotWaitMs > 0 ? ` waiting for a request slot (${INPUT_ENV.maxRequestsPerSecond}=${this.tuning.maxRequestsPerSecond})` : '';
        throw this.giveUp(operation, n - 1, started, `${totalTimeout} reached${waiting}`, last, unknown);
      }
      const settings = { timeoutMs: Math.min(this.tuning.attemptTimeoutMs, timeLeft), clockOffsetMs: this.clockOffsetMs };
      const outcome: Outcome = await attempt(settings).then(
        (response) => ({ response, fault: readFault(response) }),
        (error: Error) => {
          // The attempt's credentials could not be obtained again: a failure of their source, said as it is.
          if (error instanceof HandlerError) throw error;
          return { error };
        },
      );
      last = outcome;
      unknown ||= mayHaveActed(outcome);
      const decision = this.decide(outcome);
      if (decision.kind === 'done') return decision.response;
      if (decision.kind === 'unreachable') throw this.giveUp(operation, n, started, 'not a transient error', outcome, unknown);
      // Out of attempts, a clock-skewed 401 is still an authentication failure, not a transient one.
      if (n >= this.tuning.maxAttempts && decision.kind === 'resign') return decision.response;
      if (n >= this.tuning.maxAttempts) throw this.giveUp(operation, n, started, `${INPUT_ENV.maxAttempts}=${this.tuning.maxAttempts} reached`, outcome, unknown);

      if (decision.kind === 'resign') {
        this.log.note(`${operation}: attempt ${n} got ${describeOutcome(outcome, RETRY_LINE_MESSAGE_LENGTH)}; the API's clock is ${duration(Math.abs(decision.clockOffsetMs))} `
          + `${decision.clockOffsetMs > 0 ? 'ahead of' : 'behind'} this machine's: signing again with the API's time`);
        this.clockOffsetMs = decision.clockOffsetMs;
        this.resigned = true;
        continue;
      }

      const waitMs = decision.waitMs ?? backoffMs(n, this.tuning);
      const leftAfterWaitMs = this.deadline - Date.now() - waitMs;
      if (leftAfterWaitMs < minRetryWindowMs) {
        let limit = `${totalTimeout} reached`;
        if (decision.waitMs !== undefined) {
          const asked = `the API asked to wait ${duration(waitMs)}`;
          limit = leftAfterWaitMs <= 0 ? `${asked}, past ${totalTimeout}` : `${asked}, leaving too little of ${totalTimeout} for another attempt`;
        }
        throw this.giveUp(operation, n, started, limit, outcome, unknown);
      }
      this.log.note(`${operation}: attempt ${n} of ${this.tuning.maxAttempts} got ${describeOutcome(outcome, RETRY_LINE_MESSAGE_LENGTH)}; retrying in ${duration(waitMs)}`);
      if (decision.throttled) await this.budget?.defer(Date.now() + waitMs);
      await sleep(waitMs);
    }
  }

  /** Waits for this process's next slot in the shared rate budget, if there is one; returns the wait. */
  private async waitForSlot(operation: string): Promise<number> {
    if (!this.budget) return 0;
    const waitedMs = await this.budget.take(this.deadline);
    if (waitedMs >= NOTABLE_SLOT_WAIT_MS) {
      this.log.note(`${operation}: waited ${duration(waitedMs)} for a request slot (${INPUT_ENV.maxRequestsPerSecond}=${this.tuning.maxRequestsPerSecond})`);
    }
    return waitedMs;
  }

  private giveUp(
    operation: string, attempts: number, started: number, limit: string, last: Outcome | undefined, outcomeUnknown: boolean,
  ): GaveUpError {
    const lastGot = last ? `; the last got ${describeOutcome(last)}` : '';
    return new GaveUpError(
      `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${duration(Date.now() - started)} (${limit})${lastGot}`,
      {
        operation,
        outcomeUnknown,
        fault: last && 'fault' in last ? last.fault : undefined,
        cause: last && 'error' in last ? last.error : undefined,
        hint: last && 'error' in last
          ? `No answer from the API: check the network, any proxy or firewall, and ${INPUT_ENV.endpoint} or ${INPUT_ENV.region}, then run again`
          : `The API is throttling requests or is unavailable: run again later, or allow more with ${INPUT_ENV.totalTimeoutMs} and ${INPUT_ENV.maxAttempts}`,
      });
  }

  private decide(outcome: Outcome): Decision {
    if ('error' in outcome) {
      return TRANSIENT_NETWORK_CODES.has(outcome.error.code ?? '') ? { kind: 'retry' } : { kind: 'unreachable' };
    }
    const { response, fault } = outcome;
    if (TRANSIENT_STATUSES.has(response.status) || THROTTLING_CODES.has(fault.code ?? '')) {
      const throttled = response.status === 429 || THROTTLING_CODES.has(fault.code ?? '');
      return { kind: 'retry', waitMs: retryAfterMs(response.headers['retry-after'], Date.now()), throttled };
    }
    const clockOffsetMs = this.resigned ? undefined : this.clockOffsetFrom(response, fault);
    return clockOffsetMs === undefined ? { kind: 'done', response } : { kind: 'resign', response, clockOffsetMs };
  }

  /** For a 401/403 caused by clock skew, the offset of the API's clock from ours; otherwise undefined. */
  private clockOffsetFrom(response: ApiResponse, fault: ApiFault): number | undefined {
    if (response.status !== 401 && response.status !== 403) return undefined;
    const dateHeader = response.headers.date;
    const serverTime = Date.parse(Array.isArray(dateHeader) ? dateHeader[0] : dateHeader ?? '');
    if (Number.isNaN(serverTime)) return undefined;
    const offset = serverTime - Date.now();
    const expired = response.status === 401 && /expired/i.test(fault.message ?? '');
    return expired || Math.abs(offset) > MAX_CLOCK_SKEW_MS ? offset : undefined;
  }
}
