// RFC 2136 UPDATE messages: zone, prerequisites, then deletions before additions.
import { CLASS_ANY, CLASS_IN, CLASS_NONE, OPCODE_UPDATE } from './constants.js';
import { encodeMessage, newHeader, type MessageRecord } from './message.js';
import { normalizeName, parseCanonicalName } from './name.js';
import type { ResourceRecord } from './record.js';

export type Prerequisite =
  /** RFC 2136 2.4.2, value dependent (TTL 0 on the wire); with no records it is rrsetAbsent. */
  | { kind: 'rrsetExactly'; name: string; type: string; records: ResourceRecord[] }
  /** 2.4.3 */
  | { kind: 'rrsetAbsent'; name: string; type: string };

export type Deletion =
  { kind: 'rrset'; name: string; type: string } | { kind: 'record'; record: ResourceRecord };

export interface UpdateRequest {
  zone: string;
  prerequisites: Prerequisite[];
  deletions: Deletion[];
  additions: ResourceRecord[];
}

/** An UPDATE without TSIG. Record names and data must be canonical; the zone may be written loosely. */
export function encodeUpdate(request: UpdateRequest, id: number): Buffer {
  return encodeMessage({
    header: newHeader({ id, opcode: OPCODE_UPDATE }),
    questions: [{ name: normalizeName(request.zone), type: 'SOA', class: CLASS_IN }],
    answers: request.prerequisites.flatMap(prerequisiteRecords),
    authority: [
      ...request.deletions.map(deletionRecord),
      ...request.additions.map((record) => wireRecord(record, CLASS_IN, record.ttl)),
    ],
    additional: [],
  });
}

function prerequisiteRecords(prerequisite: Prerequisite): MessageRecord[] {
  parseCanonicalName(prerequisite.name);
  if (prerequisite.kind === 'rrsetAbsent' || prerequisite.records.length === 0) {
    return [{ name: prerequisite.name, type: prerequisite.type, class: CLASS_NONE, ttl: 0, data: '' }];
  }
  return prerequisite.records.map((record) => {
    if (record.name !== prerequisite.name || record.type !== prerequisite.type) {
      throw new Error(
        `prerequisite ${prerequisite.name} ${prerequisite.type} lists a record of ${record.name} ${record.type}`,
      );
    }
    return wireRecord(record, CLASS_IN, 0);
  });
}

function deletionRecord(deletion: Deletion): MessageRecord {
  if (deletion.kind === 'record') return wireRecord(deletion.record, CLASS_NONE, 0);
  parseCanonicalName(deletion.name);
  return { name: deletion.name, type: deletion.type, class: CLASS_ANY, ttl: 0, data: '' };
}

function wireRecord(record: ResourceRecord, recordClass: number, ttl: number): MessageRecord {
  parseCanonicalName(record.name);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 0x7fffffff) {
    throw new Error(`record ${record.name} ${record.type}: TTL ${ttl} is not a number of seconds`);
  }
  if (record.data === '') throw new Error(`record ${record.name} ${record.type} has no data`);
  return { name: record.name, type: record.type, class: recordClass, ttl, data: record.data };
}
