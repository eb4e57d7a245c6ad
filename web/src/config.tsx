/** The server's settings (GET /api/config), loaded once for every page. */
import { createContext, useContext } from 'react';
import type { UiConfig } from './types';

export const ConfigContext = createContext<UiConfig>({ namespace: null, datastore: '', version: '' });

export function useConfig(): UiConfig {
  return useContext(ConfigContext);
}
