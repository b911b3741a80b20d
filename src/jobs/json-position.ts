/**
 * Where is the JSON syntax error? V8's JSON.parse messages give a position only for some errors
 * ("Unexpected token '}', ... is not valid JSON" has none), so when JSON.parse fails we re-scan the
 * text with this small strict checker, which only has to find the first offending offset and say
 * what was expected there. It runs only on failure, so it favours clarity over speed.
 */

export interface JsonSyntaxProblem {
  /** 1-based line and column (columns count UTF-16 code units, like editors mostly do). */
  line: number;
  column: number;
  message: string;
}

class Stop extends Error {
  constructor(readonly offset: number, readonly what: string) {
    super(what);
  }
}

/** Returns null when the text is valid JSON (then JSON.parse failed for another reason). */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  let i = 0;
  const fail = (what: string): never => {
    throw new Stop(i, i >= text.length ? `${what}, found the end of the file` : `${what}, found ${JSON.stringify(text[i])}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail(`expected "${word}"`);
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      const ch = text[i];
      if (ch === undefined) return fail('unterminated string: expected "\\""');
      if (ch === '"') return void i++;
      if (ch === '\\') {
        i++;
        const esc = text[i];
        if (esc === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('expected 4 hex digits after \\u');
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++;
        else fail('invalid escape in string');
      } else if ((ch.codePointAt(0) as number) < 0x20) fail('control character in string (use \\n or \\t)');
      else i++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match || match[0] === '' || match[0] === '-') fail('expected a value');
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a double-quoted property name');
        string();
        ws();
        if (text[i] !== ':') fail('expected ":" after the property name');
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail('expected "," or "}"');
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail('expected "," or "]"');
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    return number();
  };

  try {
    value();
    ws();
    if (i < text.length) fail('expected the end of the file');
    return null;
  } catch (error) {
    if (!(error instanceof Stop)) return null; // e.g. absurd nesting: the caller reports without a position
    const before = text.slice(0, error.offset);
    const lines = before.split('\n');
    return { line: lines.length, column: (lines.at(-1) as string).length + 1, message: error.what };
  }
}
