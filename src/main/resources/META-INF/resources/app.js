// The page's wiring (issue 13): an image in (choose, drop, paste), then captions, dense captions,
// the word→region alignment of the top caption or a typed sentence, and a ranking of sentences.

import * as api from './api.js';
import { colour, drawBoxes, highlight, showFocus } from './overlay.js';
import * as render from './render.js';

const $ = (id) => document.getElementById(id);
const state = { image: null, url: null, generation: 0, beta: false, model: null };

// ------------------------------------------------------------------ messages
function showError(error) {
  const box = $('error');
  if (!error) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const title = Object.assign(document.createElement('strong'), { textContent: error.title || 'Error' });
  const detail = error.detail || (error.title ? '' : String(error.message || error));
  box.replaceChildren(title, detail ? `: ${detail}` : '');
  if (error.status === 401) {
    box.append(' Enter the API key under Options → Access and try again.');
    $('options-box').open = true;
  }
  box.hidden = false;
}

const status = (text) => ($('status').textContent = text);
const took = (result) => Object.values(result.timings_ms || {}).reduce((a, b) => a + b, 0).toFixed(0);

/** Runs one request with its button disabled; drops the answer if another image came meanwhile. */
async function busy(button, message, work) {
  const generation = state.generation;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  status(message);
  try {
    const done = await work(() => generation === state.generation);
    if (generation === state.generation) status(done || '');
    if (!state.model) loadModel(); // it failed before the API key was typed
    return true;
  } catch (e) {
    if (generation === state.generation) {
      showError(e);
      status('');
    }
    return false;
  } finally {
    button.removeAttribute('aria-busy');
    button.disabled = !state.image;
  }
}

// ------------------------------------------------------------------ the image
function setImage(file) {
  if (!file) return;
  state.image = file;
  state.generation++;
  if (state.url) URL.revokeObjectURL(state.url);
  state.url = URL.createObjectURL(file);
  for (const id of ['thumb', 'dense-image', 'align-image']) $(id).src = state.url;
  $('thumb').hidden = false;
  $('file-name').textContent = `${file.name || 'pasted image'} (${Math.ceil(file.size / 1024)} KB)`;
  for (const id of ['caption-button', 'align-button', 'rank-button']) $(id).disabled = false;
  clearResults();
  runCaption();
}

function clearResults() {
  showError(null);
  for (const id of ['captions', 'dense-list', 'dense-overlay', 'snippets', 'words', 'align-overlay', 'rankings']) {
    $(id).replaceChildren();
  }
  for (const id of ['dense-figure', 'align-figure', 'words-title']) $(id).hidden = true;
  $('captions-empty').hidden = false;
  $('captions-empty').textContent = 'Captioning…';
  $('dense-empty').textContent = '';
  $('align-score').textContent = '';
}

// ------------------------------------------------------------------ captions and dense captions
function captionOptions() {
  const value = (id) => $(id).value.trim();
  return {
    beam_size: value('beam_size'),
    results: value('results'),
    max_length: value('max_length'),
    length_normalization: value('length_normalization'),
    dense: $('dense').checked ? 'true' : undefined,
  };
}

function runCaption() {
  if (!state.image) return;
  showError(null);
  return busy($('caption-button'), 'Captioning…', async (current) => {
    const result = await api.caption(state.image, captionOptions());
    if (!current()) return;
    render.captions($('captions'), result, (text) => {
      $('sentence').value = text;
      runAlign();
    });
    $('captions-empty').hidden = result.captions.length > 0;
    $('captions-empty').textContent = 'The model returned no caption.';
    showDense(result);
    if (result.captions.length > 0) {
      $('sentence').value = result.captions[0].text;
      runAlign();
    }
    return `Captioned in ${took(result)} ms.`;
  }).then((ok) => ok || ($('captions-empty').textContent = 'No captions: see the error above.'));
}

function showDense(result) {
  const items = Array.isArray(result.dense_captions) ? result.dense_captions : [];
  const overlay = $('dense-overlay');
  drawBoxes(overlay, result.image_width, result.image_height,
    items.map((d, i) => ({ box: d.box, colour: colour(i), label: String(i + 1), kind: 'dense' })));
  render.dense($('dense-list'), items, (i) => highlight(overlay, i));
  $('dense-figure').hidden = items.length === 0;
  $('dense-empty').textContent = !$('dense').checked
    ? 'Dense captions are switched off in the options.'
    : !Array.isArray(result.dense_captions)
      ? 'This model gives no dense captions: it has no region detector (model format 2 adds one).'
      : items.length === 0 ? 'No region was detected.' : '';
}

