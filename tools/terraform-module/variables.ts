/**
 * The module's variables, one per prop of `FpgaImageAssociationProps` as the jsii assembly lists them:
 * snake_case names, types from the prop types, optional exactly where the prop is, descriptions from
 * the prop docs, and `validation` blocks for the rules HCL can say (the ID formats of ID_RULES and the
 * supported regions); the handler checks the rest when Terraform runs it, as it does for tokens.
 */
import { Prop, PropType, snakeCase } from './assembly';
import { ID_RULES, IdField, SUPPORTED_REGIONS } from '../../src/rules';

/** The Terraform JSON syntax of a `variable` block. */
export interface Variable {
  readonly type: string;
  readonly description: string;
  readonly default?: unknown;
  readonly nullable?: boolean;
  readonly validation?: { condition: string; error_message: string }[];
}

/**
 * Props whose value the module itself uses (not the handler's settings): their literal default is the
 * variable's default. A handler setting left unset stays unset (null), so that the handler's default,
 * or the FPGA_ASSOC_* variable of whoever runs Terraform, applies, as with the construct.
 */
const MODULE_DEFAULTS = new Set(['enabled', 'driftCheck', 'nodeExecutable']);

/** Sentences of the construct's docs that are true of the construct only: the module passes variables through `self.triggers`. */
const CONSTRUCT_ONLY = [' Literal values only: destroy-time provisioners cannot read Terraform variables.'];

export function variables(props: readonly Prop[]): Record<string, Variable> {
  const names = new Set(props.flatMap((p) => [p.name, ...('struct' in p.type ? p.type.props.map((f) => f.name) : [])]));
  return Object.fromEntries(props.map((prop) => [snakeCase(prop.name), variable(prop, names)]));
}

function variable(prop: Prop, names: ReadonlySet<string>): Variable {
  const name = snakeCase(prop.name);
  const literal = MODULE_DEFAULTS.has(prop.name) ? literalDefault(prop) : undefined;
  const validation = rulesOf(prop, `var.${name}`);
  return {
    type: hclType(prop.type),
    description: description(prop, names),
    ...(prop.optional ? (literal !== undefined ? { default: literal, nullable: false } : { default: null }) : {}),
    ...(validation.length ? { validation } : {}),
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
  const required = prop.optional ? defaultText(prop, rename) : ' Required.';
  return [...parts, ...fields].join('\n\n').trim() + (required ? `\n\n${required.trim()}` : '');
}

function defaultText(prop: Prop, rename: (text: string) => string = (t) => t): string {
  const text = prop.docs.default;
  if (text === undefined) return '';
  return ` Default: ${rename(text.startsWith('-') ? text.replace(/^-\s*/, '') : text)}.`;
}

/** Validation blocks for the rules HCL can say: the ID formats (as RE2 patterns) and the region list. */
function rulesOf(prop: Prop, ref: string): { condition: string; error_message: string }[] {
  const orNull = (condition: string) => (prop.optional ? `${ref} == null || ${condition}` : condition);
  if (prop.name in ID_RULES) {
    const rule = ID_RULES[prop.name as IdField];
    return [{
      condition: `\${${orNull(`can(regex(${JSON.stringify(rule.pattern.source)}, ${ref}))`)}}`,
      error_message: `Invalid ${snakeCase(prop.name)}: expected ${rule.expected}.`,
    }];
  }
  if (prop.name === 'region') {
    return [{
      condition: `\${${orNull(`contains(${JSON.stringify(SUPPORTED_REGIONS)}, ${ref})`)}}`,
      error_message: `Invalid region: the FPGA-image API is available only in ${SUPPORTED_REGIONS.join(', ')}.`,
    }];
  }
  return [];
}
