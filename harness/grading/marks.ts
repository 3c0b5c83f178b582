/**
 * Pass/fail marks as words with a colour, never a pictogram alone: ✅/❌ render as empty boxes where the reader's font
 * lacks them, and colour alone says nothing to a colour-blind reader or on paper.
 */

/** The CSS the marks need, for every page that shows them. */
export const MARK_STYLE = '.mark{display:inline-block;min-width:3.2em;padding:0 .35em;border-radius:3px;font-weight:bold;font-size:.85em;text-align:center;border:1px solid}'
  + '.mark.pass{color:#0a5d1e;background:#dafbe1;border-color:#1a7f37}.mark.fail{color:#82071e;background:#ffebe9;border-color:#cf222e}'
  + '.mark.error{color:#6e4b00;background:#fff8c5;border-color:#9a6700}';

export type MarkKind = 'pass' | 'fail' | 'error';

const WORDS: Record<MarkKind, string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' };

export function markHtml(kind: MarkKind): string {
  return `<span class="mark ${kind}">${WORDS[kind]}</span>`;
}

/** Markdown has no colour: the word in bold carries it. */
export function markMarkdown(kind: MarkKind): string {
  return `**${WORDS[kind]}**`;
}

export const passOrFail = (passed: boolean): MarkKind => (passed ? 'pass' : 'fail');
