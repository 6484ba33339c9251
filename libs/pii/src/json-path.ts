/** One step of a JSON field path: a key, an array index, or a wildcard (`*` any key, `[*]` any index). */
export type PathStep = string | number | { wildcard: 'key' | 'index' };

/**
 * Parses `$.a.b[0]["odd key"].*[*]`. Written by hand because the syntax is ours and tiny, and a scanner with
 * indexOf stays linear on hostile input (a regular expression for it was polynomial). Returns null when the
 * path is not well formed.
 */
export function parsePath(path: string): PathStep[] | null {
  if (path[0] !== '$') return null;
  const out: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const name = path.slice(i + 1, j);
      out.push(name === '*' ? { wildcard: 'key' } : name);
      i = j;
    } else if (c === '[') {
      if (path[i + 1] === '"') {
        // JSON string: find the closing quote that is not escaped.
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        if (path[j + 1] !== ']') return null;
        try {
          out.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
        } catch {
          return null;
        }
        i = j + 2;
      } else {
        const close = path.indexOf(']', i);
        if (close < 0) return null;
        const inner = path.slice(i + 1, close);
        if (inner === '*') out.push({ wildcard: 'index' });
        else if (inner.length > 0 && inner.length < 10 && [...inner].every((d) => d >= '0' && d <= '9')) out.push(Number(inner));
        else return null;
        i = close + 1;
      }
    } else return null;
  }
  return out;
}
