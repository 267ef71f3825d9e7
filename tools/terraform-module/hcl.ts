/**
 * Terraform's JSON syntax, written as native HCL as `terraform fmt` lays it out: the module is
 * built as JSON (what cdktf's constructs define exactly), then rendered here. Covers the blocks the
 * module holds (terraform, variable, locals, resource, data, check, output, moved) and no more: an
 * unknown block type is an error, not a guess.
 *
 * In the JSON syntax a string is a template: its `${...}` sequences are expressions. Rendered, a string
 * that is one interpolation and nothing else becomes the bare expression (`count = var.enabled ? 1 : 0`);
 * any other is a quoted template whose literal text is escaped and whose interpolations are copied as
 * they are (they are HCL expressions already). Where Terraform expects a keyword or a reference rather
 * than a value (`when`, `on_failure`, `type`, `ignore_changes`, `depends_on`, `from`, `to`), the string is
 * written bare. A `//` key (a string or lines) is a comment, written at the top of its block.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Body = { [key: string]: Json };

/** Nested blocks by the key that holds them in the JSON syntax; every other key is an attribute. */
const BLOCKS = new Set(['lifecycle', 'provisioner', 'validation', 'precondition', 'postcondition', 'assert', 'required_providers']);
/** Attributes whose value is a keyword or a reference, written bare. */
const BARE = new Set(['when', 'on_failure', 'type', 'depends_on', 'ignore_changes', 'from', 'to']);
/** Blocks whose JSON body is a list of labelled bodies (`provisioner: [{ "local-exec": {...} }]`). */
const LABELLED = new Set(['provisioner']);

/** The key of a comment in a body: JSON's own convention, which Terraform ignores there too. */
export const COMMENT = '//';

/** A list of strings as an HCL expression, spaced as `terraform fmt` writes it. */
export function hclStrings(list: readonly string[]): string {
  return `[${list.map((item) => JSON.stringify(item)).join(', ')}]`;
}

/** One top-level JSON document (a file's worth) as HCL text. */
export function renderHcl(document: Body): string {
  const out: string[] = [];
  for (const [type, content] of Object.entries(document)) {
    switch (type) {
      case COMMENT:
        out.push(comment(content, ''));
        break;
      case 'moved':
        for (const body of content as Body[]) out.push(block([type], body, 0));
        break;
      case 'terraform':
      case 'locals':
        out.push(block([type], content as Body, 0));
        break;
      case 'variable':
      case 'output':
      case 'check':
        for (const [name, body] of Object.entries(content as Body)) out.push(block([type, quote(name)], body as Body, 0));
        break;
      case 'resource':
      case 'data':
        for (const [kind, named] of Object.entries(content as Body)) {
          for (const [name, body] of Object.entries(named as Body)) out.push(block([type, quote(kind), quote(name)], body as Body, 0));
        }
        break;
      default:
        throw new Error(`renderHcl: no rendering for a top-level "${type}" block`);
    }
  }
  return out.join('\n\n') + '\n';
}

function block(header: string[], body: Body, depth: number): string {
  const pad = '  '.repeat(depth);
  const lines = [`${pad}${header.join(' ')} {`];
  if (COMMENT in body) lines.push(comment(body[COMMENT], `${pad}  `));
  const entries = Object.entries(body).filter(([key]) => key !== COMMENT);
  const attributes = entries.filter(([key]) => !BLOCKS.has(key));
  lines.push(...aligned(attributes.map(([key, value]) => [identifier(key), BARE.has(key) ? bare(value) : expression(value, depth + 1)]), `${pad}  `));
  for (const [key, value] of entries.filter(([k]) => BLOCKS.has(k))) {
    const bodies = Array.isArray(value) ? value : [value];
    for (const inner of bodies as Body[]) {
      if (LABELLED.has(key)) {
        for (const [label, labelled] of Object.entries(inner)) lines.push(block([key, quote(label)], labelled as Body, depth + 1));
      } else {
        lines.push(block([key], inner, depth + 1));
      }
    }
  }
  lines.push(`${pad}}`);
  return lines.join('\n');
}

