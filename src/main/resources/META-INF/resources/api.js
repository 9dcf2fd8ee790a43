// The HTTP API as the page uses it: multipart requests with the optional API key, and RFC 9457
// problems turned into errors with words a person can read. URLs are relative to the page, so
// the page works at "/" and under an API Gateway stage path alike.

const KEY_STORAGE = 'aligncap.apiKey';

/** A failed request: the problem's title and detail, or what went wrong on the way. */
export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

export const apiKey = {
  get: () => sessionStorage.getItem(KEY_STORAGE) || '',
  set: (value) => (value ? sessionStorage.setItem(KEY_STORAGE, value) : sessionStorage.removeItem(KEY_STORAGE)),
};

async function call(path, init = {}) {
  const headers = { Accept: 'application/json, application/problem+json', ...(init.headers || {}) };
  const key = apiKey.get();
  if (key) headers['X-API-Key'] = key;
  let response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch (e) {
    throw new ApiError(0, 'The service cannot be reached', e.message);
  }
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const title = (body && body.title) || `HTTP ${response.status} ${response.statusText}`.trim();
    throw new ApiError(response.status, title, body && body.detail);
  }
  if (body === null) throw new ApiError(response.status, 'Unexpected answer', `expected JSON, got "${type}"`);
  return body;
}

/** The form fields, with the image as the part "image"; empty values are left out. */
function form(image, fields) {
  const data = new FormData();
  data.append('image', image, image.name || 'image');
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== '') data.append(name, String(v));
    }
  }
  return data;
}

/** POST /v1/captions: {captions, snippets, regions, dense_captions (model format v2), ...}. */
export const caption = (image, options) => call('v1/captions', { method: 'POST', body: form(image, options) });

/** POST /v1/alignments: {score, words, snippets, ...}; beta only when the service accepts it. */
export const align = (image, sentence, beta) =>
  call('v1/alignments', { method: 'POST', body: form(image, { sentence, beta }) });

/** POST /v1/rankings: {rankings: [{index, sentence, score}]}, best first. */
export const rank = (image, candidates) =>
  call('v1/rankings', { method: 'POST', body: form(image, { candidates }) });

/** GET /v1/models: the first (only) model served. */
export const model = async () => (await call('v1/models')).models[0];

/**
 * What the running service accepts, read from its OpenAPI document: whether /v1/alignments takes
 * "beta", and the declared bounds of the caption options. Missing document: nothing is assumed.
 */
export async function capabilities() {
  let doc;
  try {
    doc = await call('q/openapi?format=json');
  } catch {
    return { beta: false, bounds: {} };
  }
  const properties = (path) => {
    const names = {};
    for (const op of Object.values(doc.paths?.[path] || {})) {
      for (const p of op.parameters || []) names[p.name] = p.schema || {};
      for (const media of Object.values(op.requestBody?.content || {})) {
        Object.assign(names, resolve(doc, media.schema)?.properties || {});
      }
    }
    return names;
  };
  const alignment = properties('/v1/alignments');
  const captions = properties('/v1/captions');
  const bounds = {};
  for (const name of ['beam_size', 'results', 'max_length', 'length_normalization']) {
    const s = resolve(doc, captions[name]) || {};
    bounds[name] = { min: s.minimum, max: s.maximum };
  }
  return { beta: 'beta' in alignment, bounds };
}

function resolve(doc, schema) {
  let s = schema;
  for (let i = 0; s && s.$ref && i < 10; i++) {
    s = s.$ref.replace(/^#\//, '').split('/').reduce((node, part) => node?.[part], doc);
  }
  return s;
}
