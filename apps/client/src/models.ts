// glTF models and textures from asset-service by name (/assets/by-name/<name> redirects to the newest hash, which is
// cached for good). Each name is fetched once; until it arrives, or if it fails, the primitive stays.
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';

const loader = new GLTFLoader();
const cache = new Map<string, Promise<THREE.Object3D | undefined>>();

function load(name: string): Promise<THREE.Object3D | undefined> {
  let pending = cache.get(name);
  if (!pending) {
    pending = loader.loadAsync(`/assets/by-name/${name.split('/').map(encodeURIComponent).join('/')}`).then(
      (gltf) => {
        // Scaled to stand about a metre tall, feet on the floor, whatever units the model was made in.
        const model = gltf.scene;
        const box = new THREE.Box3().setFromObject(model);
        const height = box.max.y - box.min.y;
        if (Number.isFinite(height) && height > 0) {
          model.scale.setScalar(1 / height);
          model.position.y = -box.min.y / height;
        }
        return model;
      },
      (error: unknown) => {
        console.warn(`model ${name} could not be loaded; drawing a primitive`, error);
        return undefined;
      },
    );
    cache.set(name, pending);
  }
  return pending;
}

/** Swaps the primitive of `object` (its child named 'primitive') for the model, once it has loaded. */
export function dressWithModel(object: THREE.Object3D, name: string): void {
  if (!name || object.userData.model === name) return;
  object.userData.model = name;
  void load(name).then((model) => {
    if (!model || object.userData.model !== name) return;
    object.getObjectByName('primitive')?.removeFromParent();
    object.getObjectByName('model')?.removeFromParent();
    const copy = model.clone(true);
    copy.name = 'model';
    object.add(copy);
  });
}

const textures = new Map<string, THREE.Texture>();

/** Covers the primitive's meshes with an image asset (loaded once per name; a failed one leaves the colour). */
export function paintWithTexture(object: THREE.Object3D, name: string): void {
  if (!name || object.userData.texture === name) return;
  object.userData.texture = name;
  let texture = textures.get(name);
  if (!texture) {
    texture = new THREE.TextureLoader().load(`/assets/by-name/${name.split('/').map(encodeURIComponent).join('/')}`, undefined, undefined, () =>
      console.warn(`texture ${name} could not be loaded; keeping the colour`),
    );
    texture.colorSpace = THREE.SRGBColorSpace;
    textures.set(name, texture);
  }
  object.getObjectByName('primitive')?.traverse((part) => {
    if (part instanceof THREE.Mesh && part.material instanceof THREE.MeshStandardMaterial) {
      part.material.map = texture!;
      part.material.color.set(0xffffff);
      part.material.needsUpdate = true;
    }
  });
}
