// Scripts through the contract (the REST API's way in): the same rights as @script, checked here.
import type { ObjectScriptRequest, SaveObjectScriptRequest, Script, ScriptVersions } from '@loom/proto';
import type { ServiceClient } from '@loom/runtime';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@loom/runtime/transport/errors.ts';
import { isScriptEvent, scriptEvents } from '@loom/world';
import { maxScriptBytes } from './commands/scripting.ts';
import type { Game, ScriptVersion } from './game.ts';
import type { WorldObj } from './model.ts';
import { mayScript } from './permissions.ts';

const asScript = (objectId: number, v: ScriptVersion): Script => ({ objectId, ...v });

export class ObjectScripts {
  constructor(
    private readonly game: Game,
    private readonly auth: ServiceClient<'auth-service'>,
    private readonly characterOfUser: (userId: number) => WorldObj | undefined,
  ) {}

  /** The object, if the caller may read (own it, admin, or public) or write (own it, admin) its scripts. */
  private async target(request: { accessToken: string; objectId: number; event: string }, write: boolean): Promise<{ object: WorldObj; caller: WorldObj }> {
    const principal = await this.auth.verify({ accessToken: request.accessToken });
    if (!isScriptEvent(request.event)) throw new InvalidArgumentError(`"${request.event}" is not an event: ${scriptEvents.join(', ')}, or on_<your own name>`);
    const object = this.game.world.get(request.objectId);
    if (!object || object.flags.has('destroyed')) throw new NotFoundError(`no object #${request.objectId}`);
    const caller = this.characterOfUser(principal.userId);
    if (!caller) throw new PermissionDeniedError('enter the world once before scripting it');
    if (!mayScript(principal.role, caller, object, write ? 'write' : 'read')) throw new PermissionDeniedError(`you may not ${write ? 'change' : 'read'} the scripts of #${object.id}`);
    return { object, caller };
  }

  async get(request: ObjectScriptRequest): Promise<Script> {
    const { object } = await this.target(request, false);
    return asScript(object.id, await this.game.scripts.get(object.id, request.event, request.version || undefined));
  }

  async versions(request: ObjectScriptRequest): Promise<ScriptVersions> {
    const { object } = await this.target(request, false);
    return { versions: (await this.game.scripts.history(object.id, request.event)).map((v) => asScript(object.id, v)) };
  }

  async save(request: SaveObjectScriptRequest): Promise<Script> {
    const { object, caller } = await this.target(request, true);
    let source = request.source;
    if (request.rollbackToVersion > 0) {
      const old = await this.game.scripts.get(object.id, request.event, request.rollbackToVersion);
      if (old.deleted) throw new FailedPreconditionError(`version ${old.version} is a deletion; pick another`);
      source = old.source;
    }
    if (Buffer.byteLength(source) > maxScriptBytes) throw new InvalidArgumentError(`a script has at most ${maxScriptBytes} bytes`);
    return asScript(object.id, await this.game.saveScript(object.id, request.event, source, caller.id));
  }

  async delete(request: ObjectScriptRequest): Promise<Script> {
    const { object, caller } = await this.target(request, true);
    return asScript(object.id, await this.game.saveScript(object.id, request.event, '', caller.id, true));
  }
}
