// The browser client: log in over REST, then play over /ws/graphics with a Three.js view and a text pane.
import { GameClient, Interpolator, Predictor, type ServerEvent } from '@loom/netcode';
import { authenticate } from './auth.ts';
import { View, type Doorway } from './scene.ts';
import { append, enableCommands } from './text-pane.ts';
import { wsTransport } from './transport.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $('status');
const loginForm = $<HTMLFormElement>('login');

let kind: 'login' | 'register' = 'login';
$('do-register').addEventListener('click', () => {
  kind = 'register';
  loginForm.requestSubmit();
});
loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const username = $<HTMLInputElement>('username').value.trim();
  const password = $<HTMLInputElement>('password').value;
  const asked = kind;
  kind = 'login';
  $('login-error').textContent = '';
  authenticate(asked, username, password)
    .then((session) => play(session.accessToken))
    .catch((error: Error) => ($('login-error').textContent = error.message));
});

async function play(accessToken: string): Promise<void> {
  status.textContent = 'connecting…';
  const client = new GameClient(await wsTransport(() => (status.textContent = 'disconnected — reload to play again')), () => performance.now());
  const view = new View($('view'));
  const others = new Interpolator();
  const me = new Predictor();
  let room: { id: number; size: [number, number, number]; doorways: Doorway[] } | undefined;
  // Our own character, as each snapshot names it (never guessed from names: a thing may be named like us).
  let selfId: number | undefined;
  client.onEvent((event: ServerEvent) => {
    if (event.t === 'room') {
      $('room').textContent = event.name;
      room = { id: event.id, size: event.size, doorways: event.doorways };
      view.setRoom(event.size, event.doorways);
    } else if (event.t === 'text') append(event.text);
    else if (event.t === 'chat') append(`[${event.channel}] ${event.talker}: ${event.text}`, 'chat');
    else if (event.t === 'bye') append(event.text, 'err');
  });
  await client.connect(accessToken);
  loginForm.hidden = true;
  status.textContent = 'connected';
  enableCommands((line) => client.command(line));

  // A predicted step stops at the walls, except through a doorway's gap.
  me.bound = (x, z) => {
    if (!room) return { x, z };
    const [hx, , hz] = room.size.map((s) => s / 2 - 0.35) as [number, number, number];
    const through = (wall: string, along: number) => room!.doorways.some((d) => d.wall === wall && Math.abs(along - d.offset) < d.width / 2 - 0.35);
    return {
      x: (x > hx && through('east', z)) || (x < -hx && through('west', z)) ? x : Math.max(-hx, Math.min(hx, x)),
      z: (z > hz && through('south', x)) || (z < -hz && through('north', x)) ? z : Math.max(-hz, Math.min(hz, z)),
    };
  };

  // Keys held and the camera's turn (mouse drag); inputs are relative to where the camera looks.
  const held = new Set<string>();
  const typing = () => document.activeElement instanceof HTMLInputElement;
  window.addEventListener('keydown', (e) => !typing() && held.add(e.key.toLowerCase()));
  window.addEventListener('keyup', (e) => held.delete(e.key.toLowerCase()));
  window.addEventListener('blur', () => held.clear());
  let camYaw = 0;
  let pitch = 0.35;
  let facing = 0;
  let dragging = false;
  view.canvas.addEventListener('pointerdown', (e) => {
    dragging = true;
    view.canvas.setPointerCapture(e.pointerId);
  });
  view.canvas.addEventListener('pointerup', () => (dragging = false));
  view.canvas.addEventListener('pointermove', (e) => {
    if (!dragging) return;
    camYaw -= e.movementX * 0.005;
    pitch = Math.max(0.05, Math.min(1.2, pitch + e.movementY * 0.005));
  });

  // Inputs at 30 Hz, each one predicted locally at once.
  let clientTick = 0;
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const dt = Math.min(0.1, (now - last) / 1000);
    last = now;
    const on = (...keys: string[]) => (keys.some((k) => held.has(k)) ? 1 : 0);
    const ahead = on('w', 'arrowup') - on('s', 'arrowdown');
    const right = on('d', 'arrowright') - on('a', 'arrowleft');
    // Forward for a yaw is (-sin, -cos) in room coordinates (yaw 0 faces north, -z); right is (cos, -sin).
    let dx = -Math.sin(camYaw) * ahead + Math.cos(camYaw) * right;
    let dz = -Math.cos(camYaw) * ahead - Math.sin(camYaw) * right;
    const length = Math.hypot(dx, dz);
    if (length > 1) [dx, dz] = [dx / length, dz / length];
    if (length > 0) facing = Math.atan2(-dx, -dz);
    clientTick++;
    client.sendInput({ clientTick, dx, dz, yaw: facing, jump: held.has(' ') });
    if (me.known) me.step(clientTick, dx, dz, dt);
    client.tick();
  }, 1000 / 30);

  let lastTick = -1;
  let lastRoom = -1;
  const frame = () => {
    requestAnimationFrame(frame);
    const now = performance.now();
    const seen = client.view;
    if (seen && seen.tick !== lastTick) {
      lastTick = seen.tick;
      selfId = seen.viewerEntityId;
      if (seen.roomId !== lastRoom) {
        // A new room: old positions mean nothing here.
        lastRoom = seen.roomId;
        others.clear();
        me.known = false;
      }
      others.push(seen.tick, client.tickRate, seen.entities, now);
      const self = seen.entities.find((e) => e.id === selfId);
      if (self) me.reconcile(self, seen.ackedClientTick);
    }
    const present = new Set<number>();
    for (const e of others.sample(now)) {
      present.add(e.id);
      if (e.id === selfId && me.known) view.place(e.id, e.name, e.flags, true, me.x, e.y, me.z, facing, e.model, e.texture);
      else view.place(e.id, e.name, e.flags, e.id === selfId, e.x, e.y, e.z, e.yaw, e.model, e.texture);
    }
    for (const id of view.ids()) if (!present.has(id)) view.remove(id);
    view.follow(me.known ? me.x : 0, me.known ? me.z : 0, camYaw, pitch);
    view.render();
  };
  frame();
}
