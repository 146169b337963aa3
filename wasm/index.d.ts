/**
 * prescreen — consent-and-screening engine for aesthetic clinics, compiled to WebAssembly.
 *
 * Every result is the exact JSON the C++ core produces (see docs/results.md and docs/consent.md in
 * the repository), parsed into plain objects. Every failure is thrown as a {@link ProtocolError}.
 *
 * @example
 * ```js
 * import { loadProtocol } from 'prescreen';
 * const protocol = await loadProtocol(await (await fetch('/protocols/microneedling/protocol.json')).text());
 * const result = protocol.screen({ pregnant: false }, { today: '2026-11-25' });
 * console.log(result.outcome, result.defer_until);
 * protocol.dispose();
 * ```
 *
 * @packageDocumentation
 */

/** One problem: a stable `code`, a JSON Pointer `path` into the offending document, and a message. */
export interface Diagnostic {
  code: string;
  path: string;
  message: string;
}

/**
 * Thrown for anything the engine refuses: a protocol pack with errors (`code` `protocol_error` or the
 * single problem's code, every problem in {@link ProtocolError.diagnostics}), malformed JSON
 * (`malformed_json`), values JSON cannot carry (`not_json`), too large or too deep input
 * (`document_too_large`, `nesting_too_deep`), wrong option types (`wrong_type`, `unknown_option`),
 * a consent the outcome does not permit (`consent_not_permitted`), a disposed protocol
 * (`protocol_disposed`), or the engine not loaded yet (`not_initialised`, `engine_unavailable`).
 */
export class ProtocolError extends Error {
  constructor(message: string, details?: { code?: string; path?: string; diagnostics?: Diagnostic[]; cause?: unknown });
  readonly name: 'ProtocolError';
  /** Stable machine-readable code. */
  code: string;
  /** JSON Pointer of the (first) offending place; empty for the whole document. */
  path: string;
  /** Every problem found (at least one). */
  diagnostics: Diagnostic[];
  toJSON(): { code: string; path: string; message: string; diagnostics: Diagnostic[] };
}

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A patient's answers: item id → value. Booleans, numbers, option values, ISO dates
 * (`"YYYY-MM-DD"`), arrays of option values for multi-choice; `null` or absent means unanswered.
 * Bad values never throw: they come back as `issues`. NaN and Infinity reach the engine as such
 * (they are not turned into `null`).
 */
export type Answers = Record<string, unknown>;

/** An ISO date (`YYYY-MM-DD`) or a `Date` (its local calendar day). */
export type DateInput = string | Date;

/** An ISO date-time (`2026-11-25T10:31:00Z`) or a `Date` (UTC, to the second). */
export type DateTimeInput = string | Date;

export interface CallOptions {
  /** The day of the screening. Default: the device's local date. The engine reads no clock itself. */
  today?: DateInput;
  /** Locale for messages (a BCP 47 tag from the pack's `locales`); default: the pack's first locale. */
  locale?: string;
}

export interface FormOptions extends CallOptions {
  /** false: the questionnaire state alone, without `texts` (a page that holds {@link Protocol.texts} calls this per keystroke). Default true. */
  texts?: boolean;
}

export interface ProtocolIdentity {
  id: string;
  version: string;
  digest: string;
}

export interface FormIssue {
  item: string;
  code: string;
  path: string;
  message: string;
}

/** Questionnaire state (docs/results.md, `form`). */
export interface FormState {
  protocol: ProtocolIdentity;
  visible: string[];
  missing_required: string[];
  issues: FormIssue[];
  ignored: string[];
  progress: { answered: number; required: number; answered_required: number; percent: number };
  complete: boolean;
  /** What the form shows, in the context's locale (exact, then language, then the pack's default); absent with `texts: false`. */
  texts?: FormTexts;
  [key: string]: unknown;
}

export interface FormTexts {
  locale: string;
  title?: string;
  /** Pages by page id (form(): those holding a visible item; texts(): all). */
  pages: Record<string, { title: string; description?: string }>;
  /** Items by item id (form(): the visible ones; texts(): all). */
  items: Record<string, { text: string; help?: string; options?: { value: string; label: string; help?: string }[] }>;
  /** The consent document's texts (form(): once the answers are complete). */
  consent?: {
    title: string;
    intro?: string;
    version?: string;
    sections: { id: string; kind?: string; title: string; text: string }[];
    acknowledgements: { id: string; text: string; required?: boolean; stage?: string }[];
  };
}

