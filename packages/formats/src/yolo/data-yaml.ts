// data.yaml text for Ultralytics (FORMATS.md §3): no `path` key, names as an index → name
// map. Every name is a double-quoted YAML scalar with anything a YAML 1.1 reader (PyYAML)
// might misread escaped, so `a&b <c>, "d"`, `yes`, `null` or `1.0` all stay the text they are.

export type DataYamlInput = {
  comment: string;
  train: string;
  val: string;
  test: string | null;
  names: string[];
};

export function dataYamlText(input: DataYamlInput): string {
  const lines = [
    `# ${input.comment}`,
    // Folder paths are ours (images/<split>) and need no quoting.
    `train: ${input.train}`,
    `val: ${input.val}`,
    ...(input.test ? [`test: ${input.test}`] : []),
    `nc: ${input.names.length}`,
    input.names.length ? "names:" : "names: {}",
    ...input.names.map((name, i) => `  ${i}: ${yamlQuoted(name)}`),
  ];
  return lines.join("\n") + "\n";
}

export function yamlQuoted(text: string): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (isPlainPrintable(cp)) out += ch;
    else
      out +=
        cp <= 0xffff
          ? `\\u${cp.toString(16).padStart(4, "0")}`
          : `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return out + '"';
}

/** Characters PyYAML accepts as they are and treats as no line break. */
function isPlainPrintable(cp: number): boolean {
  return (
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff && cp !== 0x2028 && cp !== 0x2029) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}
