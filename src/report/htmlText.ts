/**
 * The one escaping function for text placed in the HTML report, in element content and in
 * double-quoted attributes alike: plan names, descriptions, step parameters, row values and
 * invariant messages come from plan files and counterexamples, which are untrusted. Besides the
 * HTML-significant characters, control characters and bidirectional overrides are shown as the
 * terminal shows them (`\x1b`, `\u202e`, through terminalText.ts), so a value cannot reorder or
 * hide what the reader sees in the browser either.
 */
import { escapeControlCharacters } from '../harness/terminalText.js';

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function htmlText(text: string): string {
  return escapeControlCharacters(text).replace(/[&<>"']/g, (character) => HTML_ENTITIES[character]!);
}
