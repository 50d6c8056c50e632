// The planner's wasm as it ships, but with its function and data names kept: for the size
// breakdown (measure-web.mjs) and the CPU profiles (profile-web.mjs).
// The wasm rustc left is put through the same two steps as Trunk's build (wasm-bindgen, then
// wasm-opt with app/index.html's `-Oz --low-memory-unused`), keeping the name section (its code
// and data come within 0.1% of the shipped file's size), so every shipped function and data
// segment is there, and named. (The wasm before those steps would hold wasm-bindgen's describe
// functions, which never ship, and functions wasm-opt later inlines or removes.)
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { root } from '../tests/e2e/harness.mjs';

/** Options for `execFileSync` of the cargo-installed tools (twiggy, wasm-bindgen): they live in
 *  ~/.cargo/bin, which lib.sh puts on its own PATH only. */
export const tools = { env: { ...process.env, PATH: `${path.join(os.homedir(), '.cargo/bin')}:${process.env.PATH}` }, maxBuffer: 1 << 28 };

const preOpt = path.join(root, 'target/wasm32-unknown-unknown/wasm-release/app.wasm');

/** Writes the named build into `dir` (`app.js`, `snippets/`, and `named.wasm` in place of
 *  `app_bg.wasm`); returns the named wasm's path. Installs the tools it needs first, and `also`
 *  (lib.sh installer names). */
export function namedBuild(dir, also = []) {
  const installs = ['install_wasm_bindgen', 'install_wasm_opt', ...also].join(' && ');
  execFileSync('bash', ['-c', `source scripts/lib.sh && ${installs}`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('wasm-bindgen', ['--keep-debug', '--target', 'web', '--out-dir', dir, preOpt], tools);
  const named = path.join(dir, 'named.wasm');
  execFileSync(path.join(root, '.tools/node_modules/binaryen/bin/wasm-opt'), ['-Oz', '-g', '--low-memory-unused',
    '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals',
    path.join(dir, 'app_bg.wasm'), '-o', named], tools);
  return named;
}
