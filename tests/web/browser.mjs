// End-to-end cases of `rp2350-emu run --web` in headless Chromium (Playwright).
// Started by tests/web/test_browser.py: node browser.mjs CASE URL OUTDIR
// Prints one JSON line with what the page saw; pytest makes the assertions
// it can (timings against the emulator's own output), this script the rest.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const [, , which, url, outdir] = process.argv;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(message) {
  throw new Error(message);
}

async function open(browser) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForFunction(() => window.rp2350 && window.rp2350.hello > 0, null, { timeout: 10000 });
  // every change of the LED element, with the wall time it happened
  await page.evaluate(() => {
    const led = document.getElementById('led');
    window.ledDom = [];
    new MutationObserver(() => window.ledDom.push({ on: led.getAttribute('data-on') === '1', wall: Date.now() }))
      .observe(led, { attributes: true, attributeFilter: ['data-on'] });
  });
  return { page, errors };
}

const ledOn = (page, on, timeout = 3000) =>
  page.waitForSelector(`#led[data-on="${on ? 1 : 0}"]`, { state: 'attached', timeout });

async function typeLine(page, text) {
  await page.click('#terminal');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

const cases = {
  // blinky: every change of the LED element, to compare with the firmware's
  async led(browser) {
    const { page, errors } = await open(browser);
    await page.waitForTimeout(3500);
    return { dom: await page.evaluate(() => window.ledDom), errors };
  },

  // button.elf: hold with the mouse, then with the keyboard, then a short click
  async button(browser) {
    const { page, errors } = await open(browser);
    await ledOn(page, false);
    const box = await page.locator('#button').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await ledOn(page, true);
    const pressed = await page.getAttribute('#button', 'data-pressed');
    await page.mouse.up();
    await ledOn(page, false);
    await page.focus('#button');
    await page.keyboard.down('Space');
    await ledOn(page, true);
    await page.keyboard.up('Space');
    await ledOn(page, false);
    const before = await page.evaluate(() => window.ledDom.length);
    await page.click('#button'); // down and up at once: the board holds it 50 ms virtual
    await page.waitForFunction((n) => window.ledDom.slice(n).some((c) => c.on), before, { timeout: 3000 });
    await ledOn(page, false);
    return { pressed, dom: await page.evaluate(() => window.ledDom), errors };
  },

  // uart-echo: typed in the terminal, echoed; garbage on a second socket changes nothing
  async echo(browser) {
    const { page, errors } = await open(browser);
    await typeLine(page, 'hi');
    await page.waitForFunction(() => window.rp2350.uart.endsWith('hi\r\n'), null, { timeout: 5000 });
    const uart = await page.evaluate(() => window.rp2350.uart);
    const rows = await page.locator('.xterm-rows').innerText();
    await page.evaluate(() => new Promise((resolve) => {
      const ws = new WebSocket(`ws://${location.host}/ws`);
      ws.onopen = () => {
        for (const junk of ['garbage', '{"t":"nope"}', '[1,2]', '{"t":"button","down":"yes"}',
          '{"t":"step","ms":-1}', '{"t":"uart","data":""}', '{"t":"run-to","s":1e300}']) ws.send(junk);
        ws.send(new Uint8Array([1, 2, 3]));
        setTimeout(() => { ws.close(); resolve(); }, 300);
      };
    }));
    const t0 = await page.evaluate(() => window.rp2350.nowNs);
    await typeLine(page, 'ok');
    await page.waitForFunction(() => window.rp2350.uart.endsWith('ok\r\n'), null, { timeout: 5000 });
    await page.waitForFunction((t) => window.rp2350.nowNs > t + 2e8, t0, { timeout: 5000 });
    return { uart, rows, after: await page.evaluate(() => window.rp2350.uart), state: await page.evaluate(() => window.rp2350.state), errors };
  },

  // blinky on two pages at once: the same LED; then one closed and a new one opened
  async pages(browser) {
    const a = await open(browser);
    const b = await open(browser);
    await a.page.waitForTimeout(2600);
    const seenA = await a.page.evaluate(() => window.rp2350.ledChanges);
    const seenB = await b.page.evaluate(() => window.rp2350.ledChanges);
    const before = await a.page.evaluate(() => window.rp2350.nowNs);
    await a.page.close();
    await b.page.waitForTimeout(300);
    const c = await open(browser);
    const reopened = await c.page.evaluate(() => ({ nowNs: window.rp2350.nowNs, uart: window.rp2350.uart }));
    return { seenA, seenB, before, reopened, errors: [...a.errors, ...b.errors, ...c.errors] };
  },

  // the loader image: a packaged guest dropped on the page is uploaded, then runs (blinks)
  async loader(browser) {
    const { page, errors } = await open(browser);
    await page.check('#fast');
    await page.waitForSelector('#upload:text("the loader is waiting for an upload")', { timeout: 20000 });
    const bytes = [...readFileSync(process.env.CWASM)];
    const drop = await page.evaluateHandle((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'blinky.cwasm'));
      return dt;
    }, bytes);
    await page.dispatchEvent('body', 'drop', { dataTransfer: drop });
    await page.waitForSelector('#upload.done', { timeout: 60000 });
    const done = await page.textContent('#upload');
    await page.waitForFunction(() => window.ledDom.length >= 2, null, { timeout: 20000 });
    return { done, uart: await page.evaluate(() => window.rp2350.uart), errors };
  },

  // a picture of the page after some typing and button presses
  async screenshot(browser) {
    const { page, errors } = await open(browser);
    const box = await page.locator('#button').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (const hold of [300, 150, 500]) {
      await page.waitForTimeout(250);
      await page.mouse.down();
      await page.waitForTimeout(hold);
      await page.mouse.up();
    }
    await page.waitForTimeout(200);
    await page.mouse.down();
    await ledOn(page, true);
    await page.waitForTimeout(200);
    const path = join(outdir, 'page.png');
    await page.screenshot({ path, fullPage: true });
    await page.mouse.up();
    return { path, errors };
  },
};

const run = cases[which] || fail(`unknown case ${which}; known: ${Object.keys(cases).join(', ')}`);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  const result = await run(browser);
  console.log(JSON.stringify({ ok: true, ...result }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e) }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
