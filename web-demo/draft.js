// Save and come back later, on this device only, when the patient asks for it: the answers are
// encrypted (AES-GCM) with a key derived from the patient's passphrase (PBKDF2-SHA-256) and kept in
// the browser's localStorage. Nothing is sent anywhere; without the passphrase the saved draft is
// unreadable, and a forgotten passphrase means starting again.

const KEY = 'prescreen-draft';
const ITERATIONS = 310_000; // OWASP's 2023 figure for PBKDF2-HMAC-SHA-256
export const FORMAT = 'prescreen-draft/1';

const bytes = (text) => new TextEncoder().encode(text);
const base64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));
const unbase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function keyFrom(passphrase, salt) {
  const material = await crypto.subtle.importKey('raw', bytes(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS },
    material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** Encrypt `draft` (any JSON value) with the passphrase: {format, salt, iv, data}, all base64. */
export async function seal(passphrase, draft) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await keyFrom(passphrase, salt), bytes(JSON.stringify(draft)));
  return { format: FORMAT, salt: base64(salt), iv: base64(iv), data: base64(data) };
}

/** Decrypt a sealed draft; throws a `wrong_passphrase` error when the passphrase does not open it. */
export async function unseal(passphrase, box) {
  try {
    const key = await keyFrom(passphrase, unbase64(box.salt));
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unbase64(box.iv) }, key, unbase64(box.data));
    return JSON.parse(new TextDecoder().decode(plain));
  } catch {
    throw Object.assign(new Error('wrong passphrase'), { code: 'wrong_passphrase' });
  }
}

export async function saveDraft(passphrase, draft) {
  localStorage.setItem(KEY, JSON.stringify(await seal(passphrase, draft)));
}

/** The sealed draft on this device, or null. */
export function savedDraft() {
  try {
    const box = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    return box?.format === FORMAT ? box : null;
  } catch {
    return null;
  }
}

export function deleteDraft() {
  localStorage.removeItem(KEY);
}
