/**
 * Track and sensor symbology: how a class label, an affiliation and a status become a
 * shape and a colour on the map. Pure (no DOM), so the map layers and the panels share it
 * and node tests check it.
 */
import type { TrackWire, SensorStatus } from '@skywarden/formats';
import { DICTIONARIES, trOr, type Lang } from './i18n.js';

export type Affiliation = TrackWire['affiliation'];

/** Drawn shapes; one icon per shape × affiliation is generated at start (see icons.ts). */
export type TrackShape = 'delta' | 'dart' | 'rotor' | 'small_wing' | 'aircraft' | 'unknown';

export const TRACK_SHAPES: readonly TrackShape[] = ['delta', 'dart', 'rotor', 'small_wing', 'aircraft', 'unknown'];
export const AFFILIATIONS: readonly Affiliation[] = ['hostile', 'unknown', 'neutral', 'friendly'];

/** Colours per affiliation (the usual convention: hostile red, friend blue, neutral green, unknown yellow). */
export const AFFILIATION_COLOUR: Readonly<Record<Affiliation, string>> = {
  hostile: '#ff4d4f',
  unknown: '#fadb14',
  neutral: '#52c41a',
  friendly: '#40a9ff',
};

/** Shape for a class label of the identifier (core/identify/class-model.ts). */
export function shapeForLabel(label: string | undefined): TrackShape {
  switch (label) {
    case 'piston_owa':
    case 'jet_owa':
      return 'delta';
    case 'cruise_missile':
      return 'dart';
    case 'multirotor':
      return 'rotor';
    case 'fixed_wing_small':
      return 'small_wing';
    case 'aircraft':
      return 'aircraft';
    default:
      return 'unknown';
  }
}

/** Affiliation, tolerating a value the client does not know (drawn as unknown). */
export function affiliationOf(a: string | undefined): Affiliation {
  return a === 'hostile' || a === 'neutral' || a === 'friendly' ? a : 'unknown';
}

/** Icon id of the generated image for a track. */
export function trackIconId(t: Pick<TrackWire, 'label' | 'affiliation'>): string {
  return `trk-${shapeForLabel(t.label)}-${affiliationOf(t.affiliation)}`;
}

/** Human-readable class names for the panels, in English (the keys are the class labels the operator may set). */
export const CLASS_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  (Object.keys(DICTIONARIES.en) as string[]).filter((k) => k.startsWith('class.')).map((k) => [k.slice(6), (DICTIONARIES.en as Record<string, string>)[k]]),
);

/** The name of a class label in `lang` ("One-way attack (piston)" / "자폭 드론 (피스톤 엔진)"); an unknown label as it is. */
export function className(label: string, lang: Lang = 'en'): string {
  return trOr(lang, `class.${label}`, label);
}

/** An affiliation, a track status, a sensor status or kind in `lang`; an unknown word as it is (underscores as spaces). */
export function wordOf(lang: Lang, group: 'aff' | 'status' | 'sensor' | 'sensor.kind', word: string): string {
  return trOr(lang, `${group}.${word}`, word.replace(/_/g, ' '));
}

/** Colours per sensor status: silent and stuck sensors stand out rather than disappear. */
export const SENSOR_STATUS_COLOUR: Readonly<Record<SensorStatus, string>> = {
  ok: '#36cfc9',
  silent: '#ff7a45',
  stuck: '#f759ab',
  implausible: '#b37feb',
  never_seen: '#8c8c8c',
  offline: '#595959',
};

/** The coverage layer: acoustic teal (the working sensors' colour), radar violet; the coverage lost to sensors not ok hatched orange (the silent colour). */
export const COVERAGE_COLOUR: Readonly<Record<'acoustic' | 'radar', string>> = { acoustic: '#36cfc9', radar: '#9d7bff' };
export const COVERAGE_LOST_COLOUR = '#ff7a45';

export function sensorColour(status: string): string {
  return (SENSOR_STATUS_COLOUR as Record<string, string>)[status] ?? '#8c8c8c';
}

/** Class probabilities sorted, most probable first. */
export function sortedClasses(cls: Record<string, number> | undefined): { label: string; p: number }[] {
  if (!cls) return [];
  return Object.entries(cls)
    .filter(([, p]) => Number.isFinite(p))
    .map(([label, p]) => ({ label, p }))
    .sort((a, b) => b.p - a.p || (a.label < b.label ? -1 : 1));
}

/** Zone fill and outline per urgency tier (docs/warnings.md "Tiers"); `none`: a zone not under alert. */
export const TIER_COLOUR: Readonly<Record<'imminent' | 'warning' | 'watch' | 'none', { fill: string; line: string; opacity: number }>> = {
  imminent: { fill: '#ff4d4f', line: '#ff7875', opacity: 0.45 },
  warning: { fill: '#fa8c16', line: '#ffa940', opacity: 0.3 },
  watch: { fill: '#fadb14', line: '#fadb14', opacity: 0.12 },
  none: { fill: '#1d6fa5', line: '#3c8dbc', opacity: 0.06 },
};
