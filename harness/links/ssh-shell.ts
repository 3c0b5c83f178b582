/**
 * Commands over SSH for a Target: each command in its own exec channel on the one reused connection, so stdout and
 * stderr stay apart and a board that rebooted is reconnected to by the link itself.
 */
import type { CommandResult, RunOptions } from './shell.js';
import { ShellError } from './shell.js';
import type { SshLink } from './ssh.js';

export class SshShell {
  private readonly recent: string[] = [];

  constructor(readonly ssh: SshLink) {}

  async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    const result = await this.ssh.run(command, options);
    const output = result.stdout + result.stderr;
    this.remember(`$ ${command}\n${output}`);
    return { command, status: result.status ?? 128, output, truncated: result.truncated, ms: result.ms };
  }

  async check(command: string, options: RunOptions = {}): Promise<string> {
    const result = await this.ssh.run(command, options);
    this.remember(`$ ${command}\n${result.stdout}${result.stderr}`);
    if (result.status !== 0) {
      const how = result.signal ? `was ended by ${result.signal}` : `exited with status ${result.status}`;
      throw new ShellError(`\`${command}\` ${how}: ${result.stderr.trim().slice(-500)}`, command, this.transcript());
    }
    return result.stdout;
  }

  /** The last commands and their output (bounded), in place of a console log. */
  transcript(): string {
    return this.recent.join('\n');
  }

  private remember(entry: string): void {
    this.recent.push(entry.length > 4096 ? `${entry.slice(0, 4096)}\n[... cut ...]` : entry);
    if (this.recent.length > 50) this.recent.shift();
  }
}
