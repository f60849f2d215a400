// Small drawing helpers for the dashboard (no library, no build step).
(() => {
  /** Human units: 1.2 kB, 3.4 MB... */
  function fmtBytes(n) {
    const u = ['B', 'kB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (n >= 1000 && i < u.length - 1) {
      n /= 1000;
      i++;
    }
    return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${u[i]}`;
  }

  function fmtBits(bytesPerSec) {
    let v = bytesPerSec * 8;
    const u = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
    let i = 0;
    while (v >= 1000 && i < u.length - 1) {
      v /= 1000;
      i++;
    }
    return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)} ${u[i]}`;
  }

  /** Line chart of bits per second over the points [{t, bytes}]. */
  function drawBandwidth(canvas, points) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || canvas.width;
    const h = canvas.clientHeight || canvas.height;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const css = getComputedStyle(document.documentElement);
    const max = Math.max(1, ...points.map((p) => p.bytes));
    const pad = { l: 70, r: 8, t: 8, b: 18 };
    g.strokeStyle = css.getPropertyValue('--line');
    g.fillStyle = css.getPropertyValue('--muted');
    g.font = '11px system-ui';
    for (let i = 0; i <= 3; i++) {
      const y = pad.t + ((h - pad.t - pad.b) * i) / 3;
      g.beginPath();
      g.moveTo(pad.l, y);
      g.lineTo(w - pad.r, y);
      g.stroke();
      g.fillText(fmtBits((max * (3 - i)) / 3), 4, y + 4);
    }
    g.fillText('-60 s', pad.l, h - 4);
    g.fillText('now', w - pad.r - 24, h - 4);
    if (points.length < 2) return;
    const x = (i) => pad.l + ((w - pad.l - pad.r) * i) / (points.length - 1);
    const y = (v) => h - pad.b - ((h - pad.t - pad.b) * v) / max;
    g.beginPath();
    points.forEach((p, i) => {
      if (i === 0) g.moveTo(x(i), y(p.bytes));
      else g.lineTo(x(i), y(p.bytes));
    });
    g.strokeStyle = css.getPropertyValue('--accent');
    g.lineWidth = 2;
    g.stroke();
    g.lineTo(x(points.length - 1), h - pad.b);
    g.lineTo(x(0), h - pad.b);
    g.closePath();
    g.globalAlpha = 0.15;
    g.fillStyle = css.getPropertyValue('--accent');
    g.fill();
    g.globalAlpha = 1;
  }

  /** Horizontal bars: [{label, value, text}] scaled to the largest. */
  function drawBars(el, rows) {
    const max = Math.max(1, ...rows.map((r) => r.value));
    el.replaceChildren(
      ...rows.map((r) => {
        const row = document.createElement('div');
        row.className = 'bar';
        const label = document.createElement('span');
        label.textContent = r.label;
        const track = document.createElement('div');
        track.className = 'track';
        const fill = document.createElement('div');
        fill.className = 'fill';
        fill.style.width = `${(100 * r.value) / max}%`;
        track.append(fill);
        const val = document.createElement('span');
        val.className = 'muted';
        val.textContent = r.text;
        row.append(label, track, val);
        return row;
      }),
    );
  }

  window.SentraCharts = { fmtBytes, fmtBits, drawBandwidth, drawBars };
})();
