import QRCode from 'qrcode';

/** The QR symbol of a text as rows of dark (true) / light modules, with the 4-module quiet zone. */
export function qrMatrix(text: string, errorLevel: 'L' | 'M' | 'Q' | 'H' = 'M'): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: errorLevel });
  const quiet = 4;
  const n = modules.size + quiet * 2;
  return Array.from({ length: n }, (_, y) =>
    Array.from({ length: n }, (_, x) => {
      const mx = x - quiet;
      const my = y - quiet;
      return mx >= 0 && my >= 0 && mx < modules.size && my < modules.size && modules.get(my, mx) === 1;
    }),
  );
}

/** A 1-bit image packed as GS v 0 wants it: rows of ceil(width/8) bytes, MSB = leftmost dot. */
export interface RasterImage {
  widthDots: number;
  heightDots: number;
  data: Uint8Array;
}

/** Scales a module matrix to dots (each module `scale` × `scale` dots) and packs it. */
export function rasterize(matrix: boolean[][], scale: number): RasterImage {
  const size = matrix.length * scale;
  const rowBytes = Math.ceil(size / 8);
  const data = new Uint8Array(rowBytes * size);
  for (let y = 0; y < size; y++) {
    const row = matrix[Math.floor(y / scale)] ?? [];
    for (let x = 0; x < size; x++) {
      if (row[Math.floor(x / scale)]) data[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { widthDots: size, heightDots: size, data };
}

/** Reads one dot of a packed raster image. */
export function dotAt(image: RasterImage, x: number, y: number): boolean {
  const rowBytes = Math.ceil(image.widthDots / 8);
  return ((image.data[y * rowBytes + (x >> 3)] ?? 0) & (0x80 >> (x & 7))) !== 0;
}
