// The login screen as MUSH and MUD players know it: connect, create, quit; a password typed on its own line is hidden.

export type LoginStep =
  | { action: 'login'; username: string; password: string }
  | { action: 'register'; username: string; password: string }
  | { action: 'ask-password'; prompt: string }
  | { action: 'say'; text: string }
  | { action: 'quit' };

type Pending = { kind: 'connect' | 'create'; username: string } | { kind: 'confirm'; username: string; password: string };

export const loginHelp =
  'Type {g}connect <name> <password>{x} to play, {g}create <name> <password>{x} to make a character, or {g}quit{x}.\n' +
  'Leave the password out ("connect Ada") to type it unseen.';

/** Reads login-screen lines one at a time and says what to do. */
export class LoginDialog {
  private pending: Pending | undefined;

  /** True while the next line is a password (the connection should hide it). */
  get expectsPassword(): boolean {
    return this.pending !== undefined;
  }

  next(line: string): LoginStep {
    const pending = this.pending;
    this.pending = undefined;
    if (pending?.kind === 'connect') return { action: 'login', username: pending.username, password: line };
    if (pending?.kind === 'create') {
      this.pending = { kind: 'confirm', username: pending.username, password: line };
      return { action: 'ask-password', prompt: 'Type the password again: ' };
    }
    if (pending?.kind === 'confirm') {
      if (pending.password !== line) return { action: 'say', text: 'The two passwords differ. Start again with "create <name>".' };
      return { action: 'register', username: pending.username, password: line };
    }
    const [verb = '', username = '', ...rest] = line.trim().split(/\s+/);
    const password = rest.join(' ');
    switch (verb.toLowerCase()) {
      case '':
        return { action: 'say', text: loginHelp };
      case 'quit':
      case 'qquit':
        return { action: 'quit' };
      case 'connect':
      case 'co':
      case 'create':
      case 'cr': {
        const creating = verb.toLowerCase().startsWith('cr');
        if (!username) return { action: 'say', text: `Type "${creating ? 'create' : 'connect'} <name> <password>".` };
        if (password) return { action: creating ? 'register' : 'login', username, password };
        this.pending = { kind: creating ? 'create' : 'connect', username };
        return { action: 'ask-password', prompt: creating ? `Choose a password for ${username}: ` : 'Password: ' };
      }
      default:
        return { action: 'say', text: `"${verb}" means nothing here yet.\n${loginHelp}` };
    }
  }
}
