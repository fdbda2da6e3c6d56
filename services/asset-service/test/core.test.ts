// The pure rules behind the routes: what a Range header asks for, what a file's first bytes say it is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '@loom/runtime';
import { checkAssetName } from '../src/core/assets.ts';
import { assetType, looksLike } from '../src/core/content-types.ts';
import { parseRange } from '../src/core/ranges.ts';
import { glb, png } from './fixtures.ts';

describe('asset rules', () => {
  it('reads one byte range and ignores what it cannot serve as one', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-200', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=50-', 100), { start: 50, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-500', 100), { start: 0, end: 99 });
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
    for (const ignored of [undefined, 'bytes=0-1,5-6', 'bytes=9-3', 'items=0-1', 'bytes=-', 'bytes=a-b']) assert.equal(parseRange(ignored, 100), undefined);
  });

  it('tells formats by their first bytes, not by the name they are sent under', () => {
    const riff = (kind: string) => Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from(kind)]);
    assert.ok(looksLike('image/png', png(1, 2, 3), 0));
    assert.ok(looksLike('model/gltf-binary', glb(), glb().length));
    assert.ok(!looksLike('model/gltf-binary', glb(), glb().length + 1));
    assert.ok(looksLike('image/webp', riff('WEBP'), 12) && !looksLike('image/webp', riff('WAVE'), 12));
    assert.ok(looksLike('audio/wav', riff('WAVE'), 12));
    assert.ok(looksLike('audio/mpeg', Buffer.from('ID3\x04'), 4) && looksLike('audio/mpeg', Buffer.from([0xff, 0xfb, 0x90]), 3));
    assert.ok(!looksLike('audio/mpeg', Buffer.from([0xff, 0xd8, 0xff]), 3));
    assert.ok(looksLike('model/gltf+json', Buffer.from('\uFEFF  {"asset"'), 10) && !looksLike('model/gltf+json', Buffer.from('<html>'), 6));
    assert.equal(assetType('Image/PNG; charset=binary'), 'image/png');
    assert.equal(assetType('audio/mp3'), 'audio/mpeg');
    assert.equal(assetType('text/html'), undefined);
  });

  it('takes names of a safe alphabet that cannot climb out of their folder', () => {
    assert.equal(checkAssetName('models/trees/oak-2_v1.glb'), 'models/trees/oak-2_v1.glb');
    for (const bad of ['', 'a b', '../x', 'a/../b', 'x'.repeat(201), 'é.png']) assert.throws(() => checkAssetName(bad), InvalidArgumentError);
  });
});
