// A typed use of the package's public API: compiled with `tsc --noEmit --strict` by
// tests/js/types.test.mjs, so wasm/index.d.ts cannot drift from what callers write.
import { ProtocolError, applyLogic, canonicalJson, consentStatus, loadProtocol, verifyConsent } from '../../../wasm/index.js';
import type { FormState, Outcome, ScreeningResult } from '../../../wasm/index.js';

export async function use(packText: string): Promise<Outcome> {
  const protocol = await loadProtocol(packText, { overrides: { isotretinoin_washout: 6 } });
  const state: FormState = protocol.form({ sex: 'female' }, { today: '2026-11-25', locale: 'en-GB' });
  const visible: string[] = state.visible;
  const result: ScreeningResult = protocol.screen({ sex: 'female' }, { today: new Date(Date.UTC(2026, 10, 25)) });
  const until: string | null = result.defer_until;
  const record = protocol.consent({}, { today: '2026-11-25', acknowledged: [], signature: { name: 'A', role: 'patient' },
    signedAt: '2026-11-25T10:31:00Z', informationShownAt: '2026-11-25T10:20:00Z' });
  const valid: boolean = verifyConsent(record).valid;
  const status: string = consentStatus(record, '2026-11-26').status;
  const text: string = canonicalJson({ a: 1 });
  const value: unknown = applyLogic({ '+': [1, 2] });
  try {
    protocol.dispose();
  } catch (e) {
    if (e instanceof ProtocolError) console.log(e.code, e.path, e.diagnostics.length);
  }
  void visible, until, valid, status, text, value;
  return result.outcome;
}
