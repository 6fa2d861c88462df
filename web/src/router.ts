import { useEffect, useState } from 'preact/hooks';

/** A parsed location: `#/runs/01H…?state=running` → `['runs', '01H…']` and the query. */
export interface Route {
  parts: string[];
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = raw.split('?');
  return {
    parts: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  };
}

/** The current hash route, updated on navigation. Hash routing keeps every page on `/`. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Builds a hash link, e.g. `href('runs', id)`. */
export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}

/** Goes to a hash route. */
export function navigate(to: string): void {
  location.hash = to.startsWith('#') ? to : `#${to}`;
}
