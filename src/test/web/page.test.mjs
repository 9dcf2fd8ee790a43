// End-to-end test of the page at / (issue 13) in Debian's Chromium against the running service.
//   ALIGNCAP_URL        the service's root (default http://127.0.0.1:8080/)
//   ALIGNCAP_API_KEY    the key the service was started with, if any (the page is then tested
//                       without it first, then with it typed into its field)
//   ALIGNCAP_TEST_IMAGE the image to upload (default: a golden scene of the default model)
//   ALIGNCAP_REQUIRE_DENSE=1  require dense captions even if the model's format is below 2
//   WEB_TEST_OUT        where screenshots go (default ./output)
// Run: .ci/steps/25-web.sh (starts the service), or `npm test` against one already running.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertPlaced, boxGeometry, lastForm, launch, nextAnswer, openPage } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BASE = process.env.ALIGNCAP_URL || 'http://127.0.0.1:8080/';
const KEY = process.env.ALIGNCAP_API_KEY || '';
const IMAGE = resolve(process.env.ALIGNCAP_TEST_IMAGE || join(here, '../../../models/scenes-v2/golden/003.png'));
const OUT = resolve(process.env.WEB_TEST_OUT || join(here, 'output'));
const IMAGE_TYPE = `image/${extname(IMAGE).slice(1).toLowerCase().replace('jpg', 'jpeg')}`;
const check = (ok, message) => assert.ok(ok, message);

let browser;
let model;
let betaAccepted; // whether the OpenAPI document lists "beta" for /v1/alignments
before(async () => {
  mkdirSync(OUT, { recursive: true });
  const r = await fetch(new URL('v1/models', BASE), { headers: KEY ? { 'X-API-Key': KEY } : {} });
  assert.equal(r.status, 200, 'GET /v1/models');
  model = (await r.json()).models[0];
  const doc = await (await fetch(new URL('q/openapi?format=json', BASE))).json();
  betaAccepted = mentionsBeta(doc, doc.paths['/v1/alignments']);
  browser = await launch();
});
after(() => browser?.close());

/** A page with the API key typed in (when the service has one) and the test image uploaded. */
async function uploaded(viewport) {
  const opened = await openPage(browser, BASE, viewport);
  if (KEY) await typeKey(opened.page);
  const captions = nextAnswer(opened.page, '/v1/captions');
  const alignment = nextAnswer(opened.page, '/v1/alignments');
  await opened.page.locator('#file').setInputFiles(IMAGE);
  return { ...opened, captions: await captions, alignment: await alignment };
}

/** Types the API key into its field, opening the options first where they are folded (a phone). */
async function typeKey(page) {
  const field = page.getByLabel('API key');
  if (!(await field.isVisible())) await page.getByText('Options', { exact: true }).click();
  await field.fill(KEY);
}

async function assertSnippetBoxes(page, alignment) {
  const { snippets, image_width: w, image_height: h } = alignment.json;
  check(snippets.length >= 1, 'the alignment has no snippet');
  await page.locator('#snippets li').nth(snippets.length - 1).waitFor();
  const drawn = await boxGeometry(page, 'align-figure', 'snippet');
  assert.equal(drawn.length, snippets.length, 'one box per alignment snippet');
  const [shown, upright] = [drawn[0].imgWidth / drawn[0].imgHeight, w / h];
  check(Math.abs(shown / upright - 1) < 0.02, `the page shows the image at ${shown.toFixed(3)}:1, the service saw it ${upright.toFixed(3)}:1 (EXIF orientation?)`);
  assert.equal(await page.locator('#snippets li').count(), snippets.length, 'one legend row per snippet');
  assertPlaced(drawn, snippets.map((s) => s.box), w, h, check);
}

async function assertDenseBoxes(page, captions) {
  const dense = captions.json.dense_captions ?? [];
  const drawn = await boxGeometry(page, 'dense-figure', 'dense');
  assert.equal(drawn.length, dense.length, `the API returned ${dense.length} dense captions, the page drew ${drawn.length} boxes`);
  assert.equal(await page.locator('#dense-list li').count(), dense.length, 'one legend row per dense caption');
  assertPlaced(drawn, dense.map((d) => d.box), captions.json.image_width, captions.json.image_height, check);
  for (const [i, d] of dense.entries()) {
    assert.match(await page.locator('#dense-list li').nth(i).innerText(), new RegExp(escape(d.caption.text)));
  }
}

