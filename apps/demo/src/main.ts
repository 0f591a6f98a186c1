/**
 * Demo entry: without `?room=` it is the lobby (create a room, share the link); with it, it joins
 * the room over real WebRTC and shows every player's cursor, sent on the unreliable state channel.
 */
import { PeerJsTransport, SignalClient, AnarchyError, type PeerId } from '@anarchy/sdk';

const params = new URLSearchParams(location.search);
const signalUrl = params.get('signal') ?? (import.meta.env['VITE_SIGNAL_URL'] as string | undefined) ?? `${location.protocol}//${location.hostname}:8787`;
const app = document.querySelector<HTMLElement>('#app')!;

function describe(err: unknown): string {
  if (err instanceof AnarchyError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}

async function lobby(): Promise<void> {
  app.innerHTML = `<h1>Anarchy</h1><p>Peer-to-peer multiplayer with no game server.</p>
    <button id="create">Create a room</button><p class="status" id="status"></p>`;
  const status = app.querySelector<HTMLElement>('#status')!;
  app.querySelector('#create')!.addEventListener('click', async () => {
    status.textContent = 'Creating a room…';
    try {
      const { roomId } = await new SignalClient({ url: signalUrl }).createRoom();
      const link = new URL(location.href);
      link.searchParams.set('room', roomId);
      if (params.get('signal')) link.searchParams.set('signal', signalUrl);
      status.innerHTML = `Share this link, then open it yourself:<br><input class="link" readonly value="${link.href}"> <p><a href="${link.href}">Join the room</a></p>`;
    } catch (err) {
      status.innerHTML = `<span class="error">Could not reach the signal service at ${signalUrl}: ${describe(err)}</span>`;
    }
  });
}

async function play(room: string): Promise<void> {
  app.innerHTML = `<h1>Room ${room}</h1><p class="status" id="status">Connecting…</p><ul class="peers" id="peers"></ul><canvas id="c" width="960" height="480"></canvas>`;
  const status = app.querySelector<HTMLElement>('#status')!;
  const peersEl = app.querySelector<HTMLElement>('#peers')!;
  const canvas = app.querySelector<HTMLCanvasElement>('#c')!;
  const ctx = canvas.getContext('2d')!;
  let transport: PeerJsTransport;
  try {
    transport = await PeerJsTransport.join({ signalUrl, room });
  } catch (err) {
    status.innerHTML = `<span class="error">${describe(err)}</span>`;
    return;
  }
  const cursors = new Map<PeerId, { x: number; y: number }>();
  const me = { x: 0.5, y: 0.5 };
  const render = (): void => {
    status.textContent = `You are ${transport.localId}. ${transport.peers().length} other player(s) connected.`;
    peersEl.innerHTML = transport.peers().map((p) => `<li>${p}</li>`).join('');
  };
  transport.on('peer-joined', render);
  transport.on('peer-left', ({ peer }) => {
    cursors.delete(peer);
    render();
  });
  transport.on('message', ({ peer, channel, data }) => {
    if (channel !== 'state' || data.length !== 4) return;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    cursors.set(peer, { x: view.getUint16(0) / 65535, y: view.getUint16(2) / 65535 });
  });
  canvas.addEventListener('pointermove', (e) => {
    const r = canvas.getBoundingClientRect();
    me.x = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    me.y = Math.min(1, Math.max(0, (e.clientY - r.top) / r.height));
  });
  // A timer, not requestAnimationFrame: hidden tabs never run rAF but must keep sending.
  setInterval(() => {
    const msg = new Uint8Array(4);
    const view = new DataView(msg.buffer);
    view.setUint16(0, Math.round(me.x * 65535));
    view.setUint16(2, Math.round(me.y * 65535));
    for (const p of transport.peers()) transport.send(p, 'state', msg);
  }, 50);
  const draw = (): void => {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const dot = (x: number, y: number, colour: string): void => {
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.arc(x * canvas.width, y * canvas.height, 8, 0, Math.PI * 2);
      ctx.fill();
    };
    for (const [peer, c] of cursors) dot(c.x, c.y, `hsl(${[...peer].reduce((h, ch) => h + ch.charCodeAt(0) * 37, 0) % 360} 80% 60%)`);
    dot(me.x, me.y, '#ffffff');
    requestAnimationFrame(draw);
  };
  render();
  draw();
  addEventListener('pagehide', () => void transport.close());
}

const room = params.get('room');
void (room ? play(room) : lobby());
