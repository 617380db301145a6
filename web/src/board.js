// The board as SVG: a Pico 2 style module (USB on the left, the 40 edge pads,
// the RP2350, the LED on GPIO25) and a push button wired to GPIO15 and GND.
// Drawn in millimetres (the module is 51 x 21 mm); nothing here talks to the server.

const NS = 'http://www.w3.org/2000/svg';

// Edge pads, left (USB end) to right. Bottom row: physical pins 1..20; top row: 40..21.
const BOTTOM = ['GP0', 'GP1', 'GND', 'GP2', 'GP3', 'GP4', 'GP5', 'GND', 'GP6', 'GP7',
  'GP8', 'GP9', 'GND', 'GP10', 'GP11', 'GP12', 'GP13', 'GND', 'GP14', 'GP15'];
const TOP = ['VBUS', 'VSYS', 'GND', '3V3_EN', '3V3', 'VREF', 'GP28', 'AGND', 'GP27', 'GP26',
  'RUN', 'GP22', 'GND', 'GP21', 'GP20', 'GP19', 'GP18', 'GND', 'GP17', 'GP16'];
const PITCH = 2.54;
const X0 = 1.37 + 0.5;
const W = 51;
const H = 21;
const OX = 6; // the module's place in the drawing
const OY = 9;

function el(name, attrs = {}, parent = null, text = null) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

const padX = (i) => OX + X0 + i * PITCH;

