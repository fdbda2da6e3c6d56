// What an operator reads of the text gateway, as a port: the sessions report, the service exports (Prometheus).

export interface TextMeter {
  /** A player entered (+1) or left (-1) the world through a connection of this kind. */
  playing(kind: 'telnet' | 'websocket', change: 1 | -1): void;
  /** From reading a typed `say` to writing the first line the speaker reads after it (their own echo). */
  sayEchoed(seconds: number): void;
}

export const unmeteredText: TextMeter = { playing() {}, sayEchoed() {} };

/** A say as the world parses it: the word, or the ' and " prefixes. */
export const isSay = (line: string): boolean => /^\s*(say(\s|$)|['"])/i.test(line);
