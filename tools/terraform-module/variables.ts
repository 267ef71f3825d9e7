/**
 * The module's variables, one per prop of `FpgaImageAssociationProps` as the jsii assembly lists them:
 * snake_case names, types from the prop types, optional exactly where the prop is, descriptions from
 * the prop docs, and a `validation` block for every rule the construct checks at synth, with its
 * message: a bad value fails the plan, never an apply or a destroy.
 *
 * Conditions hold on Terraform and OpenTofu alike: Terraform evaluates both sides of `||` and `&&`,
 * so a check that would fail on null is guarded by a conditional (`var.x == null ? true : check`),
 * whose branch not taken cannot fail the condition.
 */
import { Prop, PropType, snakeCase } from './assembly';
import { hclStrings } from './hcl';
import { ASSUME_ROLE_DURATION, HANDLER_DEFAULTS, REQUESTS_PER_SECOND_EXPECTED } from '../../src/contract';
import { AGENCY_RULES, checkAgencyField, checkEndpoint, checkId, checkRegion, ID_RULES, IdField, SUPPORTED_REGIONS } from '../../src/rules';

/** The Terraform JSON syntax of a `variable` block. */
export interface Variable {
  readonly type: string;
  readonly description: string;
  readonly default?: unknown;
  readonly nullable?: boolean;
  readonly validation?: { condition: string; error_message: string }[];
}

/** One validation rule, with a value that breaks it: the module's tests (tests/validation.tftest.hcl) plan each. */
export interface Rule {
  readonly variable: string;
  readonly condition: string;
  readonly message: string;
  /** Variables (HCL values) that fail this rule, added to valid ones. */
  readonly failing: Record<string, unknown>;
}

/**
 * Props whose value the module itself uses (not the handler's settings): their literal default is the
 * variable's default. A handler setting left unset stays unset (null), so that the handler's default,
 * or the FPGA_ASSOC_* variable of whoever runs Terraform, applies, as with the construct.
 */
const MODULE_DEFAULTS = new Set(['enabled', 'driftCheck']);

/** Sentences of the construct's docs that are true of the construct only: the module's variables reach the destroy through `input`. */
const CONSTRUCT_ONLY = [' Literal values only: destroy-time provisioners cannot read Terraform variables.'];

/** The construct's ranges of the handler's numeric settings (src/private/provisioners.ts checks the same at synth). */
const RANGES: Record<string, { min: number; max: number }> = {
  attempt_timeout_seconds: { min: 1, max: 600 },
  total_timeout_seconds: { min: 1, max: 3600 },
  max_attempts: { min: 1, max: 100 },
};

/** A value that fails every check of the construct, standing for the variable's value in its messages. */
const BAD = '!';

export function variables(props: readonly Prop[]): Record<string, Variable> {
  const names = new Set(props.flatMap((p) => [p.name, ...('struct' in p.type ? p.type.props.map((f) => f.name) : [])]));
  const byVariable = new Map<string, Rule[]>();
  for (const rule of RULES) byVariable.set(rule.variable, [...(byVariable.get(rule.variable) ?? []), rule]);
  const known = new Set(props.map((p) => snakeCase(p.name)));
  const stray = [...byVariable.keys()].filter((name) => !known.has(name));
  if (stray.length) throw new Error(`validation rules for variables the construct has no prop for: ${stray.join(', ')}`);
  return Object.fromEntries(props.map((prop) => [snakeCase(prop.name), variable(prop, names, byVariable.get(snakeCase(prop.name)) ?? [])]));
}

function variable(prop: Prop, names: ReadonlySet<string>, rules: readonly Rule[]): Variable {
  const literal = MODULE_DEFAULTS.has(prop.name) ? literalDefault(prop) : undefined;
  return {
    type: hclType(prop.type),
    description: description(prop, names),
    ...(prop.optional ? (literal !== undefined ? { default: literal, nullable: false } : { default: null }) : {}),
    ...(rules.length ? { validation: rules.map((r) => ({ condition: `\${${r.condition}}`, error_message: r.message })) } : {}),
  };
}

/** The jsii `@default` as a value, when it is a literal (`true`, `15`, `"node"`); undefined for `- text`. */
function literalDefault(prop: Prop): unknown {
  const text = prop.docs.default;
  if (text === undefined || text.startsWith('-')) return undefined;
  return JSON.parse(text);
}

export function hclType(type: PropType): string {
  if ('primitive' in type) return type.primitive === 'boolean' ? 'bool' : type.primitive;
  const fields = type.props.map((p) => `${snakeCase(p.name)} = ${p.optional ? `optional(${hclType(p.type)})` : hclType(p.type)}`);
  return `object({ ${fields.join(', ')} })`;
}

