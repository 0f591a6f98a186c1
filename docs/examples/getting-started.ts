import { schema, t } from '@colyseus/schema';
import { SignalClient, joinRoom } from '@anarchy/sdk';

const signalUrl = 'http://127.0.0.1:8787'; // `pnpm dev` starts one here
const roomId = new URL(location.href).searchParams.get('room') ?? (await new SignalClient({ url: signalUrl }).createRoom()).roomId;
history.replaceState(null, '', `?room=${roomId}`); // open this URL in a second tab

const Clicks = schema({ count: t.uint32().default(0) }, 'Clicks');
const room = await joinRoom({ signalUrl, room: roomId });
const clicks = room.declareShard('clicks', Clicks, { onAction: (state) => void state.count++ });
clicks.onChange(({ state }) => (document.body.textContent = `${state.count} clicks`));
document.addEventListener('click', () => void clicks.act({}));
