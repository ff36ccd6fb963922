/**
 * SASLprep (RFC 4013, the "SASLprep" profile of stringprep, RFC 3454) for SCRAM user names and
 * passwords: map, normalise (NFKC), refuse prohibited characters, check bidirectional text.
 *
 * Deviations, on purpose: unassigned code points are allowed (RFC 4013 allows them in queries,
 * and a password is one); the bidirectional categories come from Unicode script properties (Hebrew,
 * Arabic, Syriac, Thaana, N'Ko and friends for right-to-left letters), since JavaScript regular
 * expressions do not expose Bidi_Class. Errors never quote the string nor the offending character:
 * the string may be a password.
 */

type Ranges = readonly (readonly [number, number])[];

/** C.1.2: non-ASCII space characters, mapped to U+0020 SPACE (and prohibited in the output). */
const NON_ASCII_SPACE: Ranges = [[0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200b], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]];
/** B.1: characters commonly mapped to nothing (soft hyphen, joiners, variation selectors, BOM…). */
const MAPPED_TO_NOTHING: Ranges = [[0xad, 0xad], [0x34f, 0x34f], [0x1806, 0x1806], [0x180b, 0x180d], [0x200b, 0x200d], [0x2060, 0x2060], [0xfe00, 0xfe0f], [0xfeff, 0xfeff]];
/**
 * Prohibited output (RFC 4013 §2.3) besides C.1.2: C.2.1 and C.2.2 control characters, C.3
 * private use, C.4 non-characters (the BMP block here, the end of every plane in isNonCharacter),
 * C.5 surrogates, C.6 inappropriate for plain text, C.7 for canonical representation, C.8 display
 * properties, C.9 tagging characters.
 */
const PROHIBITED: Ranges = [
  [0x0, 0x1f], [0x7f, 0x9f], // C.2.1, C.2.2
  [0x340, 0x341], [0x6dd, 0x6dd], [0x70f, 0x70f], [0x180e, 0x180e],
  [0x200c, 0x200f], [0x2028, 0x202e], [0x2060, 0x2063], [0x206a, 0x206f],
  [0x2ff0, 0x2ffb], [0xd800, 0xdfff], [0xe000, 0xf8ff], [0xfdd0, 0xfdef], [0xfeff, 0xfeff], [0xfff9, 0xfffd],
  [0x1d173, 0x1d17a], [0xe0001, 0xe0001], [0xe0020, 0xe007f], [0xf0000, 0xffffd], [0x100000, 0x10fffd],
];

function inRanges(cp: number, ranges: Ranges): boolean {
  for (const [low, high] of ranges) if (cp >= low && cp <= high) return true;
  return false;
}

/** Right-to-left letters (D.1, approximated by script) and the RLM mark. */
const RAND_AL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\u200F]/u;
/** Left-to-right letters (D.2, approximated): any letter of a left-to-right script, and the LRM mark. */
const L_CAT = /[\p{L}\u200E]/u;
const NOT_LETTER_OR_RTL = /[\p{M}\p{N}]/u;

/** A string that SASLprep refuses. The message names what it was ("password") and why, nothing of its content. */
export class SaslPrepError extends Error {
  constructor(what: string, reason: string) {
    super(`${what} ${reason}`);
    this.name = 'SaslPrepError';
  }
}

/** Applies SASLprep to `input`; `what` names it in errors ("user name", "password"). */
export function saslPrep(input: string, what = 'string'): string {
  let mapped = '';
  for (const c of input) {
    const cp = c.codePointAt(0) as number;
    if (inRanges(cp, MAPPED_TO_NOTHING)) continue;
    mapped += inRanges(cp, NON_ASCII_SPACE) ? ' ' : c;
  }
  const normalized = mapped.normalize('NFKC');
  const chars = [...normalized];
  let hasRandAL = false;
  let hasL = false;
  for (const c of chars) {
    const cp = c.codePointAt(0) as number;
    if (inRanges(cp, PROHIBITED) || inRanges(cp, NON_ASCII_SPACE) || isNonCharacter(cp)) {
      throw new SaslPrepError(what, 'contains a character SASLprep prohibits (control, private-use, non-character, tagging or display-changing)');
    }
    if (isRandAL(c)) hasRandAL = true;
    else if (L_CAT.test(c)) hasL = true;
  }
  // RFC 3454 §6: right-to-left text must not mix in left-to-right letters and must start and end
  // with a right-to-left letter.
  if (hasRandAL && (hasL || !isRandAL(chars[0] as string) || !isRandAL(chars[chars.length - 1] as string))) {
    throw new SaslPrepError(what, 'mixes right-to-left and left-to-right text in a way stringprep forbids');
  }
  return normalized;
}

function isRandAL(c: string): boolean {
  return RAND_AL.test(c) && !NOT_LETTER_OR_RTL.test(c);
}

/** C.4 outside the BMP: the last two code points of every plane (U+1FFFE, U+1FFFF, … U+10FFFF). */
function isNonCharacter(cp: number): boolean {
  return (cp & 0xfffe) === 0xfffe;
}
