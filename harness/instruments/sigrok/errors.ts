/**
 * A sigrok-cli failure, with the context a person needs to act on it: where (the device and channels, or the capture
 * file and decoder), what went wrong, what sigrok-cli itself said, the command line, and what was captured before
 * the failure (a device unplugged mid-capture still leaves the samples it sent).
 */
import type { Capture } from '../../signals/capture.js';

export interface SigrokErrorDetails {
  /** The argument vector, program first. */
  readonly command?: readonly string[];
  /** sigrok-cli's own message (its stderr), trimmed. */
  readonly sigrokMessage?: string;
  /** What was captured before the failure; also written to the capture's .sr file where one was asked for. */
  readonly partial?: Capture;
}

export class SigrokError extends Error {
  override name = 'SigrokError';
  readonly command: readonly string[] | undefined;
  readonly sigrokMessage: string | undefined;
  readonly partial: Capture | undefined;

  constructor(
    readonly where: string,
    readonly problem: string,
    details: SigrokErrorDetails = {},
  ) {
    const lines = [`${where}: ${problem}`];
    if (details.sigrokMessage) lines.push(`sigrok-cli said: ${details.sigrokMessage}`);
    if (details.command) lines.push(`command: ${formatCommand(details.command)}`);
    super(lines.join('\n'));
    this.command = details.command;
    this.sigrokMessage = details.sigrokMessage;
    this.partial = details.partial;
  }
}

/** The command as a person would type it: for reading only, it is never run through a shell. */
export function formatCommand(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
