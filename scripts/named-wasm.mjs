// The planner's wasm as it ships, but with its function and data names kept: for the size
// breakdown (measure-web.mjs) and the CPU profiles (profile-web.mjs).
// The wasm rustc linked is put through the same steps as the shipped build (build-wasm.mjs:
// wasm-split-cli, wasm-bindgen, then wasm-opt -Oz --low-memory-unused), keeping the name
// section, so every function and data segment the planner ships is there, and named (its code
// and data come within 0.1% of the shipped file's size). The chunks split from it (the deploy
// panel) are left out: they are not loaded to start.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { root } from '../tests/e2e/harness.mjs';
import { splitAndBind } from './build-wasm.mjs';

export { tools } from './build-wasm.mjs';

/** Writes the named build into `dir` (`app.js`, `snippets/`, the loader and chunks, and
 *  `named.wasm` in place of `app_bg.wasm`); returns the named wasm's path. Installs the tools it
 *  needs first, and `also` (lib.sh installer names). */
export function namedBuild(dir, also = []) {
  const installs = ['install_wasm_bindgen', 'install_wasm_opt', 'install_wasm_split', ...also].join(' && ');
  execFileSync('bash', ['-c', `source scripts/lib.sh && ${installs}`], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  splitAndBind(dir, { named: true });
  const named = path.join(dir, 'named.wasm');
  fs.renameSync(path.join(dir, 'app_bg.wasm'), named);
  return named;
}