export function drawBoard(container, { onButton }) {
  const svg = el('svg', { viewBox: '0 1.5 64 56.5', class: 'board-svg', role: 'img',
    'aria-label': 'Pico 2 style board' }, container);
  const defs = el('defs', {}, svg);
  const glow = el('radialGradient', { id: 'ledglow' }, defs);
  el('stop', { offset: '0%', 'stop-color': '#b6ff9e', 'stop-opacity': '0.95' }, glow);
  el('stop', { offset: '45%', 'stop-color': '#39e639', 'stop-opacity': '0.55' }, glow);
  el('stop', { offset: '100%', 'stop-color': '#39e639', 'stop-opacity': '0' }, glow);
  const capGrad = el('radialGradient', { id: 'capgrad', cx: '40%', cy: '35%' }, defs);
  el('stop', { offset: '0%', 'stop-color': '#5b6270' }, capGrad);
  el('stop', { offset: '100%', 'stop-color': '#1d2027' }, capGrad);

  // the module
  el('rect', { x: OX, y: OY, width: W, height: H, rx: 1.2, class: 'pcb' }, svg);
  el('rect', { x: OX - 1.3, y: OY + 6.9, width: 5.6, height: 7.2, rx: 0.4, class: 'usb' }, svg);
  el('rect', { x: OX - 1.3, y: OY + 7.5, width: 5.0, height: 6.0, rx: 0.3, class: 'usb-inner' }, svg);
  // chip, flash, crystal
  const chipX = OX + 22;
  const chipY = OY + 7;
  el('rect', { x: chipX, y: chipY, width: 7, height: 7, rx: 0.3, class: 'chip' }, svg);
  for (let i = 0; i < 10; i++) {
    const d = 0.4 + i * 0.65;
    el('rect', { x: chipX + d, y: chipY - 0.4, width: 0.3, height: 0.4, class: 'chip-leg' }, svg);
    el('rect', { x: chipX + d, y: chipY + 7, width: 0.3, height: 0.4, class: 'chip-leg' }, svg);
    el('rect', { x: chipX - 0.4, y: chipY + d, width: 0.4, height: 0.3, class: 'chip-leg' }, svg);
    el('rect', { x: chipX + 7, y: chipY + d, width: 0.4, height: 0.3, class: 'chip-leg' }, svg);
  }
  el('text', { x: chipX + 3.5, y: chipY + 3.4, class: 'chip-text' }, svg, 'RP2350');
  el('text', { x: chipX + 3.5, y: chipY + 4.7, class: 'chip-sub' }, svg, 'Cortex-M33');
  el('rect', { x: OX + 33, y: OY + 8, width: 4.2, height: 5, rx: 0.3, class: 'flash' }, svg);
  el('rect', { x: OX + 17.5, y: OY + 12.2, width: 3.2, height: 1.8, rx: 0.5, class: 'crystal' }, svg);
  // BOOTSEL (decoration) and the debug header
  el('rect', { x: OX + 9, y: OY + 11.5, width: 4, height: 3.4, rx: 0.4, class: 'bootsel' }, svg);
  el('circle', { cx: OX + 11, cy: OY + 13.2, r: 1.1, class: 'bootsel-cap' }, svg);
  el('text', { x: OX + 11, y: OY + 16.5, class: 'silk-small' }, svg, 'BOOTSEL');
  for (let i = 0; i < 3; i++) {
    el('rect', { x: OX + W - 2.6, y: OY + 8.0 + i * 2.0, width: 1.6, height: 1.4, rx: 0.2, class: 'pad' }, svg);
  }
  el('text', { x: OX + W - 4.4, y: OY + 11.3, class: 'silk-small vertical' }, svg, 'DEBUG');
  el('text', { x: OX + 42, y: OY + 12.2, class: 'silk' }, svg, 'Pico 2');
  el('text', { x: OX + 42, y: OY + 14.0, class: 'silk-small' }, svg, 'rp2350-emu');

  // the LED on GPIO25, beside the USB connector
  const led = el('g', { id: 'led', 'data-on': '0', class: 'led' }, svg);
  el('circle', { cx: OX + 7.2, cy: OY + 5.2, r: 4.2, class: 'led-glow' }, led);
  el('rect', { x: OX + 6.4, y: OY + 4.6, width: 1.6, height: 1.2, rx: 0.2, class: 'led-body' }, led);
  el('text', { x: OX + 7.2, y: OY + 3.5, class: 'silk-small' }, svg, 'LED GP25');

  // the button's wires (under the pads and their labels)
  const bx = padX(16.5);
  const by = OY + H + 17;
  el('path', { d: `M ${padX(19)} ${OY + H - 1.61} V ${by - 3.5} H ${bx + 2.5} V ${by - 2.6}`, class: 'wire wire-gp' }, svg);
  el('path', { d: `M ${padX(17)} ${OY + H - 1.61} V ${by - 5.5} H ${bx - 2.5} V ${by - 2.6}`, class: 'wire wire-gnd' }, svg);

  // edge pads
  const pads = {};
  const addPad = (label, i, top) => {
    const cx = padX(i);
    const cy = top ? OY + 1.61 : OY + H - 1.61;
    const pad = el('circle', { cx, cy, r: 0.85, class: `pad-ring ${label.includes('GND') ? 'gnd' : ''}` }, svg);
    el('circle', { cx, cy, r: 0.45, class: 'pad-hole' }, svg);
    const ty = top ? OY - 1.0 : OY + H + 1.9;
    el('text', { x: cx, y: ty, class: `pin-label ${label.startsWith('GP') ? 'gp' : ''}`,
      transform: `rotate(-60 ${cx} ${ty})` }, svg, label);
    if (label.startsWith('GP')) pads[Number(label.slice(2))] = pad;
  };
  BOTTOM.forEach((label, i) => addPad(label, i, false));
  TOP.forEach((label, i) => addPad(label, i, true));

  // the push button on GPIO15 (pad 20), its other leg to GND (pad 18)
  const button = el('g', { id: 'button', class: 'button', tabindex: '0', role: 'button',
    'aria-pressed': 'false', 'data-pressed': '0', 'aria-label': 'push button on GPIO15' }, svg);
  el('rect', { x: bx - 4, y: by - 3, width: 8, height: 8, rx: 0.6, class: 'button-base' }, button);
  for (const [dx, dy] of [[-4, -3], [4, -3], [-4, 5], [4, 5]]) {
    el('circle', { cx: bx + dx * 0.82, cy: by + 1 + (dy - 1) * 0.82, r: 0.45, class: 'button-leg' }, button);
  }
  el('circle', { cx: bx, cy: by + 1, r: 2.6, class: 'button-cap' }, button);
  el('text', { x: bx, y: by + 8.6, class: 'label' }, svg, 'GP15 button (click, or Space/Enter)');

  let held = false;
  const set = (down) => {
    if (down === held) return;
    held = down;
    button.setAttribute('data-pressed', down ? '1' : '0');
    button.setAttribute('aria-pressed', String(down));
    onButton(down);
  };
  button.addEventListener('pointerdown', (e) => { e.preventDefault(); button.focus(); button.setPointerCapture(e.pointerId); set(true); });
  button.addEventListener('pointerup', () => set(false));
  button.addEventListener('pointercancel', () => set(false));
  button.addEventListener('lostpointercapture', () => set(false));
  button.addEventListener('keydown', (e) => {
    if (e.key === ' ' || e.key === 'Enter') { e.preventDefault(); if (!e.repeat) set(true); }
  });
  button.addEventListener('keyup', (e) => { if (e.key === ' ' || e.key === 'Enter') set(false); });
  button.addEventListener('blur', () => set(false));

  return {
    setLed(on) {
      const v = on ? '1' : '0';
      if (led.getAttribute('data-on') !== v) led.setAttribute('data-on', v);
    },
    setLevels(levels) {
      for (const [pin, level] of Object.entries(levels)) {
        const pad = pads[Number(pin)];
        if (pad) pad.classList.toggle('high', Boolean(level));
      }
    },
    watch(pins) {
      for (const pin of pins) if (pads[pin]) pads[pin].classList.add('watched');
    },
  };
}
