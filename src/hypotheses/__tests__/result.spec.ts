import { HYPOTHESIS_RESULT_MIME, readEvidence, resultFooter, testCellSource } from '../result';
import footerTemplate from '../footer.py';
import { errorOutput, evidence, hypothesis, resultOutput, streamOutput } from './fixtures';

const at = new Date('2025-05-01T11:00:00Z');

describe('testCellSource', () => {
  it("is Claude's code followed by the footer for this hypothesis", () => {
    const h = hypothesis();
    const source = testCellSource(h);
    expect(source.startsWith(h.test.code + '\n\n# jupyterlab-claude: report `result`')).toBe(true);
    expect(source.endsWith('_report_hypothesis_result(result, "h-3f9a1c")\n')).toBe(true);
  });

  it('writes the MIME type the reader looks for, and no placeholder', () => {
    const footer = resultFooter('h-00beef');
    expect(footer).toContain(`"${HYPOTHESIS_RESULT_MIME}": payload`);
    expect(footer).not.toContain('HYPOTHESIS_ID');
    expect(footer.split('\n')[0]).toMatch(/^# /);
    expect(footerTemplate).toContain('"HYPOTHESIS_ID"');
  });

  it('keeps the footer short enough to read', () => {
    expect(resultFooter('h-00beef').trim().split('\n').length).toBeLessThanOrEqual(40);
  });
});

describe('readEvidence', () => {
  it('has no result before the cell ran, or while it only printed', () => {
    expect(readEvidence([], 'h-3f9a1c')).toBeNull();
    expect(readEvidence([streamOutput('loading...\n')], 'h-3f9a1c')).toBeNull();
  });

  it('reads the bundle of its hypothesis', () => {
    const outputs = [streamOutput('6024 rows\n'), resultOutput()];
    // The fixture's evidence is what the fixture's result bundle reports, read at `at`.
    expect(readEvidence(outputs, 'h-3f9a1c', 7, at)).toEqual(evidence());
  });

  it('reads an execute_result bundle too', () => {
    expect(readEvidence([resultOutput({}, 'execute_result')], 'h-3f9a1c')?.pValue).toBe(0.001);
  });

  it('takes the last bundle of its hypothesis and ignores the others', () => {
    const outputs = [
      resultOutput({ p_value: 0.2 }),
      resultOutput({ hypothesis_id: 'h-999999', p_value: 0.0001 }),
      resultOutput({ p_value: 0.03 }),
      resultOutput({ hypothesis_id: 'h-999999', p_value: 0.5 })
    ];
    expect(readEvidence(outputs, 'h-3f9a1c')?.pValue).toBe(0.03);
    expect(readEvidence(outputs, 'h-999999')?.pValue).toBe(0.5);
    expect(readEvidence(outputs, 'h-000000')).toBeNull();
  });

  it('reads values the footer converted from numpy: plain numbers, null for NaN', () => {
    // np.float64(nan) and an empty interval, as the footer writes them.
    const outputs = [resultOutput({ statistic: null, p_value: null, effect_size: 0.0, ci: [null, null], n: 12 })];
    const e = readEvidence(outputs, 'h-3f9a1c')!;
    expect(e).toMatchObject({ statistic: null, pValue: null, effectSize: 0, ci: null, n: 12, error: null });
  });

  it('turns an error output into evidence of a failed test, with no numbers', () => {
    const outputs = [streamOutput('fitting...\n'), errorOutput('NameError', "name 'df' is not defined")];
    expect(readEvidence(outputs, 'h-3f9a1c', 3, at)).toEqual({
      statistic: null,
      pValue: null,
      effectSize: null,
      ci: null,
      ciLevel: null,
      n: null,
      error: "NameError: name 'df' is not defined",
      executionCount: 3,
      readAt: '2025-05-01T11:00:00.000Z'
    });
  });

  it('does not throw on a malformed bundle: wrong types read as missing', () => {
    const outputs = [
      resultOutput({
        statistic: '2.3',
        statistic_name: 42,
        p_value: '0.01',
        effect_size: { value: 3 },
        ci: [1],
        ci_level: 95,
        n: 'many'
      })
    ];
    const e = readEvidence(outputs, 'h-3f9a1c')!;
    expect(e).toMatchObject({ statistic: null, pValue: null, effectSize: null, ci: null, ciLevel: null, n: null });
    expect(e.statisticName).toBeUndefined();
  });

  it('treats a p-value outside [0, 1] or a missing p as no p-value', () => {
    expect(readEvidence([resultOutput({ p_value: 1.7 })], 'h-3f9a1c')?.pValue).toBeNull();
    const withoutP = resultOutput();
    delete (withoutP.data as any)[HYPOTHESIS_RESULT_MIME].p_value;
    expect(readEvidence([withoutP], 'h-3f9a1c')?.pValue).toBeNull();
  });

  it('ignores bundles that are not objects, and reads one stored as JSON text', () => {
    const broken = { output_type: 'display_data', metadata: {}, data: { [HYPOTHESIS_RESULT_MIME]: 'not json' } };
    const texty = {
      output_type: 'display_data',
      metadata: {},
      data: { [HYPOTHESIS_RESULT_MIME]: JSON.stringify({ hypothesis_id: 'h-3f9a1c', p_value: 0.02 }) }
    };
    expect(readEvidence([broken as any], 'h-3f9a1c')).toBeNull();
    expect(readEvidence([texty as any], 'h-3f9a1c')?.pValue).toBe(0.02);
  });
});
