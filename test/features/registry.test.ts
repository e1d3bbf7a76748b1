import { describe, expect, it } from 'vitest';
import { FeatureRegistry } from '../../src/features/FeatureRegistry.js';
import type { FeatureGroupSpec } from '../../src/features/types.js';
import { groupSpecFromSchema } from '../../src/features/validateGroupSpec.js';
import { openProjectDb } from '../../src/state/openProjectDb.js';
import { rejectionOf } from '../support/errors.js';

const base: FeatureGroupSpec = {
  name: 'patients',
  recordIdentifier: 'patient_id',
  eventTime: 'event_time',
  features: [
    { name: 'patient_id', type: 'integral' },
    { name: 'event_time', type: 'timestamp' },
    { name: 'age', type: 'string' },
    { name: 'num_procedures', type: 'integral' },
  ],
  description: 'patient features',
  tags: { team: 'care' },
  ttlSeconds: 86400,
};

describe('feature group registry', () => {
  it('creates, lists and reads back a group with its history', async () => {
    const reg = new FeatureRegistry(openProjectDb(':memory:'));
    const g = await reg.create(base, new Date('2024-01-01T00:00:00Z'));
    expect(g).toMatchObject({
      name: 'patients',
      recordIdentifier: 'patient_id',
      eventTime: 'event_time',
      version: 1,
      tags: { team: 'care' },
      ttlSeconds: 86400,
    });
    expect(g.features.map((f) => f.name)).toEqual(['patient_id', 'event_time', 'age', 'num_procedures']);
    expect(g.history).toEqual([{ version: 1, kind: 'created', at: '2024-01-01T00:00:00.000Z', features: base.features }]);
    expect((await reg.list()).map((x) => x.name)).toEqual(['patients']);
    expect((await rejectionOf(() => reg.create(base))).code).toBe('FEATURE_GROUP_EXISTS');
    const nf = await rejectionOf(() => reg.get('nope'));
    expect(nf.code).toBe('FEATURE_GROUP_NOT_FOUND');
    expect(nf.httpStatus).toBe(404);
    expect(nf.hint).toContain('patients');
  });

  it('refuses reserved names, missing id or event time, bad types and names', async () => {
    const reg = new FeatureRegistry(openProjectDb(':memory:'));
    const with_ = (over: Partial<FeatureGroupSpec>) => ({ ...base, ...over });
    const cases: Array<[Partial<FeatureGroupSpec>, string, string]> = [
      [{ features: [...base.features, { name: 'write_time', type: 'timestamp' }] }, 'FEATURE_NAME_RESERVED', 'features[4].name'],
      [{ features: [...base.features, { name: 'IS_DELETED', type: 'boolean' }] }, 'FEATURE_NAME_RESERVED', 'features[4].name'],
      [{ features: [...base.features, { name: 'api_invocation_time', type: 'timestamp' }] }, 'FEATURE_NAME_RESERVED', 'features[4].name'],
      // A record is an object keyed by feature: a feature named __proto__ would lose its values.
      [{ features: [...base.features, { name: '__proto__', type: 'string' }] }, 'FEATURE_NAME_RESERVED', 'features[4].name'],
      [{ recordIdentifier: 'id' }, 'FEATURE_GROUP_ID_MISSING', 'recordIdentifier'],
      [{ eventTime: 'when' }, 'FEATURE_GROUP_EVENT_TIME_MISSING', 'eventTime'],
      [{ recordIdentifier: 'event_time' }, 'FEATURE_GROUP_ID_TYPE', 'recordIdentifier'],
      [{ eventTime: 'age' }, 'FEATURE_GROUP_EVENT_TIME_TYPE', 'eventTime'],
      [{ features: [...base.features, { name: 'Age', type: 'string' }] }, 'FEATURE_NAME_DUPLICATE', 'features[4].name'],
      [{ features: [...base.features, { name: 'x', type: 'decimal' as never }] }, 'FEATURE_TYPE_UNKNOWN', 'features[4].type'],
      [{ name: 'bad name' }, 'FEATURE_GROUP_NAME_INVALID', 'name'],
      [{ name: 'x_latest' }, 'FEATURE_GROUP_NAME_INVALID', 'name'],
      [{ ttlSeconds: -5 }, 'FEATURE_GROUP_TTL_INVALID', 'ttlSeconds'],
    ];
    for (const [over, code, field] of cases) {
      const e = await rejectionOf(() => reg.create(with_(over)));
      expect([e.code, e.location?.field]).toEqual([code, field]);
      expect(e.hint).toBeTruthy();
    }
    expect(await reg.list()).toEqual([]);
  });

  it('adds features as a new recorded version and refuses a type change with an explanation', async () => {
    const reg = new FeatureRegistry(openProjectDb(':memory:'));
    await reg.create(base);
    const r = await reg.addFeatures('patients', [
      { name: 'age', type: 'string' },
      { name: 'num_visits', type: 'integral' },
    ]);
    expect(r.added).toEqual([{ name: 'num_visits', type: 'integral' }]);
    expect(r.unchanged.map((f) => f.name)).toEqual(['age']);
    expect(r.group.version).toBe(2);
    expect(r.group.features.at(-1)).toEqual({ name: 'num_visits', type: 'integral' });
    expect(r.group.history.map((h) => [h.version, h.kind])).toEqual([
      [1, 'created'],
      [2, 'features_added'],
    ]);
    const e = await rejectionOf(() => reg.addFeatures('patients', [{ name: 'num_procedures', type: 'fractional' }]));
    expect(e.code).toBe('FEATURE_TYPE_CHANGE');
    expect(e.message).toContain('offline history holds integral values');
    expect(e.hint).toContain('num_procedures_fractional');
    expect((await reg.get('patients')).version).toBe(2);
    expect((await rejectionOf(() => reg.addFeatures('patients', [{ name: 'write_time', type: 'timestamp' }]))).code).toBe('FEATURE_NAME_RESERVED');
    expect((await reg.addFeatures('patients', [{ name: 'age', type: 'string' }])).group.version).toBe(2);
  });

  it('derives a group from a table schema', () => {
    const spec = groupSpecFromSchema(
      [
        { name: 'id', type: 'integer' },
        { name: 'ts', type: 'string' },
        { name: 'score', type: 'float' },
        { name: 'flag', type: 'boolean' },
        { name: 'day', type: 'date' },
        { name: 'note', type: 'string' },
      ],
      { name: 'g', recordIdentifier: 'id', eventTime: 'ts', exclude: ['note'] },
    );
    expect(spec.features).toEqual([
      { name: 'id', type: 'integral' },
      { name: 'ts', type: 'timestamp' },
      { name: 'score', type: 'fractional' },
      { name: 'flag', type: 'boolean' },
      { name: 'day', type: 'timestamp' },
    ]);
  });
});
