/**
 * Copying a link. `navigator.clipboard` exists only in secure contexts (https, or loopback), and a
 * friend on the network opens the demo over plain http at a LAN address: there the old
 * `execCommand('copy')` on a hidden text field still works.
 */

/**
 * Copies `text`; resolves with whether it worked.
 *
 * @example
 * ```ts
 * button.addEventListener('click', async () => (button.textContent = (await copyText(link)) ? 'Copied' : 'Press Ctrl+C'));
 * ```
 */
export async function copyText(text: string): Promise<boolean> {
  if (typeof navigator !== 'undefined' && navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // denied (no user gesture, permissions): try the old way
    }
  }
  const field = document.createElement('textarea');
  field.value = text;
  field.setAttribute('readonly', '');
  field.style.position = 'fixed';
  field.style.opacity = '0';
  document.body.append(field);
  field.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    field.remove();
  }
}

/**
 * True for host names only this machine reaches (`localhost`, 127.x, ::1): a link on one of them
 * cannot be shared with a friend.
 *
 * @example
 * ```ts
 * if (isLoopbackHost(location.hostname)) hint.textContent = 'Start with `pnpm dev --host` to share the link';
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
