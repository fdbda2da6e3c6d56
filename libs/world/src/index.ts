// World vocabulary shared by the services (DESIGN.md §1).

export const objectKinds = ['room', 'exit', 'thing', 'player'] as const;
export type ObjectKind = (typeof objectKinds)[number];

/** player < builder < admin: each role may do what the ones before it may. */
export const roles = ['player', 'builder', 'admin'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function roleAtLeast(role: string, needed: Role): boolean {
  return isRole(role) && roles.indexOf(role) >= roles.indexOf(needed);
}

/** `#123` or `123` -> 123; undefined for anything else. */
export function parseObjectId(text: string): number | undefined {
  const match = /^#?(\d{1,15})$/.exec(text.trim());
  return match ? Number(match[1]) : undefined;
}

/** The events the world fires for scripts (DESIGN.md §6); on_step comes with the 3D world. */
export const scriptEvents = ['on_enter', 'on_leave', 'on_say', 'on_listen', 'on_use', 'on_examine', 'on_login', 'on_chat', 'on_timer', 'on_step'] as const;
export type ScriptEvent = (typeof scriptEvents)[number];

/** An event a handler may be written for: the world's own above, or a builder's own (`on_open`), which
 * call(), schedule() and @trigger fire: `on_` and a short lowercase name. */
export const eventNamePattern = /^on_[a-z][a-z0-9_]{0,31}$/;
export const isScriptEvent = (name: string): boolean => eventNamePattern.test(name);

/** An attribute's name, for @set and a script's setAttr()/getAttr() alike: letters, digits, _ . - (up to 64). */
export const attributeNamePattern = /^[A-Za-z0-9_.-]{1,64}$/;

export * from './word-filter.ts';
export * from './script-shape.ts';
export * from './markup.ts';
export * from './text.ts';
