import { parseJson } from '../../src/handler/json-text';

describe('parseJson: the value, or where the text stops being JSON, never the text', () => {
  test('valid JSON', () => {
    expect(parseJson('{"a":[1,{"b":null}]}')).toEqual({ value: { a: [1, { b: null }] } });
  });

  test.each([
    ['', 'at line 1, column 1'],
    ['{', 'at line 1, column 2'],
    ['{"a":1,}', 'at line 1, column 8'],
    ['{"a" "b"}', 'at line 1, column 6 (in a)'],
    ['{"a":{"b":[1,{"c":x}]}}', 'at line 1, column 19 (in a.b[1].c)'],
    ['{"a":"x\n"}', 'at line 1, column 8 (in a)'],
    ['{"a":"\\q"}', 'at line 1, column 8 (in a)'],
    ['{"a":1} x', 'at line 1, column 9'],
    ['  \n {"a":\n  nope}', 'at line 3, column 3 (in a)'],
  ])('%j: %s', (text, where) => {
    expect(parseJson(text)).toEqual({ problem: `not valid JSON ${where}` });
  });

  test('a key that is not a field name (a misplaced value, a secret) is not shown', () => {
    expect(parseJson('{"Sup3rS3cret":oops}')).toEqual({ problem: 'not valid JSON at line 1, column 16 (in …)' });
  });

  test('agrees with JSON.parse on every one-character corruption of a document', () => {
    const doc = JSON.stringify({ profiles: [{ name: 'p', secretAccessKey: 'S', n: [1, -2.5e3, null, true, false, 'x\u00e9\\"'] }] });
    for (let at = 0; at < doc.length; at++) {
      for (const char of ['"', '{', ']', ',', ':', 'x', '1', ' ', '\\']) {
        const text = `${doc.slice(0, at)}${char}${doc.slice(at + 1)}`;
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect({ text, valid: 'value' in parseJson(text) }).toEqual({ text, valid });
      }
    }
  });
});
