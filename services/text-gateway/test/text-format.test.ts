import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeMarkup, render, stripAnsi } from '../src/text/ansi.ts';
import { wrap } from '../src/text/wrap.ts';

const ESC = '\x1b';

describe('colour markup', () => {
  it('renders colour codes as ANSI SGR, ending with a reset so colour cannot leak', () => {
    assert.equal(render('{r}red{x} {B}{g}bold green', true), `${ESC}[31mred${ESC}[0m ${ESC}[1m${ESC}[32mbold green${ESC}[0m`);
    assert.equal(render('{y}a{b}b{m}c{c}d{w}e{x}', true), `${ESC}[33ma${ESC}[34mb${ESC}[35mc${ESC}[36md${ESC}[37me${ESC}[0m`);
  });

  it('renders plain text for a client without colour', () => {
    assert.equal(render('{r}red{x} and {B}bold', false), 'red and bold');
  });

  it('keeps {{ as a brace and leaves unknown codes alone', () => {
    assert.equal(render('{{r} is red, {q} is nothing', true), '{r} is red, {q} is nothing');
  });

  it("a player typing {r} in a say does not colour anyone's screen", () => {
    const said = escapeMarkup('{r}RED ALERT{x} {{');
    assert.equal(render(`{c}Ada says, "${said}"{x}`, true), `${ESC}[36mAda says, "{r}RED ALERT{x} {{"${ESC}[0m`);
  });

  it('strips escape sequences and control characters a player typed, keeping tabs and newlines', () => {
    assert.equal(stripAnsi(`a${ESC}[31mred${ESC}[2J${ESC}]0;owned\x07${ESC}7\x07\r\tb\nc\u009b`), 'ared\tb\nc');
  });
});

describe('word wrap', () => {
  it('breaks at spaces to fit the width', () => {
    assert.equal(wrap('the quick brown fox jumps over the lazy dog', 10), 'the quick\nbrown fox\njumps over\nthe lazy\ndog');
  });

  it('keeps existing newlines, blank lines included', () => {
    assert.equal(wrap('one two three\n\nfour', 7), 'one two\nthree\n\nfour');
  });

  it('breaks a word longer than the line', () => {
    assert.equal(wrap('ab supercalifragilistic xy', 8), 'ab super\ncalifrag\nilistic\nxy');
  });

  it('counts only visible characters and never splits an escape sequence', () => {
    const red = `${ESC}[31m`;
    const reset = `${ESC}[0m`;
    assert.equal(wrap(`${red}the quick${reset} brown fox`, 9), `${red}the quick${reset}\nbrown fox`);
    assert.equal(wrap(`${red}abcdef${reset}gh`, 4), `${red}abcd\nef${reset}gh`);
    for (const line of wrap(render('{g}lorem {r}ipsum{x} dolor sit {B}amet{x}, consectetur', true), 11).split('\n')) {
      assert.ok(stripAnsi(line).length <= 11, line);
    }
  });

  it('counts a code point once, whatever its UTF-16 length', () => {
    assert.equal(wrap('𝄞𝄞𝄞 𝄞𝄞', 3), '𝄞𝄞𝄞\n𝄞𝄞');
  });

  it('keeps trailing spaces that fit, so a prompt keeps its gap', () => {
    assert.equal(wrap('Name: ', 10), 'Name: ');
    assert.equal(wrap('a b', 1), 'a\nb');
  });
});
