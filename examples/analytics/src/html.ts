/** Markup that is already safe: {@link html} inserts it as is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What {@link html} accepts between `${}`. */
export type HtmlValue =
  | SafeHtml
  | string
  | number
  | null
  | undefined
  | false
  | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Text made safe for HTML content and quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml(`<b a="1">`); // "&lt;b a=&quot;1&quot;&gt;"
 * ```
 */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

const insert = (value: HtmlValue): string => {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(insert).join("");
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
};

/**
 * A template tag for HTML: every value is escaped, except what another `html`
 * returned; arrays are joined; `null`, `undefined` and `false` render nothing.
 *
 * @example
 * ```ts
 * html`<td>${name}</td>`; // name "<script>" renders as text
 * html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`;
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += insert(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}
