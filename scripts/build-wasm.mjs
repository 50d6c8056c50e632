// The planner's WebAssembly, built, split and bound into a Trunk build (lib.sh's build_web runs
// it after `trunk build`, which builds the page, its CSS and public/):
//   node scripts/build-wasm.mjs dist
// 1. cargo builds the `app` binary (profile wasm-release), linked with `--emit-relocs`
//    (.cargo/config.toml) so that it can be split.
// 2. wasm-split-cli cuts it at the `#[wasm_split]` functions: the planner, and a chunk per split
//    point (the deploy panel: `components/deploy_slot.rs`), with chunks for code only they
//    share. The chunks use the planner's memory, table and functions; a loader module
//    (`__wasm_split.js`) fetches and instantiates one when its function is first called.
// 3. wasm-bindgen binds the planner (`--keep-lld-exports`: the chunks import its function
//    table, which wasm-bindgen otherwise unexports; Trunk cannot pass it, which is why this
//    step is not Trunk's), then wasm-opt -Oz shrinks the planner and each chunk.
// 4. Every file is named by its content (`app-<hash>.js`, `split_deploy-<hash>.wasm`), so the
//    server lets browsers keep them for a year and a page never meets a chunk of another build;
//    the page (`index.html`, always revalidated) gets the start script and the preloads, with
//    their integrity hashes, at the `<!-- stackplan:wasm -->` mark.
import crypto from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Options for `execFileSync` of the tools the build and the measurements run: cargo-installed
 *  ones (wasm-split-cli, wasm-bindgen, twiggy) live in ~/.cargo/bin and npm's wasm-opt in
 *  .tools/, which lib.sh puts on its own PATH only. */
export const tools = { env: { ...process.env, PATH: `${path.join(os.homedir(), '.cargo/bin')}:${path.join(root, '.tools/node_modules/binaryen/bin')}:${process.env.PATH}` }, maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] };
/** The linked wasm, before the split. */
export const linked = path.join(process.env.CARGO_TARGET_DIR ?? path.join(root, 'target'), 'wasm32-unknown-unknown/wasm-release/app.wasm');
/** The module name the split planner imports its loader by (wasm-split-cli's). */
export const LOADER_IMPORT = './__wasm_split.js';
/** wasm-opt's flags: `-Oz`, and `--low-memory-unused`: Rust places its 1 MB stack in the low
 *  memory, growing down from the top, so the low 1 KB is never addressed and constant offsets
 *  fold into loads and stores (2 KB less gzipped); with the features rustc's wasm32 output uses. */
const OPT = ['-Oz', '--low-memory-unused', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
  '--enable-sign-ext', '--enable-mutable-globals'];

const run = (cmd, args) => execFileSync(cmd, args, tools);
const hash = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const integrity = (bytes) => `sha384-${crypto.createHash('sha384').update(bytes).digest('base64')}`;

/** wasm-opt on a chunk. wasm-split-cli gives a chunk a name section with label names, which
 *  binaryen does not read and warns of on every build: that one warning is left out. */
function optChunk(args) {
  const r = spawnSync('wasm-opt', args, { ...tools, stdio: ['ignore', 'pipe', 'pipe'] });
  const noise = /^warning: unknown name subsection with id 3 at \d+$/;
  const said = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').filter((l) => l && !noise.test(l));
  if (r.status !== 0) throw new Error(`wasm-opt ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${said.join('\n')}`);
  for (const line of said) console.error(line);
}

/** Splits, binds and optimises the linked wasm into `out`: `app.js`, `app_bg.wasm`,
 *  `snippets/`, the chunks (`split_*.wasm`, `chunk_*.wasm`) and the loader `__wasm_split.js`.
 *  `named`: keep the name section (`-g`) for the size breakdown and the profiles. */
