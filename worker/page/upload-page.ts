/**
 * @module The upload page served at GET / (self-contained: no CDN, no framework, inline CSS and script).
 * Choose, drop or paste an image; it is previewed and POSTed to /classify?format=json as multipart `file`; the
 * top labels come back as probability bars with the server's timings, errors as the JSON `error.message`. When
 * the service needs an API key (a 401, or a /healthz cut down to `ok`) the page asks for one and sends it.
 * When /healthz lists several models, a picker chooses which one answers (`?model=`).
 */
import { UPLOAD_PAGE_CSS } from './upload-page-style.ts';
import { UPLOAD_PAGE_SCRIPT } from './upload-page-script.ts';
import { DEFAULT_TOP, MAX_TOP } from '../http/query.ts';
import { SUPPORTED_LIST } from '../../images/sniff.ts';
import { MAX_BODY_BYTES } from '../../images/constants.ts';

const TOP_CHOICES = [1, 3, 5, 10, MAX_TOP];

const topOptions = TOP_CHOICES.map((n) => `<option value="${n}"${n === DEFAULT_TOP ? ' selected' : ''}>${n}</option>`).join('');

export const UPLOAD_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Image classifier · WebGPU</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='4' fill='%233b5bdb'/%3E%3C/svg%3E">
<style>${UPLOAD_PAGE_CSS}</style>
</head>
<body data-state="idle">
<main>
  <header>
    <div>
      <h1>Image classifier</h1>
      <p>ImageNet labels from an ONNX model running on our own WebGPU kernels.</p>
    </div>
    <span class="status" id="status" role="status">Checking the service…</span>
  </header>
  <form class="card key" id="key-form" hidden>
    <label for="key">This service needs an API key</label>
    <input type="password" id="key" name="key" autocomplete="off" spellcheck="false" placeholder="API key">
    <button class="button" type="submit">Use key</button>
    <p class="hint">Kept in this tab only and sent as <code>Authorization: Bearer</code>.</p>
  </form>
  <div class="grid">
    <section class="card" aria-labelledby="image-title">
      <h2 id="image-title">Image</h2>
      <div class="drop" id="drop">
        <div id="empty">
          <div class="icon" aria-hidden="true">&#8593;</div>
        </div>
        <img id="preview" alt="" hidden>
        <p class="hint" id="drop-hint">Drop an image here or paste one &mdash; ${SUPPORTED_LIST}, up to ${MAX_BODY_BYTES / 2 ** 20} MB.</p>
        <input type="file" id="file" accept="image/*" class="visually-hidden">
        <label for="file" class="button" id="choose-label">Choose an image</label>
        <p class="file-meta" id="file-meta" hidden></p>
      </div>
      <div class="controls">
        <label class="inline" id="model-picker" hidden>Model <select id="model-choice"></select></label>
        <label class="inline">Show top <select id="top">${topOptions}</select> labels</label>
        <button class="button secondary" id="again" type="button" disabled>Classify again</button>
      </div>
    </section>
    <section class="card" aria-labelledby="result-title" aria-live="polite">
      <h2 id="result-title">Result</h2>
      <p class="placeholder" id="placeholder">Choose an image to see what the model thinks it shows.</p>
      <div class="busy" id="busy" hidden><span class="spinner" aria-hidden="true"></span>Classifying…</div>
      <div class="error" id="error" role="alert" hidden><strong id="error-title"></strong><p id="error-message"></p></div>
      <div id="result" hidden>
        <ol class="labels" id="labels"></ol>
        <dl class="timings" id="timings"></dl>
        <p class="model" id="model"></p>
      </div>
    </section>
  </div>
  <footer>From a terminal: <code id="curl">curl -F file=@photo.jpg http://localhost:8787/</code> &middot; service health: <a href="/healthz">/healthz</a></footer>
</main>
<script>${UPLOAD_PAGE_SCRIPT}</script>
</body>
</html>
`;