/** The service's JSON answer to POST path with the test image and these text fields. */
async function serviceAnswer(path, fields) {
  const form = new FormData();
  form.append('image', new Blob([readFileSync(IMAGE)], { type: IMAGE_TYPE }), basename(IMAGE));
  for (const [name, values] of Object.entries(fields)) {
    for (const v of values) if (!v.startsWith('file:')) form.append(name, v);
  }
  const r = await fetch(new URL(path, BASE), { method: 'POST', body: form, headers: KEY ? { 'X-API-Key': KEY } : {} });
  assert.equal(r.status, 200, `POST ${path}`);
  return r.json();
}

/** Whether "beta" is a parameter or body property of an operation ($refs followed). */
function mentionsBeta(doc, node, depth = 0) {
  if (!node || typeof node !== 'object' || depth > 12) return false;
  if (node.name === 'beta' || (node.properties && 'beta' in node.properties)) return true;
  if (typeof node.$ref === 'string') {
    return mentionsBeta(doc, node.$ref.slice(2).split('/').reduce((n, k) => n?.[k], doc), depth + 1);
  }
  return Object.values(node).some((child) => mentionsBeta(doc, child, depth + 1));
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('an uploaded image gets captions, a box per dense caption and per snippet of the top caption', async () => {
  const { context, page, captions, alignment, errors } = await uploaded();
  assert.equal(captions.status, 200);
  assert.deepEqual((await lastForm(page, 'v1/captions')).dense, ['true'], 'dense captions are asked for');
  const list = page.locator('#captions li');
  await list.nth(captions.json.captions.length - 1).waitFor();
  assert.equal(await list.count(), captions.json.captions.length);
  assert.match(await list.first().innerText(), new RegExp(escape(captions.json.captions[0].text)));

  const formatTwo = Number.parseInt(model.format_version, 10) >= 2;
  if (formatTwo || process.env.ALIGNCAP_REQUIRE_DENSE === '1') {
    check((captions.json.dense_captions ?? []).length >= 1, `model format ${model.format_version}: dense captions required`);
  }
  if (!Array.isArray(captions.json.dense_captions)) {
    assert.match(await page.locator('#dense-empty').innerText(), /no dense captions/);
  }
  await assertDenseBoxes(page, captions);

  assert.equal(alignment.json.sentence, captions.json.captions[0].text, 'the top caption is aligned');
  if (!betaAccepted) assert.equal((await lastForm(page, 'v1/alignments')).beta, undefined, 'β not sent');
  await assertSnippetBoxes(page, alignment);
  assert.equal(await page.locator('#words li').count(), alignment.json.words.length, 'one chip per word');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a typed sentence is aligned, sentences are ranked, and the page is screenshotted', async () => {
  const { context, page, errors } = await uploaded();
  const sentence = 'two sheep and two pizzas on a red brick wall';
  const typed = nextAnswer(page, '/v1/alignments');
  await page.getByLabel('Sentence', { exact: true }).fill(sentence);
  await page.getByLabel('Sentence', { exact: true }).press('Enter');
  const alignment = await typed;
  assert.equal(alignment.status, 200);
  assert.equal(alignment.json.sentence, sentence);
  await page.waitForFunction((n) => document.querySelectorAll('#words li').length === n, alignment.json.words.length);
  assert.deepEqual(
    await page.locator('#words .word-text').allInnerTexts(), alignment.json.words.map((w) => w.word), 'the typed words are shown');
  await assertSnippetBoxes(page, alignment);
  assert.match(await page.locator('#align-score').innerText(), new RegExp(alignment.json.score.toFixed(2)));

  const candidates = ['a red car on a road', sentence, 'a zebra on a green lawn'];
  const ranked = nextAnswer(page, '/v1/rankings');
  await page.getByLabel('Candidate sentences, one per line').fill(candidates.join('\n'));
  await page.getByRole('button', { name: 'Rank' }).click();
  const ranking = await ranked;
  assert.equal(ranking.status, 200);
  await page.locator('#rankings li').nth(candidates.length - 1).waitFor();
  const rows = await page.locator('#rankings li').allInnerTexts();
  ranking.json.rankings.forEach((r, i) => {
    check(rows[i].includes(r.sentence) && rows[i].includes(r.score.toFixed(2)), `ranking row ${i + 1}: ${rows[i]}`);
  });

  assert.match(await page.locator('#model-info').innerText(), new RegExp(`model ${model.model_id} ${model.model_version}`));
  await page.screenshot({ path: join(OUT, 'page.png'), fullPage: true });
  await page.locator('#words li').first().hover(); // the word's best region, dashed
  assert.equal(await page.locator('#align-overlay .box[data-kind="focus"]').count(), 1, "the word's region is shown");
  assert.deepEqual(errors, []);
  await context.close();
});

test('the β control is shown, and sent only when the service accepts it', async () => {
  const { context, page, errors } = await openPage(browser, BASE);
  const beta = page.getByLabel('MRF smoothness β');
  await beta.waitFor();
  await page.waitForFunction(() => document.getElementById('beta-note').textContent !== '');
  if (!betaAccepted) {
    assert.equal(await beta.isDisabled(), true, 'β disabled while the service does not take it');
    assert.match(await page.locator('#beta-note').innerText(), /does not take β/);
    if (!KEY) await page.waitForFunction((b) => document.getElementById('beta').value === b, String(model.mrf_beta));
  } else {
    if (KEY) await typeKey(page);
    const first = nextAnswer(page, '/v1/alignments');
    await page.locator('#file').setInputFiles(IMAGE);
    await first;
    await beta.fill('3');
    const sent = nextAnswer(page, '/v1/alignments');
    await page.getByRole('button', { name: 'Align', exact: true }).click();
    assert.equal((await sent).status, 200);
    assert.deepEqual((await lastForm(page, 'v1/alignments')).beta, ['3'], 'β sent with the alignment');
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('an image dropped on the page or pasted into it is captioned', async () => {
  const { context, page, errors } = await openPage(browser, BASE);
  if (KEY) await typeKey(page);
  const bytes = readFileSync(IMAGE).toString('base64');
  const transfer = () => page.evaluateHandle(([b64, name, type]) => {
    const data = new DataTransfer();
    data.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type }));
    return data;
  }, [bytes, basename(IMAGE), IMAGE_TYPE]);
  for (const how of ['drop', 'paste']) {
    const answer = nextAnswer(page, '/v1/captions');
    const data = await transfer();
    if (how === 'drop') {
      await page.dispatchEvent('#drop', 'dragover', { dataTransfer: data });
      await page.dispatchEvent('#drop', 'drop', { dataTransfer: data });
    } else {
      await page.evaluate((d) => document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: d })), data);
    }
    const captions = await answer;
    assert.equal(captions.status, 200, how);
    await page.locator('#captions li').first().waitFor();
    assert.match(await page.locator('#captions li').first().innerText(), new RegExp(escape(captions.json.captions[0].text)), how);
    assert.match(await page.locator('#file-name').innerText(), new RegExp(escape(basename(IMAGE))), how);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('an undecodable file shows the problem in words', async () => {
  const { context, page, errors } = await uploaded();
  const broken = readFileSync(IMAGE).subarray(0, 100); // a PNG cut off after its header
  const answer = nextAnswer(page, '/v1/captions');
  await page.locator('#file').setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: broken });
  const problem = await answer;
  assert.equal(problem.status, 400);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.innerText();
  check(text.includes(problem.json.title) && text.includes(problem.json.detail), `the alert says "${text}"`);
  assert.equal(await page.locator('#captions li').count(), 0, "the previous image's captions are gone");
  assert.equal(await page.locator('.box').count(), 0, "the previous image's boxes are gone");
  await page.screenshot({ path: join(OUT, 'error.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a missing API key is reported, and the typed key is used', { skip: !KEY && 'the service has no API key' }, async () => {
  const { context, page, errors } = await openPage(browser, BASE);
  const refused = nextAnswer(page, '/v1/captions');
  await page.locator('#file').setInputFiles(IMAGE);
  assert.equal((await refused).status, 401);
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /API key/);
  await typeKey(page);
  const accepted = nextAnswer(page, '/v1/captions');
  await page.getByRole('button', { name: 'Caption' }).click();
  assert.equal((await accepted).status, 200);
  await page.locator('#captions li').first().waitFor();
  assert.equal(await page.getByRole('alert').isHidden(), true, 'the error is cleared');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('aligncap.apiKey')), KEY, 'kept in the session');
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'never in local storage');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a format-2 answer (stubbed until the model has a detector): a box per dense caption, word strengths', async () => {
  const { context, page, errors } = await openPage(browser, BASE);
  if (KEY) await typeKey(page);
  // The real answers, with what the coming contract adds: dense_captions, and a strength per
  // word. Chromium does not hand a multipart body with a file to route.fetch(), so the stub asks
  // the service itself, with the fields the page sent and the same image.
  await page.route('**/v1/captions', async (route) => {
    const json = await serviceAnswer('v1/captions', await lastForm(page, 'v1/captions'));
    const [w, h] = [json.image_width, json.image_height];
    json.dense_captions = [
      { box: [0.05 * w, 0.1 * h, 0.45 * w, 0.5 * h], score: 0.97, caption: { text: 'a small zebra', words: ['a', 'small', 'zebra'], log_prob: -1.2, score: -1.2 } },
      { box: [0.5 * w, 0.55 * h, 0.95 * w, 0.95 * h], score: 0.81, caption: { text: 'a green tree', words: ['a', 'green', 'tree'], log_prob: -2.5, score: -2.5 } },
      { box: [0.05 * w, 0.1 * h, 0.45 * w, 0.5 * h], score: 0.4, caption: { text: 'a zebra', words: ['a', 'zebra'], log_prob: -3.1, score: -3.1 } },
    ];
    await route.fulfill({ json });
  });
  await page.route('**/v1/alignments', async (route) => {
    const json = await serviceAnswer('v1/alignments', await lastForm(page, 'v1/alignments'));
    json.words.forEach((word, t) => (word.strength = 2 - t / 4));
    await route.fulfill({ json });
  });
  const captions = nextAnswer(page, '/v1/captions');
  const alignment = nextAnswer(page, '/v1/alignments');
  await page.locator('#file').setInputFiles(IMAGE);
  const answer = await captions;
  await page.locator('#dense-list li').nth(2).waitFor();
  await assertDenseBoxes(page, answer);
  const words = (await alignment).json.words;
  await page.locator('#words li').nth(words.length - 1).waitFor();
  assert.equal(await page.locator('#words .meter').count(), words.length, 'a strength bar per word');
  assert.match(await page.locator('#words li').first().innerText(), /2\.00/);
  await page.locator('#dense-list li').nth(1).hover();
  await page.locator('#dense-figure').screenshot({ path: join(OUT, 'dense-stubbed.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('usable 360 px wide: nothing scrolls sideways and the boxes stay on their regions', async () => {
  const { context, page, alignment, errors } = await uploaded({ width: 360, height: 780 });
  await assertSnippetBoxes(page, alignment);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `the page is ${width} px wide at a 360 px viewport`);
  await page.screenshot({ path: join(OUT, 'page-360.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard only: labelled controls, a visible focus ring, upload and align without a mouse', async () => {
  const { context, page, errors } = await openPage(browser, BASE);
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, textarea, select, button')]
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim())))
      .map((el) => el.id || el.outerHTML));
  assert.deepEqual(unlabelled, []);

  // Tab to the file input, open the chooser with the space bar, pick the image.
  const focusRing = () => page.evaluate(() => {
    const el = document.activeElement;
    const ring = getComputedStyle(el.id === 'file' ? el.labels[0] : el);
    return { id: el.id, ring: ring.outlineStyle !== 'none' && parseFloat(ring.outlineWidth) >= 2 };
  });
  const reach = async (id) => {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const focused = await focusRing();
      if (focused.id === id) return focused;
    }
    assert.fail(`Tab never reached #${id}`);
  };
  check((await reach('file')).ring, 'no visible focus ring on the file chooser');
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Space');
  const alignment = nextAnswer(page, '/v1/alignments');
  await (await chooser).setFiles(IMAGE);
  if (KEY) {
    check((await reach('api_key')).ring, 'no visible focus ring on the API key');
    await page.keyboard.type(KEY);
    await page.keyboard.press('Enter'); // submits the options: captions again, with the key
  }
  await alignment.catch(() => {});
  await page.locator('#captions li').first().waitFor();

  for (const id of ['beam_size', 'results', 'dense', 'caption-button', 'sentence']) {
    check((await reach(id)).ring, `no visible focus ring on #${id}`);
  }
  await page.keyboard.press('Control+A');
  await page.keyboard.type('a zebra on the grass');
  check((await reach('align-button')).ring, 'no visible focus ring on Align');
  const typed = nextAnswer(page, '/v1/alignments');
  await page.keyboard.press('Enter');
  const answer = await typed;
  assert.equal(answer.json.sentence, 'a zebra on the grass');
  await assertSnippetBoxes(page, answer);
  assert.deepEqual(errors, []);
  await context.close();
});
