// `make web`: bundles web/src into src/rp2350_emu/web/static (app.js, app.css,
// index.html), the files the Python package serves; they are committed, so an
// install needs no Node.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'src', 'rp2350_emu', 'web', 'static');
mkdirSync(out, { recursive: true });
for (const name of readdirSync(out)) rmSync(join(out, name));

await build({
  entryPoints: { app: join(here, 'src', 'main.js') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync(join(here, 'src', 'index.html'), join(out, 'index.html'));
console.log(`web: ${readdirSync(out).sort().join(', ')} in ${out}`);
