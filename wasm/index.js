// prescreen — the WebAssembly engine as an ES module (browsers, workers, Node 20).
//
// A thin layer over the module's text calls (src/bindings.cpp, src/string_calls.js): values go in as JSON text and come back
// as the exact JSON the C++ core produces, parsed. Every failure of the core arrives as an error
// envelope and is thrown here as a ProtocolError; no C++ exception reaches the caller raw.
// Types and documentation: index.d.ts.
import createPrescreenModule from './dist/prescreen.js';

// JSON has no NaN/Infinity. When a value holds one, its text goes to the engine prefixed with U+FDD0
// (a noncharacter no JSON text starts with); each non-finite number becomes "\uFDD0NaN" etc. and each
// string of the caller's that starts with U+FDD0 gets one more U+FDD0, so no string is ever read as
// a number (src/non_finite.hpp). Text without the prefix is never decoded.
const NON_FINITE_MARK = '\uFDD0';

/** Error thrown for anything the engine refuses: a bad protocol pack, bad arguments, a refused consent. */
export class ProtocolError extends Error {
  /**
   * @param {string} message
   * @param {{code?: string, path?: string, diagnostics?: Array<{code: string, path: string, message: string}>, cause?: unknown}} [details]
   */
  constructor(message, { code = 'protocol_error', path = '', diagnostics, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ProtocolError';
    this.code = code;
    this.path = path;
    this.diagnostics = diagnostics ?? [{ code, path, message }];
  }

  toJSON() {
    return { code: this.code, path: this.path, message: this.message, diagnostics: this.diagnostics };
  }
}

// ---- module initialisation -------------------------------------------------------------------

let enginePromise = null;
let engine = null;

const isNode =
  typeof process === 'object' && process !== null && typeof process.versions === 'object' &&
  process.versions !== null && typeof process.versions.node === 'string';

async function instantiate(options) {
  const moduleArgs = { ...options };
  if (isNode && !moduleArgs.wasmBinary && !moduleArgs.instantiateWasm) {
    // The glue is built for web and workers; under Node hand it the bytes (TOOLCHAIN.md, trap 3).
    // The guarded dynamic import keeps bundlers and browsers away from node:fs.
    const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs');
    const url = moduleArgs.locateFile
      ? moduleArgs.locateFile('prescreen.wasm', new URL('./dist/', import.meta.url).href)
      : new URL('./dist/prescreen.wasm', import.meta.url);
    moduleArgs.wasmBinary = fs.readFileSync(url instanceof URL ? url : new URL(url, import.meta.url));
  }
  return createPrescreenModule(moduleArgs);
}

/**
 * Load and instantiate the WebAssembly engine once; later calls return the same promise.
 * Browsers fetch `dist/prescreen.wasm` beside `dist/prescreen.js`; Node reads it from disk.
 * `options` (first call only) are passed to the Emscripten module: `wasmBinary`, `locateFile`.
 */
export function init(options = {}) {
  if (!enginePromise) {
    enginePromise = instantiate(options).then(
      (module) => {
        engine = module;
        return module;
      },
      (cause) => {
        enginePromise = null;
        throw new ProtocolError(`the WebAssembly engine could not be loaded: ${cause?.message ?? cause}`, {
          code: 'engine_unavailable',
          cause,
        });
      },
    );
  }
  return enginePromise;
}

function ready() {
  if (!engine) {
    throw new ProtocolError('the engine is not loaded yet: await init() or loadProtocol() first', {
      code: 'not_initialised',
    });
  }
  return engine;
}

// ---- JSON in, JSON out -----------------------------------------------------------------------

// Depth-bounded search for NaN/Infinity; deeper values are left to the engine's nesting limit.
function hasNonFinite(value, depth = 0) {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object' || depth > 300) return false;
  if (typeof value.toJSON === 'function') return false;
  if (Array.isArray(value)) {
    for (const v of value) if (hasNonFinite(v, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key) && hasNonFinite(value[key], depth + 1)) return true;
  }
  return false;
}

function encodeNonFinite(_key, value) {
  if (typeof value === 'number' && !Number.isFinite(value)) return NON_FINITE_MARK + String(value);
  if (typeof value === 'string' && value.charCodeAt(0) === 0xfdd0) return NON_FINITE_MARK + value;
  return value;
}

function decodeNonFinite(_key, value) {
  if (typeof value === 'string' && value.charCodeAt(0) === 0xfdd0) {
    const rest = value.slice(1);
    if (rest === 'NaN') return NaN;
    if (rest === 'Infinity') return Infinity;
    if (rest === '-Infinity') return -Infinity;
    if (rest.charCodeAt(0) === 0xfdd0) return rest;
  }
  return value;
}

/** JSON text of a JavaScript value for the engine; `what` names the argument in messages. */
function toJsonText(value, what) {
  let text;
  const encode = hasNonFinite(value);
  try {
    text = JSON.stringify(value, encode ? encodeNonFinite : undefined);
  } catch (cause) {
    if (cause instanceof RangeError) {
      throw new ProtocolError(`${what} is nested too deeply to convert to JSON`, { code: 'nesting_too_deep', cause });
    }
    throw new ProtocolError(`${what} cannot be converted to JSON: ${cause?.message ?? cause}`, {
      code: 'not_json',
      cause,
    });
  }
  if (text === undefined) {
    throw new ProtocolError(`${what} cannot be converted to JSON (${typeof value})`, { code: 'not_json' });
  }
  return encode ? NON_FINITE_MARK + text : text;
}

// JSON text given by the caller goes to the engine's strict reader as it is; text starting with
// U+FDD0 is not JSON (and must not be taken for the encoded form).
function textOrJson(value, what) {
  let text;
  if (typeof value === 'string') text = value;
  else if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) text = new TextDecoder().decode(value);
  else return toJsonText(value, what);
  if (text.charCodeAt(0) === 0xfdd0) {
    throw new ProtocolError(`${what} is not JSON text (it starts with U+FDD0)`, { code: 'malformed_json' });
  }
  return text;
}