// ------------------------------------------------------------------ alignment
function runAlign() {
  const sentence = $('sentence').value.trim();
  if (!state.image) return;
  if (!sentence) {
    showError({ title: 'No sentence', detail: 'type a sentence to align, or pick a caption' });
    return;
  }
  showError(null);
  const beta = state.beta ? $('beta').value.trim() : undefined;
  return busy($('align-button'), 'Aligning…', async (current) => {
    const result = await api.align(state.image, sentence, beta);
    if (!current()) return;
    const overlay = $('align-overlay');
    const size = [result.image_width, result.image_height];
    drawBoxes(overlay, ...size,
      result.snippets.map((s, i) => ({ box: s.box, colour: colour(i), label: String(i + 1), kind: 'snippet' })));
    render.snippets($('snippets'), result, (i) => highlight(overlay, i));
    render.words($('words'), result, (box) => showFocus(overlay, box, ...size));
    $('words-title').hidden = false;
    $('align-figure').hidden = false;
    $('align-score').textContent =
      `Image–sentence score S = ${result.score.toFixed(2)}` + (typeof result.beta === 'number' ? ` (β = ${result.beta})` : '');
    return `Aligned in ${took(result)} ms.`;
  });
}

// ------------------------------------------------------------------ ranking
function runRank() {
  const candidates = $('candidates').value.split('\n').map((s) => s.trim()).filter(Boolean);
  if (!state.image) return;
  if (candidates.length === 0) {
    showError({ title: 'No sentences', detail: 'type one candidate sentence per line' });
    return;
  }
  showError(null);
  return busy($('rank-button'), 'Ranking…', async (current) => {
    const result = await api.rank(state.image, candidates);
    if (current()) render.rankings($('rankings'), result);
    return `Ranked ${candidates.length} sentences in ${took(result)} ms.`;
  });
}

// ------------------------------------------------------------------ model, capabilities, key
async function loadModel() {
  try {
    const m = await api.model();
    state.model = m;
    $('model-info').textContent = `model ${m.model_id} ${m.model_version} · format ${m.format_version} · ${m.provider}`;
    $('beta').placeholder = String(m.mrf_beta);
    if (!$('beta').value) $('beta').value = String(m.mrf_beta);
  } catch (e) {
    $('model-info').textContent = e.status === 401 ? 'model information needs the API key' : `model information unavailable (${e.message})`;
  }
}

async function loadCapabilities() {
  const caps = await api.capabilities();
  state.beta = caps.beta;
  $('beta').disabled = !caps.beta;
  $('beta-note').textContent = caps.beta
    ? 'Sent with each alignment: higher β gives longer snippets.'
    : "This service does not take β per request yet; alignments use the model's β shown here.";
  for (const [name, { min, max }] of Object.entries(caps.bounds)) {
    if (typeof min === 'number') $(name).min = String(min);
    if (typeof max === 'number') $(name).max = String(max);
  }
}

function wire() {
  $('file').addEventListener('change', (e) => setImage(e.target.files[0]));
  $('thumb').addEventListener('error', () => ($('thumb').hidden = true)); // the browser cannot show it either
  const drop = $('drop');
  document.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  document.addEventListener('dragleave', (e) => e.relatedTarget === null && drop.classList.remove('over'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    setImage(e.dataTransfer.files[0]);
  });
  document.addEventListener('paste', (e) => {
    const file = [...(e.clipboardData?.files || [])].find((f) => f.type.startsWith('image/'));
    if (file) {
      e.preventDefault();
      setImage(file);
    }
  });
  $('beam_size').addEventListener('input', () => {
    const beam = Number($('beam_size').value) || 1;
    $('results').max = String(beam);
    if (Number($('results').value) > beam) $('results').value = String(beam);
  });
  $('options').addEventListener('submit', (e) => {
    e.preventDefault();
    runCaption();
  });
  $('align-form').addEventListener('submit', (e) => {
    e.preventDefault();
    runAlign();
  });
  $('rank-form').addEventListener('submit', (e) => {
    e.preventDefault();
    runRank();
  });
  $('api_key').value = api.apiKey.get();
  $('api_key').addEventListener('input', () => api.apiKey.set($('api_key').value.trim()));
  $('api_key').addEventListener('change', loadModel);
}

wire();
$('options-box').open = matchMedia('(min-width: 900px)').matches; // folded on a phone, under the image
loadModel();
loadCapabilities();
