/**
 * Rules shared by the construct (checked at synth time) and the handler (checked again at apply
 * time, where a value was a token at synth). Written once, imported by both.
 */

/** Regions where the FPGA-image API is available (the API reference says so on every page). */
export const SUPPORTED_REGIONS: readonly string[] = ['cn-north-1', 'cn-east-2', 'cn-south-1'];

interface IdRule {
  readonly pattern: RegExp;
  readonly expected: string;
}

const HEX32: IdRule = { pattern: /^[0-9a-f]{32}$/, expected: '32 lowercase hexadecimal characters' };

/** Identity fields of an association, with the formats Huawei's own client (fisclient) enforces. */
export const ID_RULES = {
  projectId: { ...HEX32, expected: `${HEX32.expected} (a Huawei Cloud project ID)` },
  fpgaImageId: { ...HEX32, expected: `${HEX32.expected} (an FPGA image ID)` },
  imageId: {
    pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    expected: 'a lowercase UUID such as 18efee75-e058-4c52-a49c-9e3ba4d1c8de (the ID of a private ECS image)',
  },
} as const;

export type IdField = keyof typeof ID_RULES;

/** Shows a value in an error message without letting control characters or quotes confuse it. */
export function showValue(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return JSON.stringify(shown);
}

/** Returns an error message, or undefined when `value` is a valid `field`. */
export function checkId(field: IdField, value: string, label: string = field): string | undefined {
  const rule = ID_RULES[field];
  if (rule.pattern.test(value)) return undefined;
  return `invalid ${label} ${showValue(value)}: expected ${rule.expected}`;
}

export function checkRegion(value: string, label: string = 'region'): string | undefined {
  if (SUPPORTED_REGIONS.includes(value)) return undefined;
  return `invalid ${label} ${showValue(value)}: the FPGA-image API is available only in ${SUPPORTED_REGIONS.join(', ')}`;
}

/** The ECS endpoint of a supported region. */
export function endpointForRegion(region: string): string {
  return `https://ecs.${region}.myhuaweicloud.com`;
}

/** True for hosts that never leave this machine: localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Checks an endpoint and returns its normalised origin (`scheme://host[:port]`), or an error.
 * https is required; plain http is allowed only to loopback, where the emulator runs.
 */
export function checkEndpoint(value: string, label: string = 'endpoint'): { origin?: string; error?: string } {
  const expected =
    'expected https://host[:port] (plain http only for a loopback host such as http://127.0.0.1:8080), with no path, query or user info';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: `invalid ${label} ${showValue(value)}: ${expected}` };
  }
  const plainPath = url.pathname === '/' || url.pathname === '';
  const plainHost = /^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/.test(url.hostname);
  if (url.username || url.password || !plainPath || url.search || url.hash || !plainHost) {
    return { error: `invalid ${label} ${showValue(value)}: ${expected}` };
  }
  if (url.protocol === 'https:') return { origin: url.origin };
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return { origin: url.origin };
  if (url.protocol === 'http:') {
    return {
      error: `invalid ${label} ${showValue(value)}: plain http is allowed only to a loopback host (localhost, 127.0.0.0/8, ::1); use https`,
    };
  }
  return { error: `invalid ${label} ${showValue(value)}: ${expected}` };
}

/** Path of the association resource, relative to the endpoint. */
export function associationPath(projectId: string, fpgaImageId: string): string {
  return `/v1/${projectId}/cloudservers/fpga_image/${fpgaImageId}/association`;
}

/** Path of the associations query, relative to the endpoint. */
export function associationsQueryPath(projectId: string): string {
  return `/v1/${projectId}/cloudservers/fpga_image/associations`;
}

/** Path of the FPGA images' detail list, relative to the endpoint. */
export function fpgaImagesDetailPath(projectId: string): string {
  return `/v1/${projectId}/cloudservers/fpga_image/detail`;
}

/**
 * What the construct accepts in `assumeRole`, checked again by the handler for the same values from
 * the environment. IAM's own limits are looser in places; these keep the values printable and
 * unambiguous in messages.
 */
export const AGENCY_RULES = {
  agencyName: { pattern: /^[A-Za-z0-9 _.-]{1,64}$/, expected: '1 to 64 letters, digits, spaces, _, - or . (the agency name in IAM)' },
  domainName: { pattern: /^[A-Za-z0-9_.-]{1,64}$/, expected: "1 to 64 letters, digits, _, - or . (the delegating account's name)" },
  domainId: { ...HEX32, expected: `${HEX32.expected} (the delegating account's ID)` },
} as const;

export type AgencyField = keyof typeof AGENCY_RULES;

export function checkAgencyField(field: AgencyField, value: string, label: string = field): string | undefined {
  const rule = AGENCY_RULES[field];
  if (rule.pattern.test(value)) return undefined;
  return `invalid ${label} ${showValue(value)}: expected ${rule.expected}`;
}

/** The region of a Huawei Cloud ECS endpoint (`https://ecs.{region}.myhuaweicloud.com`), or undefined for any other. */
export function regionOfEndpoint(origin: string): string | undefined {
  return /^https:\/\/ecs\.([a-z0-9-]+)\.myhuaweicloud\.com$/.exec(origin)?.[1];
}
