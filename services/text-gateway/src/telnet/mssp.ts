// MSSP (MUD Server Status Protocol, telnet option 70): the variables MUD listings crawl, sent as
// MSSP_VAR name MSSP_VAL value [MSSP_VAL value ...] inside one subnegotiation.

const MSSP_VAR = 1;
const MSSP_VAL = 2;

export type MsspVariables = Record<string, string | string[]>;

export function encodeMssp(variables: MsspVariables): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(variables)) {
    parts.push(Buffer.of(MSSP_VAR), text(name));
    for (const item of Array.isArray(value) ? value : [value]) parts.push(Buffer.of(MSSP_VAL), text(item));
  }
  return Buffer.concat(parts);
}

/** Names and values must not contain the separator bytes NUL, VAR and VAL (UTF-8 only uses them
 * for those characters themselves); IAC is escaped with the rest of the subnegotiation. */
function text(value: string): Buffer {
  return Buffer.from(Buffer.from(value, 'utf8').filter((byte) => byte > MSSP_VAL));
}