function fromEnvelope(text) {
  let envelope = JSON.parse(text);
  // Only the envelope's own flag (never text inside a result) turns decoding on.
  if (envelope.non_finite === true) envelope = JSON.parse(text, decodeNonFinite);
  if (envelope.error) {
    const { code, path, message, diagnostics } = envelope.error;
    throw new ProtocolError(message, { code, path, diagnostics });
  }
  return envelope.ok;
}

// ---- dates and options -----------------------------------------------------------------------

const pad = (n, width = 2) => String(n).padStart(width, '0');

function localDate(date) {
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function utcDateTime(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function badOption(name, expected) {
  return new ProtocolError(`${name} must be ${expected}`, { code: 'wrong_type', path: `/${name}` });
}

function checkDate(date, name) {
  if (Number.isNaN(date.getTime())) {
    throw new ProtocolError(`${name} is an invalid Date`, { code: 'invalid_date', path: `/${name}` });
  }
  return date;
}

// `today` is an ISO date; a Date gives its local calendar day; absent means the device's today.
function todayOption(value, name = 'today') {
  if (value === undefined || value === null) return localDate(new Date());
  if (typeof value === 'string') return value;
  if (value instanceof Date) return localDate(checkDate(value, name));
  throw badOption(name, 'an ISO date string (YYYY-MM-DD) or a Date');
}

// Date-times (signedAt, informationShownAt, at) are ISO strings; a Date gives UTC to the second.
function dateTimeOption(value, name) {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return utcDateTime(checkDate(value, name));
  throw badOption(name, 'an ISO date-time string or a Date');
}

// A seal key for the engine: '' = none; a given key travels as JSON text, so the engine itself
// refuses an empty or blank one (empty_seal_key), as in C++ and Python.
function keyText(value, name) {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw badOption(name, 'a string');
  return JSON.stringify(value);
}

function keyOption(value, name) {
  if (typeof value !== 'string') throw badOption(name, 'a string');
  return value;
}

function stringOption(value, name) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  throw badOption(name, 'a string');
}

function checkOptions(options, known, what) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw badOption(what, 'an object');
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ProtocolError(`unknown option "${key}" for ${what} (known: ${known.join(', ')})`, {
        code: 'unknown_option',
        path: `/${key}`,
      });
    }
  }
  return options;
}

