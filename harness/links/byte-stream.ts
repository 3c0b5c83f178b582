/** What the shell link needs of a console: write bytes, hear bytes. Serial ports and SSH channels both fit. */
export interface ByteStream {
  write(data: string): void;
  /** Subscribes to received bytes; returns the unsubscribe function. */
  onData(listener: (chunk: Buffer) => void): () => void;
  /** Subscribes to the stream ending (the machine went away); returns the unsubscribe function. */
  onClose(listener: (reason: string) => void): () => void;
}