export function splitAndBind(out, { named = false } = {}) {
  const split = fs.mkdtempSync(path.join(os.tmpdir(), 'stackplan-split-'));
  try {
    run('wasm-split-cli', [linked, split, '--out-name', 'app']);
    run('wasm-bindgen', ['--keep-lld-exports', '--target', 'web', '--no-typescript',
      ...(named ? ['--keep-debug'] : []), '--out-dir', out, path.join(split, 'app.wasm')]);
    const g = named ? ['-g'] : [];
    run('wasm-opt', [...OPT, ...g, path.join(out, 'app_bg.wasm'), '-o', path.join(out, 'app_bg.wasm')]);
    for (const f of fs.readdirSync(split)) {
      if (f === 'app.wasm') continue;
      if (f.endsWith('.wasm')) optChunk([...OPT, ...g, path.join(split, f), '-o', path.join(out, f)]);
      else fs.copyFileSync(path.join(split, f), path.join(out, f));
    }
  } finally {
    fs.rmSync(split, { recursive: true, force: true });
  }
}

/** wasm-bindgen's snippets in `dir` (`snippets/…`), sorted. */
export function snippetsIn(dir) {
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
  const top = path.join(dir, 'snippets');
  return fs.existsSync(top) ? walk(top).map((f) => path.relative(dir, f)).sort() : [];
}

/** The chunk files `splitAndBind` wrote into `dir`. */
export const chunksIn = (dir) => fs.readdirSync(dir).filter((f) => /^(split|chunk)_\w+\.wasm$/.test(f)).sort();

/** Renames the bound files in `dir` by their content and wires them together: the loader
 *  fetches the chunks by their new names and takes the planner's exports from `app-<hash>.js`,
 *  which imports the loader by its new name. Returns the names. */
export function nameByContent(dir) {
  const rename = (from, to) => { fs.renameSync(path.join(dir, from), path.join(dir, to)); return to; };
  const chunks = Object.fromEntries(chunksIn(dir).map((f) =>
    [f, rename(f, f.replace(/\.wasm$/, `-${hash(fs.readFileSync(path.join(dir, f)))}.wasm`))]));
  let loaderText = fs.readFileSync(path.join(dir, '__wasm_split.js'), 'utf8');
  for (const [from, to] of Object.entries(chunks)) {
    const quoted = `"./${from}"`;
    if (!loaderText.includes(quoted)) throw new Error(`the loader does not fetch ${from}`);
    loaderText = loaderText.replaceAll(quoted, `"./${to}"`);
  }
  // The JS's content names the loader and the loader's names the JS, so neither can be named by
  // its own: both, and the planner's wasm, are named by one hash of everything they are made
  // of (the wasm, the JS and the loader as bound, the snippets), so that any change to any of
  // them renames all three. (Named by the wasm alone, a loader whose chunks changed under an
  // unchanged planner would keep its name, and browsers their year-old copy.)
  const jsText = fs.readFileSync(path.join(dir, 'app.js'), 'utf8');
  const sum = crypto.createHash('sha256');
  for (const part of [fs.readFileSync(path.join(dir, 'app_bg.wasm')), jsText, loaderText, ...snippetsIn(dir).map((f) => fs.readFileSync(path.join(dir, f)))]) {
    sum.update(String(part.length)).update(':').update(part);
  }
  const id = sum.digest('hex').slice(0, 16);
  const js = `app-${id}.js`;
  const wasm = rename('app_bg.wasm', `app-${id}_bg.wasm`);
  const loader = `split-${id}.js`;
  const appImport = 'from "./app.js"';
  if (!loaderText.includes(appImport)) throw new Error('the loader does not import ./app.js');
  fs.writeFileSync(path.join(dir, loader), loaderText.replaceAll(appImport, `from "./${js}"`));
  fs.rmSync(path.join(dir, '__wasm_split.js'));
  const loaderFrom = `from "${LOADER_IMPORT}"`;
  if (!jsText.includes(loaderFrom)) throw new Error(`app.js does not import ${LOADER_IMPORT}`);
  fs.writeFileSync(path.join(dir, js), jsText.replaceAll(loaderFrom, `from "./${loader}"`));
  fs.rmSync(path.join(dir, 'app.js'));
  return { js, wasm, loader, chunks: Object.values(chunks) };
}

