/**
 * The one escaping function for text placed in XML (JUnit reports): plan names, invariant
 * messages and traces come from plan files and counterexamples, which are untrusted. Characters
 * XML 1.0 cannot carry at all (control characters other than tab, newline and carriage return,
 * lone surrogates, U+FFFE/U+FFFF) are replaced by U+FFFD rather than dropped, so a reader sees
 * that something was there.
 */
const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** XML 1.0's Char production: tab, newline, carriage return and everything from U+0020 but surrogates and U+FFFE/F. */
function isXmlCharacter(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    code >= 0x10000
  );
}

export function xmlText(text: string): string {
  let escaped = '';
  // Iterating a string visits code points, so a valid surrogate pair stays one character.
  for (const character of text) {
    escaped += isXmlCharacter(character.codePointAt(0)!) ? (XML_ENTITIES[character] ?? character) : '\uFFFD';
  }
  return escaped;
}
