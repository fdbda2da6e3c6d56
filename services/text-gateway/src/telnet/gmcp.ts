// GMCP (Generic MUD Communication Protocol, telnet option 201): "Package.Name <json>" messages in a
// subnegotiation. Client input is untrusted, so a bad message is dropped rather than thrown on.

export interface GmcpMessage {
  package: string;
  /** The parsed JSON body; undefined when the message had none (e.g. "Core.Ping"). */
  data: unknown;
}

const PACKAGE_NAME = /^[A-Za-z][\w.-]*$/;

export function encodeGmcp(packageName: string, data?: unknown): Buffer {
  return Buffer.from(data === undefined ? packageName : `${packageName} ${JSON.stringify(data)}`, 'utf8');
}

/** Undefined for a missing or odd package name and for a body that is not JSON. */
export function parseGmcp(payload: Buffer): GmcpMessage | undefined {
  const text = payload.toString('utf8');
  const space = text.search(/\s/);
  const name = space === -1 ? text : text.slice(0, space);
  const body = space === -1 ? '' : text.slice(space + 1).trim();
  if (!PACKAGE_NAME.test(name)) return undefined;
  if (body === '') return { package: name, data: undefined };
  try {
    return { package: name, data: JSON.parse(body) as unknown };
  } catch {
    return undefined;
  }
}
