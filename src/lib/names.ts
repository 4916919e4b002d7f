/**
 * The rule for every name a person types (organizations, agents, knowledge bases, API keys,
 * tokens, billing address lines): trimmed, NFC, and free of characters that make a name
 * display as something other than what it is.
 *
 * - Control characters (Unicode Cc: NUL, escape, newline, tab, …), line and paragraph
 *   separators (Zl, Zp) and lone surrogates (Cs).
 * - Format characters (Cf), among them the bidirectional controls (U+200E/F, U+202A–202E,
 *   U+2066–2069, U+061C: "Trojan Source" reordering), zero-width characters (U+200B–200D,
 *   U+2060, U+FEFF) and the soft hyphen.
 * - In names, `<` and `>`: the API answers JSON and the console escapes what it renders, but
 *   names travel further (e-mail subjects, clients' own pages, CSV exports), and no
 *   organization, agent or key needs angle brackets in its name.
 */
export const UNSAFE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
export const MARKUP_CHARACTERS = /[<>]/;
/** Longer text (a description) may also hold tabs and line breaks. */
export const UNSAFE_IN_TEXT = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

export const NAME_MAX = 100;

export const UNSAFE_MESSAGE = "must not contain control, bidirectional or invisible (zero-width) characters";
export const MARKUP_MESSAGE = "must not contain < or >";

/** A name that passes the rule (for names the product makes itself, e.g. from an e-mail's local part). */
export function safeName(raw: string, fallback: string): string {
  const cleaned = raw
    .normalize("NFC")
    .replace(new RegExp(UNSAFE_CHARACTERS.source, "gu"), "")
    .replace(/[<>]/g, "")
    .trim()
    .slice(0, NAME_MAX)
    .trim();
  return cleaned.length > 0 ? cleaned : fallback;
}
