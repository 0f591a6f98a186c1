import { schema, t } from '@colyseus/schema';
import { joinRoom } from '@anarchy/sdk';
import { installNodeWebRtc } from '@anarchy/sdk/node';

// A bot or a headless test peer: Node has no WebRTC, @roamhq/wrtc and ws provide it.
installNodeWebRtc();
const Clicks = schema({ count: t.uint32().default(0) }, 'Clicks');
const room = await joinRoom({ signalUrl: 'http://127.0.0.1:8787', room: process.argv[2] ?? '' });
room.declareShard('clicks', Clicks, { onAction: (state) => void state.count++ });
room.on('change', ({ state }) => console.log('clicks:', (state as InstanceType<typeof Clicks>).count));
process.on('SIGINT', () => void room.leave().then(() => process.exit(0)));
