// Terminal type (RFC 1091) with the MUD Terminal Type Standard: each SEND makes the client name
// its next type, typically the client, then the terminal, then "MTTS <bits>"; a repeat ends the list.

const TTYPE_IS = 0;
export const TTYPE_SEND = 1;

/** The MTTS bit saying the terminal understands UTF-8. */
const MTTS_UTF8 = 4;
/** MTTS lists at most three names, so asking more often only fetches repeats. */
const MAX_NAMES = 3;

export class TerminalTypeCycle {
  readonly names: string[] = [];
  #done = false;
  #mtts = 0;

  get utf8(): boolean {
    return (this.#mtts & MTTS_UTF8) !== 0;
  }

  /**
   * Reads an IS answer: `ask` means send SEND again, `done` means the list is complete (report it),
   * `ignore` covers malformed answers and answers after the end.
   */
  receive(payload: Buffer): 'ask' | 'done' | 'ignore' {
    if (this.#done || payload[0] !== TTYPE_IS) return 'ignore';
    const name = payload.subarray(1).toString('latin1').replace(/[^\x20-\x7e]/g, '');
    if (name === '') return 'ignore';
    if (this.names.includes(name)) return this.#finish();
    this.names.push(name);
    const mtts = /^MTTS (\d+)$/i.exec(name);
    if (mtts) this.#mtts = Number(mtts[1]);
    return this.names.length >= MAX_NAMES ? this.#finish() : 'ask';
  }

  #finish(): 'done' {
    this.#done = true;
    return 'done';
  }
}
