// A strip chart of digital pins on a canvas: one row per pin, the last
// `windowNs` of virtual time, the axis in virtual seconds.

const KEEP = 20000; // changes kept per pin

export class StripChart {
  constructor(canvas, rows) {
    this.canvas = canvas;
    this.rows = rows; // [{pin, label}]
    this.windowNs = 2e9;
    this.reset({}, {}, 0);
  }

  // history: pin -> [[t_ns, level], ...]; levels: pin -> current level
  reset(history, levels, nowNs) {
    this.nowNs = nowNs;
    this.series = {};
    for (const { pin } of this.rows) {
      const changes = (history[pin] || []).slice(-KEEP);
      const current = levels[pin] ? 1 : 0;
      const before = changes.length ? 1 - changes[0][1] : current;
      this.series[pin] = { before, changes };
    }
    this.draw();
  }

  add(pins, nowNs) {
    this.nowNs = nowNs;
    for (const [pin, changes] of Object.entries(pins)) {
      const s = this.series[pin];
      if (!s) continue;
      s.changes.push(...changes);
      if (s.changes.length > KEEP) {
        const cut = s.changes.length - KEEP;
        s.before = s.changes[cut - 1][1];
        s.changes.splice(0, cut);
      }
    }
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const cssW = c.clientWidth || 600;
    const cssH = c.clientHeight || 160;
    if (c.width !== Math.round(cssW * dpr) || c.height !== Math.round(cssH * dpr)) {
      c.width = Math.round(cssW * dpr);
      c.height = Math.round(cssH * dpr);
    }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, cssW, cssH);
    const left = 92;
    const right = 10;
    const axis = 20;
    const plotW = cssW - left - right;
    const rowH = (cssH - axis) / this.rows.length;
    const t1 = this.nowNs;
    const t0 = t1 - this.windowNs;
    const x = (t) => left + ((t - t0) / this.windowNs) * plotW;

    // grid and axis in virtual seconds
    const step = niceStep(this.windowNs / 1e9 / 6);
    g.font = '11px ui-monospace, monospace';
    g.fillStyle = '#8b93a7';
    g.strokeStyle = '#2a3040';
    g.lineWidth = 1;
    const first = Math.ceil(t0 / 1e9 / step) * step;
    for (let s = first; s <= t1 / 1e9 + 1e-12; s += step) {
      if (s < 0) continue;
      const px = Math.round(x(s * 1e9)) + 0.5;
      g.beginPath();
      g.moveTo(px, 0);
      g.lineTo(px, cssH - axis);
      g.stroke();
      g.textAlign = 'center';
      g.fillText(`${s.toFixed(decimals(step))} s`, px, cssH - 6);
    }

    this.rows.forEach(({ pin, label, color }, i) => {
      const top = i * rowH;
      const hi = top + rowH * 0.22;
      const lo = top + rowH * 0.78;
      g.textAlign = 'left';
      g.fillStyle = '#c9d1e4';
      g.fillText(label, 6, top + rowH / 2 + 4);
      const s = this.series[pin];
      g.strokeStyle = color;
      g.lineWidth = 1.6;
      g.beginPath();
      let level = s.before;
      // the level at t0: the last change before the window
      let k = 0;
      while (k < s.changes.length && s.changes[k][0] <= t0) { level = s.changes[k][1]; k++; }
      let px = left;
      g.moveTo(px, level ? hi : lo);
      let lastPx = -1;
      for (; k < s.changes.length; k++) {
        const [t, l] = s.changes[k];
        if (t > t1) break;
        px = x(t);
        // many changes inside one pixel: draw a bar, not every edge
        if (Math.floor(px) === lastPx && l !== level) {
          g.lineTo(px, hi);
          g.lineTo(px, lo);
        }
        g.lineTo(px, level ? hi : lo);
        g.lineTo(px, l ? hi : lo);
        level = l;
        lastPx = Math.floor(px);
      }
      g.lineTo(x(t1), level ? hi : lo);
      g.stroke();
      g.strokeStyle = '#2a3040';
      g.lineWidth = 1;
      g.beginPath();
      g.moveTo(left, top + rowH - 0.5);
      g.lineTo(cssW - right, top + rowH - 0.5);
      g.stroke();
    });
  }
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function decimals(step) {
  return Math.max(0, -Math.floor(Math.log10(step)));
}
