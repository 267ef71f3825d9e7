import { validateHeaderName, validateHeaderValue } from 'node:http';
import { showValue } from '../rules';
import { checkKeys, isObject } from './json-input';

/**
 * Gateway-level misbehaviour on demand: scripted fault rules and a token-bucket rate limit. Both
 * act before authentication, as the real API gateway does.
 */

export type FaultAction = 'respond' | 'reset' | 'hang' | 'delay';

export interface FaultRule {
  /** HTTP method to match; absent = any (API requests only, never the control plane). */
  readonly method?: string;
  /** Substring of the request path (query string included) to match; absent = any. */
  readonly path?: string;
  /** How many matching requests the rule handles; default 1; -1 or Infinity = all of them. */
  readonly times?: number;
  /** default 'respond' */
  readonly action?: FaultAction;
  /** For respond: the status code (required). */
  readonly status?: number;
  /** For respond: a string is sent raw (e.g. an HTML error page), an object as JSON. */
  readonly body?: string | object;
  /** For respond: extra response headers (e.g. Retry-After). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long first. Required for delay, which then handles the request normally; the other actions then act. */
  readonly delayMs?: number;
  /**
   * The request reaches the API and takes effect first (a relation made or removed, if the API
   * accepts it); then the action loses, replaces or delays its answer: `reset` or `hang` (the
   * client never learns the outcome), `respond` (a 5xx from a gateway after the backend acted), or
   * `delay` (the real answer, late). Default false: the fault acts instead of the API.
   */
  readonly takesEffect?: boolean;
}

export interface RateLimit {
  readonly requestsPerSecond: number;
  /** Requests allowed at once after a quiet period; default requestsPerSecond (at least 1). */
  readonly burst?: number;
}

const ACTIONS: readonly FaultAction[] = ['respond', 'reset', 'hang', 'delay'];
const RULE_KEYS = ['method', 'path', 'times', 'action', 'status', 'body', 'headers', 'delayMs', 'takesEffect'];

interface ArmedRule {
  readonly rule: FaultRule;
  remaining: number;
}

/** Why a rule is unusable, or undefined. */
function ruleProblem(rule: FaultRule): string | undefined {
  const { method, path, times, action = 'respond', status, body, headers, delayMs, takesEffect } = rule;
  if (takesEffect !== undefined && typeof takesEffect !== 'boolean') return `takesEffect ${showValue(String(takesEffect))} must be true or false`;
  if (method !== undefined && typeof method !== 'string') return 'method must be a string';
  if (path !== undefined && typeof path !== 'string') return 'path must be a string';
  if (times !== undefined && times !== -1 && times !== Infinity && !(Number.isInteger(times) && times >= 1)) {
    return `times ${showValue(String(times))} must be a positive integer, or -1 for every matching request`;
  }
  if (!ACTIONS.includes(action)) return `action ${showValue(String(action))} must be one of ${ACTIONS.join(', ')}`;
  if (delayMs !== undefined && !(typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0)) {
    return `delayMs ${showValue(String(delayMs))} must be a number >= 0`;
  }
  if (action === 'delay' && delayMs === undefined) return 'action "delay" needs delayMs';
  if (action !== 'respond') {
    const extra = [status, body, headers].some((value) => value !== undefined);
    return extra ? `status, body and headers apply only to action "respond", not ${showValue(action)}` : undefined;
  }
  if (!(Number.isInteger(status) && status! >= 100 && status! <= 599)) {
    return `action "respond" needs a status from 100 to 599 (got ${showValue(String(status))})`;
  }
  if (body !== undefined && typeof body !== 'string' && typeof body !== 'object') return 'body must be a string or a JSON value';
  if (headers !== undefined && !(isObject(headers) && Object.values(headers).every((v) => typeof v === 'string'))) {
    return 'headers must be an object of string values';
  }
  return headers === undefined ? undefined : headerProblem(headers);
}

/** Node's own checks, so a bad header fails when the rule is added rather than mid-response. */
function headerProblem(headers: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      return `header ${showValue(name)} has an invalid name or value`;
    }
  }
  return undefined;
}

export class FaultInjector {
  private rules: ArmedRule[] = [];

  /** Adds rules after the existing ones; all are checked first, so a bad rule adds nothing. */
  add(rules: readonly FaultRule[]): void {
    if (!Array.isArray(rules)) throw new Error('invalid faults: expected an array of fault rules');
    rules.forEach((rule, i) => {
      checkKeys(rule, RULE_KEYS, `fault rule #${i}`);
      const problem = ruleProblem(rule);
      if (problem) throw new Error(`invalid fault rule #${i}: ${problem}`);
    });
    for (const rule of rules) {
      const times = rule.times ?? 1;
      this.rules.push({ rule, remaining: times === -1 ? Infinity : times });
    }
  }

  clear(): void {
    this.rules = [];
  }

  /** The first armed rule matching the request, using up one of its times. */
  take(method: string, target: string): FaultRule | undefined {
    const armed = this.rules.find(
      ({ rule, remaining }) =>
        remaining > 0 &&
        (rule.method === undefined || rule.method.toUpperCase() === method.toUpperCase()) &&
        (rule.path === undefined || target.includes(rule.path)),
    );
    if (!armed) return undefined;
    armed.remaining -= 1;
    return armed.rule;
  }
}

/** Throws an Error naming the field. */
export function checkRateLimit(limit: RateLimit): void {
  checkKeys(limit, ['requestsPerSecond', 'burst'], 'rate limit');
  const { requestsPerSecond, burst } = limit;
  if (!(typeof requestsPerSecond === 'number' && Number.isFinite(requestsPerSecond) && requestsPerSecond > 0)) {
    throw new Error(`invalid rate limit: requestsPerSecond ${showValue(String(requestsPerSecond))} must be a number > 0`);
  }
  if (burst !== undefined && !(Number.isInteger(burst) && burst >= 1)) {
    throw new Error(`invalid rate limit: burst ${showValue(String(burst))} must be an integer >= 1`);
  }
}

/** A token bucket on the monotonic clock, so clock-offset changes do not refill it. */
export class TokenBucket {
  private readonly capacity: number;
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly limit: RateLimit,
    private readonly monotonicNow: () => number = () => performance.now(),
  ) {
    checkRateLimit(limit);
    this.capacity = limit.burst ?? Math.max(1, Math.floor(limit.requestsPerSecond));
    this.tokens = this.capacity;
    this.updatedAt = this.monotonicNow();
  }

  /** True when the request may pass; false when it is over the limit. */
  take(): boolean {
    const now = this.monotonicNow();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.limit.requestsPerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
