/**
 * Makes a task's output line safe to print in a view: no escape sequences (colours, cursor
 * moves), no control characters, and only what a terminal would show after a carriage
 * return (progress bars redraw a line with `\r`).
 */
// CSI (ESC [ … final), OSC (ESC ] … BEL/ST), and two-character escapes.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

export function sanitizeLine(line: string, maxLength = 1000): string {
  let s = line.replace(ESCAPES, '');
  const cr = s.lastIndexOf('\r', s.length - 2);
  if (cr >= 0) s = s.slice(cr + 1);
  s = s.replace(/\t/g, '  ').replace(CONTROLS, '');
  return s.length > maxLength ? s.slice(0, maxLength - 1) + '…' : s;
}