/** The prop's docs, with props named as the module's variables (`projectId` → `project_id`) and the default said in words. */
function description(prop: Prop, names: ReadonlySet<string>): string {
  const rename = (text: string) => CONSTRUCT_ONLY.reduce((t, sentence) => t.replace(sentence, ''), text
    // jsii keeps the source's line breaks: one paragraph is one line here.
    .replace(/([^\n])\n(?!\n)/g, '$1 ')
    .replace(/`([a-z][A-Za-z]*)`/g, (whole, word: string) => (names.has(word) ? `\`${snakeCase(word)}\`` : whole))
    .replace(/\bthe construct\b/g, 'the module block')).trim();
  const parts = [prop.docs.summary, prop.docs.remarks].filter((p): p is string => !!p).map(rename);
  const fields = 'struct' in prop.type ? prop.type.props.map((p) => `\`${snakeCase(p.name)}\`: ${rename(p.docs.summary ?? '')}${defaultText(p, rename)}`) : [];
  // A variable left null passes nothing: what the construct's docs call the default is then what applies.
  const required = !prop.optional ? ' Required.' : MODULE_DEFAULTS.has(prop.name) ? defaultText(prop, rename) : defaultText(prop, rename).replace(' Default: ', ' When null: ');
  return [...parts, ...fields].join('\n\n').trim() + (required ? `\n\n${required.trim()}` : '');
}

function defaultText(prop: Prop, rename: (text: string) => string = (t) => t): string {
  const text = prop.docs.default;
  if (text === undefined) return '';
  return ` Default: ${rename(text.startsWith('-') ? text.replace(/^-\s*/, '') : text)}.`;
}

/**
 * A construct message about `sample` as an HCL template about `ref`: the quoted value becomes
 * `jsonencode(ref)` (as showValue quotes it), "invalid" starts with a capital, and a period ends it.
 */
function message(text: string | undefined, ref: string, sample = BAD): string {
  const quoted = JSON.stringify(sample);
  if (!text || !text.includes(quoted)) throw new Error(`expected a message that shows ${quoted}, got ${JSON.stringify(text)}`);
  return `${text.split(quoted).join(`\${jsonencode(${ref})}`).replace(/^invalid /, 'Invalid ')}.`;
}

