import { showValue } from '../rules';

/**
 * Checks for JSON that comes from outside: the control plane, a seed file, and in-process callers
 * (who may be plain JavaScript). Each throws an Error whose message names the offending field.
 */

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]`, or undefined when value is not an object. */
export function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

/** An absent list is an empty one. */
export function listOf(value: unknown, label: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`invalid ${label}: expected an array`);
  return value;
}

/** Rejects keys a caller probably misspelt, rather than silently ignoring them. */
export function checkKeys(value: unknown, allowed: readonly string[], label: string): void {
  if (!isObject(value)) throw new Error(`invalid ${label}: expected a JSON object with ${allowed.join(', ')}`);
  const unknown = Object.keys(value).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw new Error(`invalid ${label}: unknown key ${showValue(unknown)} (expected ${allowed.join(', ')})`);
  }
}

export function optionalString(value: unknown, label: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new Error(`invalid ${label}: expected a string`);
}