/** The tags the page starts the planner with (as Trunk writes them for a `rel="rust"` link):
 *  the start script where the mark is, and the preloads of everything it needs at once. */
export function pageTags(dir, names, snippets) {
  const read = (f) => fs.readFileSync(path.join(dir, f));
  // Imported dynamically, not by an `import` statement: a module that cannot be fetched then
  // rejects here, where the page can say so, instead of leaving "Loading the planner…" forever.
  const script = `<script type="module">
try {
  const bindings = await import('/${names.js}');
  const wasm = await bindings.default({ module_or_path: '/${names.wasm}' });
  window.wasmBindings = bindings;
  dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));
} catch (e) {
  const boot = document.getElementById("boot");
  if (boot) {
    boot.classList.add("failed");
    boot.textContent = typeof WebAssembly !== "object"
      ? "The planner cannot start: this browser does not run WebAssembly."
      : e instanceof WebAssembly.RuntimeError
        ? "The planner stopped while starting (the browser's console says where). Reload the page to try again."
        : "The planner could not start: its code could not be loaded. Check the connection, then reload the page.";
  }
  throw e;
}
</script>`;
  const modules = [names.js, names.loader, ...snippets];
  const preloads = modules.map((f) => `<link rel="modulepreload" href="/${f}" crossorigin="anonymous" integrity="${integrity(read(f))}">`).join('')
    + `<link rel="preload" href="/${names.wasm}" crossorigin="anonymous" integrity="${integrity(read(names.wasm))}" as="fetch" type="application/wasm">`;
  return { script, preloads };
}

function main(dist) {
  // An explicit RUSTFLAGS replaces .cargo/config.toml's flags (cargo's rule), and with them the
  // relocations wasm-split-cli needs: say so rather than let it fail on a wasm it cannot read.
  for (const name of ['RUSTFLAGS', 'CARGO_ENCODED_RUSTFLAGS', 'CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS']) {
    if (process.env[name] !== undefined && !process.env[name].includes('--emit-relocs')) {
      throw new Error(`${name} is set, which replaces .cargo/config.toml's flags for the browser build: unset it, or add its flags there (-C link-arg=--emit-relocs and --cfg erase_components)`);
    }
  }
  run('cargo', ['build', '--locked', '--offline', '--profile', 'wasm-release', '--target', 'wasm32-unknown-unknown', '-p', 'app', '--bin', 'app']);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stackplan-wasm-'));
  try {
    splitAndBind(out);
    const names = nameByContent(out);
    const snippets = snippetsIn(out);
    const page = path.join(dist, 'index.html');
    const html = fs.readFileSync(page, 'utf8');
    const mark = '<!-- stackplan:wasm -->';
    if (!html.includes(mark)) throw new Error(`${page} has no ${mark}`);
    const { script, preloads } = pageTags(out, names, snippets);
    fs.cpSync(out, dist, { recursive: true });
    // Trunk leaves the skipped `rel="rust"` link in the page; the page does not need it.
    const page2 = html.replace(/\s*<link data-trunk rel="rust" data-trunk-skip[^>]*>/, '');
    fs.writeFileSync(page, page2.replace(mark, () => script).replace('</head>', () => `${preloads}</head>`));
    const kb = (f) => `${(fs.statSync(path.join(dist, f)).size / 1024).toFixed(1)} KB`;
    console.error(`the planner: ${names.wasm} (${kb(names.wasm)}), ${names.js}, ${names.loader}; chunks: ${names.chunks.map((c) => `${c} (${kb(c)})`).join(', ')}`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// Run, not imported (named-wasm.mjs imports it): compared as real paths, since the script may be
// named through a symlinked directory.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  main(path.resolve(process.argv[2] ?? path.join(root, 'dist')));
}