/**
 * `name = value` lines as `terraform fmt` aligns them: the `=` of consecutive one-line attributes in
 * one column; an attribute whose value spans lines stands alone and ends the run.
 */
function aligned(attributes: [string, string][], pad: string): string[] {
  const lines: string[] = [];
  let run: [string, string][] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map(([name]) => name.length));
    lines.push(...run.map(([name, value]) => `${pad}${name.padEnd(width)} = ${value}`));
    run = [];
  };
  for (const [name, value] of attributes) {
    if (value.includes('\n')) {
      flush();
      lines.push(`${pad}${name} = ${value}`);
    } else {
      run.push([name, value]);
    }
  }
  flush();
  return lines;
}

function comment(text: Json, pad: string): string {
  const lines = Array.isArray(text) ? text : [text];
  return lines.map((line) => `${pad}# ${line}`).join('\n');
}

/** A keyword or reference (or a list of them), written without quotes. */
function bare(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(bare).join(', ')}]`;
  if (typeof value !== 'string') throw new Error(`renderHcl: expected a keyword or reference, got ${JSON.stringify(value)}`);
  return whole(value) ?? value;
}

function expression(value: Json, depth: number): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return whole(value) ?? template(value);
  const pad = '  '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return `[${value.map((v) => expression(v, depth)).join(', ')}]`;
    return `[\n${value.map((v) => `${pad}  ${expression(v, depth + 1)},`).join('\n')}\n${pad}]`;
  }
  const entries = Object.entries(value).filter(([key]) => key !== COMMENT);
  if (entries.length === 0) return '{}';
  return `{\n${aligned(entries.map(([key, v]) => [identifier(key), expression(v, depth + 1)]), `${pad}  `).join('\n')}\n${pad}}`;
}

/** The expression of a string that is exactly one interpolation, `${expr}`; undefined otherwise. */
function whole(text: string): string | undefined {
  const parts = split(text);
  return parts.length === 1 && parts[0].interpolation ? parts[0].text : undefined;
}

/** A quoted template: literal text escaped for HCL, interpolations copied. */
function template(text: string): string {
  return `"${split(text).map((p) => (p.interpolation ? `\${${p.text}}` : escapeLiteral(p.text))).join('')}"`;
}

function escapeLiteral(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

interface Part {
  readonly interpolation: boolean;
  readonly text: string;
}

/**
 * A JSON-syntax template cut into literal text and interpolations. `$${` and `%%{` are literal
 * escapes and stay as they are; an interpolation ends at the `}` that closes it, past nested braces
 * and quoted strings (which may hold templates of their own).
 */
function split(text: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      literal += text.slice(i, i + 3);
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = closingBrace(text, i + 2);
      if (literal) parts.push({ interpolation: false, text: literal });
      literal = '';
      parts.push({ interpolation: true, text: text.slice(i + 2, end) });
      i = end + 1;
    } else if (text.startsWith('%{', i)) {
      throw new Error(`renderHcl: template directives (%{) are not supported: ${JSON.stringify(text)}`);
    } else {
      literal += text[i++];
    }
  }
  if (literal) parts.push({ interpolation: false, text: literal });
  return parts;
}

/** The index of the `}` that closes an expression starting at `from`. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = closingQuote(text, i + 1);
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new Error(`renderHcl: unterminated interpolation in ${JSON.stringify(text)}`);
}

/** The index of the `"` that closes a string literal inside an expression, past escapes and nested interpolations. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text.startsWith('$${', i)) i += 2;
    else if (text.startsWith('${', i)) i = closingBrace(text, i + 2);
    else if (text[i] === '"') return i;
  }
  throw new Error(`renderHcl: unterminated string in ${JSON.stringify(text)}`);
}

function identifier(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : quote(key);
}

function quote(text: string): string {
  return JSON.stringify(text);
}
