// Helpers for the page test: Debian's Chromium through playwright-core (no browser download),
// a page per test, and the geometry of the boxes the page draws.

import { chromium } from 'playwright-core';

// Flags for this closed network (see the machine notes): no background connections to Google's
// hosts, no QUIC, no sandbox as root. Playwright launches with a fresh, empty profile of its own.
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const launch = () =>
  chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS });

/**
 * A new context and page at the service's root; records page errors and console errors other
 * than the browser's own "Failed to load resource" line for an expected 4xx.
 */
export async function openPage(browser, baseUrl, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(recordForms);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) {
      errors.push(`console: ${m.text()}`);
    }
  });
  await page.goto(baseUrl);
  return { context, page, errors };
}

// Chromium does not expose multipart bodies with a file to the test, so the page's fetch is
// wrapped to record each form's text fields (files as "file:<name>") in window.__forms.
function recordForms() {
  const fetch = window.fetch;
  window.__forms = [];
  window.fetch = (input, init) => {
    if (init?.body instanceof FormData) {
      const fields = {};
      for (const [name, value] of init.body.entries()) {
        (fields[name] ??= []).push(typeof value === 'string' ? value : `file:${value.name}`);
      }
      window.__forms.push({ url: String(input), fields });
    }
    return fetch(input, init);
  };
}

/** The text fields of the last form the page sent to a URL ending in path. */
export const lastForm = (page, path) =>
  page.evaluate((path) => window.__forms.filter((f) => f.url.endsWith(path)).at(-1)?.fields, path);

/** Resolves with the JSON and request of the next answer to POST <path>. */
export function nextAnswer(page, path) {
  return page
    .waitForResponse((r) => new URL(r.url()).pathname.endsWith(path) && r.request().method() === 'POST')
    .then(async (r) => ({ status: r.status(), json: await r.json(), request: r.request() }));
}

/**
 * The drawn boxes of one kind in a figure, each compared with where its API box should be:
 * the box in pixels of the image_width × image_height image, scaled to the displayed image.
 * Coinciding boxes are inset by 4 px per repeat (overlay.js), so that much slack is allowed.
 */
export async function boxGeometry(page, figureId, kind) {
  return page.evaluate(([figureId, kind]) => {
    const figure = document.getElementById(figureId);
    const img = figure.querySelector('img').getBoundingClientRect();
    return [...figure.querySelectorAll(`.box[data-kind="${kind}"]`)].map((el) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return {
        left: r.left - img.left, top: r.top - img.top, right: r.right - img.left, bottom: r.bottom - img.top,
        imgWidth: img.width, imgHeight: img.height, label: el.textContent,
        visible: style.visibility !== 'hidden' && style.display !== 'none' && r.width > 0 && r.height > 0,
      };
    });
  }, [figureId, kind]);
}

/** Asserts through check() that drawn[i] sits on boxes[i] (API pixels of a width × height image). */
export function assertPlaced(drawn, boxes, width, height, check) {
  const repeats = new Map();
  boxes.forEach((box, i) => {
    const key = box.map((v) => Math.round(v)).join(',');
    const repeat = repeats.get(key) || 0;
    repeats.set(key, repeat + 1);
    const d = drawn[i];
    const sx = d.imgWidth / width;
    const sy = d.imgHeight / height;
    const slack = 1.5 + 4 * repeat;
    const want = [box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy];
    const got = [d.left, d.top, d.right, d.bottom];
    check(d.visible, `box ${i + 1} is not visible`);
    check(want.every((w, k) => Math.abs(w - got[k]) <= slack),
      `box ${i + 1} drawn at ${got.map((v) => v.toFixed(1))}, expected ${want.map((v) => v.toFixed(1))} (±${slack} px)`);
    check(d.label === String(i + 1), `box ${i + 1} is labelled "${d.label}"`);
  });
}
