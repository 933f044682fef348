/** Settings dialog: online raster tiles (URL template and attribution) and overlay toggles. */
import { $, show, toast } from './dom.js';
import { saveSettings, validTileUrl, type Settings } from './settings.js';
import { t } from './i18n.js';

export function bindSettingsPanel(settings: Settings, apply: (s: Settings, reloadStyle: boolean) => void): void {
  const dlg = $('settings');
  const url = $('set-tile-url') as HTMLInputElement;
  const attr = $('set-tile-attr') as HTMLInputElement;
  const boxes: [keyof Settings, string][] = [
    ['showDetections', 'set-detections'], ['showSensors', 'set-sensors'], ['showCoverage', 'set-coverage'], ['showTrails', 'set-trails'],
    ['showUncertainty', 'set-uncertainty'], ['showMunicipalities', 'set-municipalities'],
  ];
  const fill = () => {
    url.value = settings.tileUrl;
    attr.value = settings.tileAttribution;
    for (const [k, id] of boxes) ($(id) as HTMLInputElement).checked = settings[k] as boolean;
  };
  $('btn-settings').addEventListener('click', () => {
    fill();
    show(dlg, true);
  });
  $('settings-cancel').addEventListener('click', () => show(dlg, false));
  $('settings-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const u = url.value.trim();
    if (u !== '' && !validTileUrl(u)) {
      toast(t('settings.bad_url'), 'error');
      return;
    }
    if (u !== '' && attr.value.trim() === '') {
      toast(t('settings.need_attr'), 'error');
      return;
    }
    const reload = u !== settings.tileUrl || attr.value.trim() !== settings.tileAttribution;
    settings.tileUrl = u;
    settings.tileAttribution = attr.value.trim();
    for (const [k, id] of boxes) (settings as unknown as Record<string, boolean>)[k] = ($(id) as HTMLInputElement).checked;
    saveSettings(settings);
    show(dlg, false);
    apply(settings, reload);
  });
}
