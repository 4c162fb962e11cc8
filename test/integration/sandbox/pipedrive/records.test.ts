import { startPipedrive, V2, type Started } from './helpers';

interface Row {
  id: number;
  update_time: string;
  is_deleted: boolean;
  emails?: { value: string; primary: boolean; label: string }[];
}

async function listAll(s: Started, path: string, limit: number): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await s.call(
      'GET',
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status).toBe(200);
    expect(res.json.data.length).toBeLessThanOrEqual(limit);
    rows.push(...(res.json.data as Row[]));
    cursor = res.json.additional_data.next_cursor as string | null;
    if (!cursor) return rows;
  }
  throw new Error(`paging ${path} never ended`);
}

describe('pipedrive sandbox: v2 persons and deals', () => {
  let s: Started;
  beforeAll(async () => {
    s = await startPipedrive({ persons: 53, deals: 29 }, { burstLimit: 100_000 });
  });
  afterAll(async () => {
    await s.live.close();
  });

  it.each([7, 13, 500])('pages persons to the end at limit %i, each once', async (limit) => {
    const rows = await listAll(s, `${V2}/persons`, limit);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));
  });

  it('pages by update_time through ties without skipping or repeating', async () => {
    const rows = await listAll(s, `${V2}/deals?sort_by=update_time`, 4);
    expect(new Set(rows.map((r) => r.id)).size).toBe(29);
    const times = rows.map((r) => r.update_time);
    expect([...times].sort()).toEqual(times);
    // The seed has clusters of equal timestamps, so a `>` restart would lose rows.
    expect(new Set(times).size).toBeLessThan(times.length);
    const desc = await listAll(s, `${V2}/deals?sort_by=update_time&sort_direction=desc`, 5);
    expect(desc.map((r) => r.id)).toEqual([...rows].reverse().map((r) => r.id));
  });

  it('takes up to 100 ids, omits unknown ones, refuses more', async () => {
    const some = await s.call('GET', `${V2}/persons?ids=3,5,999999`);
    expect(some.json.data.map((r: Row) => r.id)).toEqual([3, 5]);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1).join(',');
    expect((await s.call('GET', `${V2}/persons?ids=${hundred}&limit=500`)).json.data).toHaveLength(53);
    const tooMany = await s.call('GET', `${V2}/persons?ids=${hundred},101`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.json).toMatchObject({ success: false, data: null });
    expect(tooMany.json.error).toMatch(/ids: at most 100 ids, got 101/);
  });

  it('treats updated_since as inclusive and updated_until as exclusive', async () => {
    const all = await listAll(s, `${V2}/persons?sort_by=update_time`, 500);
    const pivot = all[20]?.update_time as string;
    const since = await listAll(s, `${V2}/persons?updated_since=${pivot}`, 500);
    const until = await listAll(s, `${V2}/persons?updated_until=${pivot}`, 500);
    expect(since.every((r) => r.update_time >= pivot)).toBe(true);
    expect(since.some((r) => r.update_time === pivot)).toBe(true);
    expect(until.every((r) => r.update_time < pivot)).toBe(true);
    expect(since.length + until.length).toBe(53);
    expect((await s.call('GET', `${V2}/persons?updated_since=yesterday`)).status).toBe(400);
  });

  it('creates, reads, PATCHes (whole emails array replaced) and deletes a person', async () => {
    const created = await s.call('POST', `${V2}/persons`, {
      body: {
        name: 'Ada Lovelace',
        emails: [
          { value: 'ada@work.example', primary: true, label: 'work' },
          { value: 'ada@home.example', primary: false, label: 'home' },
        ],
      },
    });
    expect(created.status).toBe(201);
    const id = created.json.data.id as number;
    expect(created.json.data).toMatchObject({
      name: 'Ada Lovelace',
      is_deleted: false,
      owner_id: s.server.org().state.userId,
    });
    const patched = await s.call('PATCH', `${V2}/persons/${id}`, {
      body: { emails: [{ value: 'ada@new.example' }] },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.data.emails).toEqual([{ value: 'ada@new.example', primary: true, label: 'work' }]);
    expect(patched.json.data.name).toBe('Ada Lovelace');
    const deleted = await s.call('DELETE', `${V2}/persons/${id}`);
    expect(deleted.json).toEqual({ success: true, data: { id } });
    // Gone from lists, still readable (is_deleted) until purged, not editable.
    expect((await s.call('GET', `${V2}/persons?ids=${id}`)).json.data).toEqual([]);
    expect((await s.call('GET', `${V2}/persons/${id}`)).json.data.is_deleted).toBe(true);
    expect((await s.call('PATCH', `${V2}/persons/${id}`, { body: { name: 'x' } })).status).toBe(404);
    expect((await s.call('DELETE', `${V2}/persons/${id}`)).status).toBe(404);
  });

  it('derives first and last name from the name a write sets', async () => {
    const created = await s.call('POST', `${V2}/persons`, { body: { name: 'Ann Marie Lee' } });
    expect(created.json.data).toMatchObject({ first_name: 'Ann', last_name: 'Marie Lee' });
    const id = created.json.data.id as number;
    const renamed = await s.call('PATCH', `${V2}/persons/${id}`, { body: { name: 'Bo' } });
    expect(renamed.json.data).toMatchObject({ name: 'Bo', first_name: 'Bo', last_name: null });
  });

  it('takes add_time on create (a backfilled record) but not on update', async () => {
    const created = await s.call('POST', `${V2}/persons`, {
      body: { name: 'Old Timer', add_time: '2020-02-03 04:05:06' },
    });
    expect(created.json.data.add_time).toBe('2020-02-03T04:05:06Z');
    const id = created.json.data.id as number;
    expect(
      (await s.call('PATCH', `${V2}/persons/${id}`, { body: { add_time: '2021-01-01T00:00:00Z' } })).status,
    ).toBe(400);
    expect(
      (await s.call('POST', `${V2}/deals`, { body: { title: 't', add_time: 'last week' } })).status,
    ).toBe(400);
  });

  it('lists deleted deals under status=deleted for 30 days, then purges them', async () => {
    const created = await s.call('POST', `${V2}/deals`, {
      body: { title: 'Doomed', value: 10, currency: 'EUR' },
    });
    const id = created.json.data.id as number;
    expect(created.json.data).toMatchObject({ status: 'open', pipeline_id: 1, stage_id: 1 });
    await s.call('DELETE', `${V2}/deals/${id}`);
    expect((await s.call('GET', `${V2}/deals?ids=${id}`)).json.data).toEqual([]);
    const deleted = await s.call('GET', `${V2}/deals?status=deleted&ids=${id}`);
    expect(deleted.json.data).toMatchObject([{ id, is_deleted: true }]);
    s.server.org().clock.advance(30 * 24 * 3600_000 + 1000);
    try {
      expect((await s.call('GET', `${V2}/deals?status=deleted&ids=${id}`)).json.data).toEqual([]);
      expect((await s.call('GET', `${V2}/deals/${id}`)).status).toBe(404);
    } finally {
      s.server.org().clock.setOffset(0);
    }
  });

  it('stamps won/lost times, keeps stages inside their pipeline, and refuses a lost reason on an open deal', async () => {
    const deal = (await s.call('POST', `${V2}/deals`, { body: { title: 'Stage test', pipeline_id: 2 } })).json
      .data;
    expect(deal.stage_id).toBe(5);
    const won = await s.call('PATCH', `${V2}/deals/${deal.id as number}`, { body: { status: 'won' } });
    expect(won.json.data.won_time).toEqual(won.json.data.close_time);
    expect(won.json.data.won_time).not.toBeNull();
    const bad = await s.call('PATCH', `${V2}/deals/${deal.id as number}`, {
      body: { stage_id: 1, pipeline_id: 2 },
    });
    expect(bad.status).toBe(400);
    const reason = await s.call('PATCH', `${V2}/deals/${deal.id as number}`, {
      body: { lost_reason: 'Price' },
    });
    expect(reason.status).toBe(400);
    const lost = await s.call('PATCH', `${V2}/deals/${deal.id as number}`, {
      body: { status: 'lost', lost_reason: 'Price' },
    });
    expect(lost.json.data).toMatchObject({ status: 'lost', won_time: null, lost_reason: 'Price' });
  });

  it('refuses bad bodies with the validation error shape', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /name: Parameter is required/],
      [{ name: 'x', nickname: 'y' }, /"nickname" is not a property of person/],
      [{ name: 42 }, /name: expected a string/],
      [{ name: 'x', emails: 'a@b.c' }, /emails: expected an array/],
      [{ name: 'x', owner_id: 1 }, /owner_id: expected a user id/],
      [[1, 2], /must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await s.call('POST', `${V2}/persons`, { body });
      expect(res.status).toBe(400);
      expect(res.json.success).toBe(false);
      expect(res.json.error_info).toMatch(/developers\.pipedrive\.com/);
      expect(res.json.error).toMatch(message);
    }
  });

  it('survives hostile ids, cursors, limits and bodies with Pipedrive error bodies', async () => {
    for (const id of ['-1', '0', '1e3', 'abc', '%20', '1.5', '99999999999999999999', "1'--"]) {
      const res = await s.call('GET', `${V2}/persons/${id}`);
      expect(res.status).toBe(400);
      expect(res.json.success).toBe(false);
    }
    expect((await s.call('GET', `${V2}/persons/987654`)).json.error).toBe('Person not found');
    const personCursor = (await s.call('GET', `${V2}/persons?limit=2`)).json.additional_data
      .next_cursor as string;
    for (const cursor of ['garbage', Buffer.from('{"v":"x"}').toString('base64url'), personCursor]) {
      const res = await s.call('GET', `${V2}/deals?sort_by=update_time&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(/Invalid cursor/);
    }
    for (const limit of ['0', '501', '-5', 'ten', '2.5'])
      expect((await s.call('GET', `${V2}/persons?limit=${limit}`)).status).toBe(400);
    const malformed = await s.call('POST', `${V2}/persons`, { body: '{"name":' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.success).toBe(false);
    const huge = await s.call('POST', `${V2}/persons`, { body: { name: 'x'.repeat(2 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
    expect(huge.json).toMatchObject({ success: false, data: null });
    const unknownRoute = await s.call('GET', `${V2}/nothing-here`);
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.json.success).toBe(false);
    // Still serving after all that.
    expect((await s.call('GET', `${V2}/persons/1`)).status).toBe(200);
  });

  it('shows deleted persons to v1 recents with active_flag false', async () => {
    const id = (await s.call('POST', `${V2}/persons`, { body: { name: 'Recent Person' } })).json.data
      .id as number;
    await s.call('DELETE', `${V2}/persons/${id}`);
    const since = new Date(s.server.org().now() - 60_000).toISOString().slice(0, 19).replace('T', ' ');
    const res = await s.call('GET', `/v1/recents?since_timestamp=${encodeURIComponent(since)}&items=person`);
    expect(res.status).toBe(200);
    const row = (res.json.data as { item: string; id: number; data: Record<string, unknown> }[]).find(
      (r) => r.id === id,
    );
    expect(row).toMatchObject({ item: 'person', data: { active_flag: false, name: 'Recent Person' } });
    expect(res.json.additional_data.pagination).toMatchObject({ start: 0, more_items_in_collection: false });
    expect((await s.call('GET', '/v1/recents?since_timestamp=2024-13-99')).status).toBe(400);
  });

  it('still answers legacy v1 person and deal reads with offset paging and v1 deal statuses', async () => {
    const page = await s.call('GET', '/v1/persons?start=0&limit=5');
    expect(page.json.data).toHaveLength(5);
    expect(page.json.data[0]).toMatchObject({
      id: 1,
      active_flag: true,
      owner_id: { id: expect.any(Number) },
    });
    expect(page.json.additional_data.pagination).toMatchObject({
      start: 0,
      limit: 5,
      more_items_in_collection: true,
      next_start: 5,
    });
    const one = await s.call('GET', '/v1/deals/2');
    expect(one.json.data).toMatchObject({ id: 2, deleted: false });
    await s.call('DELETE', `${V2}/deals/3`);
    const deleted = await s.call('GET', '/v1/deals?status=deleted&limit=500');
    expect(deleted.json.data).toContainEqual(
      expect.objectContaining({ id: 3, deleted: true, status: 'deleted' }),
    );
    expect((deleted.json.data as { deleted: boolean }[]).every((d) => d.deleted)).toBe(true);
    const live = await s.call('GET', '/v1/deals?limit=500');
    expect((live.json.data as { id: number }[]).map((d) => d.id)).not.toContain(3);
    expect((await s.call('GET', '/v1/deals?status=archived')).status).toBe(400);
  });

  it('merges two persons: deals move to the survivor, the other is deleted', async () => {
    const a = (
      await s.call('POST', `${V2}/persons`, { body: { name: 'Dup A', emails: [{ value: 'a@dup.example' }] } })
    ).json.data;
    const b = (
      await s.call('POST', `${V2}/persons`, { body: { name: 'Dup B', emails: [{ value: 'b@dup.example' }] } })
    ).json.data;
    const deal = (
      await s.call('POST', `${V2}/deals`, { body: { title: 'Dup deal', person_id: a.id as number } })
    ).json.data;
    const merged = await s.call('PUT', `/v1/persons/${a.id as number}/merge`, {
      body: { merge_with_id: b.id as number },
    });
    expect(merged.status).toBe(200);
    expect((await s.call('GET', `${V2}/persons/${a.id as number}`)).json.data.is_deleted).toBe(true);
    const survivor = (await s.call('GET', `${V2}/persons/${b.id as number}`)).json.data;
    expect(survivor.emails.map((e: { value: string }) => e.value)).toEqual([
      'b@dup.example',
      'a@dup.example',
    ]);
    expect((await s.call('GET', `${V2}/deals/${deal.id as number}`)).json.data.person_id).toBe(b.id);
  });
});
