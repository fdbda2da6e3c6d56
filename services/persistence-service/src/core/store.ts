// The persistence contract over one SQL database (PGlite or PostgreSQL): the only service that touches it.
import type { Implementation } from '@loom/runtime';
import type { Sql } from '@loom/runtime/sql/sql.ts';
import { getAssetMeta, putAssetMeta } from './assets.ts';
import { appendChatLines, chatHistory } from './chat.ts';
import { getChannelLocks, removeChannelLock, setChannelLock } from './channel-locks.ts';
import { allocateObjectIds, loadObjects, saveObjects } from './objects.ts';
import { createRefreshToken, getRefreshFamily, getRefreshToken, knownAddress, revokeRefreshTokens, rotateRefreshToken } from './refresh-tokens.ts';
import { getChannelSanctions, removeChannelSanction, setChannelSanction } from './sanctions.ts';
import { getScript, listCurrentScripts, listScriptVersions, saveScript } from './scripts.ts';
import { createUser, getUser, listUsers, updateUser, verifyUserPassword } from './users.ts';

export function persistenceStore(sql: Sql): Implementation<'persistence-service'> {
  return {
    loadObjects: (request) => loadObjects(sql, request),
    saveObjects: (request) => saveObjects(sql, request),
    allocateObjectIds: (request) => allocateObjectIds(sql, request),
    createUser: (request) => createUser(sql, request),
    getUser: (request) => getUser(sql, request),
    updateUser: (request) => updateUser(sql, request),
    verifyPassword: (request) => verifyUserPassword(sql, request),
    listUsers: (request) => listUsers(sql, request),
    createRefreshToken: (request) => createRefreshToken(sql, request),
    getRefreshToken: (request) => getRefreshToken(sql, request),
    rotateRefreshToken: (request) => rotateRefreshToken(sql, request),
    revokeRefreshTokens: (request) => revokeRefreshTokens(sql, request),
    getRefreshFamily: (request) => getRefreshFamily(sql, request),
    knownAddress: (request) => knownAddress(sql, request),
    saveScript: (request) => saveScript(sql, request),
    getScript: (request) => getScript(sql, request),
    listScriptVersions: (request) => listScriptVersions(sql, request),
    listCurrentScripts: (request) => listCurrentScripts(sql, request),
    appendChatLines: (request) => appendChatLines(sql, request),
    chatHistory: (request) => chatHistory(sql, request),
    setChannelSanction: (request) => setChannelSanction(sql, request),
    removeChannelSanction: (request) => removeChannelSanction(sql, request),
    getChannelSanctions: (request) => getChannelSanctions(sql, request),
    setChannelLock: (request) => setChannelLock(sql, request),
    removeChannelLock: (request) => removeChannelLock(sql, request),
    getChannelLocks: (request) => getChannelLocks(sql, request),
    putAssetMeta: (request) => putAssetMeta(sql, request),
    getAssetMeta: (request) => getAssetMeta(sql, request),
  };
}
