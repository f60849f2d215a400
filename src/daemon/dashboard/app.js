// The Sentra dashboard: plain JavaScript over the daemon's API (same origin, session cookie)
// with live updates from /api/events (server-sent events).
(() => {
  const { fmtBytes, fmtBits, drawBandwidth, drawBars } = window.SentraCharts;
  const $ = (id) => document.getElementById(id);

  const state = { alertsBefore: null, selected: null, bans: [], es: null, reloadTimer: null };

  async function api(method, path, body, raw) {
    const headers = { 'x-sentra-csrf': '1' };
    let payload;
    if (raw !== undefined) payload = raw;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
    const data = await res.json().catch(() => ({}));
    if (res.status === 401) {
      const msg = data.error ? data.error.message : 'not signed in';
      showLogin(msg);
      throw new Error(msg);
    }
    if (!res.ok)
      throw new Error(data.error ? `${data.error.message} [${data.error.code}]` : `HTTP ${res.status}`);
    return data;
  }

  function cell(text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  }

  function row(...cells) {
    const tr = document.createElement('tr');
    tr.append(...cells);
    return tr;
  }

  function showLogin(message) {
    $('app').hidden = true;
    $('login').hidden = false;
    if (message) {
      $('login-error').textContent = message;
      $('login-error').hidden = false;
    }
  }

  async function signIn(body) {
    await api('POST', '/api/session', body);
    $('login').hidden = true;
    $('app').hidden = false;
    start();
  }

  // ---- traffic --------------------------------------------------------------------------------

  function renderStats(s) {
    const last = s.bandwidth.length ? s.bandwidth[s.bandwidth.length - 1] : { bytes: 0 };
    $('bw-now').textContent = fmtBits(last.bytes);
    drawBandwidth($('bw-chart'), s.bandwidth);
    const c = $('counters');
    const item = (label, value) => {
      const span = document.createElement('span');
      span.append(`${label} `);
      const b = document.createElement('b');
      b.textContent = value;
      span.append(b);
      return span;
    };
    c.replaceChildren(
      item('packets', s.packets.toLocaleString()),
      item('bytes', fmtBytes(s.bytes)),
      item('drops', s.drops.toLocaleString()),
      item('active flows', s.flows_active.toLocaleString()),
      item('ended flows', s.flows_ended.toLocaleString()),
      item('alerts', s.alerts_committed.toLocaleString()),
    );
    const p = s.protocols;
    const names = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'ARP', 'OTHER'];
    drawBars(
      $('protocols'),
      names.map((n) => ({
        label: n,
        value: p[n],
        text: p.total ? `${((100 * p[n]) / p.total).toFixed(1)} %` : '0 %',
      })),
    );
    $('talkers-table').tBodies[0].replaceChildren(
      ...s.top_talkers.map((t) =>
        row(cell(t.ip), cell(fmtBytes(t.bytes)), cell(t.packets.toLocaleString()), cell(String(t.flows))),
      ),
    );
    const live = s.live
      ? `live on ${s.live.netns ? `${s.live.netns}/` : ''}${s.live.iface}`
      : 'no live interface';
    $('status-line').textContent = `${live} · up ${s.uptime_s} s · v${s.version}`;
  }

  // ---- alerts ---------------------------------------------------------------------------------

  function alertQuery() {
    const p = new URLSearchParams({ limit: '50' });
    const sev = $('filter-severity').value;
    const src = $('filter-source').value;
    const ip = $('filter-ip').value.trim();
    const q = $('filter-q').value.trim();
    if (sev) p.set('severity', sev);
    if (src) p.set('source', src);
    if (ip) p.set('ip', ip);
    if (q) p.set('q', q);
    if (state.alertsBefore) p.set('before_id', String(state.alertsBefore));
    return p;
  }

  async function loadAlerts() {
    const page = await api('GET', `/api/alerts?${alertQuery()}`);
    $('alerts-total').textContent = `${page.total} matching`;
    const body = $('alerts-table').tBodies[0];
    body.replaceChildren(
      ...page.alerts.map((a) => {
        const tr = row(
          cell(String(a.id)),
          cell(a.timestamp.replace('T', ' ').slice(0, 23)),
          cell(a.severity_word, `sev sev-${a.severity_word}`),
          cell(a.source),
          cell(a.signature),
          cell(
            `${a.src_ip}${a.src_port != null ? `:${a.src_port}` : ''} → ${a.dest_ip}${a.dest_port != null ? `:${a.dest_port}` : ''}`,
          ),
        );
        const td = document.createElement('td');
        const ban = document.createElement('button');
        ban.type = 'button';
        ban.textContent = 'ban source';
        ban.className = 'ban-source';
        ban.addEventListener('click', (e) => {
          e.stopPropagation();
          banAddress(a.src_ip, '1h', `alert ${a.id}: ${a.signature}`);
        });
        td.append(ban);
        tr.append(td);
        tr.dataset.id = String(a.id);
        if (state.selected === a.id) tr.classList.add('selected');
        tr.addEventListener('click', () => {
          state.selected = a.id;
          for (const r of body.rows) r.classList.toggle('selected', r === tr);
          $('eve-detail').textContent = JSON.stringify(a.eve, null, 2);
        });
        return tr;
      }),
    );
    state.lastPage = page.alerts;
  }

  async function loadSources() {
    const s = await api('GET', '/api/alerts/summary');
    const sel = $('filter-source');
    const current = sel.value;
    const opts = [
      ['', 'any'],
      ...Object.keys(s.by_source)
        .sort()
        .map((k) => [k, `${k} (${s.by_source[k]})`]),
    ];
    sel.replaceChildren(
      ...opts.map(([v, t]) => {
        const o = document.createElement('option');
        o.value = v;
        o.textContent = t;
        return o;
      }),
    );
    sel.value = opts.some(([v]) => v === current) ? current : '';
  }

  function scheduleAlertReload() {
    if (state.reloadTimer || state.alertsBefore) return;
    state.reloadTimer = setTimeout(() => {
      state.reloadTimer = null;
      loadAlerts().catch(() => {});
      loadSources().catch(() => {});
    }, 500);
  }

  // ---- bans -----------------------------------------------------------------------------------

  function remaining(b) {
    if (b.expires_at === null) return 'permanent';
    const s = Math.max(0, Math.round(b.expires_at - Date.now() / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
  }

  function renderBans() {
    $('bans-table').tBodies[0].replaceChildren(
      ...state.bans.map((b) => {
        const td = document.createElement('td');
        const btn = document.createElement('button');
        btn.type = 'button';
        btn.className = 'unblock';
        btn.textContent = 'unblock';
        btn.addEventListener('click', async () => {
          btn.disabled = true;
          try {
            await api('DELETE', `/api/bans/${encodeURIComponent(b.src_ip)}`);
          } catch (e) {
            alert(e.message);
          }
          await loadBans();
        });
        td.append(btn);
        const tr = row(cell(b.src_ip), cell(b.reason), cell(remaining(b), 'remaining'), td);
        tr.dataset.ip = b.src_ip;
        return tr;
      }),
    );
  }

  async function loadBans() {
    try {
      const r = await api('GET', '/api/bans');
      state.bans = r.bans;
      $('fw-note').textContent = '';
    } catch (e) {
      state.bans = [];
      $('fw-note').textContent = e.message;
    }
    renderBans();
  }

  async function banAddress(ip, duration, reason) {
    try {
      await api('POST', '/api/bans', { ip, duration: duration || undefined, reason });
    } catch (e) {
      alert(e.message);
    }
    await loadBans();
  }

  // ---- scans, proxies, captures ---------------------------------------------------------------

  async function loadScans() {
    const r = await api('GET', '/api/scans?limit=20');
    $('scans-table').tBodies[0].replaceChildren(
      ...r.scans.map((s) => {
        const open =
          s.result && Array.isArray(s.result.open_ports) ? s.result.open_ports.join(', ') || 'none' : '';
        const progress = s.total ? `${Math.round((100 * s.done) / s.total)} %` : '';
        return row(
          cell(`${s.kind} ${s.target}`),
          cell(s.error ? `failed: ${s.error.message}` : s.status),
          cell(progress),
          cell(open),
        );
      }),
    );
  }

  async function loadProxies() {
    const r = await api('GET', '/api/proxies');
    const box = $('proxies');
    if (r.forward.length === 0 && r.reverse.length === 0) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = 'None running.';
      box.replaceChildren(p);
      return;
    }
    const t = document.createElement('table');
    t.id = 'proxies-table';
    t.createTHead().append(
      row(cell('proxy'), cell('backend'), cell('health'), cell('requests'), cell('errors')),
    );
    const body = t.createTBody();
    for (const f of r.forward)
      body.append(
        row(
          cell(`${f.id} :${f.port}`),
          cell('forward'),
          cell('-'),
          cell(String(f.requests_total)),
          cell(String(f.requests_failed)),
        ),
      );
    for (const lb of r.reverse) {
      for (const b of lb.backends) {
        body.append(
          row(
            cell(`${lb.id} :${lb.port} (${lb.algorithm})`),
            cell(b.url),
            cell(b.healthy ? 'up' : 'down', b.healthy ? 'health-up' : 'health-down'),
            cell(String(b.requests)),
            cell(String(b.errors)),
          ),
        );
      }
    }
    box.replaceChildren(t);
  }

  async function loadCaptures() {
    const r = await api('GET', '/api/captures');
    $('captures-table').tBodies[0].replaceChildren(
      ...r.captures
        .slice(0, 20)
        .map((c) =>
          row(
            cell(c.name),
            cell(c.error ? `${c.status}: ${c.error.message}` : c.status),
            cell(c.packets.toLocaleString()),
            cell(c.flows.toLocaleString()),
            cell(c.alerts.toLocaleString()),
          ),
        ),
    );
  }

  // ---- wiring ---------------------------------------------------------------------------------

  function connectEvents() {
    if (state.es) state.es.close();
    const es = new EventSource('/api/events');
    state.es = es;
    es.onopen = () => $('live-dot').classList.add('on');
    es.onerror = () => $('live-dot').classList.remove('on');
    es.addEventListener('stats', (e) => renderStats(JSON.parse(e.data)));
    es.addEventListener('alerts', () => scheduleAlertReload());
    es.addEventListener('bans', (e) => {
      state.bans = JSON.parse(e.data);
      renderBans();
    });
    es.addEventListener('scan', () => loadScans().catch(() => {}));
    es.addEventListener('capture', () => loadCaptures().catch(() => {}));
  }

  let started = false;
  function start() {
    connectEvents();
    Promise.all([loadAlerts(), loadSources(), loadBans(), loadScans(), loadProxies(), loadCaptures()]).catch(
      () => {},
    );
    if (started) return;
    started = true;
    setInterval(renderBans, 1000);
    setInterval(() => loadProxies().catch(() => {}), 5000);
  }

  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    signIn({ token: $('token-input').value.trim() }).catch((err) => showLogin(err.message));
  });
  $('sign-out').addEventListener('click', async () => {
    await fetch('/api/session', { method: 'DELETE' });
    if (state.es) state.es.close();
    showLogin();
  });
  $('alert-filters').addEventListener('submit', (e) => {
    e.preventDefault();
    state.alertsBefore = null;
    loadAlerts().catch((err) => alert(err.message));
  });
  $('alerts-older').addEventListener('click', () => {
    const page = state.lastPage || [];
    if (page.length === 0) return;
    state.alertsBefore = page[page.length - 1].id;
    loadAlerts().catch(() => {});
  });
  $('alerts-newest').addEventListener('click', () => {
    state.alertsBefore = null;
    loadAlerts().catch(() => {});
  });
  $('ban-form').addEventListener('submit', (e) => {
    e.preventDefault();
    banAddress($('ban-ip').value.trim(), $('ban-duration').value.trim(), 'dashboard');
  });
  $('scan-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const ports = $('scan-ports').value.trim();
    try {
      await api('POST', '/api/scans', {
        kind: 'ports',
        target: $('scan-target').value.trim(),
        ...(ports ? { ports } : {}),
      });
    } catch (err) {
      alert(err.message);
    }
    loadScans().catch(() => {});
  });
  $('upload-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = $('upload-input').files[0];
    if (!f) return;
    try {
      await api('POST', `/api/captures?name=${encodeURIComponent(f.name)}`, undefined, f);
    } catch (err) {
      alert(err.message);
    }
    loadCaptures().catch(() => {});
  });

  // a one-time link (#login=CODE) signs in without the token; otherwise try the cookie
  async function boot() {
    const m = /^#login=([A-Za-z0-9_-]+)$/.exec(location.hash);
    if (m) {
      history.replaceState(null, '', location.pathname);
      try {
        await signIn({ code: m[1] });
      } catch {
        showLogin('That sign-in link was used already or has expired: paste the token.');
      }
      return;
    }
    try {
      await api('GET', '/api/status');
      $('login').hidden = true;
      $('app').hidden = false;
      start();
    } catch {
      showLogin();
    }
  }
  window.addEventListener('hashchange', () => boot());
  boot();
})();
