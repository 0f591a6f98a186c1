import { joinRoom } from '@anarchy/sdk';

// Your server hands out short-lived TURN credentials (e.g. coturn's use-auth-secret).
const turn = (await (await fetch('/api/turn-credentials')).json()) as { username: string; credential: string };
const roomId = new URL(location.href).searchParams.get('room') ?? '';

const room = await joinRoom({
  signalUrl: 'https://signal.example.com',
  room: roomId,
  transportOptions: {
    iceServers: [
      { urls: 'stun:stun.example.com:3478' },
      { urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349?transport=tcp'], ...turn },
    ],
  },
});
console.log(`joined as ${room.self}`);
