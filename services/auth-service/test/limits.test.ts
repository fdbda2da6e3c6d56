// The unit an address limit counts, for the forms a socket reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey } from '../src/core/limits.ts';

test('an IPv4 address counts as itself, also when mapped into IPv6', () => {
  assert.equal(addressKey('192.0.2.10'), '192.0.2.10');
  assert.equal(addressKey('::ffff:192.0.2.10'), '192.0.2.10');
  assert.equal(addressKey(''), '');
});

test('an IPv6 address counts by its /64, however it is written', () => {
  const one = '2001:db8:0:12::/64';
  for (const address of ['2001:db8:0:12:1:2:3:4', '2001:DB8::12:abcd:0:0:1', '2001:db8:0:12::7', '2001:0db8:0000:0012::1%eth0']) assert.equal(addressKey(address), one, address);
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
  assert.notEqual(addressKey('2001:db8:0:13::1'), one);
});
