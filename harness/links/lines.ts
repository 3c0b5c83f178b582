/**
 * Splits a byte stream into text lines, bounding each line: a peer that never sends a newline cannot grow our memory.
 */
export class LineSplitter {
  private partial = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = 64 * 1024,
    private readonly onOverflow: (kept: string) => void = () => {},
  ) {}

  feed(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const lines = text.split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) this.onLine(line.replace(/\r$/, ''));
    if (this.partial.length > this.maxLine) {
      this.onOverflow(this.partial.slice(0, 200));
      this.partial = '';
    }
  }
}
