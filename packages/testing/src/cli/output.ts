import { readFileSync } from "node:fs";
import { stripVTControlCharacters, styleText } from "node:util";

/** A stream the CLI writes to. */
export interface OutStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  hasColors?(): boolean;
}

/** Where a command writes, and the environment it reads. */
export interface Io {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

type Format = Parameters<typeof styleText>[0];

/**
 * Whether to colour a stream: never with `NO_COLOR` set (https://no-color.org),
 * always with `FORCE_COLOR` set to anything but `0`/`false`, else only on a
 * terminal that has colours. Decided here because `styleText` only learned to
 * check this itself in later Node versions.
 */
export function wantsColor(stream: OutStream, env: Io["env"]): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (!stream.isTTY) return false;
  return stream.hasColors ? stream.hasColors() : true;
}

/** A colouring function bound to one stream's decision. */
export type Paint = (format: Format, text: string) => string;

/** `styleText` when the stream wants colour, the plain text otherwise. */
export function painter(stream: OutStream, env: Io["env"]): Paint {
  if (!wantsColor(stream, env)) return (_format, text) => text;
  return (format, text) => styleText(format, text, { validateStream: false });
}

/** Visible width of a string, ignoring ANSI colour codes. */
const width = (text: string) => stripVTControlCharacters(text).length;

/** Pads `text` to `size` visible characters. */
export const pad = (text: string, size: number) =>
  text + " ".repeat(Math.max(0, size - width(text)));

/**
 * A plain-text table: a header row, then rows, columns padded to their widest
 * cell. Cells may be coloured.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!))).join("  ")}`.trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

/** Milliseconds, rounded for people. */
export const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

/** This package's version, read from its package.json (dist/ or src/cli/). */
export function version(): string {
  for (const path of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "@fineguide-webhooks/testing" && pkg.version) return pkg.version;
    } catch {
      // Try the next place.
    }
  }
  return "unknown";
}
