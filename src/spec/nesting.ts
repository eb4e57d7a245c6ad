/**
 * A cheap pre-check of how deeply a YAML text nests, run before the YAML parser. The parser
 * recurses once per level and its lexer slows down with every open flow collection, so a
 * 1 MB file of `[[[[…` or `- - - …` took ~25 s and ~1 GB before failing with a stack
 * overflow. No flow needs more than a few dozen levels; past MAX_NESTING the file is
 * refused at once, at the line and column where it gets too deep.
 *
 * It is an approximation of YAML's structure that only errs on the safe side: block levels
 * come from indentation (and compact `- `/`? ` indicators), flow levels from `[`/`{` outside
 * quoted scalars and comments; block scalars (`|`, `>`) are skipped. Where it misreads
 * (say, a quote inside a plain scalar) it under-counts, which at worst leaves the input to
 * the parser as before.
 */

/** Levels of nesting (block and flow together) a flow file may use. */
export const MAX_NESTING = 100;

/**
 * Quoted scalars are skipped, but a quote the scan misreads could hide brackets the parser
 * does see; so brackets are also counted regardless of quotes, against a higher limit no
 * real flow comes near (a thousand unclosed `[` or `{` in its strings).
 */
const RAW_FACTOR = 10;

/** Offset where the nesting first exceeds `max` levels, or undefined. */
export function tooDeepAt(text: string, max = MAX_NESTING): number | undefined {
  return new Scanner(text, max).run();
}

class Scanner {
  private pos = 0;
  /** Columns of the open block nodes. */
  private readonly block: number[] = [];
  private flow = 0;
  /** Open brackets counted also inside quoted scalars (see RAW_FACTOR). */
  private raw = 0;
  private quote: '"' | "'" | undefined;
  /** While skipping a block scalar: lines indented more than this belong to it. */
  private scalarParent: number | undefined;

  constructor(private readonly text: string, private readonly max: number) {}

  run(): number | undefined {
    // YAML breaks lines at \n, \r\n and a lone \r alike.
    const breaks = /\r\n?|\n/g;
    while (this.pos <= this.text.length) {
      breaks.lastIndex = this.pos;
      const m = breaks.exec(this.text);
      const end = m ? m.index : this.text.length;
      const hit = this.line(this.pos, end);
      if (hit !== undefined) return hit;
      if (!m) break;
      this.pos = end + m[0].length;
    }
    return undefined;
  }

  private line(start: number, end: number): number | undefined {
    const t = this.text;
    let i = start;
    while (i < end && t[i] === ' ') i++;
    const indent = i - start;
    const blank = i >= end || (t[i] === '#' && !this.quote && this.flow === 0);
    if (this.scalarParent !== undefined) {
      if (blank || indent > this.scalarParent) return undefined;
      this.scalarParent = undefined;
    }
    if (blank) return undefined;
    // Inside a flow collection a line starting with `- ` is no YAML, but the parser recovers
    // from it by nesting block sequences: count those too.
    const blockIndicator = (t[i] === '-' || t[i] === '?') && (t[i + 1] === ' ' || i + 1 >= end);
    if ((this.flow === 0 || blockIndicator) && !this.quote) {
      while (this.block.length && this.block.at(-1)! >= indent) this.block.pop();
      this.block.push(indent);
      // Compact nested nodes on one line: `- - - x`, `? - x`.
      while ((t[i] === '-' || t[i] === '?') && (t[i + 1] === ' ' || i + 1 >= end)) {
        i += 2;
        while (i < end && t[i] === ' ') i++;
        if (i < end) this.block.push(i - start);
        if (this.block.length > this.max) return i;
      }
      if (this.block.length > this.max) return i;
    }
    return this.content(i, end, indent);
  }

  /** Quotes, comments and flow brackets of one line's content. */
  private content(from: number, end: number, indent: number): number | undefined {
    const t = this.text;
    // In block context a quote or a bracket starts a node only where a node can start
    // (`key: [`, `- '`), not inside a plain scalar (`echo ${{ item }}`, `it's`).
    let nodeStart = true;
    for (let i = from; i < end; i++) {
      const c = t[i];
      if (this.quote) {
        // Brackets inside what looks quoted still count towards `raw`: a misread quote
        // must not hide a mile of `[[[[` from the check.
        if ((c === '[' || c === '{') && ++this.raw > RAW_FACTOR * this.max) return i;
        if ((c === ']' || c === '}') && this.raw > 0) this.raw--;
        if (this.quote === '"' && c === '\\') i++;
        else if (this.quote === "'" && c === "'" && t[i + 1] === "'") i++;
        else if (c === this.quote) [this.quote, nodeStart] = [undefined, false];
        continue;
      }
      if (c === ' ' || c === '\t') continue;
      if (c === '#' && (i === from || t[i - 1] === ' ' || t[i - 1] === '\t')) return undefined;
      let opened = false;
      if (nodeStart && (c === '"' || c === "'")) {
        this.quote = c;
      } else if ((c === '[' || c === '{') && (nodeStart || this.flow > 0)) {
        opened = true;
        this.flow++;
        if (this.block.length + this.flow > this.max || ++this.raw > RAW_FACTOR * this.max) return i;
      } else if (c === ']' || c === '}') {
        if (this.flow > 0) this.flow--;
        if (this.raw > 0) this.raw--;
      } else if (nodeStart && (c === '|' || c === '>') && this.flow === 0 && isScalarHeader(t.slice(i + 1, end))) {
        this.scalarParent = indent;
        return undefined;
      }
      const spaceAfter = i + 1 >= end || t[i + 1] === ' ' || t[i + 1] === '\t';
      nodeStart = opened || (c === ',' && this.flow > 0) || ((c === ':' || c === '-' || c === '?') && spaceAfter);
    }
    return undefined;
  }
}

/** The rest of a block scalar's header line: indicators, then nothing or a comment. */
function isScalarHeader(rest: string): boolean {
  return /^[-+1-9]{0,2}\s*(#.*)?$/.test(rest);
}
