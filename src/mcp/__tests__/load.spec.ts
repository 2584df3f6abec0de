/**
 * Keep the data: the proposed cell that loads a saved result, a DataFrame where tabular.
 */
import { loadCellSource, resourceData, tabularShape, toolResultData } from '../load';
import { promptArguments, promptCommandName } from '../prompts';
import { recordedAcquire } from './transport';

describe('loadCellSource', () => {
  it('loads a spectrum as a DataFrame of its equal-length columns, the rest as attrs', () => {
    const { result } = recordedAcquire();
    const source = loadCellSource({
      path: 'lab/mcp-data/uvvis/acquire_spectrum-20261202T170106000Z.json',
      notebookPath: 'lab/melting.ipynb',
      server: 'uvvis',
      stem: 'acquire_spectrum',
      ...toolResultData(result)
    });
    expect(source).toContain('with open("mcp-data/uvvis/acquire_spectrum-20261202T170106000Z.json", encoding="utf-8")');
    expect(source).toContain('acquire_spectrum = acquire_spectrum_record["result"]["structuredContent"]');
    expect(source).toContain(
      'acquire_spectrum_df = pd.DataFrame({column: acquire_spectrum[column] for column in ["wavelength_nm", "absorbance"]})'
    );
    expect(source.split('\n').pop()).toBe('acquire_spectrum_df');
  });

  it('loads a list of records as a DataFrame, and a JSON text block through json.loads', () => {
    const result = { content: [{ type: 'text', text: '[{"pv": "T1", "value": 4.2}, {"pv": "T2", "value": 4.3}]' }] };
    const data = toolResultData(result);
    expect(data).toMatchObject({ access: '["result"]["content"][0]["text"]', parse: true });
    const source = loadCellSource({
      path: 'mcp-data/epics/caget-1.json',
      notebookPath: 'a.ipynb',
      server: 'epics',
      stem: 'caget',
      ...data
    });
    expect(source).toContain('caget = json.loads(caget_record["result"]["content"][0]["text"])');
    expect(source).toContain('caget_df = pd.DataFrame(caget)');
  });

  it('loads what is not tabular as it is, without pandas', () => {
    const data = resourceData([{ text: '{"calibrated_at": "2026-11-02", "lines_nm": {"expected": [241.1]}}' }]);
    const source = loadCellSource({
      path: 'mcp-data/uvvis/resource-calibration-1.json',
      notebookPath: 'n.ipynb',
      server: 'uvvis',
      stem: 'resource-calibration',
      ...data
    });
    expect(source).not.toContain('pandas');
    expect(source).toContain('resource_calibration = json.loads(resource_calibration_record["contents"][0]["text"])');
  });

  it('sees tables only in columns of one length or in lists of records', () => {
    expect(tabularShape({ a: [1, 2], b: [3, 4], c: [1] })).toEqual({ kind: 'columns', columns: ['a', 'b'] });
    expect(tabularShape([{ a: 1 }])).toEqual({ kind: 'records' });
    expect(tabularShape({ a: 1 })).toBeNull();
    expect(tabularShape([1, 2])).toBeNull();
  });
});

describe('MCP prompts as commands', () => {
  const prompt = {
    name: 'melting_curve',
    arguments: [{ name: 'start_c' }, { name: 'end_c' }, { name: 'step_c' }, { name: 'sample', required: true }]
  };

  it('is named server:prompt', () => {
    expect(promptCommandName('uvvis', 'melting_curve')).toBe('uvvis:melting_curve');
    expect(promptCommandName('lab epics', 'get pv')).toBe('lab_epics:get_pv');
  });

  it('takes name=value pairs and values in order', () => {
    expect(promptArguments(prompt, 'sample="DNA 20-mer" 30 80 step_c=5')).toEqual({
      sample: 'DNA 20-mer',
      start_c: '30',
      end_c: '80',
      step_c: '5'
    });
  });

  it('says which required argument is missing', () => {
    expect(() => promptArguments(prompt, '30 80 5')).toThrow('needs: sample');
  });
});
