// Fixed-point forms of the continuous values snapshots carry. Positions are centimetres in a
// signed 24-bit integer: ±83.9 km at 1 cm, 3 bytes an axis (i16 would cap a world at ±327 m;
// a float32 would spend 4 bytes and lose precision far from the origin). Yaw is a u16 turn
// fraction (0.0055°).

export const POSITION_UNITS_PER_METRE = 100;
export const POSITION_MIN = -0x800000; // i24
export const POSITION_MAX = 0x7fffff;
export const YAW_STEPS = 0x10000; // u16

function finite(value: number, what: string): number {
  if (Number.isNaN(value)) throw new RangeError(`${what} is NaN`);
  return value;
}

// `+ 0` turns −0 (from rounding small negatives) into 0, so round trips compare equal.
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v)) + 0;

/** Metres → i24 centimetres, clamped to the representable range (±83 886.08 m). */
export function quantizePosition(metres: number): number {
  return clamp(Math.round(finite(metres, 'position') * POSITION_UNITS_PER_METRE), POSITION_MIN, POSITION_MAX);
}

export function dequantizePosition(units: number): number {
  return units / POSITION_UNITS_PER_METRE;
}

/** Radians (any value, wrapped) → u16 steps of a full turn; 0 faces +x, counter-clockwise. */
export function quantizeYaw(radians: number): number {
  const steps = Math.round((finite(radians, 'yaw') / (2 * Math.PI)) * YAW_STEPS);
  return ((steps % YAW_STEPS) + YAW_STEPS) % YAW_STEPS;
}

/** u16 steps → radians in [0, 2π). */
export function dequantizeYaw(steps: number): number {
  return (steps / YAW_STEPS) * 2 * Math.PI;
}

