/**
 * The upload page (GET /) in real headless Chromium against the real service (wrangler dev + GPU host): choose
 * or drop an image, see the same labels the JSON API gives, see errors as the API's words, never as HTML.
 * Leaves a screenshot in test-artifacts/upload-page.png (git-ignored) for a human look.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng, makeImage } from '../../images/test-fixtures.ts';
import { IMAGENET_SYNSETS_PATH, SQUEEZENET11_PATH } from '../../models/paths.ts';
import { PROJECT_ROOT } from '../../scripts/project-config.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { startService, type Service } from './harness.ts';
import { multipart } from './images.ts';

const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts');

/*
 * The few DOM names the in-page callbacks use, declared for this module only: the project compiles against
 * Node's types, and adding lib "dom" to the whole program would change globals for every other file.
 */
interface PageElement {
  textContent: string | null;
  hidden: boolean;
  dataset: Record<string, string | undefined>;
  style: { width: string };
  querySelector(selector: string): PageElement | null;
  dispatchEvent(event: unknown): boolean;
}
declare const document: {
  body: PageElement;
  title: string;
  getElementById(id: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
};
declare const DataTransfer: new () => { items: { add(file: File): void } };
declare const DragEvent: new (type: string, init: { dataTransfer: unknown; bubbles: boolean; cancelable: boolean }) => unknown;

interface JsonAnswer {
  model: string;
  top: { index: number; synset: string; label: string; probability: number }[];
  timings_ms: Record<string, number>;
}

/** A 320x240 PNG with colour waves and rings: something to look at in the preview, structure for the model. */
function wavesPng(): Promise<Uint8Array> {
  return encodePng(
    makeImage(320, 240, (x, y) => {
      const r = Math.hypot(x - 160, y - 120);
      return [128 + 110 * Math.sin(x / 23), 128 + 100 * Math.cos(r / 9), 150 + 90 * Math.sin((x + y) / 40), 255];
    }),
  );
}

/** What the page shows once it settled: state, labels, synsets, probability texts, error text. */
async function readPage(page: Page) {
  return page.evaluate(() => ({
    state: document.body.dataset.state,
    labels: [...document.querySelectorAll('#labels .label')].map((e) => e.textContent),
    synsets: [...document.querySelectorAll('#labels .synset')].map((e) => e.textContent),
    percents: [...document.querySelectorAll('#labels .probability')].map((e) => e.textContent),
    widths: [...document.querySelectorAll('#labels .bar > span')].map((e) => parseFloat(e.style.width)),
    timings: Object.fromEntries([...document.querySelectorAll('#timings [data-timing]')].map((e) => [e.dataset.timing, e.querySelector('dd')?.textContent])),
    errorTitle: document.getElementById('error-title')?.textContent,
    errorMessage: document.getElementById('error-message')?.textContent,
    fileMeta: document.getElementById('file-meta')?.textContent,
    previewShown: !document.getElementById('preview')?.hidden,
    images: document.querySelectorAll('img').length,
  }));
}

const settled = (page: Page) => page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 120_000 });

