// The conformance corpus: real Studio flows from public repositories (../shared/studio-flows, see its
// README). They are other people's data, read here at run time and never copied into this repository;
// in a clone without that folder these tests are skipped with a warning.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDefinition, validateDefinition, type ValidationIssue } from '../../workflows/engine/validate';
import { WIDGET_CATALOGUE } from '../../workflows/engine/widget-catalogue';

const CORPUS = path.resolve(__dirname, '../../../shared/studio-flows');
const corpusPresent = fs.existsSync(path.join(CORPUS, 'accepted', 'MANIFEST.tsv'));
if (!corpusPresent) {
  console.warn(`Skipping the Studio flow corpus tests: ${CORPUS} is not here (it lives beside the repository, not in it).`);
}
const describeCorpus = corpusPresent ? describe : describe.skip;

/** The kinds of warning an accepted flow may get: an unsupported (e.g. voice-only) widget, or a decision-13 tolerance. */
const UNSUPPORTED_WIDGET = /^Widget ".+" \([a-z0-9-]+\) is (voice-only|not supported): .+\. It is accepted, but an execution that reaches it ends\.$/;
const NUMBER_FOR_STRING = /: (integer|number) found, string expected; accepted as sent \(a number where Studio wants a string\)$/;

type ManifestRow = Record<string, string>;

function readManifest(folder: string): ManifestRow[] {
  const [header, ...lines] = fs.readFileSync(path.join(CORPUS, folder, 'MANIFEST.tsv'), 'utf8').split('\n').filter((line) => line.trim() !== '');
  const columns = header.split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(columns.map((column, index) => [column, cells[index] ?? '']));
  });
}

function readFlow(folder: string, file: string): unknown {
  const parsed = parseDefinition(fs.readFileSync(path.join(CORPUS, folder, file), 'utf8'));
  if (!parsed.ok) throw new Error(`${folder}/${file}: ${parsed.message}`);
  return parsed.definition;
}

function statesOf(definition: unknown): { name: string; type: string }[] {
  return (definition as { states: { name: string; type: string }[] }).states;
}

describeCorpus('Studio flow corpus', () => {
  const accepted = corpusPresent ? readManifest('accepted') : [];
  const refused = corpusPresent ? readManifest('refused') : [];

  it('lists every corpus file in its manifest', () => {
    for (const [folder, rows] of [['accepted', accepted], ['refused', refused]] as const) {
      const files = fs.readdirSync(path.join(CORPUS, folder)).filter((file) => file.endsWith('.json')).sort();
      expect(rows.map((row) => row.file).sort()).toEqual(files);
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
  });

  describe('accepted flows: no errors; warnings only for unsupported widgets and decision-13 tolerances', () => {
    for (const row of accepted) {
      it(row.file, () => {
        const definition = readFlow('accepted', row.file);
        const before = JSON.stringify(definition);
        const result = validateDefinition(definition);

        expect(result.errors).toEqual([]);
        expect(result.valid).toBe(true);
        const unexpected = result.warnings.filter((warning) => !UNSUPPORTED_WIDGET.test(warning.message) && !NUMBER_FOR_STRING.test(warning.message));
        expect(unexpected).toEqual([]);

        // Every widget the engine cannot run is named in a warning (DESIGN.md decision 11), and only those.
        const unsupported = statesOf(definition).filter((state) => WIDGET_CATALOGUE[state.type]?.unsupported !== undefined);
        const named = result.warnings.filter((warning: ValidationIssue) => UNSUPPORTED_WIDGET.test(warning.message));
        expect(named.map((warning) => warning.message.match(/^Widget "(.+)" \(/)?.[1]).sort()).toEqual(unsupported.map((state) => state.name).sort());

        // The manifest's widget types are all in the catalogue, and validation leaves the definition as it was.
        for (const type of row.widget_types.split(',')) expect(WIDGET_CATALOGUE[type]).toBeDefined();
        expect(JSON.stringify(definition)).toBe(before);
      });
    }
  });

  describe('refused flows: an error that says what the manifest expects', () => {
    for (const row of refused) {
      it(`${row.file} (${row.expected})`, () => {
        const result = validateDefinition(readFlow('refused', row.file));
        expect(result.valid).toBe(false);
        const errors = result.errors.map((error) => error.message);
        if (/pre-2019/.test(row.expected)) {
          // One clear error, not one per old widget.
          expect(errors).toHaveLength(1);
          expect(errors[0]).toMatch(/pre-2019 Studio export format/);
          expect(errors[0]).toMatch(/export it again/);
        } else {
          const missing = row.expected.match(/does not exist: (\S+)$/)?.[1];
          expect(missing).toBeDefined();
          expect(errors.some((error) => error.endsWith(`points to a state that does not exist: ${missing}`))).toBe(true);
        }
      });
    }
  });
});
