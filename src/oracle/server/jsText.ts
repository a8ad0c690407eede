/**
 * The one escaping of text written into generated JavaScript (the standalone Node scripts of
 * `nodeScript.ts`): data becomes a JSON literal, prose a `//` comment that nothing can end early.
 * No SQL text, name or message from a plan or counterexample is ever written as code.
 */
/**
 * Plain data (what JSON.stringify keeps of it) as a JavaScript expression. JSON is valid
 * JavaScript; U+2028 and U+2029, which JSON allows raw inside strings and older JavaScript parsers
 * read as line ends, are escaped.
 */
export function jsLiteral(value: unknown, indent = 2): string {
  const json = JSON.stringify(value, null, indent);
  if (json === undefined) throw new Error('jsLiteral takes plain data');
  return json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** One `//` comment line: every line terminator JavaScript knows becomes a space. */
export function jsLineComment(text: string): string {
  return `// ${text.replace(/[\r\n\u2028\u2029]+/g, ' ')}`;
}