describe('upload page (headless Chromium + wrangler dev + GPU host)', () => {
  let service: Service;
  let browser: Browser;
  let page: Page;
  let png: Uint8Array;
  const problems: string[] = [];

  beforeAll(async () => {
    const [model, labels] = await Promise.all([readFile(SQUEEZENET11_PATH), readFile(IMAGENET_SYNSETS_PATH, 'utf8')]);
    png = await wavesPng();
    [service, browser] = await Promise.all([startService({ model: new Uint8Array(model), labels }), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
    // Script errors and CSP violations surface as console errors: any of them fails the test.
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`${m.text()} (${m.location().url})`)));
    page.on('pageerror', (e) => void problems.push(String(e)));
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  const api = async (body: FormData, query = '?format=json') => fetch(`${service.url}/classify${query}`, { method: 'POST', body });

  it('serves a self-contained page with a CSP and no HTML injection sinks', async () => {
    const response = await fetch(`${service.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'.*connect-src 'self'/);
    const html = await response.text();
    // Nothing is fetched from elsewhere: no external script, stylesheet or image (the icon is a data: URL).
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(?!data:)/);
    expect(html).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('shows, for a chosen PNG, the labels and probabilities the JSON API gives, with timings', async () => {
    const want = (await (await api(multipart(png, 'image/png', 'file', 'waves.png'))).json()) as JsonAnswer;
    expect(want.top).toHaveLength(5);

    await page.goto(service.url);
    await page.waitForFunction(() => document.getElementById('status')?.dataset.state);
    await page.setInputFiles('#file', { name: 'waves.png', mimeType: 'image/png', buffer: Buffer.from(png) });
    await settled(page);
    const shown = await readPage(page);
    expect(shown.state, `${shown.errorTitle}: ${shown.errorMessage}`).toBe('done');
    expect(shown.labels).toEqual(want.top.map((t) => t.label));
    expect(shown.synsets).toEqual(want.top.map((t) => t.synset));
    expect(shown.percents).toEqual(want.top.map((t) => (t.probability * 100 >= 0.1 || t.probability === 0 ? `${(t.probability * 100).toFixed(1)}%` : '<0.1%')));
    shown.widths.forEach((w, i) => expect(w).toBeCloseTo(want.top[i].probability * 100, 1));
    expect(Object.keys(shown.timings)).toEqual(['decode', 'preprocess', 'inference', 'total']);
    for (const v of Object.values(shown.timings)) expect(v).toMatch(/^\d+(\.\d)? ms$/);
    expect(shown.previewShown).toBe(true);
    expect(shown.fileMeta).toMatch(/^waves\.png · \d+\.\d KB · image\/png$/);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'upload-page.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('classifies a dropped file the same way, with the chosen number of labels', async () => {
    await page.selectOption('#top', '3');
    await settled(page);
    const want = (await (await api(multipart(png, 'image/png'), '?format=json&top=3')).json()) as JsonAnswer;
    await page.evaluate(async (bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
      document.body.dataset.state = 'dropping';
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, [...png]);
    await settled(page);
    const shown = await readPage(page);
    expect(shown.labels).toEqual(want.top.map((t) => t.label));
    expect(shown.fileMeta).toMatch(/^dropped\.png · /);
    expect(problems).toEqual([]);
  });

  it("shows the API's error message in words, and file names as text, never as HTML", async () => {
    const text = new TextEncoder().encode('not an image at all');
    const name = '<img src=x onerror="document.title=1">.txt';
    const apiError = (await (await api(multipart(text, 'text/plain', 'file', name))).json()) as { error: { message: string } };
    expect(apiError.error.message.length).toBeGreaterThan(10);

    await page.setInputFiles('#file', { name, mimeType: 'text/plain', buffer: Buffer.from(text) });
    await settled(page);
    const shown = await readPage(page);
    expect(shown.state).toBe('error');
    expect(shown.errorTitle).toBe('Not an image type the service reads');
    expect(shown.errorMessage).toBe(apiError.error.message);
    expect(shown.fileMeta).toContain(name);
    expect(shown.images).toBe(1); // only the preview: the name did not become an element
    expect(await page.title()).not.toBe('1');
    await page.screenshot({ path: path.join(ARTIFACTS, 'upload-page-error.png'), fullPage: true });

    // A truncated PNG: undecodable, 400, the decoder's reason in words.
    const truncated = png.slice(0, Math.floor(png.length / 2));
    const apiTruncated = (await (await api(multipart(truncated, 'image/png'))).json()) as { error: { message: string } };
    await page.setInputFiles('#file', { name: 'half.png', mimeType: 'image/png', buffer: Buffer.from(truncated) });
    await settled(page);
    const half = await readPage(page);
    expect(half.errorTitle).toBe('The image could not be read');
    expect(half.errorMessage).toBe(apiTruncated.error.message);
    // The broken preview is a failed image load the page handles, not a script error.
    expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });
});
