// Telnet command and option codes (RFC 854 and the option RFCs / MUD protocol pages) and the two
// byte layouts every option shares: a negotiation (IAC verb option) and a subnegotiation.

/** Commands: the byte after IAC. */
export const Cmd = {
  /** End of record (RFC 885): marks the end of a prompt for clients that agreed to EOR. */
  EOR: 239,
  SE: 240,
  NOP: 241,
  DM: 242,
  BRK: 243,
  IP: 244,
  AO: 245,
  AYT: 246,
  EC: 247,
  EL: 248,
  GA: 249,
  SB: 250,
  WILL: 251,
  WONT: 252,
  DO: 253,
  DONT: 254,
  IAC: 255,
} as const;

/** Options the gateway speaks; anything else is refused. */
export const Opt = {
  ECHO: 1,
  SGA: 3,
  TTYPE: 24,
  EOR: 25,
  NAWS: 31,
  CHARSET: 42,
  MSSP: 70,
  COMPRESS2: 86,
  GMCP: 201,
} as const;

export type Verb = typeof Cmd.WILL | typeof Cmd.WONT | typeof Cmd.DO | typeof Cmd.DONT;

export function negotiation(verb: Verb, option: number): Buffer {
  return Buffer.from([Cmd.IAC, verb, option]);
}

/** Doubles every 255 byte so that it reads as data, not as the start of a command. */
export function escapeIac(bytes: Buffer): Buffer {
  if (!bytes.includes(Cmd.IAC)) return bytes;
  const out: number[] = [];
  for (const byte of bytes) {
    out.push(byte);
    if (byte === Cmd.IAC) out.push(Cmd.IAC);
  }
  return Buffer.from(out);
}

/** IAC SB option <payload, IAC-escaped> IAC SE. */
export function subnegotiation(option: number, payload: Uint8Array = new Uint8Array()): Buffer {
  return Buffer.concat([Buffer.from([Cmd.IAC, Cmd.SB, option]), escapeIac(Buffer.from(payload)), Buffer.from([Cmd.IAC, Cmd.SE])]);
}
