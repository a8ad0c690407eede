/**
 * The one escaping function for text placed in the HTML report, in element content and in
 * double-quoted attributes alike: plan names, descriptions, step parameters, row values and
 * invariant messages come from plan files and counterexamples, which are untrusted.
 */
const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function htmlText(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ENTITIES[character]!);
}
