import { HANDLER_DEFAULTS } from '../../src/contract';
import { backoffMs, retryAfterMs } from '../../src/handler/retry';

describe('retry timing', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');

  it('reads Retry-After in seconds or as an HTTP date, and ignores anything else', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Mon, 01 Jan 2024 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Sun, 31 Dec 2023 23:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially up to the cap, with full jitter', () => {
    const tuning = { ...HANDLER_DEFAULTS, retryBaseDelayMs: 100, retryMaxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 50].map((attempt) => backoffMs(attempt, tuning, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(3, tuning, () => 0)).toBe(0);
  });
});
