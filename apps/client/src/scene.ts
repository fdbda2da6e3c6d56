// The Three.js view: the room (floor, walls with doorway gaps), entities with name labels, a follow camera.
import * as THREE from 'three';
import { dressWithModel, paintWithTexture } from './models.ts';
import { CSS2DObject, CSS2DRenderer } from 'three/addons/renderers/CSS2DRenderer.js';

export type Doorway = { wall: string; offset: number; width: number; height: number; exit: string };
const FLAG_THING = 4;

export class View {
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(60, 1, 0.1, 500);
  // preserveDrawingBuffer lets a test (or a screenshot) read the canvas back after the frame.
  private readonly renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  private readonly labels = new CSS2DRenderer();
  private room = new THREE.Group();
  private readonly entities = new Map<number, THREE.Object3D>();

  constructor(private readonly host: HTMLElement) {
    this.scene.background = new THREE.Color(0x1b2330);
    this.scene.add(new THREE.HemisphereLight(0xdde8ff, 0x3a3020, 1.4));
    const sun = new THREE.DirectionalLight(0xffffff, 1.6);
    sun.position.set(6, 12, 4);
    this.scene.add(sun, this.room);
    host.append(this.renderer.domElement);
    Object.assign(this.labels.domElement.style, { position: 'absolute', top: '0', left: '0', pointerEvents: 'none' });
    host.append(this.labels.domElement);
    new ResizeObserver(() => this.resize()).observe(host);
    this.resize();
  }

  get canvas(): HTMLCanvasElement {
    return this.renderer.domElement;
  }

  /** Rebuilds the room: a floor and four walls, each split around its doorways. */
  setRoom(size: [number, number, number], doorways: Doorway[]): void {
    this.scene.remove(this.room);
    this.room = new THREE.Group();
    const [sx, sy, sz] = size;
    const floor = new THREE.Mesh(new THREE.PlaneGeometry(sx, sz), new THREE.MeshStandardMaterial({ color: 0x5b6b52 }));
    floor.rotation.x = -Math.PI / 2;
    this.room.add(floor, new THREE.GridHelper(Math.max(sx, sz), Math.max(sx, sz), 0x49573f, 0x49573f));
    const wallMaterial = new THREE.MeshStandardMaterial({ color: 0x8a7f6e, side: THREE.DoubleSide });
    // Each wall: its length, centre and direction along it (offsets run along that direction from the middle).
    const walls = { north: [sx, 0, -sz / 2, 0], south: [sx, 0, sz / 2, 0], east: [sz, sx / 2, 0, 1], west: [sz, -sx / 2, 0, 1] } as const;
    for (const [name, [length, cx, cz, alongZ]] of Object.entries(walls)) {
      const gaps = doorways.filter((d) => d.wall === name).sort((a, b) => a.offset - b.offset);
      let from = -length / 2;
      const piece = (a: number, b: number, y0: number, y1: number) => {
        if (b - a < 0.01 || y1 - y0 < 0.01) return;
        const mesh = new THREE.Mesh(new THREE.BoxGeometry(b - a, y1 - y0, 0.2), wallMaterial);
        const mid = (a + b) / 2;
        mesh.position.set(alongZ ? cx : cx + mid, (y0 + y1) / 2, alongZ ? cz + mid : cz);
        if (alongZ) mesh.rotation.y = Math.PI / 2;
        this.room.add(mesh);
      };
      for (const gap of gaps) {
        piece(from, gap.offset - gap.width / 2, 0, sy);
        piece(gap.offset - gap.width / 2, gap.offset + gap.width / 2, gap.height, sy); // the lintel
        from = gap.offset + gap.width / 2;
      }
      piece(from, length / 2, 0, sy);
    }
    this.scene.add(this.room);
    for (const id of [...this.entities.keys()]) this.remove(id);
  }

  /** Places an entity, creating its mesh and label on first sight. */
  place(id: number, name: string, flags: number, isSelf: boolean, x: number, y: number, z: number, yaw: number, model = '', texture = ''): void {
    let object = this.entities.get(id);
    if (!object) {
      object = flags & FLAG_THING ? thing() : figure(isSelf ? 0xebcb8b : flags & 1 ? 0x81a1c1 : 0xb48ead);
      const div = document.createElement('div');
      div.className = `label${isSelf ? ' self' : ''}${flags & FLAG_THING ? ' thing' : ''}`;
      div.dataset.entity = String(id);
      const label = new CSS2DObject(div);
      label.position.y = flags & FLAG_THING ? 0.7 : 2.1;
      label.name = 'label';
      object.add(label);
      this.entities.set(id, object);
      this.scene.add(object);
    }
    const div = (object.getObjectByName('label') as CSS2DObject).element;
    if (div.textContent !== name) div.textContent = name;
    dressWithModel(object, model);
    paintWithTexture(object, texture);
    object.position.set(x, y, z);
    object.rotation.y = yaw;
  }

  remove(id: number): void {
    const object = this.entities.get(id);
    if (!object) return;
    (object.getObjectByName('label') as CSS2DObject).element.remove();
    this.scene.remove(object);
    this.entities.delete(id);
  }

  ids(): number[] {
    return [...this.entities.keys()];
  }

  /** A third-person camera behind (x, z) looking the way `yaw` faces. */
  follow(x: number, z: number, yaw: number, pitch: number): void {
    const distance = 5;
    this.camera.position.set(x + Math.sin(yaw) * distance * Math.cos(pitch), 1.6 + distance * Math.sin(pitch), z + Math.cos(yaw) * distance * Math.cos(pitch));
    this.camera.lookAt(x, 1.2, z);
  }

  render(): void {
    this.renderer.render(this.scene, this.camera);
    this.labels.render(this.scene, this.camera);
  }

  private resize(): void {
    const { clientWidth: w, clientHeight: h } = this.host;
    this.renderer.setSize(w, h);
    this.labels.setSize(w, h);
    this.camera.aspect = w / Math.max(1, h);
    this.camera.updateProjectionMatrix();
  }
}

/** A capsule body with a nose, so its facing shows (local -z is forward, as yaw 0 faces north). */
function figure(color: number): THREE.Object3D {
  const group = new THREE.Group();
  const primitive = new THREE.Group();
  primitive.name = 'primitive';
  const body = new THREE.Mesh(new THREE.CapsuleGeometry(0.35, 1.0, 6, 12), new THREE.MeshStandardMaterial({ color }));
  body.position.y = 0.85;
  const nose = new THREE.Mesh(new THREE.BoxGeometry(0.15, 0.15, 0.3), new THREE.MeshStandardMaterial({ color: 0x2e3440 }));
  nose.position.set(0, 1.45, -0.35);
  primitive.add(body, nose);
  group.add(primitive);
  return group;
}

function thing(): THREE.Object3D {
  const box = new THREE.Mesh(new THREE.BoxGeometry(0.4, 0.4, 0.4), new THREE.MeshStandardMaterial({ color: 0xd08770 }));
  box.position.y = 0.2;
  box.name = 'primitive';
  const group = new THREE.Group();
  group.add(box);
  return group;
}
