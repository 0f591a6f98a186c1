/**
 * The landing page: pick a name and colour, create a room through the signal service, share its
 * link (copy button and QR code), join it.
 */
import { SignalClient } from '@anarchy/sdk';
import { roomLink, type DemoConfig } from '../config.js';
import { copyText, isLoopbackHost } from './clipboard.js';
import { PALETTE, saveProfile, type ProfileStorage } from './profile.js';
import type { Profile } from '../net/session.js';
import { qrSvg } from './qr.js';
import { describeError, showScreen } from './screens.js';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

/** A name field and colour swatches that save to storage as they change. */
export function profileEditor(storage: ProfileStorage, profile: Profile, onChange: (p: Profile) => void): HTMLElement {
  let current = profile;
  const name = el('input', { value: profile.name, maxLength: 24, className: 'name', ariaLabel: 'Your name' });
  const swatches = el('div', { className: 'swatches' });
  const update = (p: Profile): void => {
    current = saveProfile(storage, p);
    for (const b of swatches.querySelectorAll('button')) b.classList.toggle('chosen', b.dataset['colour'] === current.colour);
    onChange(current);
  };
  for (const colour of PALETTE) {
    const b = el('button', { type: 'button', className: 'swatch', title: colour, ariaLabel: `Colour ${colour}` });
    b.dataset['colour'] = colour;
    b.style.background = colour;
    b.addEventListener('click', () => update({ ...current, colour }));
    swatches.append(b);
  }
  name.addEventListener('change', () => update({ ...current, name: name.value }));
  update(profile);
  return el('div', { className: 'profile' }, el('label', {}, 'Name ', name), swatches);
}

/** Renders the lobby into `root`. */
export function showLobby(root: HTMLElement, config: DemoConfig, storage: ProfileStorage, profile: Profile): void {
  root.textContent = '';
  const status = el('p', { className: 'status' });
  const created = el('div', { className: 'created', hidden: true });
  const create = el('button', { className: 'primary', id: 'create' }, 'Create a room');
  const join = el('input', { placeholder: 'Paste a room link or id', className: 'link' });
  const joinButton = el('button', {}, 'Join');

  const open = (room: string): void => {
    location.href = roomLink(location.href, config, room);
  };

  create.addEventListener('click', async () => {
    create.disabled = true;
    status.textContent = 'Creating a room…';
    try {
      const { roomId, maxPeers } = await new SignalClient({ url: config.signalUrl }).createRoom();
      const link = roomLink(location.href, config, roomId);
      status.textContent = `Room ${roomId} is open for up to ${maxPeers} players.`;
      const input = el('input', { value: link, readOnly: true, className: 'link', id: 'room-link' });
      const copy = el('button', { type: 'button' }, 'Copy');
      copy.addEventListener('click', async () => {
        const copied = await copyText(link);
        input.select();
        copy.textContent = copied ? 'Copied' : 'Press Ctrl+C';
      });
      const qr = el('div', { className: 'qr', title: 'Scan to join from a phone on this network' });
      qr.innerHTML = qrSvg(link); // markup produced by the QR encoder, not user input
      created.textContent = '';
      created.append(
        el('p', {}, 'Share this link, then join yourself:'),
        el('div', { className: 'row' }, input, copy),
        ...(isLoopbackHost(location.hostname)
          ? [el('p', { className: 'hint' }, 'This address only works on this machine. To play with a friend on your network, start the demo with `pnpm dev --host` and share the network link it prints.')]
          : []),
        qr,
        el('a', { href: link, className: 'button primary', id: 'join-link' }, 'Join the room'),
      );
      created.hidden = false;
    } catch (err) {
      showScreen(root, describeError(err, config.signalUrl), [
        { label: 'Retry', run: () => showLobby(root, config, storage, profile) },
      ]);
    } finally {
      create.disabled = false;
    }
  });

  joinButton.addEventListener('click', () => {
    const text = join.value.trim();
    if (!text) return;
    try {
      const room = new URL(text).searchParams.get('room');
      if (room) return open(room);
    } catch {
      // not a URL: a bare room id
    }
    open(text);
  });

  root.append(
    el(
      'section',
      { className: 'lobby' },
      el('h1', {}, 'Anarchy'),
      el('p', { className: 'tagline' }, 'A real-time strategy game with no game server: every browser in the room simulates part of the galaxy, and takes over when another leaves.'),
      profileEditor(storage, profile, () => undefined),
      create,
      status,
      created,
      el('div', { className: 'row join' }, join, joinButton),
      el('p', { className: 'hint' }, `Signal service: ${config.signalUrl}`),
    ),
  );
}
