/**
 * What a console printed: the last lines kept in memory for error messages, and everything (up to a bound) for the
 * test's attachments. Escape sequences are stripped: they are the terminal's business, not the reader's.
 */
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export function stripEscapes(text: string): string {
  return text.replace(/\r/g, '').replace(ESCAPES, '');
}

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

  /** The last `count` non-empty lines. */
  tail(count = 15): string {
    return this.text.split('\n').filter((l) => l.trim()).slice(-count).join('\n');
  }

  /** All that is kept, with a note of what the bound dropped. */
  contents(): string {
    return (this.dropped ? `[... ${this.dropped} earlier characters dropped ...]\n` : '') + this.text;
  }
}