export type Outcome =
  | 'not_eligible'
  | 'deferred'
  | 'incomplete'
  | 'refer'
  | 'eligible_with_precautions'
  | 'eligible';

export interface Finding {
  rule: string;
  outcome: Outcome;
  defer_until: string | null;
  message: string;
  clinician_note: string;
  sources: string[];
  trace: { answers: Record<string, Json>; parameters: Record<string, Json> };
  [key: string]: unknown;
}

/** Screening result (docs/results.md, `screen`). */
export interface ScreeningResult {
  protocol: ProtocolIdentity;
  today: string;
  outcome: Outcome;
  defer_until: string | null;
  consent_permitted: boolean;
  findings: Finding[];
  missing_required: string[];
  issues: FormIssue[];
  aftercare: Array<{ id: string; phase: string; text: string }>;
  course: {
    plan: string;
    sessions: number;
    interval_weeks: number;
    text: string;
    follow_up: { weeks: number; text: string } | null;
  } | null;
  [key: string]: unknown;
}

/** Options of {@link Protocol.consent}; mapped to the C++ `ConsentRequest` (docs/consent.md). */
export interface ConsentOptions extends CallOptions {
  /** Acknowledgement ids the patient ticked. */
  acknowledged?: string[];
  /** The signature: printed name, role, and optionally drawn strokes of [x, y] points (integers 0..65535). */
  signature?: { name: string; role?: string; strokes?: Array<Array<[number, number]>> };
  /** When the patient signed (`signed_at`). */
  signedAt?: DateTimeInput;
  /** When the consent document was first shown (`information_shown_at`). */
  informationShownAt?: DateTimeInput;
  /** The clinic's reference for the patient (`patient_reference`). */
  patientReference?: string;
  /** Record consent despite a finding, only where the pack allows it (`practitioner_override`): one or a list. */
  practitionerOverride?: PractitionerOverride | PractitionerOverride[] | null;
  /** The practitioner taking consent (required when the pack's `signature.countersign` is true). */
  countersignature?: { name: string; role: string; register?: string; registration_number?: string } | null;
  /** The pre-visit record of two-step consent (made and sealed by the back office: Python `information_record`). */
  informationRecord?: ConsentRecord | object | null;
  /** The device and products to be used, recorded inside the digest (docs/consent.md). */
  procedure?: { device_model?: string; device_cartridge_lot?: string; needle_depth_range?: string; topical_products?: string } | null;
  /** Back office only: add an HMAC-SHA-256 seal with this key (`seal_key`); an empty or blank key throws `empty_seal_key`. */
  sealKey?: string;
}

/** Options of {@link Protocol.informationRecord} (C++ `InformationRequest`). */
export interface InformationRecordOptions extends CallOptions {
  /** The document's pre_visit acknowledgement ids the patient ticked. */
  acknowledged?: string[];
  /** When the consent document was first shown (`information_shown_at`). */
  informationShownAt?: DateTimeInput;
  /** When the patient confirmed reading it (`read_at`, not before it was shown). */
  readAt?: DateTimeInput;
  patientReference?: string;
  sealKey?: string;
}

/** A practitioner's override of one finding (CONTRAINDICATIONS-v2 §5; docs/consent.md). */
export interface PractitionerOverride {
  finding: string;
  name: string;
  role: string;
  register: string;
  registration_number: string;
  reason: string;
  consulted?: string | null;
  patient_informed: boolean;
}

/** A withdrawal or supersession event bound to a record's digest, made by the back office (docs/consent.md). */
export interface ConsentEvent {
  record_type: 'prescreen.consent-event/1';
  event: 'withdrawal' | 'supersession';
  record_digest: string;
  superseded_by?: string;
  at: string;
  recorded_by: { name: string; role: string };
  reason: string;
  digest: string;
  seal?: { algorithm: string; value: string };
}

/** The canonical consent record (docs/consent.md). */
export interface ConsentRecord {
  record_type: string;
  protocol: ProtocolIdentity;
  document: { version: string; digest: string };
  answers_digest: string;
  screening: { today: string; outcome: Outcome; defer_until: string | null; findings: string[] };
  permitted_outcomes: Outcome[];
  required_acknowledgements: string[];
  acknowledgements: string[];
  signer: { name: string; role: string; method: 'typed' | 'drawn'; strokes?: Array<Array<[number, number]>> };
  countersignature: { name: string; role: string; register: string | null; registration_number: string | null } | null;
  signed_at: string;
  information_shown_at: string | null;
  information_record: string | null;
  cooling_off: { offered: boolean; amount?: number; unit?: string; treatment_not_before?: string | null };
  valid_until: string | null;
  patient_reference: string;
  overrides: Array<PractitionerOverride & { original_outcome: Outcome; original_defer_until: string | null }>;
  /** The device and products to be used, when the request gave them. */
  procedure?: { device_model: string | null; device_cartridge_lot: string | null; needle_depth_range: string | null; topical_products: string | null };
  /** The language the patient read (absent from records made before it was recorded). */
  locale?: string;
  digest: string;
  seal?: { algorithm: string; value: string };
  [key: string]: unknown;
}

