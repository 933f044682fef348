/**
 * User settings kept in the browser (localStorage): the optional online raster tile source
 * and which overlays are shown. Defaults work with no internet: no online tiles. Sensors,
 * detection rays and the coverage area are off by default (issue 17: thousands of microphone
 * rings and rays hid the threats); an operator turns them on in Settings, and the Sensors
 * panel lists the sensors that need attention either way.
 */

export interface Settings {
  /** Raster tile URL template ({z}/{x}/{y}); empty = offline base layer only. */
  tileUrl: string;
  /** Attribution the tile provider requires (shown in the map's attribution control). */
  tileAttribution: string;
  showDetections: boolean;
  showSensors: boolean;
  /** The area the working sensors cover, and the gaps of those not ok (issue 17). */
  showCoverage: boolean;
  showTrails: boolean;
  showUncertainty: boolean;
  showMunicipalities: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  tileUrl: '',
  tileAttribution: '',
  showDetections: false,
  showSensors: false,
  showCoverage: false,
  showTrails: true,
  showUncertainty: true,
  showMunicipalities: true,
};

const KEY = 'skywarden.settings';

export function loadSettings(): Settings {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return { ...DEFAULT_SETTINGS };
    const v = JSON.parse(raw) as Partial<Settings>;
    const s = { ...DEFAULT_SETTINGS };
    for (const k of Object.keys(DEFAULT_SETTINGS) as (keyof Settings)[]) {
      if (typeof v[k] === typeof DEFAULT_SETTINGS[k]) (s as Record<string, unknown>)[k] = v[k];
    }
    return s;
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export function saveSettings(s: Settings): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(s));
  } catch {
    /* private mode: settings last for this page only */
  }
}

/** Whether a tile URL template is usable: http(s) with {z}, {x} and {y}. */
export function validTileUrl(u: string): boolean {
  return /^https?:\/\//.test(u) && u.includes('{z}') && u.includes('{x}') && u.includes('{y}');
}
