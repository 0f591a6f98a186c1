/**
 * A QR code of the room link, so a phone on the same network can join by camera. Drawn with the
 * small `qrcode-generator` package as an SVG.
 */
import qrcode from 'qrcode-generator';

/** An SVG element's markup encoding `text` (error correction M, smallest version that fits). */
export function qrSvg(text: string, cellSize = 4): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize, margin: 2, scalable: true });
}

/** The dark/light modules of the code for `text` (for tests and custom drawing). */
export function qrModules(text: string): boolean[][] {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
}
