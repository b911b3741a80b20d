/** HTML escaping for everything the page shows: list cells, paths, messages, even our own labels. */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in element content and in quoted attribute values (SVG included). */
export function escapeHtml(text: string): string {
  // Control characters (a NUL in a broken export) are not allowed in HTML text: show U+FFFD instead.
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
}
