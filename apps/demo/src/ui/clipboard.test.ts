import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from './clipboard.js';

describe('isLoopbackHost', () => {
  it('tells links only this machine can open from shareable ones', () => {
    for (const h of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['192.168.1.20', '10.0.0.5', 'fd00::2', '[fd00::2]', 'my-laptop.local', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
