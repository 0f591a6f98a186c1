/**
 * Where the demo gets the SDK's `Room` and `joinRoom`: one import site, so the rest of the demo
 * depends on the room only through `RoomPort` (port.ts) and this module.
 */
export { Room, joinRoom } from '@anarchy/sdk';