/** `condition`, true where `ref` is null (an optional value left unset). */
const orNull = (ref: string, condition: string) => `${ref} == null ? true : ${condition}`;
/** A pattern as an HCL string for RE2: JavaScript's source escapes `/`, which RE2 need not. */
const re2 = (pattern: RegExp) => JSON.stringify(pattern.source.replace(/\\\//g, '/'));
const matches = (pattern: RegExp, ref: string) => `can(regex(${re2(pattern)}, ${ref}))`;

function idRule(field: IdField, optional: boolean, valid: string): Rule {
  const name = snakeCase(field);
  const ref = `var.${name}`;
  const check = matches(ID_RULES[field].pattern, ref);
  return {
    variable: name,
    condition: optional ? orNull(ref, check) : check,
    message: message(checkId(field, BAD, name), ref),
    failing: { [name]: valid.toUpperCase() },
  };
}

function rangeRule(name: string, others: Record<string, unknown> = {}): Rule {
  const { min, max } = RANGES[name];
  const ref = `var.${name}`;
  return {
    variable: name,
    condition: orNull(ref, `floor(${ref}) == ${ref} && ${ref} >= ${min} && ${ref} <= ${max}`),
    message: `Invalid ${name} \${jsonencode(${ref})}: expected a whole number from ${min} to ${max}.`,
    failing: { ...others, [name]: max + 1 },
  };
}

/** `assume_role.<field>`, checked where it is set. */
function agencyRule(field: keyof typeof AGENCY_RULES, failing: Record<string, string>): Rule {
  const ref = `var.assume_role.${snakeCase(field)}`;
  const set = field === 'agencyName' ? 'var.assume_role == null' : `try(${ref}, null) == null`;
  return {
    variable: 'assume_role',
    condition: `${set} ? true : ${matches(AGENCY_RULES[field].pattern, ref)}`,
    message: message(checkAgencyField(field, BAD, `assume_role.${snakeCase(field)}`), `try(${ref}, null)`),
    failing: { assume_role: failing },
  };
}

const HUAWEI_ENDPOINT = /^https:\/\/ecs\.[a-z0-9-]+\.myhuaweicloud\.com$/;
/** checkEndpoint's rule as RE2: https to a host name or bracketed IPv6, or plain http to loopback, an optional port, no path, query or user info. */
const ENDPOINT = /^(https:\/\/(([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+|\[[0-9A-Fa-f:.]+\])|http:\/\/(localhost|127(\.[0-9]{1,3}){3}|\[::1\]))(:[0-9]{1,5})?\/?$/;
const PLAIN_HTTP = /^http:\/\//;
const { min: durationMin, max: durationMax } = ASSUME_ROLE_DURATION;
const AGENCY = { agency_name: 'fpga-admin', domain_name: 'owner-account' };

/** Every rule of the construct, as the module checks it at plan. */
export const RULES: readonly Rule[] = [
  idRule('fpgaImageId', false, '4010a32b5f231f04015f24259efd0429'),
  idRule('imageId', false, '18efee75-e058-4c52-a49c-9e3ba4d1c8de'),
  idRule('projectId', true, '0123456789abcdef0123456789abcdef'),
  {
    variable: 'region',
    condition: orNull('var.region', `contains(${hclStrings(SUPPORTED_REGIONS)}, var.region)`),
    message: message(checkRegion(BAD), 'var.region'),
    failing: { region: 'us-east-1' },
  },
  {
    variable: 'region',
    condition: 'var.region != null ? true : var.endpoint != null',
    message: `Region is required unless endpoint is given: expected one of ${SUPPORTED_REGIONS.join(', ')}.`,
    failing: { region: null, endpoint: null },
  },
  {
    variable: 'region',
    // Without project_id the project is looked up by the region's name: the variable's, else a Huawei endpoint's.
    condition: `var.project_id != null || var.region != null ? true : ${orNull('var.endpoint', matches(HUAWEI_ENDPOINT, 'var.endpoint'))}`,
    message: 'Region is required when project_id is omitted: the project is looked up by the region\'s name (got endpoint ${jsonencode(var.endpoint)} and no region); '
      + 'set region (e.g. cn-north-1), or project_id.',
    failing: { project_id: null, region: null, endpoint: 'https://ecs.example.com' },
  },
  {
    variable: 'endpoint',
    condition: orNull('var.endpoint', `!can(regex(${re2(PLAIN_HTTP)}, var.endpoint)) ? true : ${matches(ENDPOINT, 'var.endpoint')}`),
    message: message(checkEndpoint('http://example.com').error, 'var.endpoint', 'http://example.com'),
    failing: { endpoint: 'http://ecs.cn-north-1.myhuaweicloud.com' },
  },
  {
    variable: 'endpoint',
    condition: orNull('var.endpoint', `can(regex(${re2(PLAIN_HTTP)}, var.endpoint)) ? true : ${matches(ENDPOINT, 'var.endpoint')}`),
    message: message(checkEndpoint(BAD).error, 'var.endpoint'),
    failing: { endpoint: 'https://ecs.cn-north-1.myhuaweicloud.com/v1' },
  },
  // Within the longest total, so that only the range is broken.
  rangeRule('attempt_timeout_seconds', { total_timeout_seconds: RANGES.total_timeout_seconds.max }),
  {
    variable: 'attempt_timeout_seconds',
    condition: `coalesce(var.attempt_timeout_seconds, ${HANDLER_DEFAULTS.attemptTimeoutMs / 1000}) <= coalesce(var.total_timeout_seconds, ${HANDLER_DEFAULTS.totalTimeoutMs / 1000})`,
    message: `Invalid attempt_timeout_seconds \${coalesce(var.attempt_timeout_seconds, ${HANDLER_DEFAULTS.attemptTimeoutMs / 1000})}: `
      + `expected at most total_timeout_seconds (\${coalesce(var.total_timeout_seconds, ${HANDLER_DEFAULTS.totalTimeoutMs / 1000})}).`,
    failing: { attempt_timeout_seconds: 60, total_timeout_seconds: 30 },
  },
  rangeRule('total_timeout_seconds'),
  rangeRule('max_attempts'),
  {
    variable: 'max_requests_per_second',
    // As isRequestsPerSecond: at most 4 digits, 3 decimals, above 0 and at most 1000.
    condition: orNull('var.max_requests_per_second',
      'can(regex("^[0-9]{1,4}(\\\\.[0-9]{1,3})?$", tostring(var.max_requests_per_second))) && var.max_requests_per_second > 0 && var.max_requests_per_second <= 1000'),
    message: `Invalid max_requests_per_second \${jsonencode(var.max_requests_per_second)}: expected ${REQUESTS_PER_SECOND_EXPECTED}.`,
    failing: { max_requests_per_second: 0.0005 },
  },
  agencyRule('agencyName', { agency_name: 'no/slash', domain_name: AGENCY.domain_name }),
  {
    variable: 'assume_role',
    condition: 'var.assume_role == null ? true : (var.assume_role.domain_name == null) != (var.assume_role.domain_id == null)',
    message: 'assume_role needs exactly one of domain_name and domain_id (the delegating account), got ${try(var.assume_role.domain_name, null) == null ? "neither" : "both"}.',
    failing: { assume_role: { agency_name: AGENCY.agency_name } },
  },
  agencyRule('domainName', { agency_name: AGENCY.agency_name, domain_name: 'no spaces' }),
  agencyRule('domainId', { agency_name: AGENCY.agency_name, domain_id: 'ABC' }),
  {
    variable: 'assume_role',
    condition: 'try(var.assume_role.duration_seconds, null) == null ? true : '
      + `floor(var.assume_role.duration_seconds) == var.assume_role.duration_seconds && var.assume_role.duration_seconds >= ${durationMin} && var.assume_role.duration_seconds <= ${durationMax}`,
    message: `Invalid assume_role.duration_seconds \${jsonencode(try(var.assume_role.duration_seconds, null))}: expected a whole number of seconds from ${durationMin} to ${durationMax}.`,
    failing: { assume_role: { ...AGENCY, duration_seconds: 60 } },
  },
];
