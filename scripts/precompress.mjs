// Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) beside each wasm, JS,
// CSS and SVG file of a build, so the server sends them without compressing per request.
//   node scripts/precompress.mjs dist
// The page itself (index.html) is left alone: the server rewrites it per request.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dir = process.argv[2] ?? 'dist';
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
let files = 0;
for (const file of walk(dir).filter((f) => /\.(wasm|js|css|svg)$/.test(f))) {
  const raw = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(raw, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      [zlib.constants.BROTLI_PARAM_MODE]: /\.wasm$/.test(file) ? zlib.constants.BROTLI_MODE_GENERIC : zlib.constants.BROTLI_MODE_TEXT,
    },
  });
  fs.writeFileSync(`${file}.br`, br);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(raw, { level: 9 }));
  files += 1;
}
console.error(`precompressed ${files} files in ${dir} (.br and .gz)`);
