// Flow revisions as read from the database, kept in memory by flow and number. A revision never changes
// once stored (every save is a new one), so a cached copy is never stale, on this API instance or any
// other: only the flow row says which revision is latest or published, and that is always read from
// the database. Bounded by the definitions' total length (a definition may be a few megabytes), least
// recently used first out.
import type { FlowRevisionRecord } from './flow-store';

/** Definition text kept at most (UTF-16 code units, so about twice as many bytes). */
const DEFAULT_MAX_DEFINITION_CHARS = 16 * 1024 * 1024;

export class RevisionCache {
  /** In least-recently-used order: a Map iterates in insertion order, and a hit is re-inserted. */
  private readonly entries = new Map<string, FlowRevisionRecord>();
  private definitionChars = 0;

  constructor(private readonly maxDefinitionChars = DEFAULT_MAX_DEFINITION_CHARS) {}

  get(flowSid: string, revision: number): FlowRevisionRecord | undefined {
    const key = cacheKey(flowSid, revision);
    const record = this.entries.get(key);
    if (record) {
      this.entries.delete(key);
      this.entries.set(key, record);
    }
    return record;
  }

  set(record: FlowRevisionRecord): void {
    const key = cacheKey(record.flowSid, record.revision);
    if (this.entries.has(key) || record.definition.length > this.maxDefinitionChars) return;
    this.entries.set(key, record);
    this.definitionChars += record.definition.length;
    for (const [oldKey, old] of this.entries) {
      if (this.definitionChars <= this.maxDefinitionChars) break;
      this.entries.delete(oldKey);
      this.definitionChars -= old.definition.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

function cacheKey(flowSid: string, revision: number): string {
  return `${flowSid}/${revision}`;
}
