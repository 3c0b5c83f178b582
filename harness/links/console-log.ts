/**
 * What a console printed: the last lines kept in memory for error messages, and everything (up to a bound) for the
 * test's attachments. Escape sequences are stripped: they are the terminal's business, not the reader's.
 */
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export function stripEscapes(text: string): string {
  return text.replace(/\r/g, '').replace(ESCAPES, '');
}

const TAIL_LINE = 200;
/** How much of the end of the log a tail looks at: enough for `count` full lines, bounded whatever was printed. */
const TAIL_WINDOW = 64 * 1024;

export class ConsoleLog {
  private text = '';
  private dropped = 0;

  constructor(private readonly maxChars = 1024 * 1024) {}

  append(chunk: string): void {
    this.text += stripEscapes(chunk);
    if (this.text.length > this.maxChars) {
      const cut = this.text.length - this.maxChars;
      this.dropped += cut;
      this.text = this.text.slice(cut);
    }
  }

  /**
   * The last `count` non-empty lines, for an error message: each cut to its last 200 characters, so a flood without
   * newlines (a guest writing megabytes on one line) cannot make the message megabytes long.
   */
  tail(count = 15): string {
    const lines = this.text.slice(-TAIL_WINDOW).split('\n').filter((l) => l.trim()).slice(-count);
    return lines.map((l) => (l.length > TAIL_LINE ? `[…] ${l.slice(-TAIL_LINE)}` : l)).join('\n');
  }

  /** All that is kept, with a note of what the bound dropped. */
  contents(): string {
    return (this.dropped ? `[... ${this.dropped} earlier characters dropped ...]\n` : '') + this.text;
  }
}