/** One acknowledgement of a patient's consent document (docs/consent.md). */
export interface ConsentAcknowledgement {
  id: string;
  section: string | null;
  /** `pre_visit`: confirmed before the visit (information record); `consultation`: at signing. */
  stage: 'pre_visit' | 'consultation';
  /** Required at signing (false: a free choice, e.g. photographs). */
  required: boolean;
  material_risk: boolean;
  text: string;
  sources: string[];
}

/** {@link Protocol.consentDocument}: the consent document as this patient reads it. */
export interface ConsentDocument {
  protocol: ProtocolIdentity;
  document: { version: string; digest: string };
  locale: string;
  title: string;
  intro: string | null;
  sections: Array<{ id: string; kind: string; title: string; text: string; sources?: string[] }>;
  /** Only those that apply to this screening (an acknowledgement's `when`), in document order. */
  acknowledgements: ConsentAcknowledgement[];
  outcome: Outcome;
  consent_permitted: boolean;
  findings: string[];
}

export interface Verification {
  valid: boolean;
  problems: Diagnostic[];
}

export interface ConsentStatus {
  status: 'active' | 'expired' | 'withdrawn' | 'superseded' | 'not_yet_signed' | 'invalid';
  valid_until: string | null;
  problems: Diagnostic[];
  [key: string]: unknown;
}

/**
 * A loaded, validated, compiled protocol pack. Immutable. Create with {@link loadProtocol}.
 * The engine keeps a compiled copy: call {@link Protocol.dispose} when done (a
 * `FinalizationRegistry` frees forgotten ones eventually).
 */
export class Protocol {
  private constructor();
  /** The pack's `id`. */
  readonly id: string;
  /** The pack's `version`. */
  readonly version: string;
  /** SHA-256 hex of the canonical pack JSON. */
  readonly digest: string;
  /** Item definitions in questionnaire order. */
  readonly items: Json[];
  /** Rule summaries (id, outcome, sources, ...). */
  readonly rules: Json[];
  /** Effective parameter values with defaults and ranges. */
  readonly parameters: Record<string, Json>;
  /** The pack as loaded (pages, consent document sections, texts). */
  readonly document: Record<string, Json>;
  /** The overrides given at load. */
  readonly overrides: Record<string, Json>;
  /** True after {@link Protocol.dispose}. */
  readonly disposed: boolean;

  /** Questionnaire state: visible items, missing required items, issues, progress. Never throws for bad answers. */
  form(answers?: Answers, options?: FormOptions): FormState;
  /**
   * Every text a form can show in one locale: all items and pages, the title, the consent document.
   * Throws {@link ProtocolError} `unknown_locale` for a locale the pack has no texts in.
   */
  texts(options?: { locale?: string }): FormTexts;
  /** Screening outcome with findings, `defer_until`, aftercare and course plan. Never throws for bad answers. */
  screen(answers?: Answers, options?: CallOptions): ScreeningResult;
  /**
   * The consent record (screens the answers again). Throws {@link ProtocolError} `consent_not_permitted`
   * when the outcome does not permit treatment and no practitioner override is given.
   */
  /** The pre-visit record of two-step consent: the document was shown and read (pre_visit acknowledgements). */
  informationRecord(options: InformationRecordOptions): ConsentRecord;
  /** The consent document for this patient: texts in the locale, the acknowledgements that apply. */
  consentDocument(answers: Answers, options?: CallOptions): ConsentDocument;
  consent(answers: Answers, options?: ConsentOptions): ConsentRecord;
  /** Free the engine's copy now; later calls throw `protocol_disposed`. Safe to call twice. */
  dispose(): void;
  /** `{id, version, digest}`. */
  toJSON(): ProtocolIdentity;
}

