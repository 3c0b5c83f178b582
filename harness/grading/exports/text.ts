/** Student-influenced text bounded for a platform's result fields (compiler output, kernel messages). */
export function bounded(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars)}\n… (${text.length - chars} more characters cut)` : text;
}

/** What a criterion's outcome says to the student, as plain text. */
export function criterionText(c: { expected: string; observed: string; note?: string }): string {
  return [`Expected: ${c.expected}`, `Observed: ${c.observed}`, ...(c.note ? ['', c.note] : [])].join('\n');
}