function answersText(answers) {
  return toJsonText(answers === undefined ? {} : answers, 'answers');
}

// form() and screen() encode the answers straight into the module's memory (no intermediate copy).
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

function callInMemory(module, name, handle, text, today, locale, withTexts) {
  const room = text.length * 3; // a UTF-16 code unit is at most 3 UTF-8 bytes
  const at = module.inputBuffer(room);
  const { written } = utf8Encoder.encodeInto(text, module.HEAPU8.subarray(at, at + room));
  module.inputBuffer(written);
  const size = module[name](handle, today, locale, withTexts);
  const out = module.outputPointer(); // read the heap only now: the call may have grown it
  return utf8Decoder.decode(module.HEAPU8.subarray(out, out + size));
}

// ---- protocols -------------------------------------------------------------------------------

// Frees the C++ protocol when a Protocol object is garbage-collected without dispose().
const finalizer =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((handle) => {
        try {
          engine?.disposeProtocol(handle);
        } catch {
          // nothing sensible to do during garbage collection
        }
      })
    : null;

const CREATE = Symbol('create');
const CONSENT_OPTIONS = [
  'acknowledged', 'signature', 'signedAt', 'informationShownAt', 'patientReference', 'practitionerOverride',
  'sealKey', 'today', 'locale', 'countersignature', 'informationRecord', 'procedure',
];

/** A loaded, validated protocol pack. Create with `loadProtocol`; free early with `dispose()`. */
export class Protocol {
  #handle;
  #summary;
  #cache = new Map();

  constructor(token, summary) {
    if (token !== CREATE) throw new TypeError('use loadProtocol() to create a Protocol');
    this.#handle = summary.handle;
    this.#summary = summary;
    finalizer?.register(this, summary.handle, this);
  }

