import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseObjectId, roleAtLeast } from '../src/index.ts';

describe('world vocabulary', () => {
  it('orders roles player < builder < admin', () => {
    assert.equal(roleAtLeast('admin', 'builder'), true);
    assert.equal(roleAtLeast('builder', 'builder'), true);
    assert.equal(roleAtLeast('player', 'builder'), false);
    assert.equal(roleAtLeast('wizard', 'player'), false);
  });
  it('reads object ids typed as #123 or 123', () => {
    assert.equal(parseObjectId('#12'), 12);
    assert.equal(parseObjectId(' 7 '), 7);
    assert.equal(parseObjectId('#x'), undefined);
    assert.equal(parseObjectId('#'), undefined);
  });
});
