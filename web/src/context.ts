import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api';
import type { Me } from './types';

/** What every page needs: the API client for the signed-in token and who that token is. */
export interface ConsoleContext {
  api: Api;
  me: Me;
}

/** Provided by the shell once signed in. */
export const Console = createContext<ConsoleContext | null>(null);

/** The console context; only used below the signed-in shell. */
export function useConsole(): ConsoleContext {
  const value = useContext(Console);
  if (!value) throw new Error('useConsole outside the signed-in console');
  return value;
}
