// A company's deal participants (docs/vendors/pipedrive.md "Deal participants"): persons attached to a
// deal beside (and, by default, including) its contact person. Each attachment has its own id — the
// `deal_participant_id` a delete names — and remembers who added it and when.

export interface Participant {
  id: number;
  dealId: number;
  personId: number;
  /** Epoch ms, whole seconds. */
  addTime: number;
  addedBy: number;
}

export class ParticipantBook {
  private readonly rows = new Map<number, Participant>();
  private nextId = 1;

  /** The deal's participants in the order they were added. */
  ofDeal(dealId: number): Participant[] {
    return [...this.rows.values()].filter((p) => p.dealId === dealId);
  }

  find(dealId: number, personId: number): Participant | undefined {
    return this.ofDeal(dealId).find((p) => p.personId === personId);
  }

  get(id: number): Participant | undefined {
    return this.rows.get(id);
  }

  add(dealId: number, personId: number, addedBy: number, at: number): Participant {
    const row = { id: this.nextId++, dealId, personId, addTime: Math.floor(at / 1000) * 1000, addedBy };
    this.rows.set(row.id, row);
    return row;
  }

  remove(id: number): void {
    this.rows.delete(id);
  }

  /** A merge: the merged person's attachments pass to the survivor, once per deal. */
  reassign(fromPersonId: number, toPersonId: number): void {
    for (const row of [...this.rows.values()]) {
      if (row.personId !== fromPersonId) continue;
      if (this.find(row.dealId, toPersonId)) this.rows.delete(row.id);
      else row.personId = toPersonId;
    }
  }
}
