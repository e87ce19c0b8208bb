// RFC 4180 CSV text: quoting for writers, a tolerant parser for readers. The parser never
// throws: a row it cannot read is returned as an error with the line it starts on.

/** A field as RFC 4180 wants it: quoted only when it holds `,` `"` CR or LF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(fields: string[]): string {
  return fields.map(csvField).join(",") + "\n";
}

export type CsvRow = { line: number; fields: string[] };
export type CsvError = { line: number; reason: string };

/** Rows with the 1-based line each starts on. Accepts LF, CRLF and lone CR line ends; skips
 * blank lines. */
export function parseCsv(text: string): { rows: CsvRow[]; errors: CsvError[] } {
  const rows: CsvRow[] = [];
  const errors: CsvError[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const startLine = line;
    const fields: string[] = [];
    let field = "";
    let rowError: string | null = null;
    let endOfRow = false;
    let fieldStart = true;
    while (i < text.length && !endOfRow) {
      const c = text[i]!;
      if (fieldStart && c === '"') {
        // Quoted field: runs to the closing quote; "" is a literal quote.
        i++;
        let closed = false;
        while (i < text.length) {
          const q = text[i]!;
          if (q === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (q === "\n" || (q === "\r" && text[i + 1] !== "\n")) line++;
          field += q;
          i++;
        }
        if (!closed) {
          rowError = "quoted field is not closed before the end of the file";
          break;
        }
        fieldStart = false;
        // Text between a closing quote and the next separator is not RFC 4180.
        while (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          rowError ??= "text after a closing quote";
          i++;
        }
        continue;
      }
      if (c === ",") {
        fields.push(field);
        field = "";
        fieldStart = true;
        i++;
      } else if (c === "\n" || c === "\r") {
        i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
        line++;
        endOfRow = true;
      } else {
        if (c === '"') rowError ??= "quote inside an unquoted field";
        field += c;
        fieldStart = false;
        i++;
      }
    }
    fields.push(field);
    if (rowError) errors.push({ line: startLine, reason: rowError });
    else if (!(fields.length === 1 && fields[0] === "")) rows.push({ line: startLine, fields });
  }
  return { rows, errors };
}
