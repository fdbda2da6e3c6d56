// @loom/netcode: the graphics protocol shared by the server and the client library (Node and
// browser alike, so nothing here imports node: modules). docs/protocol.md is the specification.
export { DecodeError, type DecodeErrorCode } from './bytes.ts';
export * from './packet.ts';
export * from './sequence.ts';
export { Endpoint, RELIABLE_WINDOW, type Channel, type EndpointOptions, type EndpointStats, type Message } from './reliability.ts';
export { MAX_RELIABLE_MESSAGE, SendWindowFullError } from './reliable-channel.ts';
export { INITIAL_RTO_MS, MAX_RTO_MS, MIN_RTO_MS } from './link-estimator.ts';
export * from './quantize.ts';
export * from './delta.ts';
export * from './game.ts';
export * from './client.ts';
export * from './motion.ts';
