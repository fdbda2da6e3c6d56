// What an upload really is, judged by its first bytes: a Content-Type header alone is only a claim.
export const allowedTypes = ['model/gltf-binary', 'model/gltf+json', 'image/png', 'image/jpeg', 'image/webp', 'audio/ogg', 'audio/mpeg', 'audio/wav'] as const;
export type AssetType = (typeof allowedTypes)[number];

/** Bytes sniff() needs from the start of a file. */
export const headBytes = 16;

// Other names tools send for the same formats.
const aliases: Record<string, AssetType> = {
  'image/jpg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'application/ogg': 'audio/ogg',
};

/** The allowed type a Content-Type header names (parameters and case ignored), or undefined. */
export function assetType(header: string | undefined): AssetType | undefined {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return (allowedTypes as readonly string[]).includes(type) ? (type as AssetType) : aliases[type];
}

const ascii = (head: Buffer, at: number, text: string) => head.subarray(at, at + text.length).toString('latin1') === text;

/** Whether a file of `size` bytes starting with `head` is of `type`. */
export function looksLike(type: AssetType, head: Buffer, size: number): boolean {
  switch (type) {
    case 'image/png':
      return head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    case 'image/jpeg':
      return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
    case 'image/webp':
      return ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP');
    case 'audio/wav':
      return ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE');
    case 'audio/ogg':
      return ascii(head, 0, 'OggS');
    case 'audio/mpeg':
      // An ID3 tag, or straight into an MPEG audio frame (11 sync bits, a layer that is not "reserved").
      return ascii(head, 0, 'ID3') || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0 && ((head[1] ?? 0) & 0x06) !== 0);
    case 'model/gltf-binary':
      // glTF 2.0 binary header: magic, version 2, and the total length, which must be the whole file.
      return head.length >= 12 && ascii(head, 0, 'glTF') && head.readUInt32LE(4) === 2 && head.readUInt32LE(8) === size;
    case 'model/gltf+json': {
      const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
      return text.startsWith('{');
    }
  }
}
