// The page's strings come from the server in the user's language, with {name} placeholders.

export function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}
