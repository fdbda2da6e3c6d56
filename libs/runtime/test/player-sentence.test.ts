// What players read of an error: a refusal in its own words; transport trouble as one plain sentence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineExceededError, InternalError, InvalidArgumentError, playerSentence, ResourceExhaustedError, UnavailableError } from '../src/transport/errors.ts';

describe('playerSentence', () => {
  it('passes on refusals written for players', () => {
    assert.equal(playerSentence(new InvalidArgumentError('That name is taken.')), 'That name is taken.');
    assert.equal(playerSentence(new ResourceExhaustedError('You are typing too fast.')), 'You are typing too fast.');
  });
  it('never passes on transport or internal detail', () => {
    for (const error of [
      new DeadlineExceededError('/loom.v1.WorldStateService/SubmitIntent DEADLINE_EXCEEDED: Deadline exceeded after 5.001s'),
      new UnavailableError('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:50051'),
      new InternalError('TypeError: Cannot read properties of undefined'),
      new Error('socket hang up'),
    ]) {
      const sentence = playerSentence(error);
      assert.equal(sentence, 'The world could not answer that just now; try again in a moment.');
      assert.ok(!sentence.includes(error.message));
    }
    assert.equal(playerSentence(new UnavailableError('x'), 'The world ended this session.'), 'The world ended this session.');
  });
});
