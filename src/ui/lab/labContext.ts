/** The Lab page's stores and actions, for every component under it. */
import { createContext, useContext } from 'react';
import type { LabStores } from '../../store';
import type { LabActions } from './actions';

export interface LabEnv {
  stores: LabStores;
  actions: LabActions;
}

export const LabContext = createContext<LabEnv | null>(null);

export function useLab(): LabEnv {
  const env = useContext(LabContext);
  if (!env) throw new Error('A Lab component was rendered outside the Lab page (no LabContext).');
  return env;
}
