// What the patient keeps: an "add to calendar" file for the earliest date a deferral allows, made in
// the page (an .ics in a Blob URL; nothing is requested or sent).
import { h } from './dom.js';

/** iCalendar text escaping (RFC 5545 §3.3.11). */
function escapeText(text) {
  return String(text).replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** One all-day event on `date` (ISO), as iCalendar text with CRLF line ends. */
export function calendarFile({ date, title, description, uid }) {
  const day = date.replace(/-/g, '');
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//prescreen//patient form//EN', 'CALSCALE:GREGORIAN',
    'BEGIN:VEVENT', `UID:${uid}`, `DTSTAMP:${stamp}`, `DTSTART;VALUE=DATE:${day}`,
    `SUMMARY:${escapeText(title)}`, `DESCRIPTION:${escapeText(description)}`,
    'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
}

/** A download link for the calendar file. */
export function calendarLink({ date, title, description, label }) {
  const text = calendarFile({ date, title, description, uid: `${date}-${crypto.randomUUID()}@prescreen.local` });
  const url = URL.createObjectURL(new Blob([text], { type: 'text/calendar' }));
  return h('p', { class: 'no-print' }, h('a', { class: 'button button-secondary', id: 'calendar-link', href: url, download: `come-back-${date}.ics` }, label));
}
