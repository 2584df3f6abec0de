import { InlineStyle } from '../inlinestyle';

describe('InlineStyle', () => {
  it('keeps a style that fetches nothing as it is', () => {
    expect(InlineStyle.clean('color: red; font-weight: bold')).toBe('color: red; font-weight: bold');
  });

  it('drops only the declarations that fetch', () => {
    expect(InlineStyle.clean('color: red; background-image: url(http://attacker/x?d=1); margin: 0')).toBe(
      'color: red; margin: 0'
    );
  });

  it('sees through CSS escapes and comments', () => {
    expect(InlineStyle.clean('background: \\75 rl(http://attacker/x)')).toBeNull();
    expect(InlineStyle.clean('background: u/**/rl(http://attacker/x)')).toBeNull();
    expect(InlineStyle.decode('\\75 rl(')).toBe('url(');
  });

  it('splits on semicolons outside strings and parentheses only', () => {
    expect(InlineStyle.declarations("content: 'a;b'; color: red")).toEqual(["content: 'a;b'", ' color: red']);
    expect(InlineStyle.declarations('background: image-set("a.png" 1x; "b.png" 2x)')).toHaveLength(1);
  });

  it('tells a reference inside the document from one to another document', () => {
    expect(InlineStyle.pointsElsewhere('url(#gradient)')).toBe(false);
    expect(InlineStyle.pointsElsewhere('url(http://attacker/filter.svg#f)')).toBe(true);
    expect(InlineStyle.pointsElsewhere('red')).toBe(false);
  });
});
