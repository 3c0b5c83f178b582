/**
 * Content types for the files a capture is attached as, so a report and the tools reading it know what they are.
 * (The report's download link keeps the attachment's name, `blink.sr`; Playwright names the copy it stores by the
 * content type's extension from its own frozen mime table, which knows none of these, so that copy ends in .dat.)
 */
export const CAPTURE_CONTENT_TYPES = {
  sr: 'application/x-sigrok-session',
  vcd: 'application/x-vcd',
  gtkw: 'application/x-gtkw',
  svg: 'image/svg+xml',
} as const;
