import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/*
 * Hovers and errors name the event types (`TicketEvent`) instead of expanding
 * them. Checked with the TypeScript language service over a snippet that sits
 * (in memory only) beside this file and imports the package's entry point, as
 * an app would.
 */

const dir = fileURLToPath(new URL(".", import.meta.url));
const snippetPath = `${dir}__names_snippet__.ts`;

const snippet = `
import { createWebhooks, type EventOf, isKnownEvent, type TicketEvent } from "./index.js";

declare const ticket: TicketEvent;
ticket.customerNmae;

const webhooks = createWebhooks({
  secret: "s",
  onTicket: (optionTicket) => optionTicket.customerNmae,
});
webhooks.onTicket((methodTicket) => methodTicket.customerNmae);
webhooks.onAny((anyEvent) => {
  if (!isKnownEvent(anyEvent)) return;
  switch (anyEvent.type) {
    case "TICKET":
      return anyEvent.customerNmae;
    case "MESSAGE":
      return anyEvent;
  }
});
declare const message: EventOf<"MESSAGE">;
const wrong: EventOf<"TICKET"> = message;
`;

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: true,
  noEmit: true,
  types: ["node"],
};

function languageService(): ts.LanguageService {
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [snippetPath],
    getScriptVersion: () => "1",
    getScriptSnapshot: (file) => {
      const text = file === snippetPath ? snippet : ts.sys.readFile(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => dir,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (file) => file === snippetPath || ts.sys.fileExists(file),
    readFile: (file) => (file === snippetPath ? snippet : ts.sys.readFile(file)),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  return ts.createLanguageService(host, ts.createDocumentRegistry());
}

/** The hover text at the first occurrence of `word` in the snippet. */
function hover(service: ts.LanguageService, word: string): string {
  const at = snippet.indexOf(word);
  expect(at).toBeGreaterThanOrEqual(0);
  const info = service.getQuickInfoAtPosition(snippetPath, at);
  return ts.displayPartsToString(info?.displayParts);
}

/** Each diagnostic of the snippet: its line (1-based) and its flattened message. */
function diagnostics(service: ts.LanguageService): { line: number; message: string }[] {
  return service.getSemanticDiagnostics(snippetPath).map((d) => ({
    line: snippet.slice(0, d.start ?? 0).split("\n").length,
    message: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  }));
}

const lineOf = (text: string) => snippet.slice(0, snippet.indexOf(text)).split("\n").length;

describe("named types in hovers and errors", () => {
  const service = languageService();

  it("errors on misspelled fields name TicketEvent and suggest the field", () => {
    const found = diagnostics(service);
    const misspelled = (line: number) =>
      `line ${line}: Property 'customerNmae' does not exist on type 'TicketEvent'. Did you mean 'customerName'?`;
    const lines = found.map((d) => `line ${d.line}: ${d.message}`);
    expect(lines).toContain(misspelled(lineOf("ticket.customerNmae")));
    expect(lines).toContain(misspelled(lineOf("optionTicket.customerNmae")));
    expect(lines).toContain(misspelled(lineOf("methodTicket.customerNmae")));
    expect(lines).toContain(misspelled(lineOf("anyEvent.customerNmae")));
    const assignment = found.find((d) => d.line === lineOf("const wrong"));
    expect(assignment?.message).toBe(
      "Type 'MessageEvent' is missing the following properties from type 'TicketEvent': customerName, customerEmail, customerMessage",
    );
    // Nothing else, and no expanded object type anywhere.
    expect(found).toHaveLength(5);
    for (const d of found) expect(d.message).not.toContain("{");
  }, 120_000);

  it("hovers name the event type", () => {
    expect(hover(service, "ticket: TicketEvent")).toBe("const ticket: TicketEvent");
    expect(hover(service, "optionTicket")).toBe("(parameter) optionTicket: TicketEvent");
    expect(hover(service, "methodTicket")).toBe("(parameter) methodTicket: TicketEvent");
    expect(hover(service, "anyEvent")).toBe("(parameter) anyEvent: AnyEvent");
    const inCase = snippet.indexOf("anyEvent.customerNmae");
    expect(
      ts.displayPartsToString(service.getQuickInfoAtPosition(snippetPath, inCase)?.displayParts),
    ).toBe("(parameter) anyEvent: TicketEvent");
    const inMessageCase = snippet.indexOf("anyEvent;");
    expect(
      ts.displayPartsToString(
        service.getQuickInfoAtPosition(snippetPath, inMessageCase)?.displayParts,
      ),
    ).toBe("(parameter) anyEvent: MessageEvent");
  }, 120_000);
});
