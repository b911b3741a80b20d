import { describe, expect, test } from 'vitest';
import { neutralizeFormula } from '../../src/csv/write.js';

describe('neutralizeFormula (OWASP CSV injection)', () => {
  test.each([
    ['=SUM(A1:A2)', "'=SUM(A1:A2)"],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['＝1', "'＝1"], // full-width equals
    ['=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'],
  ])('%j -> %j', (cell, expected) => {
    expect(neutralizeFormula(cell)).toBe(expected);
  });

  test.each(['', 'ann@example.com', 'plain text', ' =not first', "'already", '1-2', 'a=b', 'x@y'])(
    '%j is left alone',
    (cell) => {
      expect(neutralizeFormula(cell)).toBe(cell);
    },
  );
});
