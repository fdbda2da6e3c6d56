// The world's typed events in the GMCP shapes MUD clients read: what a mapper and gauges get.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelTextPackage, roomInfoPackage, vitalsPackage } from '../src/core/gmcp-packages.ts';

describe('GMCP packages', () => {
  it('Room.Info: number, name, area, environment and the exits a player is shown, by direction word', () => {
    const doorway = { wall: 'north', offset: 0, width: 2, height: 3 };
    const room = {
      id: 7,
      name: 'The Loom Square',
      zone: 'Loom',
      environment: 'outdoors',
      size: { x: 20, y: 4, z: 20 },
      exits: [
        { id: 8, name: 'North', destinationId: 9, dark: false, doorway },
        { id: 10, name: 'trapdoor', destinationId: 11, dark: true, doorway },
      ],
    };
    assert.deepEqual(roomInfoPackage(room), { num: 7, name: 'The Loom Square', area: 'Loom', environment: 'outdoors', exits: { north: 9 } });
  });

  it('Char.Vitals: the vitals the character has, as strings, under the names clients know', () => {
    assert.deepEqual(vitalsPackage({ hp: 7, maxHp: 10, mv: 2.5 }), { hp: '7', maxhp: '10', mv: '2.5' });
    assert.deepEqual(vitalsPackage({}), {});
  });

  it('Comm.Channel.Text: channel, talker and text as said', () => {
    const line = { id: 1, channel: 'ooc', senderId: 2, senderName: 'Ada', text: 'anyone for {r}tea?', sentAtMs: 0 };
    assert.deepEqual(channelTextPackage(line), { channel: 'ooc', talker: 'Ada', text: 'anyone for {r}tea?' });
  });
});
