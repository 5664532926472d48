/**
 * @module The upload page's browser script, inlined into the page. Plain ES2020 in a string: it runs in the
 * browser, not in workerd, and must not depend on the bundler (wrangler's keep-names helpers would break a
 * function serialised with toString). Server and user text only ever reaches the page through textContent.
 * No template literals inside, so the string needs no escaping.
 */
export const UPLOAD_PAGE_SCRIPT = `
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var input = $('file'), drop = $('drop'), preview = $('preview'), empty = $('empty'), meta = $('file-meta');
  var chooseLabel = $('choose-label'), topSelect = $('top'), again = $('again');
  var modelSelect = $('model-choice'), modelPicker = $('model-picker');
  var panels = { idle: $('placeholder'), busy: $('busy'), error: $('error'), done: $('result') };
  var current = null;   // AbortController of the request in flight: a newer image cancels an older one
  var lastFile = null;
  var previewUrl = null;
  var keyForm = $('key-form'), keyInput = $('key');
  var apiKey = readKey();

  function setState(state) {
    document.body.dataset.state = state;
    Object.keys(panels).forEach(function (k) { panels[k].hidden = k !== state; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function formatMs(v) {
    if (typeof v !== 'number' || !isFinite(v)) return '\\u2013';
    return (v < 10 ? v.toFixed(1) : String(Math.round(v))) + ' ms';
  }

  function formatPercent(p) {
    var pct = p * 100;
    if (pct > 0 && pct < 0.1) return '<0.1%';
    return pct.toFixed(1) + '%';
  }

  function formatBytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
    return (n / 1024 / 1024).toFixed(1) + ' MB';
  }

  var TITLES = {
    400: 'The image could not be read',
    401: 'An API key is needed',
    405: 'Request not allowed',
    413: 'The image is too large',
    415: 'Not an image type the service reads',
    429: 'Too many requests',
    503: 'The service is temporarily unavailable'
  };

  // The key lives in sessionStorage: this tab only, gone when it closes. Storage can be switched off: then memory.
  function readKey() {
    try { return sessionStorage.getItem('apiKey') || ''; } catch (e) { return ''; }
  }
  function saveKey(key) {
    apiKey = key;
    try { sessionStorage.setItem('apiKey', key); } catch (e) { /* memory only */ }
  }
  function withKey(headers) {
    if (apiKey) headers.Authorization = 'Bearer ' + apiKey;
    return headers;
  }
  function askForKey() {
    keyForm.hidden = false;
    $('curl').textContent = 'curl -H "Authorization: Bearer <key>" -F file=@photo.jpg ' + location.origin + '/';
  }

  function showError(title, message) {
    $('error-title').textContent = title;
    $('error-message').textContent = message;
    setState('error');
  }

  function render(body) {
    var list = $('labels');
    list.replaceChildren();
    body.top.forEach(function (t) {
      var p = Math.max(0, Math.min(1, Number(t.probability) || 0));
      var item = el('li');
      var name = el('span', 'name');
      name.append(el('span', 'label', String(t.label)), el('span', 'synset', String(t.synset)));
      var bar = el('div', 'bar');
      var fill = el('span');
      fill.style.width = (p * 100).toFixed(2) + '%';
      bar.append(fill);
      bar.setAttribute('role', 'meter');
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', '1');
      bar.setAttribute('aria-valuenow', String(p));
      bar.setAttribute('aria-label', String(t.label));
      item.append(name, el('span', 'probability', formatPercent(p)), bar);
      list.append(item);
    });
    var timings = $('timings');
    timings.replaceChildren();
    var t = body.timings_ms || {};
    [['decode', 'Decode'], ['preprocess', 'Preprocess'], ['inference', 'Inference'], ['total', 'Total']].forEach(function (k) {
      var cell = el('div');
      cell.dataset.timing = k[0];
      cell.append(el('dt', '', k[1]), el('dd', '', formatMs(t[k[0]])));
      timings.append(cell);
    });
    $('model').textContent = 'Model: ' + String(body.model);
    setState('done');
  }

  async function classify(file) {
    if (current) current.abort();
    var controller = new AbortController();
    current = controller;
    setState('busy');
    var form = new FormData();
    form.append('file', file, file.name || 'image');
    try {
      var query = '/classify?format=json&top=' + encodeURIComponent(topSelect.value);
      if (!modelPicker.hidden && modelSelect.value) query += '&model=' + encodeURIComponent(modelSelect.value);
      var response = await fetch(query, {
        method: 'POST', body: form, headers: withKey({ Accept: 'application/json' }), signal: controller.signal
      });
      var text = await response.text();
      if (controller !== current) return;
      var body = null;
      try { body = JSON.parse(text); } catch (e) { body = null; }
      if (!response.ok) {
        var message = body && body.error && typeof body.error.message === 'string'
          ? body.error.message
          : 'The server answered ' + response.status + ' ' + response.statusText + '.';
        var retry = response.headers.get('Retry-After');
        if ((response.status === 503 || response.status === 429) && retry) message += ' Try again in ' + retry + ' s.';
        if (response.status === 401) askForKey();
        showError(TITLES[response.status] || 'The service could not classify this image', message);
        return;
      }
      if (!body || !Array.isArray(body.top)) {
        showError('Unexpected answer', 'The server answered without a list of labels.');
        return;
      }
      render(body);
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      showError('Could not reach the service', String((e && e.message) || e));
    } finally {
      if (controller === current) current = null;
    }
  }

  function pick(file) {
    if (!file) return;
    lastFile = file;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = URL.createObjectURL(file);
    preview.src = previewUrl;
    preview.alt = 'Preview of ' + file.name;
    preview.hidden = false;
    empty.hidden = true;
    meta.textContent = [file.name, formatBytes(file.size), file.type || 'unknown type'].join(' \\u00b7 ');
    meta.hidden = false;
    chooseLabel.textContent = 'Choose another image';
    again.disabled = false;
    classify(file);
  }

  // A file the browser cannot show (e.g. not an image): keep the name, drop the broken preview; the server says why.
  preview.addEventListener('error', function () {
    if (!preview.getAttribute('src')) return;
    preview.hidden = true;
    empty.hidden = false;
  });

  input.addEventListener('change', function () {
    pick(input.files && input.files[0]);
    input.value = '';   // choosing the same file again still fires change
  });
  again.addEventListener('click', function () { if (lastFile) classify(lastFile); });
  topSelect.addEventListener('change', function () { if (lastFile) classify(lastFile); });
  modelSelect.addEventListener('change', function () { if (lastFile) classify(lastFile); });

  ['dragenter', 'dragover'].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add('dragging'); });
  });
  ['dragleave', 'dragend'].forEach(function (type) {
    drop.addEventListener(type, function (e) { if (e.target === drop) drop.classList.remove('dragging'); });
  });
  drop.addEventListener('drop', function (e) {
    e.preventDefault();
    drop.classList.remove('dragging');
    pick(e.dataTransfer && e.dataTransfer.files[0]);
  });
  // A drop that misses the zone must not navigate away to the file.
  window.addEventListener('dragover', function (e) { e.preventDefault(); });
  window.addEventListener('drop', function (e) { e.preventDefault(); });
  document.addEventListener('paste', function (e) {
    var files = e.clipboardData && e.clipboardData.files;
    if (files && files.length) pick(files[0]);
  });

  keyForm.addEventListener('submit', function (e) {
    e.preventDefault();
    saveKey(keyInput.value.trim());
    keyInput.value = '';
    checkHealth();
    if (lastFile) classify(lastFile);
  });

  $('curl').textContent = 'curl -F file=@photo.jpg ' + location.origin + '/';

  var status = $('status');
  function checkHealth() {
    fetch('/healthz', { headers: withKey({ Accept: 'application/json' }) })
      .then(function (r) { return r.json(); })
      .then(function (h) {
        // With API keys on, a caller without a working key gets /healthz cut down to {"ok": ...}.
        var needsKey = Object.keys(h).length === 1 && 'ok' in h;
        keyForm.hidden = !needsKey;
        // The device name ("NVIDIA H100 ...") says more than the description, which is often just the driver version.
        var gpu = h.gpu ? (h.gpu.device || h.gpu.description || h.gpu.vendor || 'GPU') : 'GPU';
        if (needsKey) {
          askForKey();
          status.dataset.state = h.ok ? 'warn' : 'down';
          status.textContent = h.ok ? 'Ready \\u00b7 API key needed' : 'Unavailable \\u00b7 details for key holders';
        } else if (!h.ok) {
          status.dataset.state = 'down';
          status.textContent = 'Unavailable: ' + String(h.reason || 'the GPU host or model is not ready');
        } else if (h.model && h.model.standIn) {
          status.dataset.state = 'warn';
          status.textContent = 'Stand-in model (random weights) \\u00b7 ' + gpu;
        } else {
          status.dataset.state = 'ok';
          status.textContent = 'Ready \\u00b7 ' + gpu;
        }
        status.title = h.model && h.model.key ? 'Model ' + h.model.key : '';
        // Several models served: let the user pick; the first listed is the service's default.
        var models = Array.isArray(h.models) ? h.models : [];
        if (models.length > 1) {
          modelSelect.replaceChildren();
          models.forEach(function (m) {
            var option = el('option', '', String(m.key) + (m.standIn ? ' (stand-in)' : ''));
            option.value = String(m.key);
            modelSelect.append(option);
          });
          modelPicker.hidden = false;
        }
      })
      .catch(function () {
        status.dataset.state = 'down';
        status.textContent = 'Service status unknown';
      });
  }
  checkHealth();

  setState('idle');
})();
`;
