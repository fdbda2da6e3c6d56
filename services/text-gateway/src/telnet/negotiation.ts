// Option negotiation by the RFC 1143 "Q method". Naive telnet code answers every WILL with DO and
// every DO with WILL, so two such programs acknowledge each other's acknowledgements forever; here
// an option has a state per side, a message that would not change it gets no answer, and a change
// of mind while a request is in flight is queued instead of sent.
import { Cmd, type Verb } from './codes.ts';

/** `local`: what this server does (we send WILL/WONT); `remote`: what the client does (we send DO/DONT). */
export type Side = 'local' | 'remote';

type State = 'no' | 'yes' | 'want-no' | 'want-yes';

interface OptionState {
  state: State;
  /** RFC 1143's "OPPOSITE" queue bit: once the pending answer arrives, ask for the other state. */
  queued: boolean;
}

export interface NegotiationHooks {
  send(verb: Verb, option: number): void;
  /** Whether to agree when the client asks for `option` on `side` of its own accord. */
  accept(side: Side, option: number): boolean;
  /** The option settled on or off (refused, disabled, or agreed). */
  changed(side: Side, option: number, enabled: boolean): void;
}

export class Negotiator {
  readonly #hooks: NegotiationHooks;
  readonly #options = { local: new Map<number, OptionState>(), remote: new Map<number, OptionState>() };

  constructor(hooks: NegotiationHooks) {
    this.#hooks = hooks;
  }

  enabled(side: Side, option: number): boolean {
    return this.#options[side].get(option)?.state === 'yes';
  }

  /** Asks for an option on or off; does nothing if that is already the state or the request. */
  request(side: Side, option: number, enable: boolean): void {
    const o = this.#get(side, option);
    const target = enable ? 'yes' : 'no';
    const reverse = enable ? 'want-no' : 'want-yes';
    if (o.state === (enable ? 'no' : 'yes')) {
      o.state = enable ? 'want-yes' : 'want-no';
      this.#send(side, option, enable);
    } else if (o.state === reverse) {
      // The opposite request is in flight: ask again once it is answered (or cancel that).
      o.queued = true;
    } else if (o.state !== target) {
      o.queued = false;
    }
  }

  /** Handles WILL/WONT/DO/DONT from the client. */
  receive(verb: Verb, option: number): void {
    const side: Side = verb === Cmd.WILL || verb === Cmd.WONT ? 'remote' : 'local';
    const o = this.#get(side, option);
    if (verb === Cmd.WILL || verb === Cmd.DO) this.#positive(side, option, o);
    else this.#negative(side, option, o);
  }

  #positive(side: Side, option: number, o: OptionState): void {
    switch (o.state) {
      case 'no':
        if (this.#hooks.accept(side, option)) {
          // Agreement goes out before `changed` acts on it: MCCP2's start marker must follow WILL.
          this.#send(side, option, true);
          this.#settle(side, option, o, 'yes');
        } else this.#send(side, option, false);
        return;
      case 'yes':
        return;
      case 'want-no':
        // RFC 1143: an error (our refusal answered by agreement); settle on what we wanted last.
        this.#settle(side, option, o, o.queued ? 'yes' : 'no');
        o.queued = false;
        return;
      case 'want-yes':
        if (!o.queued) this.#settle(side, option, o, 'yes');
        else {
          o.queued = false;
          o.state = 'want-no';
          this.#send(side, option, false);
        }
    }
  }

  #negative(side: Side, option: number, o: OptionState): void {
    switch (o.state) {
      case 'no':
        return;
      case 'yes':
        this.#send(side, option, false);
        this.#settle(side, option, o, 'no');
        return;
      case 'want-no':
        if (!o.queued) this.#settle(side, option, o, 'no');
        else {
          o.queued = false;
          o.state = 'want-yes';
          this.#send(side, option, true);
        }
        return;
      case 'want-yes':
        o.queued = false;
        this.#settle(side, option, o, 'no');
    }
  }

  #settle(side: Side, option: number, o: OptionState, state: 'yes' | 'no'): void {
    const before = o.state;
    o.state = state;
    if (before !== state) this.#hooks.changed(side, option, state === 'yes');
  }

  #send(side: Side, option: number, positive: boolean): void {
    if (side === 'local') this.#hooks.send(positive ? Cmd.WILL : Cmd.WONT, option);
    else this.#hooks.send(positive ? Cmd.DO : Cmd.DONT, option);
  }

  #get(side: Side, option: number): OptionState {
    let o = this.#options[side].get(option);
    if (!o) {
      o = { state: 'no', queued: false };
      this.#options[side].set(option, o);
    }
    return o;
  }
}
