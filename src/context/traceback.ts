/*
 * Tracebacks for Claude: an error's text with colours stripped and repeated frames collapsed.
 */
import type { IOutput } from '@jupyterlab/nbformat';
import { formatNumber, stripAnsi } from './text';

/**
 * The text of an error: `ename: evalue`, then the traceback with colours stripped and
 * repeated frames collapsed.
 */
export function errorText(output: IOutput): string {
  const ename = String(output.ename ?? 'Error');
  const evalue = stripAnsi(String(output.evalue ?? ''));
  const frames = Array.isArray(output.traceback) ? (output.traceback as string[]).map(frame => String(frame)) : [];
  // Identical coloured frames are identical plain frames, so collapse before stripping.
  const body = collapseRepeatedFrames(frames)
    .map(frame => stripAnsi(frame).replace(/\n+$/, ''))
    .join('\n');
  return body ? `${ename}: ${evalue}\n${body}` : `${ename}: ${evalue}`;
}

/**
 * Collapse runs of identical traceback frames (or identical cycles of up to four frames, as in
 * mutual recursion) to one copy and a line saying how often it repeated.
 */
export function collapseRepeatedFrames(frames: string[]): string[] {
  const result: string[] = [];
  let i = 0;
  while (i < frames.length) {
    let collapsed = false;
    for (let period = 1; period <= 4 && i + 2 * period <= frames.length; period++) {
      let repeats = 1;
      while (i + (repeats + 1) * period <= frames.length && Private.sameRun(frames, i, i + repeats * period, period)) {
        repeats++;
      }
      if (repeats >= 3 || (period === 1 && repeats >= 2)) {
        result.push(...frames.slice(i, i + period));
        const what = period === 1 ? 'previous frame' : `previous ${period} frames`;
        const more = repeats - 1;
        result.push(`[${what} repeated ${formatNumber(more)} more time${more === 1 ? '' : 's'}]`);
        i += repeats * period;
        collapsed = true;
        break;
      }
    }
    if (!collapsed) {
      result.push(frames[i]);
      i++;
    }
  }
  return result;
}

namespace Private {
  export function sameRun(frames: string[], a: number, b: number, period: number): boolean {
    for (let k = 0; k < period; k++) {
      if (frames[a + k] !== frames[b + k]) {
        return false;
      }
    }
    return true;
  }
}
