// The page of `rp2350-emu run --web`: one WebSocket to the board (messages in
// src/rp2350_emu/web/protocol.py), the board drawing, the terminal, the chart.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { drawBoard } from './board.js';
import { StripChart } from './chart.js';

const $ = (id) => document.getElementById(id);
const CALLS_SHOWN = 300;
const NOTICES_SHOWN = 8;

// What the page has seen, for people and for the end-to-end tests.
const seen = { uart: '', led: false, fast: null, ledChanges: [], state: 'connecting', nowNs: 0, hello: 0 };
window.rp2350 = seen;

let ws = null;
const send = (msg) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); };

const board = drawBoard($('board'), { onButton: (down) => send({ t: 'button', down }) });
const chart = new StripChart($('chart'), [
  { pin: 25, label: 'GP25 LED', color: '#4ade80' },
  { pin: 15, label: 'GP15 button', color: '#fbbf24' },
  { pin: 0, label: 'GP0 UART TX', color: '#60a5fa' },
  { pin: 1, label: 'GP1 UART RX', color: '#a78bfa' },
  { pin: 6, label: 'GP6 servo', color: '#f87171' },
]);
$('window').addEventListener('change', (e) => { chart.windowNs = Number(e.target.value) * 1e9; chart.draw(); });

const term = new Terminal({ cols: 80, rows: 14, cursorBlink: true, fontSize: 13, scrollback: 5000,
  fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
  theme: { background: '#0b0e14', foreground: '#d6deeb', cursor: '#4ade80' } });
const fit = new FitAddon();
term.loadAddon(fit);
term.open($('terminal'));
fit.fit();
window.addEventListener('resize', () => { fit.fit(); chart.draw(); });
// what a terminal sends: Enter is CR, Backspace DEL, Ctrl-H BS; the board's UART gets them as they are
term.onData((data) => send({ t: 'uart', data }));
const latin1 = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));

// controls
$('pause').addEventListener('click', () => send({ t: seen.state === 'paused' ? 'resume' : 'pause' }));
$('step').addEventListener('click', () => send({ t: 'step', ms: Number($('step-ms').value) }));
$('runto').addEventListener('click', () => send({ t: 'run-to', s: Number($('runto-s').value) }));
$('fast').addEventListener('change', (e) => send({ t: 'fast', on: e.target.checked }));

// uploads: a file dropped anywhere on the page, or chosen
async function upload(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  send({ t: 'upload', name: file.name, data: btoa(bin) });
  $('upload').textContent = `${file.name}: sending ${bytes.length} bytes`;
}
document.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dragging'); });
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const file = e.dataTransfer && e.dataTransfer.files[0];
  if (file) upload(file);
});
$('file').addEventListener('change', (e) => { if (e.target.files[0]) upload(e.target.files[0]); e.target.value = ''; });

function fmtTime(ns) {
  return `${(ns / 1e9).toFixed(6)} s`;
}

function fmtDur(ns) {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`;
}

function addCalls(calls) {
  const list = $('calls');
  for (const c of calls) {
    const li = document.createElement('li');
    li.className = c.ok ? '' : 'err';
    li.textContent = `${fmtTime(c.t_ns).padStart(14)}  ${c.text}  ${fmtDur(c.dur_ns)}`;
    list.appendChild(li);
  }
  while (list.children.length > CALLS_SHOWN) list.removeChild(list.firstChild);
  if (calls.length) list.scrollTop = list.scrollHeight;
}

function addNotices(notices) {
  const list = $('notices');
  for (const text of notices) {
    const li = document.createElement('li');
    li.textContent = text;
    list.appendChild(li);
  }
  while (list.children.length > NOTICES_SHOWN) list.removeChild(list.firstChild);
}

function showState(m) {
  seen.state = m.state;
  seen.nowNs = m.now_ns;
  const label = { running: m.fast ? 'running (fast)' : 'running', paused: 'paused', halted: 'stopped',
    waiting: 'waiting', finished: 'run ended' }[m.state] || m.state;
  $('state').textContent = m.run_to_ns !== null && m.state === 'running' ? `${label} to ${fmtTime(m.run_to_ns)}` : label;
  $('state').className = `state ${m.state}`;
  $('state').title = m.halted || '';
  $('vtime').textContent = fmtTime(m.now_ns);
  $('speed').textContent = m.speed ? `×${m.speed.toFixed(2)} real time` : '-';
  $('pause').textContent = m.state === 'paused' ? 'Resume' : 'Pause';
  // the box follows the board only when the board's setting changes (a click is not undone by a tick
  // that left before the server had it)
  if (m.fast !== seen.fast) {
    seen.fast = m.fast;
    $('fast').checked = m.fast;
  }
  if (m.led !== seen.led) {
    seen.led = m.led;
    seen.ledChanges.push({ on: m.led, wall: Date.now(), now_ns: m.now_ns });
  }
  board.setLed(m.led);
  board.setLevels(m.levels);
  if (m.upload) {
    const u = m.upload;
    $('upload').textContent = u.state === 'failed' ? `${u.name}: failed: ${u.message}`
      : u.state === 'done' ? `${u.name}: ${u.total} bytes received by the loader`
        : `${u.name}: ${u.sent} / ${u.total} bytes`;
    $('upload').className = `upload ${u.state}`;
  } else if (m.loader_ready) {
    $('upload').textContent = 'the loader is waiting for an upload';
  }
}

function onHello(m) {
  seen.hello += 1;
  document.title = `${m.title} · rp2350-emu`;
  $('title').textContent = m.title;
  term.reset();
  seen.uart = m.uart;
  term.write(latin1(m.uart));
  board.watch(m.pins);
  chart.reset(m.pins_history, m.levels, m.now_ns);
  $('calls').replaceChildren();
  $('trace-hint').textContent = m.trace ? m.trace_coverage : 'start the run with --trace-wit FILE.jsonl to see them';
  addCalls(m.calls);
  showState({ ...m, speed: null });
}

function onTick(m) {
  if (m.uart) {
    seen.uart += m.uart;
    term.write(latin1(m.uart));
  }
  chart.add(m.pins, m.now_ns);
  addCalls(m.calls);
  addNotices(m.notices);
  showState(m);
}

function connect() {
  ws = new WebSocket(`ws://${location.host}/ws`);
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (m.t === 'hello') onHello(m);
    else if (m.t === 'tick') onTick(m);
  };
  ws.onclose = () => {
    seen.state = 'disconnected';
    $('state').textContent = 'disconnected: retrying';
    $('state').className = 'state halted';
    setTimeout(connect, 1000);
  };
}

connect();
term.focus();
