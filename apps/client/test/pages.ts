// Test support: what a person does in the browser pages (the 3D client at /, the text client at /text),
// in a real Chromium, whichever wiring serves them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { patienceMs } from '@loom/runtime/testing/patience.ts';
import { needTool } from '@loom/runtime/testing/tools.ts';
import { glb, png } from '../../../services/asset-service/test/fixtures.ts';

const chromiumPath = '/usr/bin/chromium';
export const chromiumSkip = needTool(chromiumPath, 'chromium');

/** Debian's Chromium with software WebGL, so the 3D view renders on a machine without a GPU. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--use-gl=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'] });
}

/** Opens / until the login form is there: a fresh checkout builds the client on first start. */
export async function openClient(page: Page, url: string): Promise<void> {
  const deadline = Date.now() + 120000;
  for (;;) {
    const response = await page.goto(url);
    if (response?.status() === 200) return;
    assert.equal(response?.status(), 503, `GET / answered ${response?.status()} (is clientRoutes registered in services/http-api/src/index.ts?)`);
    assert.ok(Date.now() < deadline, 'the client was not built within 2 minutes');
    await page.waitForTimeout(1000);
  }
}

/** In the 3D page at `base`: register, see the square, walk north through the doorway into the lane and
 *  on until a screenshot shows the avatar, then say hello in the text pane. */
export async function walkNorth(page: Page, base: string, account: { username: string; password: string }, shotDir: string): Promise<void> {
  await openClient(page, `${base}/`);
  await page.locator('#username').fill(account.username);
  await page.locator('#password').fill(account.password);
  await page.locator('#do-register').click();
  await page.locator('#room', { hasText: 'The Loom Square' }).waitFor({ timeout: patienceMs });
  await page.locator('.label.self', { hasText: account.username }).waitFor();

  // The camera starts facing north, so w walks north, through the north doorway.
  await page.locator('#view canvas').click();
  await page.keyboard.down('w');
  await page.locator('#room', { hasText: "Weavers' Lane" }).waitFor({ timeout: patienceMs });
  await page.locator('.label.self', { hasText: account.username }).waitFor();
  // The camera follows 5 m behind: it is inside the lane (and shows the avatar) once the walker is
  // that far in. Walking on until the screenshot shows it depends on no timing; the north wall stops the walk.
  const shot = join(shotDir, 'client.png');
  const seen = async () => {
    await page.screenshot({ path: shot });
    return avatarInScreenshot(page, readFileSync(shot).toString('base64'));
  };
  let seenInShot = await seen();
  for (const deadline = Date.now() + patienceMs; seenInShot.avatar <= 500 && Date.now() < deadline; ) seenInShot = await seen();
  await page.keyboard.up('w');
  assert.ok(seenInShot.colours > 100, `the screenshot shows a scene (${seenInShot.colours} colours)`);
  assert.ok(seenInShot.avatar > 500, `the screenshot shows the avatar (${seenInShot.avatar} sand-yellow pixels of ${seenInShot.pixels})`);
  // The WebGL canvas keeps its drawing buffer, so its pixels can be read back: a scene, not a blank clear colour.
  const colours = await page.evaluate(() => {
    const canvas = document.querySelector('#view canvas') as HTMLCanvasElement;
    const copy = document.createElement('canvas');
    copy.width = 200;
    copy.height = 120;
    const context = copy.getContext('2d')!;
    context.drawImage(canvas, 0, 0, copy.width, copy.height);
    const data = context.getImageData(0, 0, copy.width, copy.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return seen.size;
  });
  assert.ok(colours > 50, `the canvas shows a scene (${colours} distinct colours)`);

  await typeLine(page, 'say hello');
  await page.locator('#output').getByText('You say, "hello"').waitFor();
}

/** A builder uploads a model and a texture over REST at `base` and gives them to things: the page fetches both under /assets/. */
export async function dressTheRoom(page: Page, base: string, account: { username: string; password: string }): Promise<void> {
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const upload = await fetch(`${base}/api/v1/assets/models/statue.glb`, { method: 'PUT', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'model/gltf-binary' }, body: new Uint8Array(glb()) });
  assert.equal(upload.status, 201, await upload.text());
  const fetched = page.waitForResponse((r) => r.url().includes('/assets/') && r.status() === 200 && r.request().method() === 'GET');
  for (const command of ['@create statue', 'drop statue', '@set statue/model=models/statue.glb']) await typeLine(page, command);
  const model = await fetched;
  assert.equal(model.headers()['content-type'], 'model/gltf-binary');
  const image = await fetch(`${base}/api/v1/assets/textures/stone.png`, { method: 'PUT', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'image/png' }, body: new Uint8Array(png(120, 120, 110)) });
  assert.equal(image.status, 201, await image.text());
  const painted = page.waitForResponse((r) => r.url().includes('/assets/') && r.status() === 200 && r.headers()['content-type'] === 'image/png');
  for (const command of ['@create block', 'drop block', '@set block/texture=textures/stone.png']) await typeLine(page, command);
  await painted;
}

async function typeLine(page: Page, text: string): Promise<void> {
  const line = page.locator('#line');
  await line.fill(text);
  await line.press('Enter');
}

/** The screenshot, decoded by the browser: how many colours, and how many pixels of our own avatar
 *  (drawn in sand yellow, 0xebcb8b, lit or shaded; the things' orange boxes, 0xd08770, have far less green). */
function avatarInScreenshot(page: Page, base64: string): Promise<{ avatar: number; colours: number; pixels: number }> {
  return page.evaluate(async (png) => {
    const image = new Image();
    image.src = `data:image/png;base64,${png}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let avatar = 0;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      colours.add((r << 16) | (g << 8) | b);
      if (r > 160 && g > 140 && g - b > 30 && r - b > 50 && r - g < 60) avatar++;
    }
    return { avatar, colours: colours.size, pixels: data.length / 4 };
  }, base64);
}
