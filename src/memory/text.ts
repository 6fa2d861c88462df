/**
 * Text handling shared by the keyword search and the offline embedding: the same tokens on both
 * sides, so "deploy" in a question finds "deployment" in an item.
 */

/** Words too common to carry meaning in a search (English). */
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have he her his how i if in ' +
    'into is it its me my no not of on or our she so than that the their them then there these they this ' +
    'to too us was we were what when where which who whom why will with would you your yours about please ' +
    'tell know remember any some just also'
  ).split(' '),
);

/** Lower-cased words and numbers, diacritics removed (the same folding as FTS5 `unicode61`). */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** The distinct meaningful terms of `text`: tokens without stopwords, at least two characters. */
export function contentTerms(text: string, limit = 32): string[] {
  const seen = new Set<string>();
  for (const token of tokenize(text)) {
    if (token.length < 2 || STOPWORDS.has(token)) continue;
    seen.add(token);
    if (seen.size >= limit) break;
  }
  return [...seen];
}

/** Terms of four or more characters also match longer words that start with them. */
const PREFIX_MIN = 4;

const SUFFIXES = ['ments', 'ment', 'ings', 'ing', 'ers', 'er', 'ed', 'es', 's'];

/**
 * A light English stem for prefix matching: one common suffix removed when at least four
 * characters remain ("formatter" → "format", "deployments" → "deploy"), so the prefix search
 * finds the word's other forms. Not a full stemmer, and it never needs to be one.
 */
export function stem(term: string): string {
  for (const suffix of SUFFIXES) {
    if (term.endsWith(suffix) && term.length - suffix.length >= PREFIX_MIN) {
      return term.slice(0, -suffix.length);
    }
  }
  return term;
}

/**
 * An FTS5 MATCH expression: any of the terms, long ones as prefixes. Terms are letters and digits
 * only, and quoted, so nothing in the user's text is read as FTS5 syntax. Empty for no terms.
 */
export function ftsQuery(terms: readonly string[]): string {
  return terms
    .map((t) => {
      const s = stem(t);
      return s.length >= PREFIX_MIN ? `"${s}"*` : `"${s}"`;
    })
    .join(' OR ');
}

/** The share of `terms` that occur in `text` (stem and prefix rule as in {@link ftsQuery}), in [0, 1]. */
export function termCoverage(terms: readonly string[], text: string): number {
  if (terms.length === 0) return 0;
  const tokens = tokenize(text);
  let hit = 0;
  for (const term of terms) {
    const s = stem(term);
    const prefix = s.length >= PREFIX_MIN;
    if (tokens.some((t) => t === s || (prefix && t.startsWith(s)))) hit++;
  }
  return hit / terms.length;
}

/**
 * A PostgreSQL `to_tsquery('simple', …)` expression with the same meaning as {@link ftsQuery}:
 * any of the terms, long ones as prefixes. Terms are letters and digits only, so nothing in the
 * user's text is read as tsquery syntax. Empty for no terms.
 */
export function tsQuery(terms: readonly string[]): string {
  return terms
    .map((t) => {
      const s = stem(t);
      return s.length >= PREFIX_MIN ? `${s}:*` : s;
    })
    .join(' | ');
}
