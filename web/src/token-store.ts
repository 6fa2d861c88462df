const KEY = 'switchboard.console.token';

/**
 * Keeps the console token for this browser tab only (sessionStorage): it survives a reload, not
 * closing the tab, and is never put in a URL.
 */
export const tokenStore = {
  read(): string | null {
    try {
      return sessionStorage.getItem(KEY);
    } catch {
      return null;
    }
  },
  write(token: string): void {
    try {
      sessionStorage.setItem(KEY, token);
    } catch {
      // storage disabled: the token lives in memory only
    }
  },
  clear(): void {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // nothing stored
    }
  },
};