/**
 * Load the WebAssembly engine (once; later calls return the same promise). Browsers fetch
 * `dist/prescreen.wasm` beside `dist/prescreen.js`; Node reads it from disk. Await it before the
 * synchronous {@link verifyConsent}, {@link consentStatus}, {@link applyLogic} unless a protocol
 * was loaded already. Options apply to the first call only.
 */
export function init(options?: {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
}): Promise<unknown>;

/**
 * Parse, validate and compile a protocol pack given as JSON text, bytes or an object.
 * `overrides` maps parameter names to clinic values (checked against each parameter's range).
 * `translations`: translation documents of the pack (docs/languages.md); each must give every patient text.
 * @throws {@link ProtocolError} listing every problem in `diagnostics`.
 */
export function loadProtocol(
  textOrObject: string | object | ArrayBuffer | Uint8Array,
  options?: { overrides?: Record<string, Json> | string; translations?: Array<string | object> },
): Promise<Protocol>;

/** Every problem in a pack without throwing for them; an empty list means the pack loads. */
export function lintProtocol(
  textOrObject: string | object | ArrayBuffer | Uint8Array,
  options?: { overrides?: Record<string, Json> | string; translations?: Array<string | object> },
): Promise<Diagnostic[]>;

/**
 * Verify a consent record (object or JSON text): digest, required fields, and the seal when `sealKey`
 * is given (an unsealed record then fails). An empty or blank `sealKey` throws `empty_seal_key`.
 */
export function verifyConsent(record: ConsentRecord | object | string, options?: { sealKey?: string }): Verification;

/**
 * Status of a consent record at `at` (ISO date or date-time; default: now). `events` are withdrawal
 * and supersession events (and later records); with `sealKey` only those sealed with it count, the
 * rest are listed in `problems`.
 */
export function consentStatus(
  record: ConsentRecord | object | string,
  at?: DateTimeInput,
  events?: Array<ConsentEvent | ConsentRecord | object>,
  options?: { sealKey?: string },
): ConsentStatus;

/**
 * Evaluate a JsonLogic rule against data, in the dialect 'json-logic-js' (default) or 'core'
 * (docs/jsonlogic.md), plus the engine's documented date operations. NaN and Infinity results come
 * back as numbers.
 * @throws {@link ProtocolError} for a bad rule (unknown operation, too deep, ...).
 */
export function applyLogic(
  rule: Json | object,
  data?: unknown,
  options?: { today?: DateInput; dialect?: 'json-logic-js' | 'core' },
): unknown;

/** Canonical JSON text (RFC 8785 style: sorted keys, no whitespace, integers only). */
export function canonicalJson(value: unknown): string;

/** How many protocols the engine currently holds (for leak checks). */
export function liveProtocols(): number;

/** A FHIR R4 resource as JSON (see docs/fhir.md for what prescreen writes). */
export type FhirResource = { resourceType: string; [element: string]: unknown };

/**
 * HL7 FHIR R4 mapping of the core (prescreen/fhir.hpp). Async: the mapping is a second module
 * (dist/prescreen-fhir.wasm) loaded on first use. Every function rejects with ProtocolError on bad input.
 */
export const fhir: {
  /** The pack as an R4 Questionnaire; texts in `locale` (default: the pack's first locale). */
  questionnaire(protocol: Protocol, options?: { locale?: string }): Promise<FhirResource>;
  /** Answers as an R4 QuestionnaireResponse holding only valid answers to items enabled under them. */
  questionnaireResponse(protocol: Protocol, answers: Record<string, unknown>,
                        options?: { today?: DateInput; locale?: string }): Promise<FhirResource>;
  /** A QuestionnaireResponse for this pack back to answers; what does not map back is an issue with a path. */
  answersFromResponse(protocol: Protocol, response: FhirResource | string):
    Promise<{ answers: Record<string, Json>; issues: Diagnostic[] }>;
  /** An R4 Questionnaire as a pack document for loadProtocol; warnings in `fhir.import_warnings`. */
  importQuestionnaire(resource: FhirResource | string): Promise<Record<string, unknown>>;
  /** A consent record as an R4 Consent (inactive once withdrawn). */
  consent(record: ConsentRecord | object | string): Promise<FhirResource>;
  /** A consent record's signature (digest and seal) as an R4 Provenance. */
  provenance(record: ConsentRecord | object | string): Promise<FhirResource>;
  /** A screening result as an R4 RiskAssessment; `subject` is a FHIR Reference to the patient. */
  riskAssessment(result: object | string, options?: { subject?: Record<string, unknown> }): Promise<FhirResource>;
};
