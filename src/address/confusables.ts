/**
 * Mixed-script confusables: Latin text with a Cyrillic or Greek letter that looks the same
 * (`gmаil.com` with a Cyrillic а). A real subscriber writes a name in one script; one look-alike
 * among Latin letters is a paste from a keyboard layout switch or a spoof. Only letters whose
 * lower-case forms are drawn alike in common fonts are mapped (Unicode's confusables.txt, the
 * Cyrillic and Greek entries that map to one ASCII letter).
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ј: 'j', ѕ: 's', һ: 'h', ԁ: 'd', ԛ: 'q', ԝ: 'w', ӏ: 'l', ѵ: 'v', ү: 'y',
  // Greek
  α: 'a', ε: 'e', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
};

const LATIN_LETTER = /[a-z]/i;

/**
 * The plain-ASCII reading of `text` when it mixes ASCII letters with Cyrillic or Greek look-alikes
 * and every non-ASCII character has one; otherwise undefined (plain ASCII, one script only, or a
 * character with no ASCII twin such as `ü`).
 */
export function confusableToAscii(text: string): string | undefined {
  if (!LATIN_LETTER.test(text)) return undefined;
  let out = '';
  let mapped = false;
  for (const c of text) {
    if (c.charCodeAt(0) < 0x80) {
      out += c;
      continue;
    }
    const lower = c.toLowerCase();
    const ascii = LOOK_ALIKES[lower];
    if (ascii === undefined) return undefined;
    out += c === lower ? ascii : ascii.toUpperCase();
    mapped = true;
  }
  return mapped ? out : undefined;
}
