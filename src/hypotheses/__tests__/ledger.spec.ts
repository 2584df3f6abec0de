import type { IHypothesis } from '../tokens';
import { buildLedger, familySize, ledgerForClaude, ledgerToMarkdown } from '../ledger';
import { evidence, hypothesis } from './fixtures';

function tested(id: string, p: number | null, extra: Partial<IHypothesis> = {}): IHypothesis {
  return hypothesis({ id, status: 'supported', evidence: evidence({ pValue: p }), testCellId: `cell-${id}`, ...extra });
}

const options = { notebookPath: 'nls.ipynb', cellLabel: (id: string) => `cell ${id.replace('cell-', '#')}` };

describe('buildLedger', () => {
  it('corrects over the tests that reported a p-value, and only those', () => {
    const rows = buildLedger(
      [
        tested('h-000001', 0.01),
        hypothesis({ id: 'h-000002', status: 'accepted' }),
        tested('h-000003', null),
        tested('h-000004', null, { evidence: evidence({ error: 'ValueError: empty', pValue: null }) }),
        tested('h-000005', 0.02)
      ],
      'holm'
    );
    expect(familySize(rows)).toBe(2);
    expect(rows.map(r => r.adjustedP)).toEqual([0.02, null, null, null, 0.02]);
    expect(rows.map(r => r.correctedStatus)).toEqual([
      'supported',
      'accepted',
      'inconclusive',
      'not_tested',
      'supported'
    ]);
    expect(rows[1].reason).toBe('awaiting its test');
    expect(rows[3].reason).toBe('the test cell failed (ValueError: empty)');
  });

  it('counts a retired hypothesis whose test ran in the family', () => {
    const rows = buildLedger([tested('h-000001', 0.03), tested('h-000002', 0.5, { status: 'retired' })], 'holm');
    expect(familySize(rows)).toBe(2);
    expect(rows[0].adjustedP).toBeCloseTo(0.06, 12);
    expect(rows[0].correctedStatus).toBe('inconclusive');
    expect(rows[1].correctedStatus).toBe('retired');
  });

  it('lets the override win for display but not for the verdicts', () => {
    const override = { status: 'refuted' as const, note: 'Confounded by age.', at: '2025-05-02T09:00:00.000Z' };
    const [row] = buildLedger([tested('h-000001', 0.001, { override })], 'bh');
    expect(row).toMatchObject({ status: 'supported', correctedStatus: 'supported', effectiveStatus: 'refuted' });
  });

  it('refutes with the corrected p as well when the effect went the other way', () => {
    const h = tested('h-000001', 0.001, {
      evidence: evidence({ pValue: 0.001, effectSize: 20000, ci: [8000, 32000] })
    });
    const [row] = buildLedger([h, tested('h-000002', 0.6)], 'bh');
    expect(row.correctedStatus).toBe('refuted');
  });
});

describe('ledgerToMarkdown', () => {
  it('names the correction and the family size, and reports each hypothesis with its test cell', () => {
    const override = { status: 'inconclusive' as const, note: 'Top-coded\nwealth.', at: '2025-05-02T09:00:00.000Z' };
    const rows = buildLedger(
      [
        tested('h-000001', 0.001, { override, statementCellId: 'cell-s1' }),
        hypothesis({ id: 'h-000002', status: 'accepted' }),
        tested('h-000003', null, { evidence: evidence({ error: "KeyError: 'x'", pValue: null }) })
      ],
      'bh'
    );
    const md = ledgerToMarkdown(rows, 'bh', options);
    expect(md.startsWith('# Hypothesis ledger: nls.ipynb\n')).toBe(true);
    expect(md).toContain(
      'Correction for multiple testing: Benjamini–Hochberg adjustment, controlling the false discovery rate, ' +
        'over a family of 1 test that reported a p-value (of 3 hypotheses).'
    );
    expect(md).toContain('## 1. Respondents who were ever jailed had lower composite wealth in 1996.');
    expect(md).toContain('- **H0**: Mean 1996 wealth is the same for the ever jailed and the never jailed.');
    expect(md).toContain('- **Test**: Welch t-test, two-sided, alpha = 0.05, expected direction negative');
    expect(md).toContain(
      '- **Evidence**: t = -4.1, p = 0.001, adjusted p = 0.001, effect = -30000 (95% CI [-45000, -15000]), n = 6024'
    );
    expect(md).toContain("- **Scientist's override**: inconclusive (2025-05-02T09:00:00.000Z): Top-coded wealth.");
    expect(md).toContain('- **Test cell**: cell #h-000001 (id `cell-h-000001`) in `nls.ipynb`');
    expect(md).toContain('- **Statement cell**: cell #s1 (id `cell-s1`)');
    expect(md).toContain('- **Evidence**: no result yet');
    expect(md).toContain("- **Evidence**: the test cell failed: KeyError: 'x'");
    expect(md).toContain("- **Verdict (corrected)**: not_tested: the test cell failed (KeyError: 'x')");
  });
});

describe('ledgerForClaude', () => {
  it('gives every hypothesis with its id, status, evidence and corrected verdict', () => {
    const rows = buildLedger([tested('h-000001', 0.04), tested('h-000002', 0.3)], 'holm');
    const text = ledgerForClaude(rows, 'holm');
    expect(text).toBe(
      [
        'Hypothesis ledger: 2 hypotheses; 2 tests in the family; correction: Holm.',
        '- h-000001 [inconclusive] Respondents who were ever jailed had lower composite wealth in 1996.',
        '  test: Welch t-test, two-sided, alpha 0.05, expected negative; cell cell-h-000001',
        '  evidence: t = -4.1, p = 0.04, adjusted p = 0.08, effect = -30000 (95% CI [-45000, -15000]), n = 6024',
        '  verdict: raw supported, corrected inconclusive (supported at raw p = 0.04, but adjusted p = 0.08 > alpha = 0.05 (Holm))',
        '- h-000002 [inconclusive] Respondents who were ever jailed had lower composite wealth in 1996.',
        '  test: Welch t-test, two-sided, alpha 0.05, expected negative; cell cell-h-000002',
        '  evidence: t = -4.1, p = 0.3, adjusted p = 0.3, effect = -30000 (95% CI [-45000, -15000]), n = 6024',
        '  verdict: raw inconclusive, corrected inconclusive (adjusted p = 0.3 > alpha = 0.05)'
      ].join('\n')
    );
  });

  it('stays within about 8,000 characters, saying how many hypotheses it left out', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      tested(`h-${String(i).padStart(6, '0')}`, 0.01 + i / 100, { statement: 'A long statement. '.repeat(30) })
    );
    const text = ledgerForClaude(buildLedger(many, 'bh'), 'bh');
    expect(text.length).toBeLessThanOrEqual(8000);
    const shown = (text.match(/^- h-/gm) ?? []).length;
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(60);
    expect(text.endsWith(`(${60 - shown} more hypotheses not shown: ask for one by id.)`)).toBe(true);
  });
});