  get id() { return this.#summary.id; }
  get version() { return this.#summary.version; }
  get digest() { return this.#summary.digest; }
  get items() { return this.#cached('items', 'protocolItems'); }
  get rules() { return this.#cached('rules', 'protocolRules'); }
  get parameters() { return this.#cached('parameters', 'protocolParameters'); }
  get document() { return this.#cached('document', 'protocolDocument'); }
  get overrides() { return this.#cached('overrides', 'protocolOverrides'); }
  get disposed() { return this.#handle === 0; }

  form(answers, options) {
    const { today, locale, texts = true } = checkOptions(options, ['today', 'locale', 'texts'], 'form options');
    if (typeof texts !== 'boolean') throw badOption('texts', 'a boolean');
    return fromEnvelope(callInMemory(ready(), 'formInMemory', this.#live(), answersText(answers), todayOption(today),
      stringOption(locale, 'locale'), texts));
  }

  // Every text a form can show in one locale: a page fetches it once and then calls
  // form(answers, { texts: false }) on every keystroke.
  texts(options) {
    const { locale } = checkOptions(options, ['locale'], 'texts options');
    return fromEnvelope(ready().texts(this.#live(), stringOption(locale, 'locale')));
  }

  screen(answers, options) {
    const { today, locale } = checkOptions(options, ['today', 'locale'], 'screen options');
    return fromEnvelope(callInMemory(ready(), 'screenInMemory', this.#live(), answersText(answers), todayOption(today), stringOption(locale, 'locale')));
  }

  /** The consent document for this patient: only the acknowledgements that apply (docs/consent.md). */
  consentDocument(answers, options) {
    const { today, locale } = checkOptions(options, ['today', 'locale'], 'consentDocument options');
    return fromEnvelope(ready().consentDocument(this.#live(), answersText(answers), todayOption(today), stringOption(locale, 'locale')));
  }

  /**
   * The pre-visit record of two-step consent (docs/consent.md): the document was shown and read.
   * Options: acknowledged (pre_visit ids), informationShownAt, readAt, patientReference, sealKey, today, locale.
   */
  informationRecord(options) {
    const o = checkOptions(options, ['acknowledged', 'informationShownAt', 'readAt', 'patientReference', 'sealKey', 'today', 'locale'],
      'informationRecord options');
    const request = {};
    if (o.acknowledged !== undefined) request.acknowledged = o.acknowledged;
    if (o.informationShownAt !== undefined) request.information_shown_at = dateTimeOption(o.informationShownAt, 'informationShownAt');
    if (o.readAt !== undefined) request.read_at = dateTimeOption(o.readAt, 'readAt');
    if (o.patientReference !== undefined) request.patient_reference = o.patientReference;
    if (o.sealKey !== undefined && o.sealKey !== null) request.seal_key = keyOption(o.sealKey, 'sealKey');
    return fromEnvelope(ready().informationRecord(this.#live(), toJsonText(request, 'informationRecord options'),
      todayOption(o.today), stringOption(o.locale, 'locale')));
  }

  consent(answers, options) {
    const o = checkOptions(options, CONSENT_OPTIONS, 'consent options');
    const request = {};
    if (o.acknowledged !== undefined) request.acknowledged = o.acknowledged;
    if (o.signature !== undefined) request.signature = o.signature;
    if (o.signedAt !== undefined) request.signed_at = dateTimeOption(o.signedAt, 'signedAt');
    if (o.informationShownAt !== undefined) {
      request.information_shown_at = dateTimeOption(o.informationShownAt, 'informationShownAt');
    }
    if (o.patientReference !== undefined) request.patient_reference = o.patientReference;
    if (o.practitionerOverride !== undefined) request.practitioner_override = o.practitionerOverride;
    if (o.sealKey !== undefined && o.sealKey !== null) request.seal_key = keyOption(o.sealKey, 'sealKey');
    if (o.countersignature !== undefined) request.countersignature = o.countersignature;
    if (o.informationRecord !== undefined) request.information_record = o.informationRecord;
    if (o.procedure !== undefined) request.procedure = o.procedure;
    return fromEnvelope(
      ready().consent(this.#live(), answersText(answers), toJsonText(request, 'consent options'),
        todayOption(o.today), stringOption(o.locale, 'locale')),
    );
  }

  /** Free the engine's copy now. Later calls on this object throw ProtocolError `protocol_disposed`. */
  dispose() {
    if (this.#handle === 0) return;
    finalizer?.unregister(this);
    engine?.disposeProtocol(this.#handle);
    this.#handle = 0;
  }

  toJSON() {
    return { id: this.id, version: this.version, digest: this.digest };
  }

  #live() {
    if (this.#handle === 0) {
      throw new ProtocolError(`protocol ${this.id} ${this.version} was disposed; load it again`, {
        code: 'protocol_disposed',
      });
    }
    return this.#handle;
  }

  #cached(key, entry) {
    if (!this.#cache.has(key)) this.#cache.set(key, fromEnvelope(ready()[entry](this.#live())));
    return this.#cache.get(key);
  }
}

if (typeof Symbol.dispose === 'symbol') {
  Protocol.prototype[Symbol.dispose] = Protocol.prototype.dispose;
}

function packText(textOrObject) {
  if (textOrObject === null || (typeof textOrObject !== 'string' && typeof textOrObject !== 'object')) {
    throw new ProtocolError('a protocol pack is JSON text or an object', { code: 'wrong_type' });
  }
  return textOrJson(textOrObject, 'the protocol pack');
}

function overridesText(overrides) {
  if (overrides === undefined || overrides === null) return '';
  return textOrJson(overrides, 'overrides');
}

// Translation documents (texts or objects) as one JSON array text for the engine, which merges them.
function translationsText(translations) {
  if (translations === undefined || translations === null) return '';
  if (!Array.isArray(translations)) {
    throw new ProtocolError('translations must be an array of translation documents', { code: 'wrong_type' });
  }
  return `[${translations.map((t, i) => textOrJson(t, `translation ${i}`)).join(',')}]`;
}

/**
 * Parse, validate and compile a protocol pack (JSON text or an object), with `translations` of it
 * kept beside it (docs/languages.md). Throws ProtocolError with every problem in `.diagnostics`.
 */
export async function loadProtocol(textOrObject, options) {
  const { overrides, translations } = checkOptions(options, ['overrides', 'translations'], 'loadProtocol options');
  const module = await init();
  const summary = fromEnvelope(module.loadProtocol(packText(textOrObject), overridesText(overrides), translationsText(translations)));
  return new Protocol(CREATE, summary);
}

/** Every problem in a pack, without throwing for them (an empty list means it loads). */
export async function lintProtocol(textOrObject, options) {
  const { overrides, translations } = checkOptions(options, ['overrides', 'translations'], 'lintProtocol options');
  const module = await init();
  return fromEnvelope(module.lintProtocol(packText(textOrObject), overridesText(overrides), translationsText(translations)));
}

// ---- consent records and JsonLogic -----------------------------------------------------------

/** Recompute a consent record's digest (and its seal, given `sealKey`): `{valid, problems}`. */
export function verifyConsent(record, options) {
  const { sealKey } = checkOptions(options, ['sealKey'], 'verifyConsent options');
  return fromEnvelope(ready().verifyConsent(textOrJson(record, 'the consent record'), keyText(sealKey, 'sealKey')));
}

/**
 * Status of a consent record at an ISO date or date-time (default: now). `events`: withdrawal and
 * supersession events (and later records); with `sealKey` only those sealed with it count.
 */
export function consentStatus(record, at, events, options) {
  const { sealKey } = checkOptions(options, ['sealKey'], 'consentStatus options');
  const when = at === undefined || at === null ? utcDateTime(new Date()) : dateTimeOption(at, 'at');
  const list = events === undefined || events === null ? '' : toJsonText(events, 'events');
  return fromEnvelope(ready().consentStatus(textOrJson(record, 'the consent record'), when, list, keyText(sealKey, 'sealKey')));
}

/** Evaluate a JsonLogic rule (dialect 'json-logic-js' or 'core', plus the engine's date operations). */
export function applyLogic(rule, data, options) {
  const { today, dialect = 'json-logic-js' } = checkOptions(options, ['today', 'dialect'], 'applyLogic options');
  if (typeof dialect !== 'string') throw new TypeError('applyLogic options: dialect must be "json-logic-js" or "core"');
  const dataText = data === undefined ? '' : toJsonText(data, 'data');
  return fromEnvelope(ready().applyLogic(toJsonText(rule, 'rule'), dataText, todayOption(today), dialect));
}

/** Canonical JSON text (sorted keys, no whitespace, integers only), as used for record digests. */
export function canonicalJson(value) {
  return fromEnvelope(ready().canonicalJson(toJsonText(value, 'value')));
}

/** Number of protocols currently held by the engine (for leak checks). */
export function liveProtocols() {
  return ready().liveProtocols();
}

// ---- FHIR R4 ---------------------------------------------------------------------------------
// The mapping is the core's (prescreen/fhir.hpp). It lives in a second module, dist/prescreen-fhir.*
// (bindings in src/fhir_bindings.cpp), loaded on the first fhir.* call so that the patient's form
// never downloads it; hence the functions are async. docs/fhir.md describes the resources.

let fhirPromise = null;

function fhirEngine() {
  if (!fhirPromise) {
    fhirPromise = (async () => {
      const { default: create } = await import('./dist/prescreen-fhir.js');
      const moduleArgs = {};
      if (isNode) {
        const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs');
        moduleArgs.wasmBinary = fs.readFileSync(new URL('./dist/prescreen-fhir.wasm', import.meta.url));
      }
      return create(moduleArgs);
    })();
    fhirPromise.catch(() => { fhirPromise = null; });
  }
  return fhirPromise;
}

const protocolTexts = new WeakMap(); // Protocol -> [document text, overrides text], made once

function protocolArgs(protocol) {
  if (!(protocol instanceof Protocol)) {
    throw new ProtocolError('expected a Protocol from loadProtocol()', { code: 'wrong_type', path: '/protocol' });
  }
  let texts = protocolTexts.get(protocol);
  if (!texts) {
    texts = [JSON.stringify(protocol.document), JSON.stringify(protocol.overrides)];
    protocolTexts.set(protocol, texts);
  }
  return texts;
}

/**
 * HL7 FHIR R4: packs as Questionnaires, answers as QuestionnaireResponses (only enabled items),
 * Questionnaires imported as packs, consent records as Consent + Provenance, screening results as
 * RiskAssessment. Every function resolves to the core's JSON; failures reject with ProtocolError.
 */
export const fhir = Object.freeze({
  /** The pack as an R4 Questionnaire (texts in `locale`, default the pack's first). */
  async questionnaire(protocol, options) {
    const { locale } = checkOptions(options, ['locale'], 'fhir.questionnaire options');
    const args = [...protocolArgs(protocol), stringOption(locale, 'locale')];
    return fromEnvelope((await fhirEngine()).fhirQuestionnaire(...args));
  },
  /** Answers as an R4 QuestionnaireResponse holding only valid answers to enabled items. */
  async questionnaireResponse(protocol, answers, options) {
    const { today, locale } = checkOptions(options, ['today', 'locale'], 'fhir.questionnaireResponse options');
    const args = [...protocolArgs(protocol), answersText(answers), todayOption(today), stringOption(locale, 'locale')];
    return fromEnvelope((await fhirEngine()).fhirQuestionnaireResponse(...args));
  },
  /** A QuestionnaireResponse for this pack back to `{answers, issues}`. */
  async answersFromResponse(protocol, response) {
    const args = [...protocolArgs(protocol), textOrJson(response, 'the response')];
    return fromEnvelope((await fhirEngine()).fhirAnswersFromResponse(...args));
  },
  /** An R4 Questionnaire as a pack document (for loadProtocol); warnings in `pack.fhir.import_warnings`. */
  async importQuestionnaire(resource) {
    const text = textOrJson(resource, 'the Questionnaire');
    return fromEnvelope((await fhirEngine()).fhirImportQuestionnaire(text));
  },
  /** A consent record as an R4 Consent. */
  async consent(record) {
    const text = textOrJson(record, 'the consent record');
    return fromEnvelope((await fhirEngine()).fhirConsent(text));
  },
  /** A consent record's signature as an R4 Provenance. */
  async provenance(record) {
    const text = textOrJson(record, 'the consent record');
    return fromEnvelope((await fhirEngine()).fhirProvenance(text));
  },
  /** A screening result as an R4 RiskAssessment; `subject` is a FHIR Reference to the patient. */
  async riskAssessment(result, options) {
    const { subject } = checkOptions(options, ['subject'], 'fhir.riskAssessment options');
    const text = textOrJson(result, 'the screening result');
    const subjectText = subject === undefined || subject === null ? '' : toJsonText(subject, 'subject');
    return fromEnvelope((await fhirEngine()).fhirRiskAssessment(text, subjectText));
  },
});
