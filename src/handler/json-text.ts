/**
 * JSON from outside the handler (a KooCLI profile, the metadata service's and IAM's answers, a cache
 * entry, the drift query): parsed, or where it stops being JSON, by position and field. Never the text
 * itself: JSON.parse's own message quotes the text around the error, which may be a secret key that
 * the handler could not read, so could not redact.
 */

export type ParsedJson = { readonly value: unknown } | { readonly problem: string };

/** The value of `text`, or undefined where it is not JSON: for an answer or a file whose shape is checked next. */
export function jsonValue(text: string): unknown {
  const parsed = parseJson(text);
  return 'value' in parsed ? parsed.value : undefined;
}

export function parseJson(text: string): ParsedJson {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { problem: `not valid JSON ${syntaxErrorAt(text)}` };
  }
}

/** Field names are words; a segment that is not (a key that is really a misplaced value) is not shown. */
const FIELD_NAME = /^[A-Za-z_]{1,40}$/;

class SyntaxStop {
  public constructor(public readonly offset: number) {}
}

/** `at line 3, column 21 (in profiles[0].secretAccessKey)`: where a text JSON.parse refused goes wrong. */
function syntaxErrorAt(text: string): string {
  const path: (string | number)[] = [];
  let at = 0;
  const stop = (): never => {
    throw new SyntaxStop(at);
  };
  const space = () => {
    while (/[ \t\n\r]/.test(text[at] ?? '')) at++;
  };
  const expect = (char: string) => (text[at] === char ? at++ : stop());
  const string = (): string => {
    const start = at;
    expect('"');
    for (;;) {
      const char = text[at];
      if (char === undefined || char < ' ') stop();
      if (char === '"') break;
      if (char === '\\') {
        at++;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) stop();
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? 'x')) {
          stop();
        }
      }
      at++;
    }
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === '{') {
      at++;
      space();
      if (text[at] === '}') {
        at++;
        return;
      }
      for (;;) {
        space();
        path.push(string());
        space();
        expect(':');
        value();
        path.pop();
        space();
        if (text[at] !== ',') break;
        at++;
      }
      expect('}');
    } else if (char === '[') {
      at++;
      space();
      if (text[at] === ']') {
        at++;
        return;
      }
      for (let index = 0; ; index++) {
        path.push(index);
        value();
        path.pop();
        space();
        if (text[at] !== ',') break;
        at++;
      }
      expect(']');
    } else if (char === '"') {
      string();
    } else {
      const literal = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
      literal.lastIndex = at;
      if (!literal.test(text)) stop();
      at = literal.lastIndex;
    }
  };
  try {
    value();
    space();
    if (at < text.length) stop();
  } catch (error) {
    if (!(error instanceof SyntaxStop)) throw error;
  }
  const before = text.slice(0, at).split('\n');
  const field = path
    .map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${FIELD_NAME.test(segment) ? segment : '…'}`))
    .join('')
    .replace(/^\./, '');
  return `at line ${before.length}, column ${before[before.length - 1].length + 1}${field ? ` (in ${field})` : ''}`;
}
