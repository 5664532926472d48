/** @module ImageNet-style label files: one `<id> <name>` line per class (`n01440764 tench, Tinca tinca`). */

export interface Label {
  synset: string;
  label: string;
}

/** Parses a label list. A line without a space is a bare name (synset = the line). */
export function parseLabels(text: string): Label[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0)
    .map((line) => {
      const space = line.indexOf(' ');
      if (space < 0) return { synset: line.trim(), label: line.trim() };
      return { synset: line.slice(0, space), label: line.slice(space + 1).trim() };
    });
}

/** What a class is called when no label file is stored: `class <index>`, with no synset id. */
export function fallbackLabel(index: number): Label {
  return { synset: '', label: `class ${index}` };
}
