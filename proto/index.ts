// The shared protocol surface: generated code (proto/generated, from watchpost.proto) plus its version number.
// Agent and collector import only this module from each other's world.
import { watchpost } from './generated/watchpost.js';

export const wire = watchpost.v1;
export type { watchpost };

/** Protocol version this build speaks. The collector also accepts PROTOCOL_VERSION - 1. */
export const PROTOCOL_VERSION = 1;
/** WebSocket subprotocol carrying the version, checked during the upgrade. */
export const subprotocol = (version: number): string => `watchpost.v${version}`;
